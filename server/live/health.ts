import type { FeedStatus } from './change-feed.ts';
import type { LoopStatus } from './supervision.ts';

/**
 * What /healthz answers, as a plain object other reports (/readyz, metrics) can read too: whether the
 * projection follows the store closely enough, and the state of every supervised background loop.
 */
export interface HealthReport {
  ok: boolean;
  /** Why not ok, in words; empty when ok. */
  reasons: string[];
  store: string;
  /** Sequence of the last change event the projection and the live hub received. */
  seq: number;
  /** Sequence the in-memory projection reflects. */
  projectionSeq: number;
  /** How long the change feed has been behind the store's log (ms); 0 when caught up. */
  lagMs: number;
  maxLagMs: number;
  pid: number;
  loops: LoopStatus[];
}

/**
 * `details`: loops that keep richer state than a LoopStatus (the re-assessor's pending work, the alert
 * sweep's last run) are shown under their own name as well.
 */
export function healthReport(input: {
  store: string; feed: FeedStatus; projectionSeq: number; maxLagMs: number; loops: LoopStatus[]; pid?: number; details?: Record<string, unknown>;
  /** Parts that are down (the ingest writer thread between a crash and its restart): each a reason for 503. */
  down?: string[];
}): HealthReport {
  const reasons: string[] = [...input.down ?? []];
  const { feed } = input;
  if (feed.lagMs > input.maxLagMs) {
    reasons.push(`the projection is ${Math.round(feed.lagMs / 1000)} s behind the store (more than ${Math.round(input.maxLagMs / 1000)} s)${feed.lastError ? `: ${feed.lastError}` : ''}`);
  }
  return {
    ...input.details,
    ok: reasons.length === 0, reasons, store: input.store, seq: feed.position, projectionSeq: input.projectionSeq,
    lagMs: feed.lagMs, maxLagMs: input.maxLagMs, pid: input.pid ?? process.pid, loops: [feed, ...input.loops],
  };
}
