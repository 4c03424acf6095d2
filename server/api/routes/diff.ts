import { Router } from 'express';
import { z } from 'zod';
import { requireRole } from '../auth.ts';
import { isoTime, parseQuery } from '../validate.ts';
import { InputError } from '../../ingest/errors.ts';
import type { ApiContext } from '../context.ts';

export const DiffQuery = z.object({
  from: isoTime,
  to: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(50_000).default(5_000),
});

export function diffRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.get('/diff', requireRole('viewer'), async (req, res) => {
    const q = parseQuery(DiffQuery, req);
    const to = q.to ?? new Date().toISOString();
    if (to < q.from) throw new InputError('`to` must not be before `from`');
    res.json(await ctx.store.diff(q.from, to, q.limit));
  });
  return r;
}
