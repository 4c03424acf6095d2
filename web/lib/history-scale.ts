/**
 * The history slider's scale: logarithmic in time back from now, so it is fine near now (about a
 * minute a step) and coarse a month back (hours a step): the last hour is what agents ask about most.
 * Step 0 is "live".
 */
export const STEPS = 1000;
export const RANGE_MS = 30 * 24 * 3600_000;
const MIN_MS = 60_000;
const SPAN = Math.log(RANGE_MS / MIN_MS);

/** How far back a slider step is, in milliseconds. */
export function msBack(step: number): number {
  return step <= 0 ? 0 : Math.round(MIN_MS * Math.exp((SPAN * (Math.min(step, STEPS) - 1)) / (STEPS - 1)));
}

/** The step nearest to a time `ms` back (0 under half a minute, STEPS at a month or more). */
export function stepFor(ms: number): number {
  if (ms < MIN_MS / 2) return 0;
  return Math.min(STEPS, Math.max(1, Math.round(1 + ((STEPS - 1) * Math.log(ms / MIN_MS)) / SPAN)));
}

export function agoText(ms: number): string {
  const m = Math.round(ms / 60_000);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h ago` : `${Math.round(h / 24)} days ago`;
}
