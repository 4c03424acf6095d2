import { z } from 'zod';
import { IngestBatch, IngestResult, DryRunResult, fastIngestBatch } from '../../model/ingest.ts';
import type { BatchWriter } from '../../ingest/batch-writer.ts';
import { parseBody, parseQuery } from '../validate.ts';
import { idempotencyOf } from '../idempotency-key.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';

const IngestQuery = z.strictObject({ dryRun: z.enum(['true', 'false']).optional() });

export function ingestRoutes(deps: { writer: BatchWriter }): ApiRoutes {
  return new RouteTable().route({
    method: 'post', path: '/ingest', role: 'collector', query: IngestQuery, body: IngestBatch, response: z.union([IngestResult, DryRunResult]),
    summary: 'Ingest one batch of CIs and relations (one transaction); ?dryRun=true identifies without writing; an Idempotency-Key header applies a retried batch once (the replay answers the stored reply with Idempotent-Replayed: true)',
  }, async (req, res) => {
    const { dryRun } = parseQuery(IngestQuery, req);
    // The fast parser accepts only what IngestBatch accepts; whatever it declines, zod judges and explains.
    const batch = fastIngestBatch(req.body ?? {}) ?? parseBody(IngestBatch, req);
    const isDryRun = dryRun === 'true';
    // A dry run writes nothing, so it needs no key; any other batch with a key is applied at most once.
    const out = await deps.writer.write(batch, { dryRun: isDryRun, idempotency: isDryRun ? null : idempotencyOf(req, batch) });
    // The reply goes out only after the store committed.
    if (out.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.json(out.result);
  });
}
