import { z } from 'zod';
import { csvList, parseQuery } from '../validate.ts';
import { RelationTypeName } from '../../model/relations.ts';
import type { GraphStore } from '../../store/port.ts';
import { DriftReport } from '../../model/drift.ts';
import type { Limits } from '../../model/limits.ts';
import { driftReport } from '../../drift/drift-service.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';

const DriftQuery = z.strictObject({
  days: z.coerce.number().int().min(0).max(3650).default(7),
  types: csvList.pipe(z.array(RelationTypeName).min(1)).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional().describe('items per list; at most SERVICEGRAPH_LIMIT_LIST_LIMIT, `truncated` says when there were more'),
});

/** CIs read per step of a drift report (at most the list limit). */
const PAGE = 200;

/** GET /drift?days=N[&types=DEPENDS_ON,RUNS_ON][&limit=]: declared vs observed relations (viewer), capped, read page by page. */
export function driftRoutes(ctx: { store: GraphStore; limits: Limits }): ApiRoutes {
  return new RouteTable().route({ method: 'get', path: '/drift', summary: 'Declared relations not observed for N days, and observed relations never declared (the most telling first, capped)', role: 'viewer', query: DriftQuery, response: DriftReport }, async (req, res) => {
    const q = parseQuery(DriftQuery, req);
    res.json(await driftReport(ctx.store, {
      now: new Date().toISOString(), days: q.days, types: q.types ?? ['DEPENDS_ON'], limit: Math.min(q.limit ?? ctx.limits.listLimit, ctx.limits.listLimit),
    }, Math.min(PAGE, ctx.limits.listLimit)));
  });
}
