import { z } from 'zod';
import { isoTime, parseQuery } from '../validate.ts';
import { InputError } from '../../domain/errors.ts';
import { DiffResult } from '../../model/records.ts';
import type { GraphStore } from '../../store/port.ts';
import type { Limits } from '../../model/limits.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';

export const DiffQuery = z.object({
  from: isoTime,
  to: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(50_000).optional().describe('CIs and relations each; at most SERVICEGRAPH_LIMIT_LIST_LIMIT, `truncated` says when there were more'),
});

export function diffRoutes(ctx: { store: GraphStore; limits: Pick<Limits, 'listLimit'> }): ApiRoutes {
  return new RouteTable().route({ method: 'get', path: '/diff', summary: 'What appeared, vanished and changed between two instants', role: 'viewer', query: DiffQuery, response: DiffResult }, async (req, res) => {
    const q = parseQuery(DiffQuery, req);
    const to = q.to ?? new Date().toISOString();
    if (to < q.from) throw new InputError('`to` must not be before `from`');
    // Capped like every list: a diff over a whole estate answered 28 MB and held the event loop for seconds.
    res.json(await ctx.store.diff(q.from, to, Math.min(q.limit ?? ctx.limits.listLimit, ctx.limits.listLimit)));
  });
}
