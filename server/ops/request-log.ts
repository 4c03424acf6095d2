import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log.ts';
import type { ObserveHttp } from './metrics.ts';

declare module 'express-serve-static-core' {
  interface Request { id?: string }
}

/** A caller's own request id is kept when it looks like one (what proxies and tracers send). */
const CLIENT_ID = /^[\w.:@/+=-]{1,128}$/;

/**
 * Per request: an id (the caller's `x-request-id`, else a new one; echoed in the answer), then at the
 * end one JSON log line (id, method, route pattern, path, status, duration, the token's name and role,
 * never its secret) and the HTTP metrics, labelled by route pattern so that ids in paths do not
 * multiply the series.
 */
export function requestLog(deps: { logger: Logger; metrics?: { observeHttp: ObserveHttp } }) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && CLIENT_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', req.id);
    res.once('finish', () => {
      const seconds = (performance.now() - started) / 1000;
      const route = routeOf(req, res.statusCode);
      deps.metrics?.observeHttp(req.method, route, res.statusCode, seconds);
      const p = req.principal;
      const line = {
        reqId: req.id, method: req.method, route, path: req.path, status: res.statusCode, ms: Math.round(seconds * 10_000) / 10,
        ...(p ? { tokenName: p.name, role: p.role } : {}),
      };
      if (res.statusCode >= 500) deps.logger.error({ ...line, err: res.locals.err }, 'request');
      else deps.logger.info(line, 'request');
    });
    next();
  };
}

/** `/api/v1/cis/:id`, not `/api/v1/cis/ci-123`; what no route matched is one of two labels. */
export function routeOf(req: Request, status: number): string {
  const path = req.route?.path;
  if (typeof path === 'string') return (req.baseUrl || '') + path;
  if (path instanceof RegExp) return (req.baseUrl || '') + String(path);
  return status === 404 || req.originalUrl.startsWith('/api/') ? 'unmatched' : 'static';
}
