import type { DryRunResult, IngestBatch, IngestResult } from '../model/ingest.ts';
import type { Limits } from '../model/limits.ts';
import type { GraphStore } from '../store/port.ts';
import type { ChangeEvent } from '../model/records.ts';
import { ingest, ingestSeen, type BatchHeader, type IngestOutcome } from './ingest-service.ts';
import { batchSightingKey } from '../domain/reconcile/sighting.ts';
import { DomainError, UnavailableError } from '../domain/errors.ts';
import type { JudgedBatch } from '../domain/reconcile/batch-items.ts';

/** Told of every written batch (not dry runs or replays): its source, duration, counts; or that it was refused (input) or failed. */
export type ObserveIngest = (source: string, seconds: number, result: IngestResult | null, refused: boolean) => void;

type Idempotency = { key: string; fingerprint: string } | null;
export type Written = { result: IngestResult | DryRunResult; replayed: boolean; /** The store took the batch as a whole (ingest-service.ts). */ sighted?: boolean };

/** The one write path for CI/relation batches: reconcile and commit, then hand the event to the feed. */
export interface BatchWriter {
  /** Limits a batch is judged by before it is written. */
  readonly limits: Limits;
  /** `contentDigest`: the digest of the content's bytes as sent (sighting.ts, rawContentDigest), when the caller read them. */
  /** `batch` judged item by item (batch-items.ts), or built whole in this process. */
  write(batch: JudgedBatch | IngestBatch, opts?: { dryRun?: boolean; idempotency?: Idempotency; contentDigest?: string | null }): Promise<Written>;
  /**
   * Content this process wrote before under `contentDigest` (so it passed validation and the limits): its anchor
   * (sighting.ts), else undefined.
   */
  seen(contentDigest: string): string | undefined;
  /** Write a batch whose content `seen` knows, parsing it (`load`) only when the store does not recognise it whole. */
  writeSeen(header: BatchHeader, contentDigest: string, load: () => JudgedBatch, opts?: { idempotency?: Idempotency }): Promise<Written>;
}

/** Contents remembered as seen (digest -> anchor): a few per batch of every collector's estate. */
const SEEN_CONTENTS = 20_000;

/** `feed`: told of each committed event (this process's change feed; the writer thread sends it back with the reply). */
export function createBatchWriter(deps: { store: GraphStore; feed: { offer(event: ChangeEvent): void }; limits: Limits; maxRetireShare: number; idempotencyTtlMs: number; observe?: ObserveIngest }): BatchWriter {
  const seen = new Map<string, string>();
  const remember = (digest: string, anchor: string) => {
    seen.delete(digest);
    seen.set(digest, anchor);
    if (seen.size > SEEN_CONTENTS) seen.delete(seen.keys().next().value!);
  };
  const common = () => ({ limits: deps.limits, maxRetireShare: deps.maxRetireShare, idempotencyTtlMs: deps.idempotencyTtlMs });

  async function run(source: string, apply: () => Promise<IngestOutcome>): Promise<Written> {
    const started = performance.now();
    let out: IngestOutcome;
    try {
      out = await apply();
    } catch (e) {
      // Refused: the batch was wrong (a domain error other than the store being unavailable); failed: anything else.
      deps.observe?.(source, 0, null, e instanceof DomainError && !(e instanceof UnavailableError));
      throw e;
    }
    if (!out.dryRun && !out.replayed) deps.observe?.(source, (performance.now() - started) / 1000, out.result, false);
    // The store committed (transact resolves after COMMIT): the projection and the live hub hear of it now.
    if (!out.dryRun && out.event) deps.feed.offer(out.event);
    return { result: out.result, replayed: !out.dryRun && out.replayed, sighted: !out.dryRun && !!out.sighted };
  }

  return {
    limits: deps.limits,
    async write(batch, opts = {}) {
      const digest = opts.dryRun ? undefined : opts.contentDigest ?? undefined;
      const whole = 'refused' in batch ? batch.batch : batch;
      const out = await run(whole.source, () => ingest(deps.store, batch, {
        ...common(), dryRun: opts.dryRun, ...(opts.idempotency ? { idempotency: opts.idempotency } : {}), ...(digest ? { contentDigest: digest } : {}),
      }));
      // Written: the content passed validation and the limits. Kept only for a store that recognises batches
      // sent again (another would parse it inside its transaction instead of before). Content with items refused is
      // judged again each time it comes: what was refused is listed in every reply.
      if (digest && out.sighted && !out.result.refused.length) {
        const key = batchSightingKey(whole, digest);
        if (key) remember(digest, key.anchor);
      }
      return out;
    },
    seen(digest) {
      return seen.get(digest);
    },
    async writeSeen(header, digest, load, opts = {}) {
      const anchor = seen.get(digest);
      if (anchor === undefined) throw new Error('writeSeen: content not seen before');
      return run(header.source, () => ingestSeen(deps.store, {
        header, key: { source: header.source, scope: header.scope, anchor, digest }, load,
      }, { ...common(), ...(opts.idempotency ? { idempotency: opts.idempotency } : {}) }));
    },
  };
}
