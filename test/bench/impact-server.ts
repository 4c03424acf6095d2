/**
 * The API over a bench estate in its own process, so that load generators do not share its event
 * loop: `impact-server.ts [--store sqlite] [--workers N] <sqlite file>` or `impact-server.ts --store neo4j`
 * (the NEO4J_* database). Prints one JSON line `{url, token, ingestUrl}` once listening (`ingestUrl`: with
 * `--ingest-listener`, where the writer thread takes batches itself, else null), and stops when its stdin closes.
 */
import cluster from 'node:cluster';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { configFromEnv } from '../../server/config.ts';
import { ingestThreadSettings, startServer } from '../../server/server.ts';
import { startPrimaryIngest } from '../../server/ingest/primary-ingest.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { mainThreadSqlite } from '../../server/store/select-store.ts';
import { benchStoreKind, openBenchStore } from './bench-store.ts';
import { freePort } from './bench-util.ts';

const { values, positionals } = parseArgs({
  options: {
    store: { type: 'string', default: 'sqlite' }, workers: { type: 'string', default: '1' },
    // SERVICEGRAPH_INGEST_THREAD and SERVICEGRAPH_READ_SLICE_MS for this server (the load benchmark compares them).
    'ingest-thread': { type: 'string', default: 'on' }, 'read-slice-ms': { type: 'string', default: '5' },
    // SERVICEGRAPH_PROJECTION_APPLY: a committed batch reaches the projection after its reply (default) or before.
    'projection-apply': { type: 'string', default: 'after-reply' },
    // SERVICEGRAPH_WRITE_FIRST_MS: how long a batch in flight holds new reads back (0: off).
    'write-first-ms': { type: 'string' },
    // SERVICEGRAPH_WAL_CHECKPOINT_MS and SERVICEGRAPH_INGEST_THREAD_YOUNG_MB (default: the server's defaults).
    'wal-checkpoint-ms': { type: 'string' }, 'ingest-young-mb': { type: 'string' }, 'ingest-nice': { type: 'string' },
    // SERVICEGRAPH_INGEST_PORT (any free port): the writer thread (with workers, the primary's) listens for batches itself.
    'ingest-listener': { type: 'boolean', default: false },
    // SERVICEGRAPH_POLL_MS: how often each API process reads the others' commits from the log (the impact benchmark's
    // default: once a minute, so that polls do not stir its timings; the load benchmark's: the server's default).
    'poll-ms': { type: 'string', default: '60000' },
  },
  allowPositionals: true,
});
const kind = benchStoreKind(values.store);
const file = positionals[0];
if (kind === 'sqlite' && !file) throw new Error('usage: impact-server.ts [--store sqlite] [--workers N] <sqlite file> | --store neo4j');
const workers = Number(values.workers);

/** One API process over the bench estate: the server itself, or one of several sharing a port (SERVICEGRAPH_WORKERS). */
async function serve(port: number, dataDir: string, token: string) {
  // SQLite: startServer initialises the store (twice would open the file twice). Neo4j: opened here so an
  // unreachable server fails at once with one line; startServer's second init() only re-checks the schema.
  const modes = benchConfig();
  // Opened as the server opens its own file (its WAL checkpointed as configured), on the estate given.
  const store = kind === 'sqlite' ? new SqliteStore(mainThreadSqlite(file, { sqliteSync: 'NORMAL', walCheckpointMs: modes.walCheckpointMs })) : await openBenchStore('neo4j', '');
  return startServer({
    // No OTLP/gRPC listener: its fixed port (4317) is taken by any other server on the machine, and nothing here sends spans.
    ...modes, port, host: '127.0.0.1', dataDir, adminToken: token, pollMs: Number(values['poll-ms']), otlpGrpcPort: null,
  }, { store });
}

/** The settings the load benchmark compares, as the options give them (the server's defaults for the rest). */
function benchConfig() {
  const given = (name: string, value: string | undefined) => (value === undefined ? {} : { [name]: value });
  return configFromEnv({
    SERVICEGRAPH_INGEST_THREAD: values['ingest-thread'], SERVICEGRAPH_READ_SLICE_MS: values['read-slice-ms'], SERVICEGRAPH_PROJECTION_APPLY: values['projection-apply'],
    ...given('SERVICEGRAPH_WRITE_FIRST_MS', values['write-first-ms']), ...given('SERVICEGRAPH_WAL_CHECKPOINT_MS', values['wal-checkpoint-ms']),
    ...given('SERVICEGRAPH_INGEST_THREAD_YOUNG_MB', values['ingest-young-mb']), ...given('SERVICEGRAPH_INGEST_THREAD_NICE', values['ingest-nice']), ...given('SERVICEGRAPH_MAP_TURN_MS', process.env.SERVICEGRAPH_MAP_TURN_MS), ...(values['ingest-listener'] ? { SERVICEGRAPH_INGEST_PORT: '0' } : {}),
  });
}

