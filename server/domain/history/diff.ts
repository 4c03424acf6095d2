import { canonicalJson } from '../reconcile/merge.ts';

export interface DiffBucket<T> { added: T[]; removed: T[]; changed: { before: T; after: T; fields: string[] }[] }

/** Fields whose values differ between two versions, ignoring bookkeeping fields. */
export function changedFields(a: object, b: object, skip: readonly string[]): string[] {
  const x = a as Record<string, unknown>, y = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].filter((k) => !skip.includes(k) && canonicalJson(x[k]) !== canonicalJson(y[k])).sort();
}

/**
 * Files one entity's state at the two ends of a diff window: appeared, vanished, or changed in
 * some field. A version bump that changed nothing visible (only bookkeeping) is not a change.
 */
export function classify<T extends { version: number }>(bucket: DiffBucket<T>, before: T | null, after: T | null, skip: readonly string[]): void {
  if (!before && after) bucket.added.push(after);
  else if (before && !after) bucket.removed.push(before);
  else if (before && after && before.version !== after.version) {
    const fields = changedFields(before, after, skip);
    if (fields.length) bucket.changed.push({ before, after, fields });
  }
}

export const CI_BOOKKEEPING = ['version', 'validFrom', 'validTo'] as const;
export const RELATION_BOOKKEEPING = ['version', 'validFrom', 'validTo', 'observed'] as const;
