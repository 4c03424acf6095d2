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
  it('keeps what is asked for again, and lets a newly frequent key take the place of the least recently used', () => {
    const cache = new ReadCache<string>({ maxEntries: 2 });
    expect([ask(cache, 'a'), ask(cache, 'b'), ask(cache, 'a')]).toEqual([false, false, true]);
    // Full: 'c', asked for once, does not displace 'b' (asked for as often, and then least recently used)...
    expect(ask(cache, 'c')).toBe(false);
    expect(ask(cache, 'b')).toBe(true);
    // ...until it has been asked for more often than the least recently used entry.
    ask(cache, 'c');
    ask(cache, 'c');
    expect(cache.get(topo, 'c')).toBe('answer c');
    expect(cache.size).toBe(2);
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
