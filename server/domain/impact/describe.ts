import type { CauseFields, FailState } from './propagate.ts';

/**
 * The explanation in words, as an operator reads it:
 * "cache: 1 of 3 up, needs 1 → degraded", "needs orders-db, which is down → down".
 */
export function describeCause(cause: Readonly<CauseFields>, actual: FailState, reported: boolean, names: { nameOf(node: number): string }): string {
  let why: string;
  if (cause.kind === 'reported') return `reported ${actual}`;
  if (cause.kind === 'degraded-provider') why = `needs ${names.nameOf(cause.provider!)}, which is degraded → ${actual}`;
  else if (cause.group === null) why = `needs ${names.nameOf(cause.provider!)}, which is down → ${actual}`;
  else why = `${cause.group}: ${cause.up} of ${cause.size} up, needs ${cause.required} → ${actual}`;
  return reported ? `reported, and ${why}` : why;
}
