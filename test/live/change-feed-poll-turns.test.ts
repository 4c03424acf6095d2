import { describe, expect, it } from 'vitest';
import { ChangeFeed } from '../../server/live/change-feed.ts';
import { nextTurn } from '../../server/live/turns.ts';
import type { ChangeEvent } from '../../server/model/records.ts';
import type { GraphStore } from '../../server/store/port.ts';

const event = (seq: number, note = 'log'): ChangeEvent => ({ seq, at: '2026-01-01T00:00:00.000Z', source: note, changes: [] });

/** A log of `events` that records which sequences each read returned. */
function logOf(events: ChangeEvent[]) {
  const returned: number[][] = [];
  const store = {
    async eventsSince(seq: number, limit: number) {
      const page = events.filter((e) => e.seq > seq).slice(0, limit);
      returned.push(page.map((e) => e.seq));
      return page;
    },
  } as unknown as GraphStore;
  return { store, returned };
}

describe('change feed: what a poll finds (other processes\' commits)', () => {
  it('is delivered whole events at a time, in order and once each, with other work let in between past the turn budget', async () => {
    const { store } = logOf(Array.from({ length: 40 }, (_, i) => event(i + 1)));
    // A budget of 0: a turn ends after each event.
    const feed = new ChangeFeed(store, 60_000, 200, Date.now, 0);
    feed.start(0);
    const seen: number[] = [];
    // What other work saw of the feed each time it ran in between (setImmediate: the turn after the one it was queued in).
    const between: number[] = [];
    let polling = true;
    const tick = () => { between.push(seen.length); if (polling) setImmediate(tick); };
    feed.subscribe((e) => { seen.push(e.seq); });
    setImmediate(tick);
    await feed.poke();
    polling = false;
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(feed.position).toBe(40);
    // Other work ran while the poll's events were delivered, not only after the last of them.
    expect(between.some((n) => n > 0 && n < 40)).toBe(true);
    feed.stop();
  });

  it('holds requests that arrive while an event from the log is applied over several turns, so none reads half of it', async () => {
    const { store } = logOf([event(1), event(2), event(3)]);
    const feed = new ChangeFeed(store, 60_000);
    feed.start(0);
    let finish!: () => void;
    feed.subscribe((e) => (e.seq === 2 ? new Promise<void>((r) => { finish = r; }) : undefined));
    const polled = feed.poke();
    for (let i = 0; i < 3; i++) await nextTurn();
    // Event 1 is in, event 2 half-way: a request arriving now waits for it.
    expect(feed.position).toBe(1);
    const waiting = feed.caughtUp();
    expect(waiting).not.toBeNull();
    let released = false;
    void waiting!.then(() => { released = true; });
    await nextTurn();
    expect(released).toBe(false);
    finish();
    await polled;
    expect(released).toBe(true);
    expect(feed.position).toBe(3);
    expect(feed.caughtUp()).toBeNull();
    feed.stop();
  });
});

describe('change feed: this process\'s own commit, out of turn', () => {
  it('is delivered as this process had it, in its place after the other commits before it, not read back from the log', async () => {
    // Another process committed 1 and 2; this one committed 3 (the log has all three), and offers it before the poll ran.
    const { store, returned } = logOf([event(1), event(2), event(3), event(4)]);
    const feed = new ChangeFeed(store, 60_000);
    feed.start(0);
    const seen: string[] = [];
    feed.subscribe((e) => { seen.push(`${e.seq} ${e.source}`); });
    feed.offer({ seq: 3, at: '2026-01-01T00:00:00.000Z', source: 'own', changesJson: '[]' });
    await feed.poke();
    expect(seen).toEqual(['1 log', '2 log', '3 own', '4 log']);
    expect(returned.flat()).not.toContain(3);
    expect(feed.position).toBe(4);
    feed.stop();
  });
});
