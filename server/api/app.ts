import express, { type Express, type RequestHandler } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BODY_READER, RAW_BODY_READER } from './auth.ts';
import { errorMiddleware } from './error-middleware.ts';
import { HttpError } from './http-error.ts';
import { openApiDocument, type Operation } from './openapi.ts';
import { RouteTable, type ApiRoutes } from './route-table.ts';
import { jsonBodyReader, rawJsonBodyReader } from './json-body.ts';
import { ARRIVED, CATCH_UP, READ_GATE, type ReadGate } from './read-gate.ts';
import { requestLog } from '../ops/request-log.ts';
import { STARTING_RETRY_AFTER_S } from '../ops/startup.ts';
import type { Logger } from '../log.ts';
import type { ObserveHttp } from '../ops/metrics.ts';

export const API_VERSION = '1.0.0';

export interface AppDeps {
  /** One JSON log line and the HTTP metrics per request (absent: no request log). */
  logger?: Logger;
  metrics?: { observeHttp: ObserveHttp };
  bodyBytes: number;
  /** Resolves the bearer token (headers only) before any /api/v1 route. */
  authenticate: RequestHandler;
  /** What /healthz answers: its status and body. */
  health: () => { status: number; body: unknown };
  /** Mounted under /api/v1, after authentication. */
  api: ApiRoutes[];
  /** Mounted at the root with their own paths and authentication (OTLP's /v1/traces). */
  root: ApiRoutes[];
  /** Directory holding the built web app, served at `/` when present. */
  webDist?: string;
  /** Read routes take turns on the event loop through it (absent: they run as they arrive). */
  readGate?: ReadGate;
  /**
   * Null when the projection has every event this process committed, else when it will (ChangeFeed.caughtUp):
   * requests wait for it, so a read after an ingest reply sees that batch (absent: nothing waits).
   */
  caughtUp?: () => Promise<void> | null;
  /**
   * While the server starts (it listens before its projection is loaded: server/ops/startup.ts), what every
   * route but /healthz and the web app answers 503 `starting` with (a sentence and its progress); null once started.
   */
  starting?: () => { message: string; details: unknown } | null;
}

/** What of an Express router (router@2) `enterOnlyIfRouted` reads: its layers, each matching a path or not. */
interface RouterLayers { stack: { route?: unknown; slash?: boolean; match(path: string): unknown }[] }

/**
 * A router mounted so that a request none of its routes or mounts matches passes it by at once. Express leaves a
 * router whose last layer matched and passed the request on (a catch-all middleware or error handler at its end,
 * as the OTLP router has) through setImmediate: one event-loop turn, which under read load waited for a read slice
 * and a poll of every connection. That was most of an ingest batch's wait on the main loop before its handler ran
 * (8-27 ms under load, 0.2 ms now). A catch-all in a router applies to that router's own routes only, as before:
 * Express never enters a router with an error pending.
 */
export function enterOnlyIfRouted(router: RequestHandler): RequestHandler {
  const { stack } = router as unknown as RouterLayers;
  return (req, res, next) => {
    const path = req.path;
    for (const layer of stack) if ((layer.route || !layer.slash) && layer.match(path)) return router(req, res, next);
    next();
  };
}

/** The paths a start refuses with 503 `starting`: the API, OTLP, MCP and the probes other than /healthz (the web app is served). */
const REFUSED_WHILE_STARTING = /^\/(?:api\/|v1\/|mcp$|metrics$|readyz$)/;

/**
 * The HTTP edge: parse, call one service, respond. It mounts what the composition root (server/server.ts)
 * built and documents exactly that. A body is read only by a route's role check, once the caller is
 * known and allowed (server/api/auth.ts): an unknown path or a refused caller never costs a parse.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // When the request reached the app: where a write's Server-Timing starts (read-gate.ts, writeFirst).
  app.use((_req, res, next) => { res.locals[ARRIVED] = performance.now(); next(); });
  // One JSON log line and the HTTP metrics per request, with its id (first, so that every answer has one).
  if (deps.logger) app.use(requestLog({ logger: deps.logger, metrics: deps.metrics }));
  app.locals[BODY_READER] = jsonBodyReader(deps.bodyBytes);
  app.locals[RAW_BODY_READER] = rawJsonBodyReader(deps.bodyBytes);
  if (deps.readGate) app.locals[READ_GATE] = deps.readGate;
  if (deps.caughtUp) app.locals[CATCH_UP] = deps.caughtUp;
  // Which API process answered (several share a port with SERVICEGRAPH_WORKERS): for logs and support.
  app.use((_req, res, next) => { res.setHeader('x-servicegraph-instance', String(process.pid)); next(); });

  const own = new RouteTable('')
    .route({ method: 'get', path: '/healthz', summary: 'Liveness: store, change feed, projection and background loops (503 with the reason when behind or failing)', role: 'none' }, (_req, res) => {
      const h = deps.health();
      res.status(h.status).json(h.body);
    });
  const docs = new RouteTable().route({ method: 'get', path: '/openapi.json', summary: 'This document', role: 'viewer' }, (_req, res) => {
    res.json(openApiDocument(API_VERSION, operations));
  });
  const operations: Operation[] = [own, docs, ...deps.api, ...deps.root].flatMap((r) => r.operations);

  app.use(enterOnlyIfRouted(own.router));
  if (deps.starting) {
    const starting = deps.starting;
    app.use((req, res, next) => {
      const now = REFUSED_WHILE_STARTING.test(req.path) ? starting() : null;
      if (!now) return next();
      res.setHeader('retry-after', String(STARTING_RETRY_AFTER_S));
      next(new HttpError(503, 'starting', now.message, now.details));
    });
  }
  for (const r of deps.root) app.use(enterOnlyIfRouted(r.router));

  const api = express.Router();
  api.use(deps.authenticate);
  for (const r of [docs, ...deps.api]) api.use(enterOnlyIfRouted(r.router));
  api.use((req, _res, next) => next(new HttpError(404, 'not_found', `no route ${req.method} /api/v1${req.path}`)));
  app.use('/api/v1', api);

  if (deps.webDist && existsSync(join(deps.webDist, 'index.html'))) {
    const webDist = deps.webDist;
    app.use(express.static(webDist, { index: 'index.html', maxAge: '1h' }));
    // Single-page app: unknown non-API paths get the app shell.
    app.get(/^\/(?!api\/|v1\/|mcp$).*/, (_req, res) => { res.sendFile(join(webDist, 'index.html')); });
  } else {
    app.get('/', (_req, res) => {
      res.type('html').send('<!doctype html><title>servicegraph</title><h1>servicegraph</h1><p>The web app is not built; run <code>npm run build</code>. The API is at <code>/api/v1</code>.</p>');
    });
  }
  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`)));
  app.use(errorMiddleware);
  return app;
}
