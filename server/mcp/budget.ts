/**
 * Keeps an MCP reply inside a byte budget that fits a model's context: the longest lists are halved,
 * tail first (every list a tool returns is ordered most important first), until the JSON fits, and
 * the reply says what was left out. Pure: no I/O.
 */
export interface Budgeted<T> { value: T; truncated: boolean; omitted: Record<string, number> }

const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

interface Largest { path: string; arr: unknown[]; bytes: number }

/**
 * The JSON size of `v` in one walk (each leaf stringified once), noting the largest array on the
 * way: a reply of thousands of entries is measured in linear time, not once per nested list.
 */
function measure(v: unknown, path: string, best: { at: Largest | null }): number {
  if (Array.isArray(v)) {
    let bytes = 2 + Math.max(0, v.length - 1);
    for (let i = 0; i < v.length; i++) bytes += measure(v[i], `${path}[${i}]`, best);
    if (v.length > 0 && (!best.at || bytes > best.at.bytes)) best.at = { path, arr: v, bytes };
    return bytes;
  }
  if (v && typeof v === 'object') {
    let bytes = 2;
    let n = 0;
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      bytes += size(k) + 1 + measure(x, path ? `${path}.${k}` : k, best) + (n++ ? 1 : 0);
    }
    return bytes;
  }
  return v === undefined ? 0 : size(v);
}

/** Drops `[i]` indexes so that an omission is reported per list kind ("services", "nodes[].out"). */
const listName = (path: string) => path.replace(/\[\d+\]/g, '[]');

export function fitToBudget<T>(input: T, maxBytes: number): Budgeted<T> {
  if (size(input) <= maxBytes) return { value: input, truncated: false, omitted: {} };
  const value = structuredClone(input);
  const omitted: Record<string, number> = Object.create(null);
  for (let guard = 0; guard < 100; guard++) {
    const best: { at: Largest | null } = { at: null };
    const total = measure(value, '', best);
    if (total <= maxBytes || !best.at) break;
    // Cut about as many tail entries as the excess weighs (each list is ordered most important first).
    const { arr, bytes, path } = best.at;
    const perItem = bytes / arr.length;
    const drop = Math.min(arr.length, Math.max(1, Math.ceil((total - maxBytes) / perItem)));
    arr.splice(arr.length - drop, drop);
    const name = listName(path);
    omitted[name] = (omitted[name] ?? 0) + drop;
  }
  return { value, truncated: Object.keys(omitted).length > 0, omitted: { ...omitted } };
}
