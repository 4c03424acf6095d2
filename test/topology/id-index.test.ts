import { describe, expect, it } from 'vitest';
import { IdIndex } from '../../server/topology/id-index.ts';

describe('id index', () => {
  it('numbers ids in the order added and finds each by its id, past several growths of its table', () => {
    const index = new IdIndex();
    const ids = Array.from({ length: 20_000 }, (_, i) => (i % 3 === 0 ? `ci-${i.toString(36)}-8df9f4` : i % 3 === 1 ? `n${i}` : `ünï-${i}`));
    const numbers = ids.map((id) => (index.get(id) === undefined ? index.add(id) : -1));
    expect(numbers).toEqual(ids.map((_, n) => n));
    expect(index.size).toBe(ids.length);
    expect(ids.filter((id, n) => index.get(id) !== n || index.idOf(n) !== id)).toEqual([]);
    expect(index.get('ci-unknown')).toBeUndefined();
    expect(index.get('')).toBeUndefined();
  });

  it('finds every id added so far after each add, while its table grows a few ids at a time', () => {
    const index = new IdIndex();
    const ids: string[] = [];
    const misses: string[] = [];
    for (let n = 0; n < 9_000; n++) {
      const id = `host-${(n * 7919).toString(36)}`;
      expect(index.add(id)).toBe(n);
      ids.push(id);
      // Every id after the adds near each growth (1,024, 2,048, 4,096 ids), a sample of them otherwise.
      const near = [1024, 2048, 4096, 8192].some((g) => n >= g - 2 && n <= g + g / 4 + 2);
      for (let k = near ? 0 : Math.max(0, n - 3); k <= n; k++) if (index.get(ids[k]) !== k) misses.push(`${ids[k]} after ${n + 1} ids`);
      if (index.get(`${id}-x`) !== undefined) misses.push(`unknown ${id}-x found`);
    }
    expect(misses).toEqual([]);
  });

  it('takes a reservation before or between adds, and keeps every id it held', () => {
    const index = new IdIndex();
    index.reserve(5_000);
    for (let n = 0; n < 3_000; n++) index.add(`a${n}`);
    index.reserve(100_000);
    for (let n = 0; n < 1_500; n++) index.add(`b${n}`);
    index.reserve(10); // smaller than held: changes nothing
    expect(index.size).toBe(4_500);
    const wrong = [...Array.from({ length: 3_000 }, (_, n) => [`a${n}`, n] as const), ...Array.from({ length: 1_500 }, (_, n) => [`b${n}`, 3_000 + n] as const)]
      .filter(([id, n]) => index.get(id) !== n || index.idOf(n) !== id);
    expect(wrong).toEqual([]);
  });

  it('takes a reservation in steps, finding every id and adding new ones between them', () => {
    const index = new IdIndex();
    const ids: string[] = [];
    for (let n = 0; n < 150_000; n++) { const id = `svc-${(n * 7919).toString(36)}`; index.add(id); ids.push(id); }
    const steps = index.reserveSteps(1_000_000);
    let taken = 0;
    const misses: string[] = [];
    for (const _ of steps) {
      taken++;
      const id = `late-${taken}`;
      ids.push(id);
      if (index.add(id) !== ids.length - 1) misses.push(`${id} numbered wrong`);
      for (let n = taken % 97; n < ids.length; n += 97) if (index.get(ids[n]) !== n) misses.push(`${ids[n]} after step ${taken}`);
    }
    // 150,000 numbers moved 65,536 a step: the reservation took several steps.
    expect(taken).toBeGreaterThan(2);
    const wrong = ids.filter((id, n) => index.get(id) !== n || index.idOf(n) !== id);
    expect([...misses, ...wrong]).toEqual([]);
    expect(index.get('svc-unknown')).toBeUndefined();
  });
});
