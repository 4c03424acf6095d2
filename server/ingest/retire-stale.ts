import type { GraphStore } from '../store/port.ts';
import { selectStale } from '../domain/reconcile/retire.ts';
import { changesOf } from '../domain/reconcile/events.ts';
import { newRunId, planRetirement } from './ingest-service.ts';

export interface StaleSweep {
  source: string;
  scope: string;
  /** Assertions last seen before this instant (ISO) are dropped. */
  before: string;
  /** Stale assertions handled per transaction, so that one sweep never holds the store for long. */
  chunk?: number;
  now?: () => string;
}

export interface SweepResult { cis: number; relations: number }

/**
 * Retires what a source that never completes a run (the live OTLP receiver) stopped asserting: its
 * assertions in the scope last seen before `before` are dropped, and a CI or relation that no source
 * asserts any more is retired (never deleted; asserted again, it comes back), exactly as a completing
 * run retires what it did not see. Other sources' assertions keep their CIs alive.
 */
export async function retireStale(store: GraphStore, sweep: StaleSweep): Promise<SweepResult> {
  const chunk = sweep.chunk ?? 2000;
  const out: SweepResult = { cis: 0, relations: 0 };
  // Each step deactivates the assertions it handles; the bound only guards against a store that did not.
  let steps = Number.POSITIVE_INFINITY;
  for (let step = 0; step < steps; step++) {
    const now = (sweep.now ?? (() => new Date().toISOString()))();
    const done = await store.transact(async (tx) => {
      const stale = selectStale(await tx.scopeAssertions(sweep.source, sweep.scope), sweep.before);
      if (!stale.length) return null;
      if (step === 0) steps = Math.ceil(stale.length / chunk) + 1;
      const part = stale.slice(0, chunk);
      const plan = await planRetirement(tx, part, sweep.source, sweep.scope, now);
      const changes = changesOf(plan.cis, plan.relations);
      const event = changes.length ? { at: now, source: sweep.source, changes } : null;
      const runId = newRunId();
      await tx.write({
        now, source: sweep.source, cis: plan.cis, relations: plan.relations, keys: [], event,
        run: { runId, source: sweep.source, scope: sweep.scope, startedAt: now, lastBatchAt: now, completedAt: now, batches: 1 },
      });
      return { retired: plan.wouldRetire, more: stale.length > part.length };
    });
    if (!done) return out;
    out.cis += done.retired.cis;
    out.relations += done.retired.relations;
    if (!done.more) return out;
    // Let requests in between transactions.
    await new Promise((r) => setImmediate(r));
  }
  return out;
}
