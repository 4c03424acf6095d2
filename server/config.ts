import { resolve } from 'node:path';
import { z } from 'zod';
import { PriorityConfig, defaultPriorityConfig } from './domain/priority/priority.ts';
import { logLevels } from './log.ts';
import { defaultLimits } from './model/limits.ts';
import { defaultOtlpSettings } from './otlp/settings.ts';
import { loadBindings } from './alerts/settings.ts';
import { HealthState, type BindingConfig } from './model/alerts.ts';
import { Priority } from './model/incidents.ts';
import { defaultBindingConfig } from './domain/alerts/bind.ts';
import { defaultSeverityHealth } from './domain/alerts/parse.ts';

/**
 * Every setting of the server, read from the environment once, here, and nowhere else.
 *
 * Adding a setting is one line in `settings` below (its variable, the schema its text must pass, its
 * default) plus its row in README's settings table (a test checks that every variable has one). The
 * `Config` type follows from `settings`; the composition root hands each part only what it needs.
 * A value that does not pass its schema stops the start with one line naming the variable.
 */

interface Setting<T> {
  readonly env: string;
  readonly schema: z.ZodType<T, string>;
  readonly fallback: T | (() => T);
}
const setting = <T>(env: string, schema: z.ZodType<T, string>, fallback: T | (() => T)): Setting<T> => ({ env, schema, fallback });

// Schemas of environment text. Each says in its message what it expects, so the error line reads well.
const whole = (min: number, max: number) =>
  z.string().trim().regex(/^-?\d+$/, `must be a whole number from ${min} to ${max}`).transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
/** A port, `0` for any free one, or `off`: null. */
const portOrOff = z.union([z.literal('off').transform(() => null), whole(0, 65535)]) as z.ZodType<number | null, string>;
const decimal = (min: number, max: number) =>
  z.string().trim().regex(/^-?(\d+\.?\d*|\.\d+)$/, `must be a number from ${min} to ${max}`).transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
const text = (max = 1000) => z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const path = z.string().min(1, 'must not be empty').transform((p) => resolve(p));
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.string().trim().refine((v): v is T[number] => (values as readonly string[]).includes(v), `must be one of ${values.join(', ')}`) as unknown as z.ZodType<T[number], string>;
const jsonOf = <T>(schema: z.ZodType<T>) => z.string().transform((s, ctx) => {
  try { return JSON.parse(s) as unknown; } catch (e) { ctx.addIssue({ code: 'custom', message: `is not JSON: ${(e as Error).message}` }); return z.NEVER; }
}).pipe(schema) as unknown as z.ZodType<T, string>;
const optional = <T>(schema: z.ZodType<T, string>) => schema as z.ZodType<T | undefined, string>;
const minutesAsMs = decimal(0.001, 5_256_000).transform((m) => m * 60_000);
/** A file's alert binding rules, and where they came from. */
const bindingsFile = z.string().min(1, 'must not be empty').transform((file, ctx) => {
  try { return { config: loadBindings(file), source: file }; } catch (e) {
    ctx.addIssue({ code: 'custom', message: String((e as Error).message).split('\n')[0] });
    return z.NEVER;
  }
}) as unknown as z.ZodType<{ config: BindingConfig; source: string }, string>;
/** Severity → health, keys lower-cased in a null-prototype object: its keys come from configuration and are looked up with alert input. */
const severityMap = (extra: Record<string, HealthState>): Record<string, HealthState> =>
  Object.assign(Object.create(null) as Record<string, HealthState>, defaultSeverityHealth, Object.fromEntries(Object.entries(extra).map(([k, v]) => [k.toLowerCase(), v])));

const MiB = 1024 * 1024;

