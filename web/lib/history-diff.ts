/**
 * What changed between two versions of a record, as lines a person reads: `tier: 2 → 1`,
 * `attributes.version: 1.4.2 → 1.5.0`, `attributes.replicas: (none) → 3`. Free attributes are
 * compared key by key, so "attributes changed" becomes the keys that did.
 */
export interface ChangeLine { field: string; before: string; after: string }

const NONE = '(none)';
const show = (v: unknown): string => v === undefined || v === null ? NONE : typeof v === 'object' ? JSON.stringify(v) : String(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function changeLines(before: Record<string, unknown>, after: Record<string, unknown>, fields: readonly string[]): ChangeLine[] {
  const out: ChangeLine[] = [];
  for (const field of fields) {
    const a = before[field], b = after[field];
    if (isObject(a) || isObject(b)) {
      const ao = isObject(a) ? a : {}, bo = isObject(b) ? b : {};
      const keys = [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort();
      for (const k of keys) if (!same(ao[k], bo[k])) out.push({ field: `${field}.${k}`, before: show(ao[k]), after: show(bo[k]) });
    } else if (!same(a, b)) out.push({ field, before: show(a), after: show(b) });
  }
  return out;
}
