import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Empties the young generation of the ingest writer thread while it waits for the next batch.
 *
 * Why: nearly everything a batch allocates (the batch, its plan, records, rows' JSON, the event) lives until the batch
 * is written, and nothing of it after. A scavenge that falls inside a batch copies that whole live set (a 1,000-CI
 * first-load batch: ~19 MB allocated, much of it live at any point) and promotes what it copied twice, which the old
 * generation's marking then pays for again; one between batches finds ~1 MB alive. So once a batch is answered and no
 * other waits, the thread scavenges if its young generation holds at least `minBytes`: the next batch then starts
 * with an empty one (~19 MB a batch into the 64 MB semi-space of SERVICEGRAPH_INGEST_THREAD_YOUNG_MB's default) and
 * is not interrupted, and the scavenge itself runs while the main thread answers the reply. Measured at load 5-9
 * (30k-CI first loads, alternated): through the API, the writer thread's minor page faults ~1,160-1,280 a batch against
 * ~1,700-1,950 and its CPU 0.87-1.06 of before (median ~0.93, six pairs); in process (64 MB semi-space, seven pairs)
 * a batch's read, plan, write and commit 0.71-0.95 of before, the scavenge not counted (docs/design.md §5).
 *
 * V8's `gc` function is the only way to ask for a young-generation collection from JavaScript. It is exposed to one
 * new context only, for this thread's use; the flag is put back at once, so no other context gets a `gc` global.
 */
export interface IdleScavenge {
  /** Scavenges when the young generation holds at least `minBytes`; true when it did. */
  maybeScavenge(): boolean;
}

type GcFunction = (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

let gcFunction: GcFunction | null = null;
function v8Gc(): GcFunction {
  if (gcFunction) return gcFunction;
  setFlagsFromString('--expose-gc');
  try {
    gcFunction = runInNewContext('gc') as GcFunction;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return gcFunction;
}

/** Bytes the young generation (V8's new space) holds now. */
export function youngBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? 0;
}

export function idleScavenge(opts: { minBytes: number }): IdleScavenge {
  const gc = v8Gc();
  return {
    maybeScavenge() {
      if (youngBytes() < opts.minBytes) return false;
      gc({ type: 'minor' });
      return true;
    },
  };
}
