import { resolve } from 'node:path';
import { limitsFromEnv, type Limits } from './model/limits.ts';
import { otlpSettingsFromEnv, type OtlpSettings } from './otlp/settings.ts';
import { logLevels, type LogLevel } from './log.ts';
import { alertSettingsFromEnv, type AlertSettings } from './alerts/settings.ts';

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
  /** The live OTLP receiver (folding, flushing, creation budget, stale retirement). */
  otlp: OtlpSettings;
  /** OTLP/gRPC TraceService/Export listens here (on `host`); null: off. */
  otlpGrpcPort: number | null;
  logLevel: LogLevel;
  /** A bearer token that may read /metrics and nothing else (for a Prometheus scrape config); viewer tokens may too. */
  metricsToken?: string;
  /** /readyz answers 503 while the projection is further than this behind the store's event log. */
  readyMaxLagMs: number;
  /** Event management: bindings, expiry, situation window, automatic incidents. */
  alerts: AlertSettings;
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

function grpcPortFrom(v: string | undefined): number | null {
  if (v === undefined || v === '') return 4317;
  if (v === 'off') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`SERVICEGRAPH_OTLP_GRPC_PORT must be a port number (0 for any free one) or off, not ${v}`);
  return n;
}

function logLevelFrom(v: string | undefined): LogLevel {
  if (v === undefined || v === '') return 'info';
  if (!(logLevels as readonly string[]).includes(v)) throw new Error(`SERVICEGRAPH_LOG_LEVEL must be one of ${logLevels.join(', ')}, not ${v}`);
  return v as LogLevel;
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
    otlp: otlpSettingsFromEnv(env),
    otlpGrpcPort: grpcPortFrom(env.SERVICEGRAPH_OTLP_GRPC_PORT),
    logLevel: logLevelFrom(env.SERVICEGRAPH_LOG_LEVEL),
    metricsToken: env.SERVICEGRAPH_METRICS_TOKEN || undefined,
    readyMaxLagMs: num(env.SERVICEGRAPH_READY_MAX_LAG_MS, 30_000),
    alerts: alertSettingsFromEnv(env),
  };
}
