import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import type { Metrics } from '../../ops/metrics.ts';
import type { Readiness } from '../../ops/readiness.ts';
import { bearerOf, roleProblem } from '../auth.ts';
import type { ApiRoutes } from '../route-table.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Operations endpoints outside /api/v1, where orchestrators and Prometheus look for them:
 * GET /readyz (no token, like /healthz: probes carry none) and GET /metrics (Prometheus text format;
 * a viewer token or the dedicated SERVICEGRAPH_METRICS_TOKEN).
 */
export function opsRoutes(deps: { authenticate: RequestHandler; metrics: Metrics; metricsToken?: string; readiness: () => Promise<Readiness> }): ApiRoutes {
  const operations = [
    { method: 'get' as const, path: '/readyz', summary: 'Readiness: 200 when the store answers and the projection is built and current, else 503 with the failing check', role: 'none' as const },
    // The metrics token is not a role: the document says viewer, the route also takes SERVICEGRAPH_METRICS_TOKEN.
    { method: 'get' as const, path: '/metrics', summary: 'Prometheus metrics (text exposition format); a viewer token or SERVICEGRAPH_METRICS_TOKEN', role: 'viewer' as const },
  ];
  const r = Router();
  r.get('/readyz', async (_req, res) => {
    const state = await deps.readiness();
    res.status(state.ready ? 200 : 503).json(state);
  });
  const metricsDigest = deps.metricsToken ? digest(deps.metricsToken) : null;
  const viewer = deps.authenticate;
  r.get('/metrics', (req, res, next) => {
    const token = bearerOf(req);
    if (metricsDigest && token && timingSafeEqual(digest(token), metricsDigest)) return next();
    viewer(req, res, (err?: unknown) => next(err ?? (req.principal ? roleProblem(req.principal, 'viewer') : undefined) ?? undefined));
  }, async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.text());
  });
  return { router: r, operations };
}
