import { describe, it, expect } from 'vitest';
import neo4j from 'neo4j-driver';
import { diff } from '../../server/store/neo4j/diff.ts';
import { listCis } from '../../server/store/neo4j/reads.ts';
import { ciFromProps, runFromProps, topologyCiFromRow } from '../../server/store/neo4j/records.ts';
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

describe('listing CIs (no server)', () => {
  const ci = (name: string, id: string) => ({ ci: { id, class: 'service', name, environment: 'prod', lifecycle: 'active', attributes: '{}', identifiers: '{}', version: 1, validFrom: t0 } });

  it('sends absent filters as null, the cursor as (afterName, afterId) (\'\' before the first page, so the name index seeks) and LIMIT as an INTEGER page size plus one', async () => {
    const { tx, calls, problems } = fakeTx({ 'list-cis': () => [ci('a', 'ci-1'), ci('b', 'ci-2'), ci('c', 'ci-3')] });
    const page = await listCis(tx, { limit: 2 });
    expect(problems).toEqual([]);
    const p = calls[0].params;
    expect(p).toMatchObject({ lifecycle: 'active', classes: null, environment: null, owner: null, q: null, afterName: '', afterId: '' });
    expect(neo4j.isInt(p.limit)).toBe(true);
    expect(String(p.limit)).toBe('3');
    expect(page.items.map((c) => c.name)).toEqual(['a', 'b']);
    // The same cursor format as the SQLite store: base64url of [name, id].
    expect(JSON.parse(Buffer.from(page.nextCursor!, 'base64url').toString('utf8'))).toEqual(['b', 'ci-2']);

    await listCis(tx, { limit: 2, cursor: page.nextCursor!, q: 'CheckOut', class: ['service', 'api'], lifecycle: 'any' });
    expect(calls[1].params).toMatchObject({ lifecycle: null, classes: ['service', 'api'], q: 'checkout', afterName: 'b', afterId: 'ci-2' });
  });

  it('has no next cursor on the last page', async () => {
    const { tx } = fakeTx({ 'list-cis': () => [ci('a', 'ci-1')] });
    expect((await listCis(tx, { limit: 2 })).nextCursor).toBeNull();
  });
});

describe('integers read back (no server)', () => {
  it('become JS numbers whether the driver hands back numbers or Integers', () => {
    const props = { id: 'ci-1', class: 'service', name: 'x', environment: 'prod', lifecycle: 'active', attributes: '{"port":443}', identifiers: '{}', validFrom: t0 };
    for (const [tier, version] of [[2, 3], [neo4j.int(2), neo4j.int(3)]]) {
      const c = ciFromProps({ ...props, tier, version });
      expect([c.tier, c.version]).toEqual([2, 3]);
      expect(c.attributes).toEqual({ port: 443 });
      expect(c.owner).toBeNull();
      expect(c.validTo).toBeNull();
    }
    expect(runFromProps({ runId: 'r', source: 's', scope: 'x', startedAt: t0, lastBatchAt: t0, batches: neo4j.int(7) }).batches).toBe(7);
    expect(topologyCiFromRow({ id: 'ci-1', class: 'service', name: 'x', environment: 'prod', tier: null, owner: null, attributes: '{}' }).tier).toBeNull();
  });
});