/**
 * SG_BENCH_WATCH=1: every 5 s each API process prints to stderr its longest event-loop delay, the lengths of its loop's
 * passes (p50, p99, the share of time in passes over 25 and 50 ms) and its GC pauses in that window (major / minor:
 * count, total and longest ms), to tell GC pauses from long turns under load.
 */
function watchLoop() {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let gcs: { kind: number; ms: number }[] = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) gcs.push({ kind: (e as unknown as { detail: { kind: number } }).detail.kind, ms: e.duration }); }).observe({ entryTypes: ['gc'] });
  const sum = (kind: number) => { const g = gcs.filter((x) => x.kind === kind); return `${g.length}/${Math.round(g.reduce((s, x) => s + x.ms, 0))}/${Math.round(Math.max(0, ...g.map((x) => x.ms)))}`; };
  // Passes of the loop: the time between two runs of a 1-ms timer is one pass (or more) from timers phase to timers
  // phase. A request arriving during a pass waits for the rest of it to be read off its socket, so what a batch meets
  // is the share of time spent in long passes: printed as the share of the window in passes over 25 and 50 ms.
  let passes: number[] = [];
  let last = performance.now();
  const tick = () => { const now = performance.now(); passes.push(now - last); last = now; setTimeout(tick, 1).unref(); };
  setTimeout(tick, 1).unref();
  const kinds = process.env.SG_BENCH_WATCH === 'kinds' ? watchKinds() : null;
  setInterval(() => {
    if (kinds) process.stderr.write(kinds());
    const total = passes.reduce((s, x) => s + x, 0) || 1;
    const over = (ms: number) => Math.round((100 * passes.filter((x) => x > ms).reduce((s, x) => s + x, 0)) / total);
    const sorted = passes.sort((a, b) => a - b);
    process.stderr.write(`[watch ${process.pid}] ${new Date().toISOString().slice(11, 19)} loop p99 ${Math.round(delay.percentile(99) / 1e6)} max ${Math.round(delay.max / 1e6)} ms; passes p50 ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)} p99 ${Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0)} ms, time in passes > 25 ms ${over(25)}%, > 50 ms ${over(50)}%; gc major ${sum(constants.NODE_PERFORMANCE_GC_MAJOR)} minor ${sum(constants.NODE_PERFORMANCE_GC_MINOR)} incr ${sum(constants.NODE_PERFORMANCE_GC_INCREMENTAL)} (n/total/max ms); heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB\n`);
    delay.reset(); gcs = []; passes = [];
  }, 5000).unref();
}

/**
 * SG_BENCH_WATCH=kinds: what a long pass of the loop is made of. Every setImmediate callback is tagged with where it
 * was scheduled (the first server frame outside turns.ts) and timed from its start to the next one's (its microtasks,
 * the continuations of the promise it settles, included); the last of a pass ends at the next pass's timers phase.
 * What is left of a pass (timers, the poll phase: requests read and parsed, the writer thread's replies) is `poll`.
 * Prints, per 5 s, for passes over 25 ms: their count, mean length and mean ms per pass by kind (and how many).
 */
