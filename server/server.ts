import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import { answerClientErrors } from './api/client-errors.ts';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.ts';
import type { GraphStore } from './store/port.ts';
import { createStore } from './store/select-store.ts';
import { ChangeFeed } from './live/change-feed.ts';
import { WsHub } from './live/ws-hub.ts';
import { healthReport, type HealthReport } from './live/health.ts';
import { Startup, type StartingReport } from './ops/startup.ts';
import { TopologyService } from './topology/topology-service.ts';
import { LiveMapCache } from './topology/live-map-cache.ts';
import { ReadCache } from './topology/read-cache.ts';
import type { ImpactReply } from './model/impact.ts';
import { Records } from './impact/records.ts';
import { ImpactService } from './impact/impact-service.ts';
import { IncidentService } from './impact/incident-service.ts';
import { ChangeService } from './impact/change-service.ts';
import { RootCauseService } from './impact/root-cause-service.ts';
import { Reassessor } from './impact/reassessor.ts';
import { OtlpReceiver } from './otlp/receiver.ts';
import { joinOtlpGroup } from './otlp/group.ts';
import { createBatchWriter } from './ingest/batch-writer.ts';
import { servedHere } from './ingest/ingest-request.ts';
import { IngestThread } from './ingest/ingest-thread.ts';
import { followPrimaryIngest } from './ingest/primary-ingest.ts';
import { SqliteStore } from './store/sqlite/sqlite-store.ts';
import { createApp } from './api/app.ts';
import { ReadGate } from './api/read-gate.ts';
import { createLogger, type Logger } from './log.ts';
import { Metrics } from './ops/metrics.ts';
import { LagTracker, readiness } from './ops/readiness.ts';
import { opsRoutes } from './api/routes/ops.ts';
import { startGrpcReceiver, type GrpcReceiver } from './otlp/grpc-server.ts';

/** A start that cannot complete for a reason a person can fix; the message is the one line to print. */
export class StartError extends Error {}
import { createTokenAuth, hashToken, issueToken } from './api/auth.ts';
import { tokenRoutes } from './api/routes/tokens.ts';
import { ingestRoutes } from './api/routes/ingest.ts';
import { ciRoutes } from './api/routes/cis.ts';
import { graphRoutes } from './api/routes/graph.ts';
import { diffRoutes } from './api/routes/diff.ts';
import { driftRoutes } from './api/routes/drift.ts';
import { impactRoutes } from './api/routes/impact.ts';
import { pathsRoutes } from './api/routes/paths.ts';
import { incidentRoutes } from './api/routes/incidents.ts';
import { changeRoutes } from './api/routes/changes.ts';
import { windowRoutes } from './api/routes/windows.ts';
import { rootCauseRoutes } from './api/routes/root-cause.ts';
import { otlpRoutes } from './api/routes/otlp.ts';
import { impactMapRoutes } from './api/routes/impact-map.ts';
import { createImpactMapService } from './impact/impact-map-service.ts';
import { alertRoutes } from './api/routes/alerts.ts';
import { AlertService } from './alerts/alert-service.ts';
import { mcpRoutes } from './mcp/http-route.ts';
import { API_VERSION } from './api/app.ts';
import { Router } from 'express';

/** The parts a running server is made of, for the entry point, tests and benches (typed, no open bag). */
export interface RunningServer {
  url: string;
  port: number;
  store: GraphStore;
  feed: ChangeFeed;
  topology: TopologyService;
  otlp: OtlpReceiver;
  /** The OTLP/gRPC port, null when off. */
  grpcPort: number | null;
  metrics: Metrics;
  /** The ingest writer thread, when batches are written on one (SERVICEGRAPH_INGEST_THREAD). */
  ingestThread: IngestThread | null;
  /** Where the writer thread listens for `POST /api/v1/ingest` itself (SERVICEGRAPH_INGEST_PORT), else null. */
  ingestUrl: string | null;
  /** The admin token when this start generated it (printed once, in the signed-in link), else null. */
  adminToken: string | null;
  /** What /healthz answers (also for /readyz and metrics). */
  health(): HealthReport;
  close(): Promise<void>;
}

/**
 * Makes sure an admin token exists: the configured one, or one generated on first start and kept in
 * <data>/admin-token (mode 0600). Returns the token only when this call generated it: a secret is printed
 * once, in the first start's signed-in link, not into every start's log.
 */
export async function ensureAdminToken(store: GraphStore, config: Pick<Config, 'adminToken' | 'dataDir'>): Promise<string | null> {
  if (config.adminToken) {
    const hash = hashToken(config.adminToken);
    if (await store.findToken(hash)) return null;
    try {
      await issueToken(store, 'admin (SERVICEGRAPH_ADMIN_TOKEN)', 'admin', null, { value: config.adminToken });
    } catch (e) {
      // Processes started together on one store (API workers) may each find it missing: one of them writes it.
      if (!(await store.findToken(hash))) throw e;
    }
    return null;
  }
  const file = join(config.dataDir, 'admin-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (await store.findToken(hashToken(token))) return null;
  }
  if ((await store.countTokens()) > 0) return null;
  const { token } = await issueToken(store, 'admin (first start)', 'admin', null);
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}

