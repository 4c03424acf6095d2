import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankNames, compareByName } from '../../server/topology/name-order.ts';
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
});
