import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as { port: number }; srv.close(() => resolve(port)); });
  });
}

/**
 * The real `npm start` entry point (server/main.ts) as a child process on `port` over `dataDir`,
 * resolved once /healthz answers: what SIGKILL really kills, and what node:cluster really forks.
 */
export async function spawnServer(opts: { dataDir: string; port: number; token: string; env?: Record<string, string> }): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env, PORT: String(opts.port), HOST: '127.0.0.1', SERVICEGRAPH_DATA_DIR: opts.dataDir,
      SERVICEGRAPH_ADMIN_TOKEN: opts.token, SERVICEGRAPH_WEB_DIST: join(opts.dataDir, 'no-web'), SERVICEGRAPH_OTLP_GRPC_PORT: 'off', SERVICEGRAPH_LOG_LEVEL: 'warn', ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Read what it prints: a pipe nobody drains fills up, and a process writing to a full pipe blocks.
  child.stdout?.resume();
  child.stderr?.resume();
  // Generous: a start of several workers on a 2-core machine shared with other work took over 30 s (load 16).
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${opts.port}/healthz`)).ok) {
        // Several API workers: each listens at once and answers 503 `starting` until its projection is loaded.
        const workers = Number(opts.env?.SERVICEGRAPH_WORKERS ?? 1);
        if (workers > 1) await untilWorkersAnswer(`http://127.0.0.1:${opts.port}`, opts.token, workers, Math.max(25_000, deadline - Date.now()));
        return child;
      }
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

/**
 * One request on a connection of its own: node:cluster hands connections, not requests, to workers, so a
 * kept-alive client would talk to one worker only. `instance` is the pid of the worker that answered.
 * The body is parsed when it is JSON, else the text.
 */
export function requestOnce(base: string, token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any; instance: number }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${base}${path}`, {
      method, agent: false,
      headers: { authorization: `Bearer ${token}`, ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, instance: Number(res.headers['x-servicegraph-instance']),
        body: /json/.test(res.headers['content-type'] ?? '') ? JSON.parse(text) : text,
      }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * The pids of the API workers answering on `base`, once `count` of them have started (the port answers as soon as
 * the first one listens, and each answers 503 `starting` until its projection is loaded).
 */
export async function untilWorkersAnswer(base: string, token: string, count: number, timeoutMs = 30_000): Promise<Set<number>> {
  const pids = new Set<number>();
  for (const until = Date.now() + timeoutMs; pids.size < count && Date.now() < until;) {
    const health = await requestOnce(base, token, 'GET', '/healthz');
    if (health.status === 200) pids.add(health.body.pid);
    await new Promise((r) => setTimeout(r, 20));
  }
  return pids;
}
