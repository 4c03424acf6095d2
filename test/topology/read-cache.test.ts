import { describe, expect, it } from 'vitest';
import { topologyFrom } from '../../server/topology/build.ts';
import { FrequencySketch, ReadCache } from '../../server/topology/read-cache.ts';

const topo = topologyFrom([{ id: 'c0', class: 'service', name: 'c0', environment: 'prod', tier: null, owner: null, attributes: {} }], []);

/** Asks for `key` as a route does: the kept answer, or one computed and offered to the cache. */
function ask(cache: ReadCache<string>, key: string): boolean {
  if (cache.get(topo, key) !== undefined) return true;
  cache.set(topo, key, topo.version, `answer ${key}`, [0], 1);
  return false;
}

describe('read cache', () => {
  it('keeps the newest answer in its window, and lets it into the rest only in place of a less asked-for one', () => {
    const cache = new ReadCache<string>({ maxEntries: 3, windowEntries: 1 });
    // 'a' and 'b' asked for three times each: each goes on to the main part when the next new answer takes the window.
    expect(['a', 'a', 'a', 'b', 'b', 'b', 'c'].map((k) => ask(cache, k))).toEqual([false, true, true, false, true, true, false]);
    // 'd' takes the window from 'c', which, asked for once, does not displace 'a' or 'b' (asked for more often).
    expect(['d', 'a', 'b', 'c'].map((k) => ask(cache, k))).toEqual([false, true, true, false]);
    // Now 'c' is in the window (hit there); asked for more often than 'a', the least recently used, it takes a's place.
    expect(['c', 'c', 'c', 'c', 'e'].map((k) => ask(cache, k))).toEqual([true, true, true, true, false]);
    expect(['c', 'b', 'a'].map((k) => ask(cache, k))).toEqual([true, true, false]);
    expect(cache.size).toBe(3);
  });

  it('computes a new answer once when many readers ask for it at once, though what it holds was asked for more often', () => {
    const cache = new ReadCache<string>({ maxEntries: 100 });
    for (let round = 0; round < 5; round++) for (let i = 0; i < 100; i++) ask(cache, `map ${i}`);
    expect(cache.size).toBe(100);
    // An incident: a service's map, never asked for before, opened by twenty readers. Weighed for admission at once
    // (plain TinyLFU) it would be refused until asked for more often than the answers kept: computed six times.
    const before = cache.stats.misses;
    const hits = Array.from({ length: 20 }, () => ask(cache, 'map of the incident')).filter(Boolean).length;
    expect([hits, cache.stats.misses - before]).toEqual([19, 1]);
  });

  it('readers cycling over twice as many keys as it holds still hit the half it keeps (an LRU would hit none)', () => {
    const cache = new ReadCache<string>({ maxEntries: 1_000 });
    const keys = Array.from({ length: 2_000 }, (_, i) => `map ${(i * 7919) % 2_000}`);
    for (const k of keys) ask(cache, k);
    let hits = 0;
    for (let round = 0; round < 3; round++) for (const k of keys) if (ask(cache, k)) hits++;
    expect(hits / (3 * keys.length)).toBeGreaterThan(0.45);
    expect(cache.size).toBe(1_000);
  });

  it('drops an answer once a CI it read has changed, however often it was asked for', () => {
    const live = topologyFrom([{ id: 'x', class: 'service', name: 'x', environment: 'prod', tier: null, owner: null, attributes: {} }], []);
    const cache = new ReadCache<string>({ maxEntries: 10 });
    cache.set(live, 'k', live.version, 'old', [0], 1);
    expect(cache.get(live, 'k')).toBe('old');
    live.upsertCi({ id: 'x', class: 'service', name: 'x renamed', environment: 'prod', tier: null, owner: null, attributes: {} });
    expect(cache.get(live, 'k')).toBeUndefined();
  });
});

describe('frequency sketch', () => {
  it('counts keys apart, and halves every count once it has seen ten times its width', () => {
    const sketch = new FrequencySketch(64);
    for (let i = 0; i < 6; i++) sketch.add('hot');
    sketch.add('cold');
    expect(sketch.estimate('hot')).toBe(6);
    expect(sketch.estimate('cold')).toBeGreaterThanOrEqual(1);
    expect(sketch.estimate('never')).toBeLessThan(6);
    for (let i = 0; i < 640 - 7; i++) sketch.add(`filler ${i % 5}`);
    expect(sketch.estimate('hot')).toBe(3);
  });
});