/** The settings, grouped as the parts that use them. README's settings table documents each variable. */
export const settings = {
  port: setting('PORT', whole(0, 65535), 8080),
  host: setting('HOST', text(255), '0.0.0.0'),
  dataDir: setting('SERVICEGRAPH_DATA_DIR', path, () => resolve('./data')),
  store: setting('SERVICEGRAPH_STORE', oneOf(['sqlite', 'neo4j'] as const), 'sqlite'),
  sqliteSync: setting('SERVICEGRAPH_SQLITE_SYNC', oneOf(['NORMAL', 'FULL'] as const), 'NORMAL'),
  /**
   * The main connection's WAL is checkpointed by a thread of its own every this many ms, never inside one of its
   * commits (which hold the event loop); 0: SQLite's auto-checkpoint at commit, as before.
   */
  /**
   * An as-of view (a map, impact or paths at a past instant) rebuilds the whole projection from history inside the
   * request: refused (422 as_of_too_large) when the live estate has more CIs than this; 0: no limit.
   */
  asOfMaxCis: setting('SERVICEGRAPH_ASOF_MAX_CIS', whole(0, 1_000_000_000), 250_000),
  /**
   * Live feed connections (`/api/v1/events`) that have not authenticated yet: at most this many in all and from one
   * remote address (more are closed at once, 1013 try again later), each closed (4401) past the deadline. Signed-in
   * connections are not counted: a flood of idle sockets cannot crowd them out.
   */
  livePendingMax: setting('SERVICEGRAPH_LIVE_PENDING_MAX', whole(1, 1_000_000), 256),
  livePendingPerAddress: setting('SERVICEGRAPH_LIVE_PENDING_PER_ADDRESS', whole(1, 1_000_000), 16),
  liveAuthDeadlineMs: setting('SERVICEGRAPH_LIVE_AUTH_DEADLINE_MS', whole(100, 600_000), 10_000),
  walCheckpointMs: setting('SERVICEGRAPH_WAL_CHECKPOINT_MS', whole(0, 60_000), 250),
  /**
   * Ingest batches written on a thread of their own with its own SQLite connection (auto: for the store file the
   * server opens; on: also for a SQLite file store handed to startServer; off: on the main thread, as reads).
   */
  ingestThread: setting('SERVICEGRAPH_INGEST_THREAD', oneOf(['auto', 'on', 'off'] as const), 'auto'),
  /**
   * The ingest thread's young generation (MB; 0: V8's default). A 1,000-CI batch allocates far more than the
   * default holds, so the batch in hand was scavenged many times over and much of it promoted to the old space: at
   * 192 MB a 30k-CI first load pauses for a third as many collections, and for less than half the time (58 -> 18
   * scavenges; `npm run bench -- ingest` times the first load both ways).
   */
  ingestThreadYoungMb: setting('SERVICEGRAPH_INGEST_THREAD_YOUNG_MB', whole(0, 4096), 192),
  /**
   * The ingest writer thread's nice value (Linux: its own, the reads' threads keep theirs; below 0 needs CAP_SYS_NICE
   * or RLIMIT_NICE, without which it stays at the process's and /healthz says why; 0: as the process). With the cores
   * busy with reads, a batch's write otherwise took 1.5-4x its idle time (server/ingest/writer-priority.ts).
   */
  ingestThreadNice: setting('SERVICEGRAPH_INGEST_THREAD_NICE', whole(-20, 0), -10),
  /**
   * A port of its own for `POST /api/v1/ingest`, served by the ingest writer thread's own event loop (on `host`), so a
   * batch never waits for the loop that serves reads, neither to be read off its socket nor for its reply; null: off
   * (batches reach the thread through the main port only). With API workers, the primary's writer thread listens.
   */
  ingestPort: setting('SERVICEGRAPH_INGEST_PORT', portOrOff, null),
  /** Read routes run in arrival order for at most this long per event-loop turn (server/api/read-gate.ts); 0: as they arrive. */
  readSliceMs: setting('SERVICEGRAPH_READ_SLICE_MS', whole(0, 1000), 5),
  /**
   * A live map that takes longer is computed over event-loop turns of at most this long (liveMapInTurns); 0: in one
   * turn however long. Longer than a read slice: each turn a map gives up, every request ready meanwhile runs first.
   */
  mapTurnMs: setting('SERVICEGRAPH_MAP_TURN_MS', whole(0, 1000), 20),
  /**
   * Writes first: an ingest batch in flight holds new reads back for at most this long (the read gate's `hold`),
   * and reads waiting then get as long before the next batch may hold them; 0: batches take turns with reads.
   */
  writeFirstMs: setting('SERVICEGRAPH_WRITE_FIRST_MS', whole(0, 10_000), 0),
  /**
   * When a committed batch reaches the projection, caches and live hub: after its reply went out (requests that
   * arrive meanwhile wait for it, so reads still see their writes), or before the reply (the writer waits for it).
   */
  projectionApply: setting('SERVICEGRAPH_PROJECTION_APPLY', oneOf(['after-reply', 'before-reply'] as const), 'after-reply'),
  adminToken: setting('SERVICEGRAPH_ADMIN_TOKEN', optional(text(500)), undefined),
  maxRetireShare: setting('SERVICEGRAPH_RETIRE_GUARD', decimal(0, 1), 0.2),
  /** How long an ingest batch's reply is kept under its Idempotency-Key (ms; set in hours). */
  idempotencyTtlMs: setting('SERVICEGRAPH_IDEMPOTENCY_HOURS', decimal(0.001, 24 * 90).transform((h) => h * 3_600_000), 24 * 3_600_000),
  edgeState: {
    activeMinutes: setting('SERVICEGRAPH_EDGE_ACTIVE_MINUTES', whole(1, 525_600), 30),
    idleMinutes: setting('SERVICEGRAPH_EDGE_IDLE_MINUTES', whole(1, 5_256_000), 24 * 60),
  },
  limits: {
    bodyBytes: setting('SERVICEGRAPH_LIMIT_BODY_BYTES', whole(1024, 1024 * MiB), defaultLimits.bodyBytes),
    batchCis: setting('SERVICEGRAPH_LIMIT_BATCH_CIS', whole(1, 1_000_000), defaultLimits.batchCis),
    batchRelations: setting('SERVICEGRAPH_LIMIT_BATCH_RELATIONS', whole(1, 3_000_000), defaultLimits.batchRelations),
    attributeDepth: setting('SERVICEGRAPH_LIMIT_ATTRIBUTE_DEPTH', whole(1, 64), defaultLimits.attributeDepth),
    attributeBytes: setting('SERVICEGRAPH_LIMIT_ATTRIBUTE_BYTES', whole(16, 16 * MiB), defaultLimits.attributeBytes),
    graphNodes: setting('SERVICEGRAPH_LIMIT_GRAPH_NODES', whole(1, 1_000_000), defaultLimits.graphNodes),
    graphEdges: setting('SERVICEGRAPH_LIMIT_GRAPH_EDGES', whole(1, 5_000_000), defaultLimits.graphEdges),
    listLimit: setting('SERVICEGRAPH_LIMIT_LIST_LIMIT', whole(1, 100_000), defaultLimits.listLimit),
    impactResults: setting('SERVICEGRAPH_LIMIT_IMPACT_RESULTS', whole(1, 10_000_000), defaultLimits.impactResults),
    /** Largest MCP tool reply, in bytes of JSON: what fits an agent's context beside its conversation. */
    mcpReplyBytes: setting('SERVICEGRAPH_LIMIT_MCP_REPLY_BYTES', whole(1024, 16 * MiB), defaultLimits.mcpReplyBytes),
  },
  priority: setting('SERVICEGRAPH_PRIORITY', jsonOf(PriorityConfig), defaultPriorityConfig),
  otlp: {
    flushMs: setting('SERVICEGRAPH_OTLP_FLUSH_MS', whole(10, 3_600_000), defaultOtlpSettings.flushMs),
    flushSpans: setting('SERVICEGRAPH_OTLP_FLUSH_SPANS', whole(1, 100_000_000), defaultOtlpSettings.flushSpans),
    pairWindowMs: setting('SERVICEGRAPH_OTLP_PAIR_WINDOW_MS', whole(0, 3_600_000), defaultOtlpSettings.pairWindowMs),
    maxEdges: setting('SERVICEGRAPH_OTLP_MAX_EDGES', whole(1, 10_000_000), defaultOtlpSettings.maxEdges),
    maxServices: setting('SERVICEGRAPH_OTLP_MAX_SERVICES', whole(1, 10_000_000), defaultOtlpSettings.maxServices),
    maxPending: setting('SERVICEGRAPH_OTLP_MAX_PENDING', whole(1, 100_000_000), defaultOtlpSettings.maxPending),
    maxNewCisPerHour: setting('SERVICEGRAPH_OTLP_MAX_NEW_CIS_PER_HOUR', whole(0, 100_000_000), defaultOtlpSettings.maxNewCisPerHour),
    retireAfterHours: setting('SERVICEGRAPH_OTLP_RETIRE_AFTER_HOURS', whole(0, 1_000_000), defaultOtlpSettings.retireAfterHours),
  },
  /** OTLP/gRPC TraceService/Export listens here (on `host`); null: off. */
  otlpGrpcPort: setting('SERVICEGRAPH_OTLP_GRPC_PORT', portOrOff, 4317),
  logLevel: setting('SERVICEGRAPH_LOG_LEVEL', oneOf(logLevels), 'info'),
  /** A bearer token that may read /metrics and nothing else (for a Prometheus scrape config); viewer tokens may too. */
  metricsToken: setting('SERVICEGRAPH_METRICS_TOKEN', optional(text(500)), undefined),
  /** /readyz answers 503 while the projection is further than this behind the store's event log. */
  readyMaxLagMs: setting('SERVICEGRAPH_READY_MAX_LAG_MS', whole(0, 86_400_000), 30_000),
  /** Event management. */
  alerts: {
    bindings: setting('SERVICEGRAPH_ALERT_BINDINGS', bindingsFile, () => ({ config: defaultBindingConfig, source: 'built-in defaults' })),
    /** A firing alert with no `endsAt` that is not re-sent for this long expires (ms; set in minutes). */
    timeoutMs: setting('SERVICEGRAPH_ALERT_TIMEOUT_MINUTES', minutesAsMs, 360 * 60_000),
    /** Alerts closer in time than this may form one situation (ms; set in minutes). */
    windowMs: setting('SERVICEGRAPH_SITUATION_WINDOW_MINUTES', minutesAsMs, 10 * 60_000),
    /** Situations at or above this priority open an incident by themselves; null (`off`): only by hand. */
    autoIncidentPriority: setting('SERVICEGRAPH_SITUATION_AUTO_INCIDENT',
      z.union([z.literal('off').transform(() => null), Priority], { error: 'must be P1, P2, P3, P4 or off' }) as unknown as z.ZodType<Priority | null, string>, 'P1'),
    severityHealth: setting('SERVICEGRAPH_ALERT_SEVERITY_HEALTH',
      jsonOf(z.record(z.string(), HealthState, { error: 'must be a JSON object of severity → down, degraded or none' })).transform(severityMap) as unknown as z.ZodType<Record<string, HealthState>, string>,
      () => severityMap({})),
  },
  neo4j: {
    uri: setting('NEO4J_URI', optional(text()), undefined),
    user: setting('NEO4J_USER', text(), 'neo4j'),
    password: setting('NEO4J_PASSWORD', z.string(), ''),
    database: setting('NEO4J_DATABASE', text(), 'neo4j'),
  },
  webDist: setting('SERVICEGRAPH_WEB_DIST', path, () => resolve(new URL('../web/dist', import.meta.url).pathname)),
  pollMs: setting('SERVICEGRAPH_POLL_MS', whole(10, 3_600_000), 1000),
  healthMaxLagMs: setting('SERVICEGRAPH_HEALTH_MAX_LAG_MS', whole(100, 86_400_000), 30_000),
  workers: setting('SERVICEGRAPH_WORKERS', whole(1, 64), 1),
};

