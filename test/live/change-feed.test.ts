import { describe, expect, it } from 'vitest';
import { ChangeFeed } from '../../server/live/change-feed.ts';
import type { ChangeEvent } from '../../server/model/records.ts';
import type { GraphStore } from '../../server/store/port.ts';

const event = (seq: number): ChangeEvent => ({ seq, at: '2026-01-01T00:00:00.000Z', source: 'k', changes: [] });

/** A log of events and a count of reads, standing in for a store. */
function logStore(events: ChangeEvent[]) {
  const reads: number[] = [];
  const store = {
    async eventsSince(seq: number, limit: number) { reads.push(seq); return events.filter((e) => e.seq > seq).slice(0, limit); },
  } as unknown as GraphStore;
  return { store, reads };
}

describe('change feed', () => {
  it('delivers an event this process committed without reading the log back, when it is next in sequence', () => {
    const { store, reads } = logStore([event(1)]);
    const feed = new ChangeFeed(store, 60_000);
    feed.start(0);
    const seen: number[] = [];
    feed.subscribe((e) => seen.push(e.seq));
    feed.offer(event(1));
    expect(seen).toEqual([1]);
    expect(reads).toEqual([]);
    expect(feed.position).toBe(1);
    feed.stop();
  });

  it('reads the log instead when an offered event skips one another replica committed, and delivers each once in order', async () => {
    const { store, reads } = logStore([event(1), event(2), event(3)]);
    const feed = new ChangeFeed(store, 60_000);
    feed.start(1);
    const seen: number[] = [];
    feed.subscribe((e) => seen.push(e.seq));
    feed.offer(event(3));
    await feed.poke();
    expect(seen).toEqual([2, 3]);
    expect(reads[0]).toBe(1);
    feed.offer(event(3));
    await feed.poke();
    expect(seen).toEqual([2, 3]);
    feed.stop();
  });
});
