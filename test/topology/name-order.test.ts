import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankNames, rerankNames, compareByName, type NameView } from '../../server/topology/name-order.ts';
import { addUrgentSource } from '../../server/live/urgent.ts';
import { topologyFrom } from '../../server/topology/build.ts';
import type { TopologyCi } from '../../server/store/port.ts';

const ci = (id: string, name: string): TopologyCi => ({ id, class: 'service', name, environment: 'prod', tier: null, owner: null, attributes: {} });
const nameArb = fc.string({ unit: fc.constantFrom(...'abAB- .é9'), maxLength: 4 });

describe('NameOrder', () => {
  it('sorts a level exactly as comparing names does, whatever was renamed or added after the ranking, and ranks again from a snapshot taken while names change', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(nameArb, { minLength: 1, maxLength: 60 }),
      fc.array(fc.tuple(fc.nat(), nameArb), { maxLength: 20 }),
      fc.array(nameArb, { maxLength: 20 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 80 }),
      async (names, renames, added, picks) => {
        const topo = topologyFrom(names.map((n, i) => ci(`c${i}`, n)), []);
        topo.nameOrder = await rankNames(topo, { sliceMs: 1_000 });
        // A ranking of a snapshot, while the projection changes under it.
        const snapshot = topo.nameSnapshot();
        const again = rankNames(snapshot, { sliceMs: 1_000 });
        for (const [at, name] of renames) topo.upsertCi(ci(`c${at % names.length}`, name));
        added.forEach((name, i) => topo.upsertCi(ci(`new${i}`, name)));
        const expected = (nodes: number[]) => [...nodes].sort((a, b) => compareByName(topo, a, b));
        const level = [...new Set(picks.map((p) => p % topo.nodeCount))];
        const mine = [...level];
        topo.nameOrder!.sort(topo, mine);
        expect(mine).toEqual(expected(level));
        // The new ranking, its renamed CIs forgotten, sorts alike.
        const fresh = await again;
        for (const n of snapshot.renamedSince(topo)) fresh.forget(n);
        const theirs = [...level];
        fresh.sort(topo, theirs);
        expect(theirs).toEqual(expected(level));
        expect(fresh.unranked(topo)).toBe(added.length + snapshot.renamedSince(topo).length);
      },
    ), { numRuns: 300 });
  });

  it('ranks again from the ranking in place exactly as ranking every CI afresh, whatever was renamed or added since', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(nameArb, { minLength: 1, maxLength: 60 }),
      fc.array(fc.tuple(fc.nat(), nameArb), { maxLength: 20 }),
      fc.array(nameArb, { maxLength: 40 }),
      async (names, renames, added) => {
        const topo = topologyFrom(names.map((n, i) => ci(`c${i}`, n)), []);
        topo.nameOrder = await rankNames(topo, { sliceMs: 1_000 });
        for (const [at, name] of renames) topo.upsertCi(ci(`c${at % names.length}`, name));
        added.forEach((name, i) => topo.upsertCi(ci(`new${i}`, name)));
        const snapshot = topo.nameSnapshot();
        const [again, afresh] = await Promise.all([rerankNames(snapshot, topo.nameOrder, { sliceMs: 1_000 }), rankNames(snapshot, { sliceMs: 1_000 })]);
        const ranks = (o: typeof again) => Array.from({ length: topo.nodeCount }, (_, n) => o.rankOf(n));
        expect(ranks(again)).toEqual(ranks(afresh));
        expect(again.unranked(topo)).toBe(0);
      },
    ), { numRuns: 300 });
  });

  it('ranks again comparing names only around the CIs without a rank, not across the whole projection', async () => {
    const topo = topologyFrom(Array.from({ length: 20_000 }, (_, i) => ci(`c${i}`, `svc-${(i * 7919) % 20_000}`)), []);
    topo.nameOrder = await rankNames(topo, { sliceMs: 1_000 });
    for (let i = 0; i < 200; i++) topo.upsertCi(ci(`new${i}`, `svc-${(i * 104_729) % 20_000}-b`));
    const counted = (view: NameView) => {
      const counter = { reads: 0 };
      return { counter, view: { ...view, nodeCount: view.nodeCount, nameOf: (n: number) => { counter.reads++; return view.nameOf(n); } } };
    };
    const full = counted(topo.nameSnapshot());
    const afresh = await rankNames(full.view, { sliceMs: 1_000 });
    const incremental = counted(topo.nameSnapshot());
    const again = await rerankNames(incremental.view, topo.nameOrder!, { sliceMs: 1_000 });
    for (let n = 0; n < topo.nodeCount; n++) expect(again.rankOf(n)).toBe(afresh.rankOf(n));
    // 200 CIs sorted, then each placed among 20,000 by a galloping search: a few thousand names read, where sorting all
    // 20,200 reads about 2 x 20,200 x log2(20,200), ~580,000.
    expect(incremental.counter.reads).toBeLessThan(full.counter.reads / 20);
  });

  it('ends a slice of ranking early while a write waits on the loop, as reads and applies in turns do', async () => {
    const topo = topologyFrom(Array.from({ length: 50_000 }, (_, i) => ci(`c${i}`, `svc-${(i * 7919) % 50_000}`)), []);
    const turnsBetween = async () => {
      let turns = 0, done = false;
      const count = () => { if (!done) { turns++; setImmediate(count); } };
      setImmediate(count);
      await rankNames(topo, { sliceMs: 60_000 });
      done = true;
      return turns;
    };
    // No write waiting: one slice of a minute does it all, and the loop turns only once it is done.
    expect(await turnsBetween()).toBeLessThanOrEqual(2);
    const unurgent = addUrgentSource(() => true);
    try {
      expect(await turnsBetween()).toBeGreaterThan(5);
    } finally {
      unurgent();
    }
  });
});