/** How long the writer thread's connection waits for a write lock held by the main thread or another process. */
const INGEST_THREAD_BUSY_MS = 30_000;

/** What an ingest writer thread over `file` is started with, from the settings (an API process's, or the primary's). */
export function ingestThreadSettings(config: Config, file: string, synchronous: SqliteStore['synchronous']) {
  return {
    file, synchronous, limits: config.limits, maxRetireShare: config.maxRetireShare, idempotencyTtlMs: config.idempotencyTtlMs,
    busyTimeoutMs: INGEST_THREAD_BUSY_MS, youngGenerationMb: config.ingestThreadYoungMb, nice: config.ingestThreadNice,
  };
}

/**
 * The store file the ingest writer thread opens, or null to write batches on the main thread: SQLite on a file
 * only (a memory database is private to its connection; Neo4j has no event loop of ours to spare), for the store
 * the server opened itself unless the setting is `on`.
 */
export function ingestThreadFile(setting: Config['ingestThread'], store: GraphStore, injected: boolean): string | null {
  if (setting === 'off' || !(store instanceof SqliteStore) || store.file === ':memory:') return null;
  return setting === 'on' || !injected ? store.file : null;
}

/**
 * The composition root: the one place that builds the server, in one direction,
 * config → store → change feed → projection → services → routes → HTTP, handing each part only the
 * typed dependencies it uses. A new feature adds its service and its routes here (one line each).
 * Shutdown runs in the opposite direction.
 */
