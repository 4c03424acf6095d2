import { describe, expect, it } from 'vitest';
import { ChangeFeed } from '../../server/live/change-feed.ts';
import type { ChangeEvent } from '../../server/model/records.ts';
import type { GraphStore } from '../../server/store/port.ts';

const event = (seq: number): ChangeEvent => ({ seq, at: '2026-01-01T00:00:00.000Z', source: 'k', changes: [] });
const store = (events: ChangeEvent[] = []) => ({
  async eventsSince(seq: number, limit: number) { return events.filter((e) => e.seq > seq).slice(0, limit); },
}) as unknown as GraphStore;
const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/**
 * An ingest reply goes out before its batch reaches the projection (offerAfterReply); a request that arrives
 * meanwhile waits on caughtUp() until it has, so it reads its writes.
 */
describe('change feed: events delivered after the reply', () => {
  it('delivers a kept event in a later loop turn, whole and in order, and holds requests until then', async () => {
    const feed = new ChangeFeed(store(), 60_000);
    feed.start(0);
    const seen: number[] = [];
    feed.subscribe((e) => seen.push(e.seq));
    expect(feed.caughtUp()).toBeNull();

    feed.offerAfterReply(event(1));
    feed.offerAfterReply(event(2));
    // The writer's reply is sent in this turn: nothing was delivered yet, and a request arriving now waits.
    expect(seen).toEqual([]);
    const waiting = feed.caughtUp();
    expect(waiting).not.toBeNull();
    let released = false;
    void waiting!.then(() => { released = true; });

    await nextTurn();
    await Promise.resolve();
    expect(seen).toEqual([1, 2]);
    expect(feed.position).toBe(2);
    expect(released).toBe(true);
    expect(feed.caughtUp()).toBeNull();
    feed.stop();
  });

  it('delivers an event handed over as its changes\' JSON text (the writer thread\'s) as the event it stands for, parsed once', async () => {
    const feed = new ChangeFeed(store(), 60_000);
    feed.start(0);
    const seen: ChangeEvent[] = [];
    feed.subscribe((e) => { seen.push(e); });
    feed.subscribe((e) => { seen.push(e); });
    const changes: ChangeEvent['changes'] = [{ kind: 'run.completed', ref: 'r1' }];
    feed.offerAfterReply({ seq: 1, at: '2026-01-01T00:00:00.000Z', source: 'k', changesJson: JSON.stringify(changes) });
    await nextTurn();
    feed.offer({ seq: 2, at: '2026-01-01T00:00:01.000Z', source: null, changesJson: '[]' });
    expect(seen.map((e) => e.seq)).toEqual([1, 1, 2, 2]);
    expect(seen[0]).toEqual({ seq: 1, at: '2026-01-01T00:00:00.000Z', source: 'k', changes });
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toEqual({ seq: 2, at: '2026-01-01T00:00:01.000Z', source: null, changes: [] });
    feed.stop();
  });

  it('on stop, delivers what it kept before ending (shutdown drains pending applies)', () => {
    const feed = new ChangeFeed(store(), 60_000);
    feed.start(0);
    const seen: number[] = [];
    feed.subscribe((e) => seen.push(e.seq));
    feed.offerAfterReply(event(1));
    feed.stop();
    expect(seen).toEqual([1]);
    expect(feed.caughtUp()).toBeNull();
  });

  it('lets waiting requests go on when a listener fails, and new ones not wait while it fails, rather than hold them until the retry', async () => {
    const feed = new ChangeFeed(store([event(1)]), 60_000);
    feed.start(0);
    let fail = true;
    feed.subscribe(() => { if (fail) throw new Error('projection broke'); });
    feed.offerAfterReply(event(1));
    const waiting = feed.caughtUp()!;
    await nextTurn();
    await waiting;
    expect(feed.position).toBe(0);
    expect(feed.status().lastError).toContain('projection broke');
    // While it fails, a request arriving does not wait for the retry either.
    expect(feed.caughtUp()).toBeNull();
    fail = false;
    await feed.poke();
    expect(feed.position).toBe(1);
    feed.stop();
  });
});
