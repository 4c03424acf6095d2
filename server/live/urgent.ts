/**
 * Whether a write waits on this event loop right now, so that work done in turns (a read slice, a live map's turn,
 * an event applied in turns) ends its turn early and lets the loop serve it.
 *
 * Under read load a batch sent to the main port waited for this loop twice beyond its own work: for its next request
 * to be read off the socket, and for the writer thread's reply to be answered (the *handover*). Each wait is the rest
 * of whatever turn is under way: a read slice (5 ms and one read), a map turn (20 ms near a hub), an event applied.
 * Turns do not get shorter for everyone (5 ms map turns broke the reads' goals at 1M CIs: design §12); they end early
 * only while a write waits:
 * - a source says so (the writer thread has posted a reply this loop has not taken yet: ingest-thread.ts);
 * - or a collector is expected: for a few milliseconds after an ingest reply went out on a connection kept open, as
 *   a collector in the middle of a run sends its next batch as soon as it has the reply (`expectWrite`).
 * A turn still does `MIN_TURN_MS` of work first, so work in turns always goes forward.
 */

/** The least a turn does before it looks at `urgent` (so that a signal that stays set cannot stall work in turns). */
export const MIN_TURN_MS = 1;

const sources = new Set<() => boolean>();
/** Until when (performance.now()) a collector's next batch is expected; 0: none. */
let expectedUntil = 0;

/** `pending` says whether a write waits (read at every look at the clock: it must cost nanoseconds). Returns what removes it. */
export function addUrgentSource(pending: () => boolean): () => void {
  sources.add(pending);
  return () => { sources.delete(pending); };
}

/** A write is expected until `ms` from now (a collector's next batch); `ms` 0 ends the expectation. */
export function expectWrite(ms: number): void {
  expectedUntil = ms > 0 ? Math.max(expectedUntil, performance.now() + ms) : 0;
}

/** Until when (performance.now()) a write is expected, as `expectWrite` set it; 0: none. */
export const writeExpectedUntil = (): number => expectedUntil;

/** Whether a write waits (or is expected) now: turns already `MIN_TURN_MS` long end early. */
export function urgent(now: number): boolean {
  if (expectedUntil !== 0) {
    if (now < expectedUntil) return true;
    expectedUntil = 0;
  }
  for (const pending of sources) if (pending()) return true;
  return false;
}

/** Whether a turn that began at `t0` ends at `now`: its budget is spent, or a write waits and it did its least. */
export function turnOver(t0: number, now: number, budgetMs: number): boolean {
  const ran = now - t0;
  return ran >= budgetMs || (ran >= MIN_TURN_MS && urgent(now));
}
