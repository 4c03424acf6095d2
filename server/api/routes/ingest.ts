import { z } from 'zod';
import type { Request } from 'express';
import { IngestBatch, IngestResult, DryRunResult, fastIngestBatch } from '../../model/ingest.ts';
import type { BatchWriter } from '../../ingest/batch-writer.ts';
import { parseBody, parseQuery } from '../validate.ts';
import { idempotencyOf } from '../idempotency-key.ts';
import { parseJsonBody } from '../json-body.ts';
import { jsonMembers } from '../json-members.ts';
import { contentDigestOf, fingerprinted, headerOf } from '../ingest-body.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';

const IngestQuery = z.strictObject({ dryRun: z.enum(['true', 'false']).optional() });

/** The batch in a request body (raw or already parsed by the JSON reader), validated. */
function batchOf(req: Request, raw: Buffer | null): IngestBatch {
  if (raw) req.body = parseJsonBody(raw);
  // The fast parser accepts only what IngestBatch accepts; whatever it declines, zod judges and explains.
  return fastIngestBatch(req.body ?? {}) ?? parseBody(IngestBatch, req);
}

export function ingestRoutes(deps: { writer: BatchWriter }): ApiRoutes {
  return new RouteTable().route({
    method: 'post', path: '/ingest', role: 'collector', query: IngestQuery, body: IngestBatch, response: z.union([IngestResult, DryRunResult]), rawBody: true,
    summary: 'Ingest one batch of CIs and relations (one transaction); ?dryRun=true identifies without writing; an Idempotency-Key header applies a retried batch once (the replay answers the stored reply with Idempotent-Replayed: true)',
  }, async (req, res) => {
    const { dryRun } = parseQuery(IngestQuery, req);
    const isDryRun = dryRun === 'true';
    const raw = Buffer.isBuffer(req.body) ? req.body : null;
    const members = raw ? jsonMembers(raw) : null;
    const digest = raw && members ? contentDigestOf(raw, members) : null;
    // Content this process validated and wrote before, byte for byte: only the header is parsed, and the content
    // only if the store no longer recognises the batch whole.
    const header = !isDryRun && digest && deps.writer.seen(digest) !== undefined ? headerOf(raw!, members!) : null;
    let out;
    if (header) {
      out = await deps.writer.writeSeen(header, digest!, () => batchOf(req, raw), { idempotency: idempotencyOf(req, fingerprinted(header, digest!)) });
    } else {
      const batch = batchOf(req, raw);
      // A dry run writes nothing, so it needs no key; any other batch with a key is applied at most once.
      const idempotency = isDryRun ? null : idempotencyOf(req, digest ? fingerprinted(batch, digest) : batch);
      out = await deps.writer.write(batch, { dryRun: isDryRun, idempotency, contentDigest: digest });
    }
    // The reply goes out only after the store committed.
    if (out.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.json(out.result);
  });
}
