import { createSubscriber } from 'svelte/reactivity';

/**
 * The time relative words are said from ("in 6 h", "tonight"): read in a component or an effect, it is read again
 * every 30 s while something shows it, so an open page does not go on saying "in 5 min" of a window that began.
 */
const TICK_MS = 30_000;
const subscribe = createSubscriber((update) => {
  const timer = setInterval(update, TICK_MS);
  return () => clearInterval(timer);
});

export function clockNow(): Date {
  subscribe();
  return new Date();
}
