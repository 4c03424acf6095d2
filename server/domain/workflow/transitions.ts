/** Whether a workflow allows `from → to`; the same status is no move at all (an idempotent retry). */
export function checkTransition<S extends string>(table: Readonly<Record<S, readonly S[]>>, from: S, to: S): { ok: true; noop: boolean } | { ok: false; allowed: readonly S[] } {
  if (from === to) return { ok: true, noop: true };
  const allowed = table[from] ?? [];
  return allowed.includes(to) ? { ok: true, noop: false } : { ok: false, allowed };
}

/** "open → closed is not allowed; from open: investigating or resolved" (or "it is final"). */
export function refusalText(kind: string, from: string, to: string, allowed: readonly string[]): string {
  const next = allowed.length ? `from ${from} it may go to ${allowed.join(' or ')}` : `${from} is final`;
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} cannot go from ${from} to ${to}: ${next}`;
}
