import type { z } from 'zod';
import type { RefusedItem } from '../model/ingest.ts';
import { refusedBySchema } from '../domain/reconcile/batch-items.ts';

/** How long judging a list may hold the event loop before it lets other requests in. */
const SLICE_MS = 8;
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/**
 * The items of a delivery judged one by one (alert receivers): the good ones, and the bad ones refused by their place
 * (`alerts.3`) with why. One bad item never drops the others; and 10,000 items, ~100 ms of zod on a quiet core,
 * are judged in slices of a few ms, so that no request waits behind a large delivery's validation.
 */
export async function judgeItems<T>(items: readonly unknown[], schema: z.ZodType<T>, list: string): Promise<{ accepted: T[]; refused: RefusedItem[] }> {
  const accepted: T[] = [];
  const refused: RefusedItem[] = [];
  let sliceStart = performance.now();
  for (let i = 0; i < items.length; i++) {
    // The clock is read every 64 items: reading it costs more than judging one small item.
    if ((i & 63) === 63 && performance.now() - sliceStart > SLICE_MS) { await nextTurn(); sliceStart = performance.now(); }
    const r = schema.safeParse(items[i]);
    if (r.success) accepted.push(r.data); else refused.push(refusedBySchema(`${list}.${i}`, r.error.issues));
  }
  return { accepted, refused };
}
