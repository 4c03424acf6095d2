import { z } from 'zod';
import type { Request } from 'express';
import { IngestBatch, IngestResult, DryRunResult, fastIngestBatch } from '../../model/ingest.ts';
import type { BatchWriter } from '../../ingest/batch-writer.ts';
import type { BatchHeader } from '../../ingest/ingest-service.ts';
import { rawContentDigest } from '../../domain/reconcile/sighting.ts';
import { parseBody, parseQuery } from '../validate.ts';
import { idempotencyOf } from '../idempotency-key.ts';
import { parseJsonBody } from '../json-body.ts';
import { jsonMembers, type JsonMembers } from '../json-members.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';

const IngestQuery = z.strictObject({ dryRun: z.enum(['true', 'false']).optional() });

/** What a batch says besides its content, validated as IngestBatch validates it. */
const Header = IngestBatch.pick({ source: true, scope: true, runId: true, complete: true, force: true });
const headerNames: ReadonlySet<string> = new Set(Object.keys(Header.shape));
const contentNames: ReadonlySet<string> = new Set(['cis', 'relations']);

/** The digest of a body's content bytes (sighting.ts, rawContentDigest), when the body is an object of batch members only. */
function contentDigestOf(raw: Buffer, members: JsonMembers): string | null {
  for (const name of members.keys()) if (!headerNames.has(name) && !contentNames.has(name)) return null;
  const part = (name: string) => { const r = members.get(name); return r ? raw.subarray(r[0], r[1]) : null; };
  return rawContentDigest(part('cis'), part('relations'));
}

/** The header members parsed and validated, or null (the whole body then goes the ordinary way, which explains). */
function headerOf(raw: Buffer, members: JsonMembers): BatchHeader | null {
  const value: Record<string, unknown> = {};
  try {
    for (const name of headerNames) {
      const r = members.get(name);
      if (r) value[name] = JSON.parse(raw.toString('utf8', r[0], r[1]));
    }
  } catch {
    return null;
  }
  const parsed = Header.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * What an Idempotency-Key's fingerprint covers for a body whose content digest is known: the header as validated
 * and the content's bytes. The same request sent again (its retry) has the same, whether its content is parsed
 * or recognised.
 */
const fingerprinted = (h: BatchHeader, digest: string) =>
  ({ source: h.source, scope: h.scope, runId: h.runId ?? null, complete: h.complete, force: h.force, content: digest });

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
