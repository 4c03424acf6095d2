import { describe, it, expect } from 'vitest';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { runInNewContext } from 'node:vm';
import { idleScavenge, youngBytes } from '../../server/ingest/idle-scavenge.ts';

/** The kinds of the collections `fn` ran (perf_hooks' gc entries: NODE_PERFORMANCE_GC_MINOR, _MAJOR, ...). */
async function collectionsDuring(fn: () => void): Promise<number[]> {
  const kinds: number[] = [];
  const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) kinds.push((e as unknown as { detail: { kind: number } }).detail.kind); });
  observer.observe({ entryTypes: ['gc'] });
  try {
    fn();
    // gc entries are delivered after the collection, on a later turn.
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    observer.disconnect();
  }
  return kinds;
}

/** Leaves ~`bytes` of garbage in the young generation (short-lived objects, nothing kept). */
function allocateGarbage(bytes: number): void {
  let sink = 0;
  for (let i = 0; i < bytes / 64; i++) sink += ({ i, s: `x${i}` }).s.length;
  expect(sink).toBeGreaterThan(0);
}

/**
 * The ingest writer thread empties its young generation between batches (ingest-thread-main.ts), so that a batch's
 * live objects are not copied by a scavenge in its middle.
 */
describe('idle scavenge', () => {
  it('collects the young generation once it holds at least the bytes asked for', async () => {
    const scavenger = idleScavenge({ minBytes: 1 << 20 });
    allocateGarbage(4 << 20);
    const before = youngBytes();
    expect(before).toBeGreaterThanOrEqual(1 << 20);
    let did = false;
    const kinds = await collectionsDuring(() => { did = scavenger.maybeScavenge(); });
    expect(did).toBe(true);
    expect(kinds).toContain(constants.NODE_PERFORMANCE_GC_MINOR);
    expect(youngBytes()).toBeLessThan(before);
  });

  it('leaves a young generation holding less alone', async () => {
    const scavenger = idleScavenge({ minBytes: Number.MAX_SAFE_INTEGER });
    let did = true;
    const kinds = await collectionsDuring(() => { did = scavenger.maybeScavenge(); });
    expect(did).toBe(false);
    expect(kinds).not.toContain(constants.NODE_PERFORMANCE_GC_MINOR);
  });

  it('gives no context a gc global: V8\'s is taken for the scavenger alone', () => {
    idleScavenge({ minBytes: 1 << 20 });
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});
