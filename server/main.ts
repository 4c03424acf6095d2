import cluster, { type Worker } from 'node:cluster';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { StartError, ensureAdminToken, ingestThreadFile, ingestThreadSettings, startServer } from './server.ts';
import { startPrimaryIngest } from './ingest/primary-ingest.ts';
import type { IngestThread } from './ingest/ingest-thread.ts';
import type { SqliteStore } from './store/sqlite/sqlite-store.ts';
import { createStore } from './store/select-store.ts';
import { StoreOpenError } from './store/port.ts';
import type { GraphStore } from './store/port.ts';
import { loadDemo } from './demo/load-demo.ts';
import { holdDataDir } from './ops/backup.ts';
import { serveGroupMetrics } from './ops/cluster-metrics.ts';
import { startGroupFold } from './otlp/group.ts';
import { createLogger } from './log.ts';

/** What an API worker tells the primary once its projection is loaded. */
const WORKER_STARTED = 'servicegraph.worker-started';

const { values } = parseArgs({
  options: {
    demo: { type: 'boolean', default: false },
    'demo-size': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  allowPositionals: false,
});

if (values.help) {
  console.log(`servicegraph server
  npm start                  start on the embedded store (./data), UI and API on :8080
  npm start -- --demo        also load the demo estate (about 3,000 CIs) if it is not loaded yet
  --demo-size N              size of the demo estate
Environment: PORT, SERVICEGRAPH_DATA_DIR, SERVICEGRAPH_ADMIN_TOKEN, SERVICEGRAPH_WORKERS, SERVICEGRAPH_STORE=sqlite|neo4j, NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD (see README).`);
}

/** The settings, or one line naming the variable that is wrong (and no start). */
function configOrNull(): Config | null {
  try {
    return loadConfig();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(`servicegraph: ${e.message}`);
    process.exitCode = 2;
    return null;
  }
}
// --help prints and ends without a forced exit (it would cut output queued for a pipe).
const config = values.help ? null : configOrNull();

/** Loads the demo estate when asked and the store is empty; says what it did. */
async function demoIfAsked(config: Config, store: GraphStore, empty: boolean): Promise<void> {
  if (!values.demo) return;
  if (!empty) { console.log('The store already holds data; the demo estate was not loaded again.'); return; }
  const started = Date.now();
  const size = values['demo-size'] ? Number(values['demo-size']) : 3000;
  let last = 0;
  const loaded = await loadDemo(store, config.limits, {
    cis: size,
    progress: (m) => { if (Date.now() - last > 1000) { last = Date.now(); process.stderr.write(`${m}\n`); } },
  });
  console.log(`Loaded the demo estate: ${loaded.cis} CIs and ${loaded.relations} relations in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

function greet(config: Config, url: string, storeKind: GraphStore['kind'], adminToken: string | null, empty: boolean, ingestPort: number | null): void {
  const link = adminToken ? `${url}/#token=${adminToken}` : null;
  const where = config.store === 'sqlite' ? config.dataDir : config.neo4j.uri;
  const workers = config.workers > 1 ? `, ${config.workers} API workers` : '';
  console.log(`servicegraph is listening on ${url} (store: ${storeKind}, data: ${where}${workers})`);
  if (ingestPort !== null) console.log(`Collectors may also send batches to http://localhost:${ingestPort}/api/v1/ingest (the ingest writer's own port)`);
  if (link) console.log(`Open the map, signed in as admin: ${link}`);
  else console.log(`Sign in with an admin token (SERVICEGRAPH_ADMIN_TOKEN, or the one generated at the first start in ${config.dataDir}/admin-token).`);
  if (empty && !values.demo) console.log('The store is empty. Load the demo estate with: npm start -- --demo');
}

/**
 * With API workers and SERVICEGRAPH_INGEST_PORT: the primary's writer thread over the store file listens for
 * batches (server/ingest/primary-ingest.ts). It needs the thread as an API process would (SQLite on a file).
 */
async function startPrimaryListener(config: Config, store: GraphStore): Promise<IngestThread> {
  const file = ingestThreadFile(config.ingestThread, store, false);
  if (file === null) throw new StartError('SERVICEGRAPH_INGEST_PORT needs the ingest writer thread (SQLite on a file, SERVICEGRAPH_INGEST_THREAD not off); unset it, or set it to off');
  const logger = createLogger({ level: config.logLevel });
  try {
    return await startPrimaryIngest({
      ...ingestThreadSettings(config, file, (store as SqliteStore).synchronous),
      listen: { host: config.host, port: config.ingestPort!, logLevel: config.logLevel }, log: (m) => logger.error(m),
    });
  } catch (e) {
    throw new StartError(`the ingest writer thread did not start on port ${config.ingestPort} (${(e as Error).message}); is SERVICEGRAPH_INGEST_PORT free?`);
  }
}

const isEmpty = async (store: GraphStore) => (await store.listCis({ limit: 1, lifecycle: 'any' })).items.length === 0;

/**
 * Start failures a person can fix get one line saying what to do, and exit code 1 (a taken port, a store
 * file that is empty or corrupt); anything else keeps its stack.
 */
function startFailed(config: Config, e: unknown): null {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') console.error(`servicegraph: port ${config.port} on ${config.host} is taken by another process; stop it or set PORT`);
  else if (code === 'EACCES' && (e as { syscall?: string }).syscall === 'listen') console.error(`servicegraph: not allowed to listen on port ${config.port}; pick a port above 1023 with PORT`);
  else if (e instanceof StoreOpenError || e instanceof StartError) console.error(`servicegraph: ${e.message}`);
  else throw e;
  process.exitCode = 1;
  return null;
}

/** How long a stop may take (drain requests, final OTLP flush, close the store) before the process gives up. */
const STOP_WITHIN_MS = 10_000;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Ends the process now, as `signal` does to a process that does not handle it: the handlers are removed
 * (the signal's default action is back) and the signal sent again, so the exit status says which signal
 * ended it, as `kill` and supervisors expect. Output already written to a pipe stays written.
 */
function endBySignal(signal: NodeJS.Signals): void {
  for (const s of STOP_SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, signal);
}

/**
 * SIGINT/SIGTERM run `stop` once, which closes every handle (HTTP and gRPC servers, WebSockets, timers,
 * workers, the store): the process then ends by itself with `process.exitCode` (0, or 1 when stopping
 * failed). A second signal, or a stop still running after STOP_WITHIN_MS, ends it at once by that
 * signal (README, Operations: stopping).
 */
function onStopSignal(stop: () => Promise<void> | void): void {
  let stopping = false;
  // An API worker stops when its primary tells it (SIGTERM). Ctrl-C in a terminal reaches the whole
  // process group: the worker leaves that SIGINT to the primary, which would otherwise be a "second
  // signal" to the worker and cut its drain short.
  const signals = cluster.isWorker ? (['SIGTERM'] as const) : STOP_SIGNALS;
  if (cluster.isWorker) process.on('SIGINT', () => undefined);
  for (const sig of signals) {
    process.on(sig, () => {
      if (stopping) { console.error(`servicegraph: second ${sig}; stopping now without draining`); endBySignal(sig); return; }
      stopping = true;
      console.error(`servicegraph: ${sig}; stopping (a second signal stops at once)`);
      const watchdog = setTimeout(() => { console.error(`servicegraph did not stop within ${STOP_WITHIN_MS / 1000} s; stopping now`); endBySignal(sig); }, STOP_WITHIN_MS);
      // The watchdog alone must not keep a stopped process alive.
      watchdog.unref();
      Promise.resolve(stop()).then(
        () => { clearTimeout(watchdog); process.exitCode ??= 0; },
        (e: unknown) => { clearTimeout(watchdog); console.error(`servicegraph: stopping failed: ${(e as Error).message}`); process.exitCode = 1; },
      );
    });
  }
}

/** An API worker's channel to the primary keeps it alive: closing it lets a stopped worker end. */
function leaveCluster(): void {
  if (cluster.isWorker && cluster.worker?.isConnected()) cluster.worker.disconnect();
}

/** `servicegraph restore` refuses a data dir a running server holds (server/ops/backup.ts). */
function holdWhileRunning(config: Config): void {
  if (config.store === 'sqlite') process.once('exit', holdDataDir(config.dataDir));
}

if (!config) {
  // --help, or the settings were refused (one line above); nothing starts.
} else if (config.workers > 1 && cluster.isPrimary) {
  // The primary prepares the store once (schema, admin token, demo), then only supervises: the workers
  // share the port, each builds its own projection and follows the others' commits through the event log.
  let stopping = false;
  const started = new Set<number>();
  const prepare = (async () => {
    const store = await createStore(config);
    await store.init();
    holdWhileRunning(config);
    const adminToken = await ensureAdminToken(store, config);
    const empty = await isEmpty(store);
    await demoIfAsked(config, store, empty);
    // Kept open for the live OTLP receivers' one fold (below).
    return { store, kind: store.kind, adminToken, empty };
  })();
  let fold: { stop(): Promise<void> } | null = null;
  let ingestListener: IngestThread | null = null;
  /** Stops every worker (after the preparation, if a signal came during it); the primary then ends by itself. */
  const stopWorkers = async () => {
    stopping = true;
    await prepare.catch(() => undefined);
    // No new batches on the ingest port; those in hand commit first (the workers still hear of them).
    await ingestListener?.close();
    // Each worker drains, closes its channel itself and exits; the primary only waits for the exits.
    // (Disconnecting from this side too raced the worker's own disconnect: ERR_IPC_DISCONNECTED / EPIPE.)
    const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    await Promise.all(running.map((w) => new Promise<void>((done) => {
      w.once('exit', () => done());
      w.process.kill('SIGTERM');
    })));
    // The fold's final flush once the workers have handed over what they took, then the store closes.
    await fold?.stop();
    await (await prepare.catch(() => null))?.store.close();
  };
  // Handled from the first instant: a signal during the preparation must not kill the process mid-write.
  onStopSignal(stopWorkers);
  const { store, kind, adminToken, empty } = await prepare;
  // The live OTLP receivers' one fold: workers hand it the spans they accept (server/otlp/group.ts).
  if (!stopping) fold = startGroupFold({ store, limits: config.limits, maxRetireShare: config.maxRetireShare, settings: config.otlp, logger: createLogger({ level: config.logLevel }) });
  // A scrape of /metrics reaching any worker reports them all (server/ops/cluster-metrics.ts).
  serveGroupMetrics();
  // SERVICEGRAPH_INGEST_PORT: this process's writer thread takes batches there, and the workers hear of each commit.
  if (!stopping && config.ingestPort !== null) ingestListener = await startPrimaryListener(config, store).catch((e: unknown) => startFailed(config, e));
  // It could not listen (said why, exit code 1): stop what was started; with `stopping` set no worker is forked.
  if (config.ingestPort !== null && !ingestListener && !stopping) await stopWorkers();
  const fork = () => {
    const w = cluster.fork();
    // A channel closing while a message is on its way (a worker stopping) is not the primary's failure.
    w.on('error', (e: Error) => { if (!stopping) console.error(`API worker ${w.process.pid}: ${e.message}`); });
    // Started means its projection is loaded, not only that it listens (it answers 503 starting until then):
    // a worker whose load fails would fail again, and must stop the group rather than be forked over and over.
    w.on('message', (m: unknown) => {
      if ((m as { type?: unknown } | null)?.type !== WORKER_STARTED || started.has(w.id)) return;
      started.add(w.id);
      if (started.size === config.workers) greet(config, `http://localhost:${config.port}`, kind, adminToken, empty, ingestListener?.port ?? null);
    });
  };
  if (!stopping) for (let i = 0; i < config.workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    // A worker that never started will fail again (port taken, bad store, a projection that cannot load): stop rather than loop.
    if (!started.has(worker.id)) {
      console.error(`API worker ${worker.process.pid} could not start (${signal ?? code}); stopping`);
      process.exitCode = 1;
      void stopWorkers();
      return;
    }
    console.error(`API worker ${worker.process.pid} stopped (${signal ?? code}); starting another`);
    fork();
  });
} else {
  // It listens before its projection is loaded (503 `starting` meanwhile): say so, a 1M-CI store takes a while.
  const starting = startServer(config, { onListening: (url) => { if (cluster.isPrimary) process.stderr.write(`servicegraph: listening on ${url}, loading the projection (every route answers 503 starting until then)\n`); } })
    .catch((e: unknown) => startFailed(config, e));
  const ready = (async () => {
    const server = await starting;
    // The primary counts a worker as started from this message (a failed send: the primary is stopping anyway).
    if (server && cluster.isWorker) process.send?.({ type: WORKER_STARTED }, undefined, {}, () => {});
    if (server && cluster.isPrimary) {
      holdWhileRunning(config);
      const { store } = server;
      const empty = await isEmpty(store);
      await demoIfAsked(config, store, empty);
      if (values.demo) await server.feed.poke();
      greet(config, server.url, store.kind, server.adminToken, empty, server.ingestThread?.port ?? null);
    }
    return server;
  })();
  // Handled from the first instant: a signal during the start (or the demo load) stops the server once
  // that is done, never in the middle of a write.
  onStopSignal(async () => { await (await ready.catch(() => starting))?.close(); leaveCluster(); });
  // A worker that could not start ends too (its channel to the primary would keep it alive), and the primary stops.
  if (!(await ready)) leaveCluster();
}
