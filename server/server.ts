import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.ts';
import type { GraphStore } from './store/port.ts';
import { createStore } from './store/select-store.ts';
import { ChangeFeed } from './live/change-feed.ts';
import { WsHub } from './live/ws-hub.ts';
import { createApp } from './api/app.ts';
import type { ApiContext } from './api/context.ts';
import { hashToken, issueToken } from './api/auth.ts';
import { installFeatures } from './features.ts';
import { createLogger, type Logger } from './log.ts';
import { Metrics } from './ops/metrics.ts';
import { LagTracker, readiness } from './ops/readiness.ts';
import { opsRoutes } from './api/routes/ops.ts';

export interface RunningServer {
  url: string;
  port: number;
  store: GraphStore;
  ctx: ApiContext;
  /** The admin token when this start created or was given one, for the signed-in link. */
  adminToken: string | null;
  close(): Promise<void>;
}

/**
 * Makes sure an admin token exists: the configured one, or one generated on first start,
 * printed once and kept in <data>/admin-token (mode 0600) so a restart can print the link again.
 */
export async function ensureAdminToken(store: GraphStore, config: Config): Promise<string | null> {
  if (config.adminToken) {
    if (!(await store.findToken(hashToken(config.adminToken)))) await issueToken(store, 'admin (SERVICEGRAPH_ADMIN_TOKEN)', 'admin', config.adminToken);
    return config.adminToken;
  }
  const file = join(config.dataDir, 'admin-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (await store.findToken(hashToken(token))) return token;
  }
  if ((await store.countTokens()) > 0) return null;
  const { token } = await issueToken(store, 'admin (first start)', 'admin');
  mkdirSync(config.dataDir, { recursive: true });
  writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}

export async function startServer(config: Config, opts: { store?: GraphStore; logger?: Logger } = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const store = opts.store ?? (await createStore(config));
  await store.init();
  const adminToken = await ensureAdminToken(store, config);
  const feed = new ChangeFeed(store, config.pollMs);
  const metrics = new Metrics();
  const ctx: ApiContext = {
    store, feed, limits: config.limits, maxRetireShare: config.maxRetireShare, idempotencyTtlMs: config.idempotencyTtlMs, webDist: config.webDist, edgeState: config.edgeState,
    logger, metrics,
  };
  const features = await installFeatures(ctx, config);
  feed.start(await store.latestSeq());
  const lag = new LagTracker();
  const projectionSeq = () => (ctx.topology ? ctx.topology.seq : null);
  const lagNow = async () => {
    const latestSeq = await store.latestSeq();
    const seq = projectionSeq();
    return { latestSeq, behindMs: seq === null ? 0 : lag.observe(latestSeq, seq) };
  };
  features.rootRouters.push(opsRoutes({
    store, metrics, metricsToken: config.metricsToken,
    readiness: () => readiness({ latestSeq: () => store.latestSeq(), projectionSeq, lag, maxLagMs: config.readyMaxLagMs }),
  }));
  const app = createApp(ctx, features);
  const server: Server = createServer(app);
  const hub = new WsHub(server, store, feed);
  metrics.attach({
    projection: () => (ctx.topology ? { ...ctx.topology.current.stats(), seq: ctx.topology.seq } : null),
    lag: lagNow,
    wsClients: () => hub.connections,
    otlp: () => ctx.otlp?.stats() ?? null,
  });
  for (const hook of features.hubHooks) hook(hub);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  let closed = false;
  return {
    url: `http://localhost:${port}`, port, store, ctx, adminToken,
    async close() {
      if (closed) return;
      closed = true;
      feed.stop();
      await hub.close();
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      for (const stop of features.stops) await stop();
      await store.close();
    },
  };
}
