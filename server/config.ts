import { resolve } from 'node:path';
import { limitsFromEnv, type Limits } from './model/limits.ts';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  store: 'sqlite' | 'neo4j';
  adminToken?: string;
  limits: Limits;
  maxRetireShare: number;
  /** How long an ingest batch's reply is kept under its Idempotency-Key (ms). */
  idempotencyTtlMs: number;
  edgeState: { activeMinutes: number; idleMinutes: number };
  neo4j: { uri?: string; user: string; password: string; database: string };
  webDist: string;
  pollMs: number;
  /** API processes sharing the port (node:cluster), each with its own projection, following the event log. */
  workers: number;
}

const num = (v: string | undefined, d: number) => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : d);

function workersFrom(v: string | undefined): number {
  if (v === undefined || v === '') return 1;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`SERVICEGRAPH_WORKERS must be a whole number from 1 to 64, not ${v}`);
  return n;
}

function idempotencyHoursFrom(v: string | undefined): number {
  if (v === undefined || v === '') return 24;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 24 * 90) throw new Error(`SERVICEGRAPH_IDEMPOTENCY_HOURS must be a number of hours above 0 and at most 2160 (90 days), not ${v}`);
  return n;
}

/** Every setting comes from the environment (twelve-factor); README lists them all. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const store = env.SERVICEGRAPH_STORE ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'neo4j') throw new Error(`SERVICEGRAPH_STORE must be sqlite or neo4j, not ${store}`);
  return {
    port: num(env.PORT, 8080),
    host: env.HOST ?? '0.0.0.0',
    dataDir: resolve(env.SERVICEGRAPH_DATA_DIR ?? './data'),
    store,
    adminToken: env.SERVICEGRAPH_ADMIN_TOKEN || undefined,
    limits: limitsFromEnv(env),
    maxRetireShare: num(env.SERVICEGRAPH_RETIRE_GUARD, 0.2),
    idempotencyTtlMs: idempotencyHoursFrom(env.SERVICEGRAPH_IDEMPOTENCY_HOURS) * 3600_000,
    edgeState: { activeMinutes: num(env.SERVICEGRAPH_EDGE_ACTIVE_MINUTES, 30), idleMinutes: num(env.SERVICEGRAPH_EDGE_IDLE_MINUTES, 24 * 60) },
    neo4j: { uri: env.NEO4J_URI, user: env.NEO4J_USER ?? 'neo4j', password: env.NEO4J_PASSWORD ?? '', database: env.NEO4J_DATABASE ?? 'neo4j' },
    webDist: resolve(env.SERVICEGRAPH_WEB_DIST ?? new URL('../web/dist', import.meta.url).pathname),
    pollMs: num(env.SERVICEGRAPH_POLL_MS, 1000),
    workers: workersFrom(env.SERVICEGRAPH_WORKERS),
  };
}
