import { Router } from 'express';
import { z } from 'zod';
import { IngestBatch, fastIngestBatch } from '../../model/ingest.ts';
import { ingest } from '../../ingest/ingest-service.ts';
import { requireRole } from '../auth.ts';
import { parseBody, parseQuery } from '../validate.ts';
import type { ApiContext } from '../context.ts';
import { idempotencyOf } from '../idempotency-key.ts';

const IngestQuery = z.object({ dryRun: z.enum(['true', 'false']).optional() });

export function ingestRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.post('/ingest', requireRole('collector'), async (req, res) => {
    const { dryRun } = parseQuery(IngestQuery, req);
    // The fast parser accepts only what IngestBatch accepts; whatever it declines, zod judges and explains.
    const batch = fastIngestBatch(req.body ?? {}) ?? parseBody(IngestBatch, req);
    const isDryRun = dryRun === 'true';
    // A dry run writes nothing, so it needs no key; any other batch with a key is applied at most once.
    const idempotency = isDryRun ? null : idempotencyOf(req, batch);
    const started = performance.now();
    let out;
    try {
      out = await ingest(ctx.store, batch, {
        limits: ctx.limits, maxRetireShare: ctx.maxRetireShare, dryRun: isDryRun,
        ...(idempotency ? { idempotency } : {}), idempotencyTtlMs: ctx.idempotencyTtlMs,
      });
    } catch (e) {
      ctx.metrics?.observeIngest(batch.source, 0, null, (e as { status?: number }).status !== undefined && (e as { status: number }).status < 500);
      throw e;
    }
    if (!out.dryRun && !out.replayed) ctx.metrics?.observeIngest(batch.source, (performance.now() - started) / 1000, out.result, false);
    // The reply goes out only after the store committed (transact resolves after COMMIT).
    if (!out.dryRun && out.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.json(out.result);
    if (!out.dryRun && out.event) ctx.feed.offer(out.event);
  });
  return r;
}
