import { judgeBatch, type JudgedBatch } from '../domain/reconcile/batch-items.ts';
import type { BatchWriter, Written } from './batch-writer.ts';
import type { ServerTiming } from '../ops/server-timing.ts';
import { idempotencyOf, type IdempotencySent } from '../api/idempotency-key.ts';
import { parseJsonBody } from '../api/json-body.ts';
import { jsonMembers } from '../api/json-members.ts';
import { contentDigestOf, fingerprinted, headerOf } from '../api/ingest-body.ts';

/**
 * One `POST /ingest` as plain data: what the route knows once the caller is authenticated and the body read.
 * The same request is served in-process or on the writer thread (ingest-thread.ts), by the same function.
 */
export interface IngestRequest {
  /** The body's bytes as UTF-8 JSON (the raw body reader's), or the body parsed already. */
  body: { raw: Uint8Array } | { parsed: unknown };
  dryRun: boolean;
  idempotency: IdempotencySent;
}

/** Serves an ingest request with `writer`: parse (or recognise), validate, write; resolves once the store committed. */
export async function serveIngest(writer: BatchWriter, r: IngestRequest): Promise<Written> {
  const raw = 'raw' in r.body ? Buffer.from(r.body.raw.buffer, r.body.raw.byteOffset, r.body.raw.byteLength) : null;
  const parsed = 'parsed' in r.body ? r.body.parsed : undefined;
  const members = raw ? jsonMembers(raw) : null;
  const digest = raw && members ? contentDigestOf(raw, members) : null;
  // The envelope is judged whole (a bad one refuses the batch), each item alone (a bad one refuses itself).
  const batchOf = (): JudgedBatch => {
    // Members found: jsonMembers walked every bracket of the body within the depth allowed.
    const body = raw ? parseJsonBody(raw, { depthChecked: members !== null }) : parsed;
    return judgeBatch(body ?? {}, writer.limits);
  };
  // Content this writer validated and wrote before, byte for byte: only the header is parsed, and the content
  // only if the store no longer recognises the batch whole.
  const header = !r.dryRun && digest && writer.seen(digest) !== undefined ? headerOf(raw!, members!) : null;
  if (header) return writer.writeSeen(header, digest!, batchOf, { idempotency: idempotencyOf(r.idempotency, fingerprinted(header, digest!)) });
  const batch = batchOf();
  // A dry run writes nothing, so it needs no key; any other batch with a key is applied at most once.
  const idempotency = r.dryRun ? null : idempotencyOf(r.idempotency, digest ? fingerprinted(batch.batch, digest) : batch.refused.length ? { ...batch.batch, refused: batch.refused } : batch.batch);
  return writer.write(batch, { dryRun: r.dryRun, idempotency, contentDigest: digest });
}

/** `serveIngest` with `writer` as the ingest route takes it, in the thread that serves the route: the write is the request's `write` stage. */
export const servedHere = (writer: BatchWriter) => async (r: IngestRequest, timing?: ServerTiming): Promise<Written> => {
  const w = await serveIngest(writer, r);
  timing?.mark('write');
  return w;
};
