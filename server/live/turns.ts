import { turnOver } from './urgent.ts';

/** The next turn of the event loop (timers, I/O and requests waiting run first). */
export const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** How often (in items) a sliced loop looks at the clock: each item costs microseconds. */
const CHECK_EVERY = 256;

/**
 * `step` over `items` in order, a turn of the event loop at a time: whenever one turn has taken `budgetMs`, the rest
 * goes on in a later one, so requests get in between (sooner while a write waits: urgent.ts). Nothing (undefined) when all fitted in this turn, which is the
 * usual case; otherwise a promise settled after the last item (rejected, and the rest left undone, when a step throws).
 */
export function inTurns<T>(items: readonly T[], step: (item: T, index: number) => void, budgetMs: number): Promise<void> | undefined {
  let i = 0;
  const run = () => {
    const t0 = performance.now();
    while (i < items.length) {
      step(items[i], i);
      i++;
      if (i % CHECK_EVERY === 0 && turnOver(t0, performance.now(), budgetMs)) return false;
    }
    return true;
  };
  if (run()) return undefined;
  return (async () => { do await nextTurn(); while (!run()); })();
}

/**
 * Runs `work` (an iterator that yields after each small unit of work: a few lookups, one item) a turn of the event
 * loop at a time, as inTurns does for a list: undefined when it finished in this turn, else a promise settled once it
 * has (rejected when it throws). For work whose units are not the items of one list (nested loops, two phases).
 */
export function stepsInTurns(work: Iterator<unknown>, budgetMs: number): Promise<void> | undefined {
  const run = () => {
    const t0 = performance.now();
    for (let i = 1; ; i++) {
      if (work.next().done) return true;
      if (i % CHECK_EVERY === 0 && turnOver(t0, performance.now(), budgetMs)) return false;
    }
  };
  if (run()) return undefined;
  return (async () => { do await nextTurn(); while (!run()); })();
}
