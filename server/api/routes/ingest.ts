import { Router } from 'express';
import { z } from 'zod';
import { IngestBatch, fastIngestBatch } from '../../model/ingest.ts';
import { ingest } from '../../ingest/ingest-service.ts';
import { requireRole } from '../auth.ts';
import { parseBody, parseQuery } from '../validate.ts';
import type { ApiContext } from '../context.ts';

const IngestQuery = z.object({ dryRun: z.enum(['true', 'false']).optional() });

export function ingestRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.post('/ingest', requireRole('collector'), async (req, res) => {
    const { dryRun } = parseQuery(IngestQuery, req);
    // The fast parser accepts only what IngestBatch accepts; whatever it declines, zod judges and explains.
    const batch = fastIngestBatch(req.body ?? {}) ?? parseBody(IngestBatch, req);
    const out = await ingest(ctx.store, batch, { limits: ctx.limits, maxRetireShare: ctx.maxRetireShare, dryRun: dryRun === 'true' });
    // The reply goes out only after the store committed (transact resolves after COMMIT).
    res.json(out.result);
    if (!out.dryRun && out.event) ctx.feed.offer(out.event);
  });
  return r;
}
