import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv, type Config } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { issueToken } from '../../server/api/auth.ts';
import { loadDemo } from '../../server/demo/load-demo.ts';
import type { Role } from '../../server/model/records.ts';

export interface TestServer extends RunningServer {
  adminToken: string;
  dataDir: string;
  /** A fresh token of the given role, optionally bound to a team (cached per role and team). */
  tokenFor(role: Role, team?: string): Promise<string>;
  /** fetch against the server with a bearer token (admin unless given) and JSON in/out. */
  api(path: string, init?: { method?: string; body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
}

/**
 * The real server (same bootstrap as `npm start`) on an ephemeral port over a temp SQLite store.
 * `demo` loads the generated demo estate through the ingest path first.
 */
export async function startTestServer(opts: { demo?: boolean | { cis: number; seed?: number }; config?: Partial<Config> } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sg-test-'));
  const adminToken = 'sg_test_admin_' + Math.random().toString(36).slice(2);
  // No gRPC port unless a test asks for one (on a free port); logs only when SERVICEGRAPH_LOG_LEVEL asks.
  const logLevel = configFromEnv({ SERVICEGRAPH_LOG_LEVEL: process.env.SERVICEGRAPH_LOG_LEVEL ?? 'silent' }).logLevel;
  const config: Config = { ...configFromEnv({}), port: 0, host: '127.0.0.1', dataDir, adminToken, pollMs: 200, otlpGrpcPort: null, logLevel, ...opts.config };
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  // A server that refuses to start (tests of StartError) leaves no store behind either.
  const server = await startServer(config).catch((e: unknown) => { removeDataDir(); throw e; });
  if (opts.demo) {
    const d = typeof opts.demo === 'object' ? opts.demo : { cis: 3000 };
    await loadDemo(server.store, config.limits, d);
    await server.feed.poke();
  }
  const tokens = new Map<string, string>();
  const close = server.close;
  return {
    ...server,
    adminToken,
    dataDir,
    async tokenFor(role, team) {
      const key = `${role}|${team ?? ''}`;
      if (!tokens.has(key)) tokens.set(key, (await issueToken(server.store, `test ${role}${team ? ` of ${team}` : ''}`, role, null, { team: team ?? null })).token);
      return tokens.get(key)!;
    },
    async api(path, init = {}) {
      const token = init.token === undefined ? adminToken : init.token;
      const res = await fetch(server.url + path, {
        method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
        headers: {
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...init.headers,
        },
        body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
      });
      const text = await res.text();
      let body: unknown = text;
      try { body = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, body, headers: res.headers };
    },
    async close() {
      await close();
      removeDataDir();
    },
  };
}

/** Every live CI, page by page through the API (tests that pick CIs of the demo estate by name or class). */
export async function allCis<T>(s: Pick<TestServer, 'api'>): Promise<T[]> {
  const out: T[] = [];
  for (let cursor: string | null = null; ;) {
    const page: { body: { items: T[]; nextCursor: string | null } } = await s.api(`/api/v1/cis?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    out.push(...page.body.items);
    cursor = page.body.nextCursor;
    if (!cursor) return out;
  }
}
