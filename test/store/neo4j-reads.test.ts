import { describe, it, expect } from 'vitest';
import neo4j from 'neo4j-driver';
import { diff, slices } from '../../server/store/neo4j/diff.ts';
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

/** Canned diff answers: the touched ids (at most $limit), and each slice's versions for the ids asked. */
function diffAnswers(cis: Touched[], rels: Touched[] = []) {
  const ids = (rows: Touched[]) => (p: Record<string, unknown>) => rows.slice(0, Number(p.limit)).map((r) => ({ id: r.id }));
  const versions = (rows: Touched[]) => (p: Record<string, unknown>) => (p.ids as string[]).map((id) => rows.find((r) => r.id === id)!);
  return { 'diff-ci-ids': ids(cis), 'diff-cis': versions(cis), 'diff-relation-ids': ids(rels), 'diff-relations': versions(rels) };
}
type Touched = { id: string; before: object[]; after: object[] };

describe('diff rows (no server)', () => {
  it('sorts each touched entity by its versions at both ends, ignoring bookkeeping fields', async () => {
    const { tx, calls, problems } = fakeTx(diffAnswers([
      { id: 'ci-1', before: [ciVersion(1, t0, t1)], after: [ciVersion(2, t1, null, { tier: 1 })] },
      { id: 'ci-2', before: [], after: [{ ...ciVersion(1, t1, null), ciId: 'ci-2' }] },
      { id: 'ci-3', before: [ciVersion(4, t0, t1)], after: [ciVersion(5, t1, null)] },
    ], [{ id: 'rel-1', before: [relVersion(1, t0, t1)], after: [] }]));
    const d = await diff(tx, t0, t2, 10);
    expect(problems).toEqual([]);
    // LIMIT needs an INTEGER: the caller's limit plus one (to see truncation) goes out as a driver Integer.
    expect(calls[0].name).toBe('diff-ci-ids');
    expect(neo4j.isInt(calls[0].params.limit)).toBe(true);
    expect(String(calls[0].params.limit)).toBe('11');
    expect(calls.map((c) => c.name)).toEqual(['diff-ci-ids', 'diff-relation-ids', 'diff-cis', 'diff-relations']);
    expect(d.cis.changed.map((c) => [c.after.id, c.fields])).toEqual([['ci-1', ['tier']]]);
    expect(d.cis.added.map((c) => c.id)).toEqual(['ci-2']);
    expect(d.relations.removed.map((r) => [r.id, r.from, r.to, r.validTo])).toEqual([['rel-1', 'ci-1', 'ci-2', t1]]);
    expect(d.truncated).toBe(false);
  });

  it('says truncated when more than the limit are touched, and reads only the limit', async () => {
    const rows = Array.from({ length: 3 }, (_, i) => ({ id: `ci-${i}`, before: [], after: [{ ...ciVersion(1, t1, null), ciId: `ci-${i}` }] }));
    const { tx, calls } = fakeTx(diffAnswers(rows));
    const d = await diff(tx, t0, t2, 2);
    expect(d.truncated).toBe(true);
    expect(d.cis.added).toHaveLength(2);
    expect(calls.filter((c) => c.name === 'diff-cis').flatMap((c) => c.params.ids as string[])).toEqual(['ci-0', 'ci-1']);
  });

  it('reads the versions in slices, letting other work run between them, and answers as one read does', async () => {
    // 1,250 CIs touched (every third changed, the others added), 40 relations removed; the limit keeps 1,000 CIs.
    const cis = Array.from({ length: 1250 }, (_, i) => {
      const id = `ci-${String(i).padStart(4, '0')}`;
      return i % 3 ? { id, before: [], after: [{ ...ciVersion(1, t1, null), ciId: id }] }
        : { id, before: [{ ...ciVersion(1, t0, t1), ciId: id }], after: [{ ...ciVersion(2, t1, null, { tier: 3 }), ciId: id }] };
    });
    const rels = Array.from({ length: 40 }, (_, i) => ({ id: `rel-${i}`, before: [{ ...relVersion(1, t0, t1), relId: `rel-${i}` }], after: [] }));
    const run = async (sliceIds: number) => {
      // Other work: a callback that needs a turn of the event loop, again and again while the diff runs.
      let turns = 0, done = false;
      const tick = () => { if (!done) { turns++; setImmediate(tick); } };
      setImmediate(tick);
      const answers = diffAnswers(cis, rels);
      /** How many turns other work had when each slice of versions was asked for. */
      const turnsAtRead: number[] = [];
      const seen = <F extends (p: Record<string, unknown>) => unknown>(f: F) => ((p: Record<string, unknown>) => { turnsAtRead.push(turns); return f(p); }) as F;
      const { tx, calls, problems } = fakeTx({ ...answers, 'diff-cis': seen(answers['diff-cis']), 'diff-relations': seen(answers['diff-relations']) });
      const answer = await diff(tx, t0, t2, 1000, sliceIds);
      done = true;
      expect(problems).toEqual([]);
      return { answer, calls, turnsAtRead };
    };
    const sliced = await run(300);
    const whole = await run(Infinity);
    const sizes = (r: typeof sliced, name: string) => r.calls.filter((c) => c.name === name).map((c) => (c.params.ids as string[]).length);
    expect(sizes(sliced, 'diff-cis')).toEqual([300, 300, 300, 100]);
    expect(sizes(sliced, 'diff-relations')).toEqual([40]);
    expect(sliced.calls.filter((c) => c.name === 'diff-cis').flatMap((c) => c.params.ids as string[])).toEqual(cis.slice(0, 1000).map((c) => c.id));
    expect(sizes(whole, 'diff-cis')).toEqual([1000]);
    // Other work gets a turn between every two slices (the answers here come back at once, as if the server were instant).
    const gaps = (t: number[]) => t.slice(1).map((n, i) => n - t[i]);
    expect(gaps(sliced.turnsAtRead).every((g) => g >= 1)).toBe(true);
    expect(sliced.turnsAtRead).toHaveLength(5);
    expect(whole.turnsAtRead).toHaveLength(2);
    expect(sliced.answer).toEqual(whole.answer);
    expect(sliced.answer.truncated).toBe(true);
    expect([sliced.answer.cis.added.length, sliced.answer.cis.changed.length, sliced.answer.relations.removed.length]).toEqual([666, 334, 40]);
  });

  it('cuts a list into runs of at most the slice size', () => {
    expect(slices([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(slices([1, 2], Infinity)).toEqual([[1, 2]]);
    expect(slices([], 3)).toEqual([]);
    expect(slices([1, 2], 0)).toEqual([[1], [2]]);
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
