import { z } from 'zod';
import { IngestBatch, IngestResult, DryRunResult } from '../../model/ingest.ts';
import type { IngestRequest } from '../../ingest/ingest-request.ts';
import type { Written } from '../../ingest/batch-writer.ts';
import { parseQuery } from '../validate.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';
import { timingOf } from '../read-gate.ts';
import type { ServerTiming } from '../../ops/server-timing.ts';

const IngestQuery = z.strictObject({ dryRun: z.enum(['true', 'false']).optional() });

/**
 * `ingest`: serves one request (ingest-request.ts), in this process or on the writer thread (ingest-thread.ts);
 * resolves once the store committed.
 */
export function ingestRoutes(deps: { ingest: (r: IngestRequest, timing?: ServerTiming) => Promise<Written> }): ApiRoutes {
  return new RouteTable().route({
    method: 'post', path: '/ingest', role: 'collector', query: IngestQuery, body: IngestBatch, response: z.union([IngestResult, DryRunResult]), rawBody: true, catchUp: false, writeFirst: true,
    summary: 'Ingest one batch of CIs and relations (one transaction); an item that fails validation or names a CI that cannot be found is refused alone and listed in `refused` (200: the others are written), a bad envelope (source, scope, run, size) is a 400 writing nothing; a run with refused items is not completed; ?dryRun=true identifies without writing; an Idempotency-Key header applies a retried batch once (the replay answers the stored reply with Idempotent-Replayed: true)',
  }, async (req, res) => {
    // Where the batch's time goes, answered as Server-Timing: auth, body, then the write's own stages, apply, total.
    const timing = timingOf(res);
    timing?.mark('body');
    const { dryRun } = parseQuery(IngestQuery, req);
    // The body arrives as its UTF-8 bytes (the raw body reader), or not at all.
    const body = Buffer.isBuffer(req.body) ? { raw: req.body } : { parsed: req.body as unknown };
    const out = await deps.ingest({ body, dryRun: dryRun === 'true', idempotency: { header: req.headers['idempotency-key'], principal: req.principal?.id ?? 'anonymous' } }, timing);
    timing?.mark('apply');
    // The reply goes out only after the store committed.
    if (out.replayed) res.setHeader('Idempotent-Replayed', 'true');
    // The change event's sequence (as the body's seq): `/healthz` projectionSeq at or past it means the projection has it.
    if ('seq' in out.result) res.setHeader('x-servicegraph-seq', String(out.result.seq));
    if (timing) res.setHeader('server-timing', timing.header());
    res.json(out.result);
  });
}
