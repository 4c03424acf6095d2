import { describe, expect, it } from 'vitest';
import { PackedStrings } from '../../server/topology/packed-strings.ts';

/** A small seeded generator, so a failure replays. */
function random(seed: number): () => number {
  return () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
}

describe('packed strings', () => {
  it('reads back every string as set, across full chunks, the open one and many changes (a chunk joined again)', () => {
    const packed = new PackedStrings();
    const plain: string[] = [];
    const next = random(3);
    const some = () => ['', 'a', `rel-${Math.floor(next() * 1e9).toString(36)}8df9f4`, 'ünïcode-ÿ-€-id', 'x'.repeat(40)][Math.floor(next() * 5)];
    for (let i = 0; i < 3 * 4096 + 100; i++) { const s = some(); packed.push(s); plain.push(s); }
    expect(packed.length).toBe(plain.length);
    // Changes over the sealed chunks (the first gets more than enough to be joined again) and the open one.
    for (let k = 0; k < 2_000; k++) {
      const slot = k < 600 ? Math.floor(next() * 4096) : Math.floor(next() * plain.length);
      const s = next() < 0.2 ? plain[slot] : some();
      packed.set(slot, s); plain[slot] = s;
    }
    const wrong = plain.map((s, slot) => slot).filter((slot) => packed.get(slot) !== plain[slot] || !packed.is(slot, plain[slot]) || packed.is(slot, plain[slot] + '!'));
    expect(wrong).toEqual([]);
  });

  it('tells a string from another of the same length at the same place', () => {
    const packed = new PackedStrings();
    for (let i = 0; i < 4096; i++) packed.push(`ci-${String(i).padStart(6, '0')}`);
    expect(packed.is(17, 'ci-000017')).toBe(true);
    expect(packed.is(17, 'ci-000018')).toBe(false);
    expect(packed.is(17, 'ci-00001')).toBe(false);
  });
});
