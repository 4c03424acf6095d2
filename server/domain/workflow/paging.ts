import { decodeCursor as decodeKey, encodeCursor as encodeKey } from '../../model/paging.ts';

/** Cursor paging over records newest first: the cursor is the last item's (time, id), opaque to clients. */
export interface Position { at: string; id: string }

export const encodeCursor = (p: Position) => encodeKey([p.at, p.id]);

export function decodeCursor(cursor: string): Position | null {
  const key = decodeKey(cursor, 2);
  return key ? { at: key[0], id: key[1] } : null;
}

/** Newest first by `timeOf`, then id descending; the page after `after`, and the position to continue from. */
export function newestFirst<T extends { id: string }>(items: T[], timeOf: (t: T) => string, after: Position | null, limit: number): { items: T[]; last: Position | null } {
  const cmp = (a: Position, b: Position) => (a.at !== b.at ? (a.at < b.at ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
  const pos = (t: T): Position => ({ at: timeOf(t), id: t.id });
  const sorted = [...items].sort((a, b) => cmp(pos(a), pos(b)));
  const rest = after ? sorted.filter((t) => cmp(pos(t), after) > 0) : sorted;
  const page = rest.slice(0, limit);
  return { items: page, last: rest.length > limit ? pos(page[page.length - 1]) : null };
}
