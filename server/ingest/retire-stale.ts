import type { BatchTx, GraphStore } from '../store/port.ts';
import { selectStale, type ScopeAssertion } from '../domain/reconcile/retire.ts';
import { changesOf } from '../domain/reconcile/events.ts';
import { newRunId, planRetirement } from './ingest-service.ts';

export interface StaleSweep {
  source: string;
  scope: string;
  /** Assertions last seen before this instant (ISO) are dropped. */
  before: string;
  /** At most this many stale assertions per transaction (default 2,000). */
  chunk?: number;
  /**
   * What one transaction should take, in ms (default 50): the next part grows or shrinks towards it, so that no
   * step holds the write lock (and, on the main connection, the event loop) for long whatever a part costs.
   */
  stepMs?: number;
  now?: () => string;
}

export interface SweepResult { cis: number; relations: number }

/** The first part's size: small enough to be quick on any estate, then sized by what parts take. */
const FIRST_PART = 200;

/**
 * At most `limit` of the scope's stale assertions: through the store's index when it offers `scopeStale`, else over
 * the whole scope (`selectStale`, the definition both must agree with).
 */
async function staleOf(tx: BatchTx, sweep: StaleSweep, limit: number): Promise<ScopeAssertion[]> {
  if (tx.scopeStale) return tx.scopeStale(sweep.source, sweep.scope, sweep.before, limit);
  return selectStale(await tx.scopeAssertions(sweep.source, sweep.scope), sweep.before).slice(0, limit);
}

/**
 * Retires what a source that never completes a run (the live OTLP receiver) stopped asserting: its
 * assertions in the scope last seen before `before` are dropped, and a CI or relation that no source
 * asserts any more is retired (never deleted; asserted again, it comes back), exactly as a completing
 * run retires what it did not see. Other sources' assertions keep their CIs alive.
 *
 * In parts, one transaction each: a part reads only the stale assertions it retires (plus one to know there are
 * more), and deactivates them, so the next part's read finds the rest. Work is in proportion to what is retired.
 * A part whose CIs would leave more live relations dangling than its size (a hub) retires that many of those
 * relations instead, and the same stale assertions come back to the next part, until the hub's edges are few
 * enough to go with it (planRetirement, `edgeBound`): no transaction writes a hub's every edge. Stopped between
 * parts (a crash), the store is consistent and the next sweep carries on: the hub is still live and stale.
 * The sweep is one run (one `runs` row, its `batches` the parts written so far), as a user reads the runs list.
 */
export async function retireStale(store: GraphStore, sweep: StaleSweep): Promise<SweepResult> {
  const max = Math.max(1, sweep.chunk ?? 2000);
  const target = sweep.stepMs ?? 50;
  const clock = sweep.now ?? (() => new Date().toISOString());
  let part = Math.min(FIRST_PART, max);
  const out: SweepResult = { cis: 0, relations: 0 };
  const runId = newRunId();
  let startedAt: string | null = null, batches = 0;
  for (;;) {
    const now = clock();
    const t0 = performance.now();
    const done = await store.transact(async (tx) => {
      const stale = await staleOf(tx, sweep, part + 1);
      if (!stale.length) return null;
      const mine = stale.slice(0, part);
      const plan = await planRetirement(tx, mine, sweep.source, sweep.scope, now, undefined, part);
      // Each part must change what it read, or the next would read it again: a store that did not is a bug.
      const changed = [...plan.cis, ...plan.relations].reduce((n, i) => n + (i.action === 'unchanged' ? 0 : 1) + i.assertions.filter((a) => !a.active).length, 0);
      if (changed === 0) throw new Error(`stale sweep of ${sweep.source}/${sweep.scope}: a part of ${mine.length} changed nothing`);
      const changes = changesOf(plan.cis, plan.relations);
      const event = changes.length ? { at: now, source: sweep.source, changes } : null;
      await tx.write({
        now, source: sweep.source, cis: plan.cis, relations: plan.relations, keys: [], event,
        run: { runId, source: sweep.source, scope: sweep.scope, startedAt: startedAt ?? now, lastBatchAt: now, completedAt: now, batches: batches + 1 },
      });
      return { retired: plan.wouldRetire, more: stale.length > mine.length || plan.edgesOnly };
    });
    if (!done) return out;
    startedAt ??= now;
    batches++;
    out.cis += done.retired.cis;
    out.relations += done.retired.relations;
    if (!done.more) return out;
    part = nextPart(part, performance.now() - t0, target, max);
    // Let requests in between transactions.
    await new Promise((r) => setImmediate(r));
  }
}

/** The next part's size, from how long this one took against the target (at most doubling or halving). */
export function nextPart(part: number, tookMs: number, targetMs: number, max: number): number {
  const scaled = tookMs > 0 ? part * (targetMs / tookMs) : part * 2;
  return Math.max(1, Math.min(max, Math.round(Math.min(part * 2, Math.max(part / 2, scaled)))));
}
