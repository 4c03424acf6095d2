import express, { type Express } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiContext } from './context.ts';
import { authenticate, requireRole } from './auth.ts';
import { errorMiddleware } from './error-middleware.ts';
import { openApiDocument } from './openapi.ts';
import { describeFoundationOperations } from './operations.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { ciRoutes } from './routes/cis.ts';
import { graphRoutes } from './routes/graph.ts';
import { diffRoutes } from './routes/diff.ts';
import { driftRoutes } from './routes/drift.ts';
import { ServiceError } from '../ingest/errors.ts';
import { mcpRoutes } from '../mcp/http-route.ts';
import { requestLog } from '../ops/request-log.ts';

export const API_VERSION = '1.0.0';

/**
 * The HTTP edge: parse, call one service, respond. Feature routers add themselves to `featureRouters`
 * (mounted under /api/v1 after authentication) or `publicRouters` (own auth, e.g. OTLP at /v1/traces).
 */
export function createApp(ctx: ApiContext, extra: { featureRouters?: express.Router[]; rootRouters?: express.Router[] } = {}): Express {
  describeFoundationOperations();
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // One JSON log line and the HTTP metrics per request, with its id (first, so that every answer has one).
  if (ctx.logger) app.use(requestLog({ logger: ctx.logger, metrics: ctx.metrics }));
  // Which API process answered (several share a port with SERVICEGRAPH_WORKERS): for logs and support.
  app.use((_req, res, next) => { res.setHeader('x-servicegraph-instance', String(process.pid)); next(); });
  app.get('/healthz', async (_req, res) => {
    // Event management's background loop (alert expiry) and the other background loops report here.
    const alerts = (ctx.alerts as { loop?: unknown } | undefined)?.loop;
    const loops = Object.fromEntries(Object.entries(ctx.health ?? {}).map(([name, status]) => [name, status()]));
    res.json({ ok: true, store: ctx.store.kind, seq: ctx.feed.position, pid: process.pid, ...(alerts ? { alerts } : {}), ...loops });
  });
  const json = express.json({ limit: ctx.limits.bodyBytes, strict: true });

  // MCP for agents (Streamable HTTP): authenticates before it reads a body, so it sits before the JSON parser.
  app.use('/mcp', mcpRoutes({ store: ctx.store, limits: ctx.limits, version: API_VERSION }));

  // Routers outside /api/v1 with their own paths (OTLP's /v1/traces, /metrics, /readyz): they
  // authenticate and parse bodies themselves, in that order.
  for (const r of extra.rootRouters ?? []) app.use(r);

  const api = express.Router();
  api.use(json, authenticate(ctx.store));
  api.get('/openapi.json', requireRole('viewer'), (_req, res) => { res.json(openApiDocument(API_VERSION)); });
  api.use(tokenRoutes(ctx), ingestRoutes(ctx), ciRoutes(ctx), graphRoutes(ctx), diffRoutes(ctx));
  api.use(driftRoutes(ctx));
  // Feature routers under /api/v1 (impact, incidents, changes, drift, ...): one line each here, or pushed
  // from server/features.ts when the feature keeps state that must be built at start (topology, OTLP).
  for (const r of extra.featureRouters ?? []) api.use(r);
  api.use((req, _res, next) => next(new ServiceError(404, 'not_found', `no route ${req.method} /api/v1${req.path}`)));
  app.use('/api/v1', api);

  if (ctx.webDist && existsSync(join(ctx.webDist, 'index.html'))) {
    app.use(express.static(ctx.webDist, { index: 'index.html', maxAge: '1h' }));
    // Single-page app: unknown non-API paths get the app shell.
    app.get(/^\/(?!api\/|v1\/|mcp$).*/, (_req, res) => { res.sendFile(join(ctx.webDist!, 'index.html')); });
  } else {
    app.get('/', (_req, res) => {
      res.type('html').send('<!doctype html><title>servicegraph</title><h1>servicegraph</h1><p>The web app is not built; run <code>npm run build</code>. The API is at <code>/api/v1</code>.</p>');
    });
  }
  app.use(errorMiddleware);
  return app;
}
