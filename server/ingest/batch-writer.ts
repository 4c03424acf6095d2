import type { DryRunResult, IngestBatch, IngestResult } from '../model/ingest.ts';
import type { Limits } from '../model/limits.ts';
import type { GraphStore } from '../store/port.ts';
import type { ChangeFeed } from '../live/change-feed.ts';
import { ingest } from './ingest-service.ts';
import { DomainError, UnavailableError } from '../domain/errors.ts';

/** Told of every written batch (not dry runs or replays): its source, duration, counts; or that it was refused (input) or failed. */
export type ObserveIngest = (source: string, seconds: number, result: IngestResult | null, refused: boolean) => void;

/** The one write path for CI/relation batches: reconcile and commit, then hand the event to the feed. */
export interface BatchWriter {
  write(batch: IngestBatch, opts?: { dryRun?: boolean; idempotency?: { key: string; fingerprint: string } | null }): Promise<{ result: IngestResult | DryRunResult; replayed: boolean }>;
}

export function createBatchWriter(deps: { store: GraphStore; feed: ChangeFeed; limits: Limits; maxRetireShare: number; idempotencyTtlMs: number; observe?: ObserveIngest }): BatchWriter {
  return {
    async write(batch, opts = {}) {
      const started = performance.now();
      let out;
      try {
        out = await ingest(deps.store, batch, {
          limits: deps.limits, maxRetireShare: deps.maxRetireShare, dryRun: opts.dryRun,
          ...(opts.idempotency ? { idempotency: opts.idempotency } : {}), idempotencyTtlMs: deps.idempotencyTtlMs,
        });
      } catch (e) {
        // Refused: the batch was wrong (a domain error other than the store being unavailable); failed: anything else.
        deps.observe?.(batch.source, 0, null, e instanceof DomainError && !(e instanceof UnavailableError));
        throw e;
      }
      if (!out.dryRun && !out.replayed) deps.observe?.(batch.source, (performance.now() - started) / 1000, out.result, false);
      // The store committed (transact resolves after COMMIT): the projection and the live hub hear of it now.
      if (!out.dryRun && out.event) deps.feed.offer(out.event);
      return { result: out.result, replayed: !out.dryRun && out.replayed };
    },
  };
}
