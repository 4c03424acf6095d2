import { describe, expect, it, vi } from 'vitest';
import { ChangeFeed } from '../../server/live/change-feed.ts';
import type { ChangeEvent } from '../../server/model/records.ts';
import type { GraphStore } from '../../server/store/port.ts';

const event = (seq: number): ChangeEvent => ({ seq, at: '2026-01-01T00:00:00.000Z', source: 'k', changes: [] });

/** A log whose reads fail while `failing` is set, as a store does while its disk or server is away. */
function flakyStore(events: ChangeEvent[]) {
  const state = { failing: false };
  const store = {
    async eventsSince(seq: number, limit: number) {
      if (state.failing) throw new Error('SQLITE_BUSY: database is locked');
      return events.filter((e) => e.seq > seq).slice(0, limit);
    },
  } as unknown as GraphStore;
  return { store, state };
}

describe('change feed supervision', () => {
  it('a failed read of the log is reported, never thrown, and the next attempt catches up', async () => {
    const { store, state } = flakyStore([event(1), event(2)]);
    let now = 1_000;
    const feed = new ChangeFeed(store, 60_000, 200, () => now);
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    feed.start(0);
    const seen: number[] = [];
    feed.subscribe((e) => seen.push(e.seq));
    state.failing = true;
    await expect(feed.poke()).resolves.toBeUndefined();
    now += 5_000;
    expect(feed.status()).toMatchObject({ ok: false, failures: 1, lagMs: 5_000, position: 0, lastError: expect.stringContaining('SQLITE_BUSY') });
    state.failing = false;
    await feed.poke();
    expect(seen).toEqual([1, 2]);
    expect(feed.status()).toMatchObject({ ok: true, failures: 0, lagMs: 0, position: 2 });
    expect(log).toHaveBeenCalledTimes(2); // one line when it failed, one when it recovered
    log.mockRestore();
    feed.stop();
  });

  it('a listener that throws does not lose the event: the position stays before it and every listener gets it again', async () => {
    const { store } = flakyStore([event(1), event(2)]);
    const feed = new ChangeFeed(store, 60_000);
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    feed.start(0);
    const applied: number[] = [];
    let broken = true;
    // A listener that remembers what it applied (idempotent by seq), failing on event 2 while broken.
    feed.subscribe((e) => { if (e.seq === 2 && broken) throw new Error('projection cannot apply'); if (!applied.includes(e.seq)) applied.push(e.seq); });
    await feed.poke();
    expect(feed.position).toBe(1);
    expect(applied).toEqual([1]);
    expect(feed.status()).toMatchObject({ ok: false, lastError: expect.stringContaining('event 2') });
    broken = false;
    await feed.poke();
    expect(feed.position).toBe(2);
    expect(applied).toEqual([1, 2]);
    expect(feed.status().ok).toBe(true);
    log.mockRestore();
    feed.stop();
  });

  it('keeps polling by itself after failures, with growing delays', async () => {
    vi.useFakeTimers();
    try {
      const { store, state } = flakyStore([event(1)]);
      const feed = new ChangeFeed(store, 100);
      const log = vi.spyOn(console, 'error').mockImplementation(() => {});
      state.failing = true;
      feed.start(0);
      await vi.advanceTimersByTimeAsync(100);
      expect(feed.status().failures).toBe(1);
      await vi.advanceTimersByTimeAsync(100);
      expect(feed.status().failures).toBe(2);
      await vi.advanceTimersByTimeAsync(150); // the third attempt waits 200 ms
      expect(feed.status().failures).toBe(2);
      state.failing = false;
      await vi.advanceTimersByTimeAsync(1_000);
      expect(feed.position).toBe(1);
      expect(feed.status().ok).toBe(true);
      log.mockRestore();
      feed.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
