import { z } from 'zod';
import { isoTime, parseQuery } from '../validate.ts';
import { InputError } from '../../domain/errors.ts';
import { DiffResult } from '../../model/records.ts';
import type { GraphStore } from '../../store/port.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';

export const DiffQuery = z.object({
  from: isoTime,
  to: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(50_000).default(5_000),
});

export function diffRoutes(ctx: { store: GraphStore }): ApiRoutes {
  return new RouteTable().route({ method: 'get', path: '/diff', summary: 'What appeared, vanished and changed between two instants', role: 'viewer', query: DiffQuery, response: DiffResult }, async (req, res) => {
    const q = parseQuery(DiffQuery, req);
    const to = q.to ?? new Date().toISOString();
    if (to < q.from) throw new InputError('`to` must not be before `from`');
    res.json(await ctx.store.diff(q.from, to, q.limit));
  });
}