function watchKinds(): () => string {
  const original = globalThis.setImmediate;
  type Pass = { start: number; items: { kind: string; start: number }[] };
  let pass: Pass = { start: performance.now(), items: [] };
  const long = new Map<string, { ms: number; n: number }>();
  let longCount = 0, longMs = 0;
  const where = (): string => {
    const lines = (new Error().stack ?? '').split('\n').slice(2);
    for (const l of lines) {
      const m = /at (?:async )?(\S+)? ?\(?.*\/(server\/[^:]+):(\d+)/.exec(l);
      if (m && !m[2].endsWith('live/turns.ts')) return `${m[2].replace('server/', '')}:${m[3]} ${m[1] ?? ''}`.trim();
    }
    return 'other';
  };
  const close = (end: number) => {
    const p = pass;
    const ms = end - p.start;
    if (ms > 25) {
      longCount++; longMs += ms;
      const add = (k: string, x: number) => { const e = long.get(k) ?? { ms: 0, n: 0 }; e.ms += x; e.n++; long.set(k, e); };
      add('poll', (p.items[0]?.start ?? end) - p.start);
      p.items.forEach((it, i) => add(it.kind, (p.items[i + 1]?.start ?? end) - it.start));
    }
  };
  const tick = () => { const now = performance.now(); close(now); pass = { start: now, items: [] }; setTimeout(tick, 1).unref(); };
  setTimeout(tick, 1).unref();
  (globalThis as { setImmediate: unknown }).setImmediate = ((cb: (...a: unknown[]) => void, ...args: unknown[]) => {
    const kind = where();
    return original(() => { pass.items.push({ kind, start: performance.now() }); cb(...args); });
  }) as typeof setImmediate;
  return () => {
    const rows = [...long].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)
      .map(([k, v]) => `${k}: ${(v.ms / Math.max(1, longCount)).toFixed(1)} ms/pass (${(v.n / Math.max(1, longCount)).toFixed(2)}x)`);
    const out = `[kinds ${process.pid}] passes > 25 ms: ${longCount}, mean ${(longMs / Math.max(1, longCount)).toFixed(1)} ms; ${rows.join('; ')}\n`;
    long.clear(); longCount = 0; longMs = 0;
    return out;
  };
}

if (cluster.isWorker) {
  await serve(Number(process.env.SG_BENCH_PORT), process.env.SG_BENCH_DATA!, process.env.SG_BENCH_TOKEN!);
  // Started (its projection loaded): a worker listens before that, answering 503 `starting` meanwhile.
  process.send!('started');
  if (process.env.SG_BENCH_WATCH) watchLoop();
  // Stopped by the primary's SIGTERM: exit normally, so that --cpu-prof writes this process's profile.
  process.on('SIGTERM', () => process.exit(0));
} else {
  const dataDir = mkdtempSync(join(tmpdir(), 'sg-bench-'));
  const token = 'sg_bench_' + Date.now();
  let stop: () => Promise<void>;
  if (workers > 1) {
    // As `SERVICEGRAPH_WORKERS` does for `npm start`: processes sharing one port, each with its own projection.
    const port = await freePort();
    // As main.ts's primary does, the file is opened once (its schema brought up to date) before the workers open it
    // side by side: on a copy of an estate written before stop 30 both dropped its old name index at once, and the one
    // waiting for the other's DROP (seconds on the 1M file under load) met SQLITE_BUSY, so the run failed at its start.
    if (kind === 'sqlite') { const store = new SqliteStore({ file }); await store.init(); await store.close(); }
    if (process.env.SG_BENCH_WORKER_FLAGS) cluster.setupPrimary({ execArgv: [...process.execArgv, ...process.env.SG_BENCH_WORKER_FLAGS.split(' ')] });
    let started = 0;
    await new Promise<void>((ready, failed) => {
      for (let i = 0; i < workers; i++) {
        const worker = cluster.fork({ SG_BENCH_PORT: String(port), SG_BENCH_DATA: dataDir, SG_BENCH_TOKEN: token });
        worker.on('message', (m) => { if (m === 'started' && ++started === workers) ready(); });
        // A worker that dies before it started would leave the bench waiting for ever.
        worker.on('exit', (code) => { if (started < workers) failed(new Error(`a bench API worker stopped before it started (exit code ${code})`)); });
      }
    }).catch((e: Error) => {
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      throw e;
    });
    // As main.ts does with SERVICEGRAPH_INGEST_PORT: the primary's writer thread listens, and passes commits to the workers.
    const config = benchConfig();
    const listener = values['ingest-listener'] && kind === 'sqlite' ? await startPrimaryIngest({
      ...ingestThreadSettings(config, file, 'NORMAL'), listen: { host: '127.0.0.1', port: 0, logLevel: config.logLevel }, log: (m) => process.stderr.write(`${m}\n`),
    }) : null;
    process.stdout.write(JSON.stringify({ url: `http://localhost:${port}`, token, workers, ingestUrl: listener ? `http://localhost:${listener.port}` : null }) + '\n');
    stop = async () => { await listener?.close(); for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM'); };
  } else {
    const server = await serve(0, dataDir, token);
    process.stdout.write(JSON.stringify({ url: server.url, token, workers: 1, ingestUrl: server.ingestUrl }) + '\n');
    stop = () => server.close();
  }
  process.stdin.resume();
  process.stdin.on('end', () => { void stop().then(() => { rmSync(dataDir, { recursive: true, force: true }); process.exit(0); }); });
}