/** The CLI's own settings (defaults of `--server` and `--token`); the server does not read them. */
export const cliSettings = {
  url: setting('SERVICEGRAPH_URL', text(), 'http://localhost:8080'),
  token: setting('SERVICEGRAPH_TOKEN', optional(text(500)), undefined),
  dataDir: settings.dataDir,
};

type Spec = { readonly [key: string]: Setting<unknown> | Spec };
type ValuesOf<S> = S extends Setting<infer T> ? T : { -readonly [K in keyof S]: ValuesOf<S[K]> };

export type Config = ValuesOf<typeof settings>;
export type CliConfig = ValuesOf<typeof cliSettings>;

/** A setting whose value does not pass: the message is the one line a start prints. */
export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) { super(message); }
}

const isSetting = (x: Setting<unknown> | Spec): x is Setting<unknown> => typeof (x as Setting<unknown>).env === 'string' && 'schema' in x;

function read<S extends Spec>(spec: S, env: Readonly<Record<string, string | undefined>>): ValuesOf<S> {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(spec)) {
    if (!isSetting(s)) { out[key] = read(s, env); continue; }
    const raw = Object.hasOwn(env, s.env) ? env[s.env] : undefined;
    if (raw === undefined || raw === '') { out[key] = typeof s.fallback === 'function' ? (s.fallback as () => unknown)() : s.fallback; continue; }
    const r = s.schema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      const where = issue.path.length ? ` (at ${issue.path.join('.')})` : '';
      const shown = raw.length > 60 ? raw.slice(0, 57) + '...' : raw;
      throw new ConfigError(s.env, `${s.env}=${JSON.stringify(shown)}: ${issue.message}${where}`);
    }
    out[key] = r.data;
  }
  return out as ValuesOf<S>;
}

/** Every variable a spec reads (README's settings table is checked against this). */
export function variablesOf(spec: Spec = settings): string[] {
  return Object.values(spec).flatMap((s) => (isSetting(s) ? [s.env] : variablesOf(s)));
}

/**
 * The one read of the process environment. Entry points (server/main.ts, the CLI) call it once and
 * hand the result down; `env` is for tests.
 */
export function processEnvironment(): Readonly<Record<string, string | undefined>> {
  return { ...process.env };
}

/** The server's settings from `env`; throws ConfigError (one line naming the variable) on a bad value. */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = processEnvironment()): Config {
  return read(settings, env);
}

/** Kept for callers that build a config to override (tests, benches): the defaults are `configFromEnv({})`. */
export const configFromEnv = loadConfig;

export function loadCliConfig(env: Readonly<Record<string, string | undefined>> = processEnvironment()): CliConfig {
  return read(cliSettings, env);
}
