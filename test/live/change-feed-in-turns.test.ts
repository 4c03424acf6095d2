import { describe, expect, it } from 'vitest';
import { ChangeFeed } from '../../server/live/change-feed.ts';
import { inTurns, nextTurn } from '../../server/live/turns.ts';
import { changeMessage } from '../../server/live/ws-hub.ts';
import type { ChangeEvent } from '../../server/model/records.ts';
import type { GraphStore } from '../../server/store/port.ts';

const event = (seq: number): ChangeEvent => ({ seq, at: '2026-01-01T00:00:00.000Z', source: 'k', changes: [] });
const store = (events: ChangeEvent[] = []) => ({
  async eventsSince(seq: number, limit: number) { return events.filter((e) => e.seq > seq).slice(0, limit); },
}) as unknown as GraphStore;

describe('work over several turns of the event loop', () => {
  it('does it all in this turn when it fits the budget, and says so by returning nothing', () => {
    const seen: number[] = [];
    expect(inTurns([1, 2, 3], (x) => { seen.push(x); }, 1000)).toBeUndefined();
    expect(seen).toEqual([1, 2, 3]);
  });

  it('goes on in later turns past the budget, every item once, in order, letting timers and I/O in between', async () => {
    const items = Array.from({ length: 2000 }, (_, i) => i);
    const seen: number[] = [];
    let between = 0;
    const timer = setInterval(() => { between++; }, 0);
    // A budget of 0: a turn ends at the first clock check (every 256 items).
    const pending = inTurns(items, (x, i) => { expect(i).toBe(x); seen.push(x); }, 0);
    expect(pending).toBeInstanceOf(Promise);
    expect(seen).toHaveLength(256);
    await pending;
    clearInterval(timer);
    expect(seen).toEqual(items);
    expect(between).toBeGreaterThan(0);
  });

  it('stops and rejects when a step throws', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    let last = -1;
    await expect(inTurns(items, (x) => { if (x === 600) throw new Error('bad item'); last = x; }, 0)).rejects.toThrow('bad item');
    expect(last).toBe(599);
  });
});

describe('change feed: a listener working over several turns', () => {
  it('moves the position, lets waiting requests go and delivers the next event only once it has settled', async () => {
    const feed = new ChangeFeed(store(), 60_000);
    feed.start(0);
    const log: string[] = [];
    let finish!: () => void;
    feed.subscribe((e) => {
      log.push(`start ${e.seq}`);
      if (e.seq !== 1) return;
      return new Promise<void>((r) => { finish = () => { log.push(`end ${e.seq}`); r(); }; });
    });
    feed.subscribe((e) => { log.push(`quick ${e.seq}`); });
    feed.offerAfterReply(event(1));
    feed.offerAfterReply(event(2));
    const waiting = feed.caughtUp()!;
    let released = false;
    void waiting.then(() => { released = true; });
    for (let i = 0; i < 5; i++) await nextTurn();
    // Event 1 is being applied: the position stays before it, requests wait, event 2 waits its turn.
    expect(log).toEqual(['start 1', 'quick 1']);
    expect(feed.position).toBe(0);
    expect(released).toBe(false);
    expect(feed.caughtUp()).not.toBeNull();
    finish();
    await waiting;
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(log).toEqual(['start 1', 'quick 1', 'end 1', 'start 2', 'quick 2']);
    expect(feed.position).toBe(2);
    expect(feed.caughtUp()).toBeNull();
    feed.stop();
  });

  it('a listener rejecting holds the position before the event, and the feed delivers it again', async () => {
    const feed = new ChangeFeed(store([event(1)]), 60_000);
    feed.start(0);
    let fail = true;
    const seen: number[] = [];
    feed.subscribe(async (e) => { await nextTurn(); if (fail) throw new Error('projection broke'); seen.push(e.seq); });
    feed.offer(event(1));
    await feed.poke();
    expect(feed.position).toBe(0);
    expect(feed.status().lastError).toContain('projection broke');
    fail = false;
    await feed.poke();
    expect(seen).toEqual([1]);
    expect(feed.position).toBe(1);
    feed.stop();
  });
});

describe('live message of a large event', () => {
  it('is exactly what one JSON.stringify of the message writes, serialised over several turns', async () => {
    const changes = Array.from({ length: 3000 }, (_, i) => ({ kind: 'ref.changed', ref: `r-${i}`, note: `"quoted" \u0000 ${i}` }));
    const e = { seq: 7, at: '2026-01-01T00:00:00.000Z', source: 'sg\u0000changes', changes } as unknown as ChangeEvent;
    const text = changeMessage(e, 0);
    expect(text).toBeInstanceOf(Promise);
    expect(await text).toBe(JSON.stringify({ type: 'change', event: e }));
    expect(changeMessage({ ...e, changes: changes.slice(0, 3) } as unknown as ChangeEvent)).toBe(JSON.stringify({ type: 'change', event: { ...e, changes: changes.slice(0, 3) } }));
  });
});
