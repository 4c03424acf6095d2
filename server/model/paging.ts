import { z } from 'zod';

/**
 * Page cursors are opaque to clients: base64url of a JSON array of the sort key of the last item served.
 * Anything a client sends back is checked against that shape: a cursor this server did not issue is a
 * 400 naming the parameter, never a crash in a store.
 */
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The sort key inside `cursor` when it has `arity` string parts, else null. */
export function decodeCursor(cursor: string, arity: number): string[] | null {
  if (!/^[A-Za-z0-9_-]{1,2000}$/.test(cursor)) return null;
  let parsed: unknown;
  try { parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')); } catch { return null; }
  if (!Array.isArray(parsed) || parsed.length !== arity || !parsed.every((p) => typeof p === 'string')) return null;
  return parsed as string[];
}

/** The `cursor` query parameter of a list sorted by a key of `arity` strings. */
export const cursorParam = (arity: number) =>
  z.string().max(2000).refine((c) => decodeCursor(c, arity) !== null, 'not a cursor this server issued; start again without one');

/** The reply of a list with cursor paging: a page of items and the cursor of the next one (null at the end). */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
