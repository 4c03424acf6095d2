/**
 * Whether a write waits on this event loop right now, so that work done in turns (a read slice, a live map's turn,
 * an event applied in turns) ends its turn early and lets the loop serve it.
 *
 * Under read load a batch sent to the main port waited for this loop beyond its own work for the writer thread's
 * reply to be answered (the *handover*): the rest of whatever turn was under way, a read slice (5 ms and one read),
 * a map turn (20 ms near a hub), an event applied. Turns do not get shorter for everyone (5 ms map turns broke the
 * reads' goals at 1M CIs: design §12); they end early only while a source says a write waits (the writer thread has
 * posted a reply this loop has not taken yet: ingest-thread.ts). A turn still does `MIN_TURN_MS` of work first, so
 * work in turns always goes forward.
 *
 * Not a signal: a collector's next batch expected for 10 ms after each reply on a kept-open connection (stop 30).
 * A collector sending back to back kept map turns at 1 ms nearly all the time: at 1M CIs with two workers `/graph`
 * p99 rose from 221-293 ms to 330-540 ms, for an ingest p99 under load no better than the reply signal's alone
 * (130-177 against 157-172 ms, where without either it was 184-194 ms).
 */

/** The least a turn does before it looks at `urgent` (so that a signal that stays set cannot stall work in turns). */
export const MIN_TURN_MS = 1;

const sources = new Set<() => boolean>();

/** `pending` says whether a write waits (read at every look at the clock: it must cost nanoseconds). Returns what removes it. */
export function addUrgentSource(pending: () => boolean): () => void {
  sources.add(pending);
  return () => { sources.delete(pending); };
}

/** Whether a write waits now: turns already `MIN_TURN_MS` long end early. */
export function urgent(): boolean {
  for (const pending of sources) if (pending()) return true;
  return false;
}

/** Whether a turn that began at `t0` ends at `now`: its budget is spent, or a write waits and it did its least. */
export function turnOver(t0: number, now: number, budgetMs: number): boolean {
  const ran = now - t0;
  return ran >= budgetMs || (ran >= MIN_TURN_MS && urgent());
}