export async function startServer(config: Config, opts: { store?: GraphStore; logger?: Logger; onListening?: (url: string) => void } = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const metrics = new Metrics();
  // An API worker (SERVICEGRAPH_WORKERS > 1): a scrape reports every worker, gathered by the primary.
  if (cluster.isWorker) metrics.joinWorkerGroup();
  // Store.
  const store = opts.store ?? (await createStore(config));
  await store.init();
  const adminToken = await ensureAdminToken(store, config);

  // Change feed and the projection that follows it (loaded once the server listens: see Start below).
  const feed = new ChangeFeed(store, config.pollMs);
  const topology = new TopologyService(store, { asOfMaxCis: config.asOfMaxCis });
  const startup = new Startup();

  // Services.
  const { limits, maxRetireShare } = config;
  const observeIngest = (...a: Parameters<Metrics['observeIngest']>) => metrics.observeIngest(...a);
  // Ingest batches on a writer thread of their own (SERVICEGRAPH_INGEST_THREAD): they never wait for the reads this loop serves.
  const threadFile = ingestThreadFile(config.ingestThread, store, opts.store !== undefined);
  // Where each committed batch goes: to the feed after its reply went out (SERVICEGRAPH_PROJECTION_APPLY), or before.
  const committed: Pick<ChangeFeed, 'offer'> = config.projectionApply === 'after-reply' ? { offer: (e) => feed.offerAfterReply(e) } : feed;
  // SERVICEGRAPH_INGEST_PORT: the thread listens for batches itself (with API workers, the primary's does: main.ts).
  const listen = config.ingestPort !== null && !cluster.isWorker ? { host: config.host, port: config.ingestPort, logLevel: config.logLevel } : undefined;
  if (listen && threadFile === null) {
    feed.stop(); topology.stop(); await store.close();
    throw new StartError('SERVICEGRAPH_INGEST_PORT needs the ingest writer thread (SQLite on a file, SERVICEGRAPH_INGEST_THREAD not off); unset it, or set it to off');
  }
  let ingestThread: IngestThread | null = null;
  try {
    ingestThread = threadFile === null ? null : await IngestThread.start({
      ...ingestThreadSettings(config, threadFile, (store as SqliteStore).synchronous), listen, feed: committed, observe: observeIngest, observeHttp: metrics.observeHttp, log: (m) => logger.error(m),
    });
  } catch (e) {
    feed.stop(); topology.stop(); await store.close();
    throw new StartError(`the ingest writer thread did not start (${(e as Error).message}); ${listen ? 'is SERVICEGRAPH_INGEST_PORT free? ' : ''}set SERVICEGRAPH_INGEST_THREAD=off to write batches on the main thread`);
  }

  // Otherwise on this thread, by the same function (one writer: its seen-content list is per writer).
  const inProcess = ingestThread ? null : createBatchWriter({ store, feed: committed, limits, maxRetireShare, idempotencyTtlMs: config.idempotencyTtlMs, observe: observeIngest });
  const ingest = ingestThread ? ingestThread.serve : servedHere(inProcess!);
  const records = new Records(store, feed);
  // Live maps and impact answers already given, reused while nothing they read has changed (reads under many readers);
  // a map that takes longer than a map turn (SERVICEGRAPH_MAP_TURN_MS) is computed over several, holding the loop a turn at a time.
  const maps = new LiveMapCache({ turnMs: config.mapTurnMs });
  const impactAnswers = new ReadCache<ImpactReply>({ maxEntries: 1_000, maxElements: 4_000_000 });
  const impact = new ImpactService({ topology, records, limits, answers: impactAnswers, observe: (s) => metrics.observeImpact(s) });
  const incidents = new IncidentService({ impact, records, priority: config.priority });
  const changes = new ChangeService({ impact, records });
  const rootCause = new RootCauseService({ impact, records, store });
  const impactMap = createImpactMapService({ impact, changes, store, limits, edgeState: config.edgeState });
  const alerts = new AlertService({ store, feed, topology, impact, records, incidents, priority: config.priority, settings: config.alerts });
  // Open incidents and changes stay true to the graph (live impact, priority, re-assessment).
  const reassessor = new Reassessor({ feed, incidents, changes, log: (m) => logger.error(m) });
  const otlp = new OtlpReceiver({
    store, limits, maxRetireShare, settings: config.otlp, logger, afterCommit: () => void feed.poke(),
    // An API worker checks spans and answers the exporter; the primary's one fold pairs them (otlp/group.ts).
    ...(cluster.isWorker ? { remote: joinOtlpGroup() } : {}),
  });
  const lag = new LagTracker();
  const projectionSeq = () => topology.seq;
  const readyNow = () => readiness({ latestSeq: () => store.latestSeq(), projectionSeq, lag, maxLagMs: config.readyMaxLagMs });

  const walCheckpoint = () => (store instanceof SqliteStore ? store.walCheckpoint : null);
  const health = (): HealthReport => healthReport({
    store: store.kind, feed: feed.status(), projectionSeq: topology.seq, maxLagMs: config.healthMaxLagMs,
    loops: [hub.loopStatus, ...(ingestThread ? [ingestThread.status()] : []), ...(walCheckpoint() ? [walCheckpoint()!.status] : [])],
    down: ingestThread && !ingestThread.up ? [`the ingest writer thread is not running (${ingestThread.status().lastError ?? 'starting'}); batches get 503 until it restarts`] : [],
    details: { alerts: alerts.loop, reassessor: reassessor.status, nameRanks: topology.nameRanks, compaction: topology.compaction, roomReservations: topology.roomReservations, ...(ingestThread?.priority ? { ingestWriterPriority: ingestThread.priority } : {}), ...(walCheckpoint() ? { walCheckpoint: walCheckpoint()!.report } : {}) },
  });

  // Routes and the HTTP edge.
  // A revoked token is forgotten by the authenticator at once and its live connections end.
  const tokens = createTokenAuth(store, { log: (m) => logger.warn(m) });
  const auth = tokens.authenticate;
  const onRevoke: ((id: string) => void)[] = [(id) => tokens.forget(id), (id) => ingestThread?.forget(id)];
  const app = createApp({
    logger, metrics,
    bodyBytes: limits.bodyBytes,
    authenticate: auth,
    webDist: config.webDist,
    // Reads in slices, and a batch in flight holds new ones back (SERVICEGRAPH_READ_SLICE_MS, SERVICEGRAPH_WRITE_FIRST_MS).
    ...(config.readSliceMs > 0 ? { readGate: new ReadGate(config.readSliceMs, { writeFirstMs: config.writeFirstMs, onError: (e) => logger.error({ err: e }, 'a read failed before its handler ran') }) } : {}),
    caughtUp: () => feed.caughtUp(),
    // While starting: 503 with the start's progress (server/ops/startup.ts).
    health: () => { const h: HealthReport | StartingReport = startup.starting ? startup.report(store.kind) : health(); return { status: h.ok ? 200 : 503, body: h }; },
    starting: () => (startup.starting ? { message: startup.message(), details: { starting: startup.report(store.kind) } } : null),
    api: [
      tokenRoutes({ store, revoked: (id) => { for (const f of onRevoke) f(id); } }),
      ingestRoutes({ ingest }),
      ciRoutes({ store, limits }),
      graphRoutes({ store, topology, maps, limits, edgeState: config.edgeState }),
      diffRoutes({ store, limits }),
      driftRoutes({ store, limits }),
      impactRoutes(impact),
      impactMapRoutes(impactMap),
      pathsRoutes(topology),
      incidentRoutes(incidents),
      changeRoutes(changes),
      windowRoutes(changes),
      rootCauseRoutes(rootCause),
      alertRoutes(alerts, config.alerts),
    ],
    root: [
      otlpRoutes({ authenticate: auth, limits, receiver: otlp }),
      opsRoutes({ authenticate: auth, metrics, metricsToken: config.metricsToken, readiness: readyNow }),
      // MCP for agents (Streamable HTTP, JSON-RPC): its tools call this API back with the caller's token.
      { router: Router().use('/mcp', mcpRoutes({ authenticate: auth, limits, version: API_VERSION })), operations: [] },
    ],
  });

  // Start: listen at once (every route but /healthz and the web app answers 503 \`starting\`), load the projection
  // in slices the loop serves requests between, follow the log from where it was built, run background work.
  const server: Server = createServer(app);
  answerClientErrors(server);
  const hub = new WsHub(server, store, feed, tokens, { pendingMax: config.livePendingMax, pendingPerAddress: config.livePendingPerAddress, authDeadlineMs: config.liveAuthDeadlineMs });
  onRevoke.push((id) => hub.closeToken(id));
  alerts.onHealth((snapshot) => hub.publish({ type: 'health', snapshot }));
  metrics.attach({
    projection: () => ({ ...topology.current.stats(), seq: topology.seq }),
    lag: async () => { const latestSeq = await store.latestSeq(); return { latestSeq, behindMs: lag.observe(latestSeq, topology.seq) }; },
    wsClients: () => hub.connections,
    maps: () => ({ ...maps.stats, entries: maps.size }),
    impactAnswers: () => ({ ...impactAnswers.stats, entries: impactAnswers.size }),
    otlp: () => otlp.stats(),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (e) {
    // Not listening (a taken port): undo what started, so the caller can say why in one line and end.
    feed.stop();
    topology.stop();
    await hub.close();
    await ingestThread?.close();
    await store.close();
    throw e;
  }
  const listeningAt = `http://localhost:${(server.address() as { port: number }).port}`;
  opts.onListening?.(listeningAt);
  try {
    // Counted beside the load (a cold 1M-CI store takes seconds): the progress's total and the room the projection
    // reserves, once known. Without it the load goes on, only without a total.
    const size = store.topologySize?.().then((s) => { startup.expect(s.cis); return s; }, (e: Error) => { logger.warn(`the start's progress has no total: ${e.message}`); return null; });
    startup.progress(0);
    await topology.start(feed, { progress: (cis) => startup.progress(cis), step: (phase) => startup.step(phase), size });
    startup.step('starting the alert and re-assessment loops');
    await alerts.start();
    await reassessor.start();
  } catch (e) {
    // The projection could not load (a store failing mid-read): stop listening, undo, and say why.
    await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
    feed.stop(); topology.stop(); alerts.stop(); reassessor.stop(); await hub.close(); await ingestThread?.close(); await store.close();
    throw e;
  }
  feed.start(topology.seq);
  // An API worker: the batches its primary's listener committed reach this feed too, as this process's own do
  // (from here: what committed while the projection loaded, the feed reads from the log).
  const unfollow = cluster.isWorker && config.ingestPort !== null ? followPrimaryIngest(committed, { observeIngest, observeHttp: metrics.observeHttp }) : () => {};
  otlp.start();
  // OTLP/gRPC on its own port (4317 by default, as exporters expect), unless turned off.
  let grpc: GrpcReceiver | null = null;
  if (config.otlpGrpcPort !== null) {
    try {
      grpc = await startGrpcReceiver({
        host: config.host, port: config.otlpGrpcPort, receiver: otlp, maxMessageBytes: limits.bodyBytes,
        resolveToken: tokens.resolve, logger, onCall: metrics.grpcCall,
      });
    } catch (e) {
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      feed.stop(); topology.stop(); await hub.close(); await otlp.stop(); await ingestThread?.close(); await store.close();
      throw new StartError(`OTLP/gRPC cannot listen on ${config.host}:${config.otlpGrpcPort} (${(e as Error).message}); set SERVICEGRAPH_OTLP_GRPC_PORT to a free port, or to off`);
    }
  }
  const port = (server.address() as { port: number }).port;
  startup.finish();
  let closed = false;
  return {
    url: `http://localhost:${port}`, port, grpcPort: grpc?.port ?? null, store, feed, topology, otlp, metrics, adminToken, health, ingestThread,
    ingestUrl: ingestThread?.port != null ? `http://localhost:${ingestThread.port}` : null,
    async close() {
      if (closed) return;
      closed = true;
      unfollow();
      feed.stop();
      await hub.close();
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      // Batches already handed to the writer thread finish and commit; then its connection closes.
      await ingestThread?.close();
      await grpc?.close();
      await otlp.stop();
      alerts.stop();
      reassessor.stop();
      topology.stop();
      await store.close();
    },
  };
}
