import { describe, it, expect } from 'vitest';
import { diff } from '../../server/store/neo4j/diff.ts';
import { fakeTx } from './neo4j-fake-tx.ts';

const t0 = '2026-01-01T00:00:00.000Z', t1 = '2026-01-02T00:00:00.000Z', t2 = '2026-01-03T00:00:00.000Z';
const ciData = (extra: object = {}) => JSON.stringify({ class: 'service', name: 'checkout', environment: 'prod', tier: 2, owner: null, lifecycle: 'active', attributes: {}, identifiers: {}, ...extra });
const ciVersion = (version: number, validFrom: string, validTo: string | null, extra: object = {}) => ({ ciId: 'ci-1', version, validFrom, ...(validTo ? { validTo } : {}), data: ciData(extra) });
const relVersion = (version: number, validFrom: string, validTo: string | null) => ({
  relId: 'rel-1', version, type: 'DEPENDS_ON', fromId: 'ci-1', toId: 'ci-2', validFrom, ...(validTo ? { validTo } : {}),
  data: JSON.stringify({ attributes: {}, redundancy: null, provenance: ['declared'] }),
});

describe('diff rows (no server)', () => {
  it('sorts each touched entity by its versions at both ends, ignoring bookkeeping fields', async () => {
    const { tx, calls, problems } = fakeTx({
      'diff-cis': () => [
        { id: 'ci-1', before: [ciVersion(1, t0, t1)], after: [ciVersion(2, t1, null, { tier: 1 })] },
        { id: 'ci-2', before: [], after: [{ ...ciVersion(1, t1, null), ciId: 'ci-2' }] },
        { id: 'ci-3', before: [ciVersion(4, t0, t1)], after: [ciVersion(5, t1, null)] },
      ],
      'diff-relations': () => [{ id: 'rel-1', before: [relVersion(1, t0, t1)], after: [] }],
    });
    const d = await diff(tx, t0, t2, 10);
    expect(problems).toEqual([]);
    // LIMIT needs an INTEGER: the caller's limit plus one (to see truncation) goes out as a driver Integer.
    expect(String(calls[0].params.limit)).toBe('11');
    expect(d.cis.changed.map((c) => [c.after.id, c.fields])).toEqual([['ci-1', ['tier']]]);
    expect(d.cis.added.map((c) => c.id)).toEqual(['ci-2']);
    expect(d.relations.removed.map((r) => [r.id, r.from, r.to, r.validTo])).toEqual([['rel-1', 'ci-1', 'ci-2', t1]]);
    expect(d.truncated).toBe(false);
  });

  it('says truncated when a query returns more than the limit, and keeps only the limit', async () => {
    const rows = Array.from({ length: 3 }, (_, i) => ({ id: `ci-${i}`, before: [], after: [{ ...ciVersion(1, t1, null), ciId: `ci-${i}` }] }));
    const { tx } = fakeTx({ 'diff-cis': () => rows });
    const d = await diff(tx, t0, t2, 2);
    expect(d.truncated).toBe(true);
    expect(d.cis.added).toHaveLength(2);
  });
});
