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
});
