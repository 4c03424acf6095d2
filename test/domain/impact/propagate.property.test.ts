import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { relationTypes, requiredUp, type MinUp, type Redundancy } from '../../../server/model/relations.ts';
import { propagateImpact, type FailState } from '../../../server/domain/impact/propagate.ts';
import { EstateBuilder } from '../../topology/estate-builder.ts';

interface RandomRelation { type: 'DEPENDS_ON' | 'RUNS_ON' | 'PART_OF'; from: number; to: number; group: number | null }
interface RandomEstate { size: number; relations: RandomRelation[]; minUps: MinUp[]; failed: [number, FailState][] }

const UP = 0, DEGRADED = 1, DOWN = 2;

/**
 * The reference: recompute every CI's state from its providers' states, all at once, until nothing
 * changes (Jacobi iteration from "everything up", so the least fixpoint), straight from the relation list.
 */
function referenceStates(e: RandomEstate): number[] {
  const reported = new Map(e.failed.map(([n, s]) => [n, s === 'down' ? DOWN : DEGRADED]));
  // dependent → group key → providers; ungrouped edges are groups of one needing their provider.
  const groups = new Map<number, Map<string, { providers: number[]; minUp: MinUp }>>();
  e.relations.forEach((r, i) => {
    const toSource = relationTypes.get(r.type)!.impact === 'toSource';
    const provider = toSource ? r.to : r.from, dependent = toSource ? r.from : r.to;
    const key = r.group === null ? `edge${i}` : `g${r.group}`;
    const byKey = groups.get(dependent) ?? new Map();
    groups.set(dependent, byKey);
    const g = byKey.get(key) ?? { providers: [], minUp: r.group === null ? 1 : e.minUps[r.group] };
    byKey.set(key, g);
    g.providers.push(provider);
  });
  let state = Array.from({ length: e.size }, (_, n) => reported.get(n) ?? UP);
  for (;;) {
    const next = state.map((_, v) => {
      let s = reported.get(v) ?? UP;
      for (const g of groups.get(v)?.values() ?? []) {
        const up = g.providers.filter((p) => state[p] !== DOWN).length;
        if (up < requiredUp(g.minUp, g.providers.length)) s = DOWN;
        else if (up < g.providers.length || g.providers.some((p) => state[p] === DEGRADED)) s = Math.max(s, DEGRADED);
      }
      return s;
    });
    if (next.every((s, i) => s === state[i])) return state;
    state = next;
  }
}

/** Shortest distance from any failed CI to each impacted CI, moving only through impacted CIs. */
function referenceDepths(e: RandomEstate, state: number[]): Map<number, number> {
  const out = new Map<number, number[]>();
  for (const r of e.relations) {
    const toSource = relationTypes.get(r.type)!.impact === 'toSource';
    const p = toSource ? r.to : r.from, d = toSource ? r.from : r.to;
    out.set(p, [...(out.get(p) ?? []), d]);
  }
  const depth = new Map<number, number>(e.failed.map(([n]) => [n, 0]));
  const queue = e.failed.map(([n]) => n);
  while (queue.length) {
    const u = queue.shift()!;
    for (const v of out.get(u) ?? []) if (state[v] !== UP && !depth.has(v)) { depth.set(v, depth.get(u)! + 1); queue.push(v); }
  }
  return depth;
}

const randomEstate: fc.Arbitrary<RandomEstate> = fc.integer({ min: 2, max: 24 }).chain((size) => fc.record({
  size: fc.constant(size),
  relations: fc.uniqueArray(fc.record({
    type: fc.constantFrom('DEPENDS_ON' as const, 'RUNS_ON' as const, 'PART_OF' as const),
    from: fc.integer({ min: 0, max: size - 1 }),
    to: fc.integer({ min: 0, max: size - 1 }),
    group: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
  }), { maxLength: size * 3, selector: (r) => `${r.from}|${r.type}|${r.to}` }),
  minUps: fc.array(fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom('34%', '50%', '67%', '100%')), { minLength: 4, maxLength: 4 }),
  failed: fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: size - 1 }), fc.constantFrom<FailState>('down', 'degraded')), { minLength: 1, maxLength: 4, selector: (f) => f[0] }),
}));

/** Half the relations in the CSR base, half added afterwards (the overlay), so both paths are walked. */
function build(e: RandomEstate) {
  const b = new EstateBuilder();
  for (let n = 0; n < e.size; n++) b.ci(`n${n}`);
  const redundancyOf = (r: RandomRelation): Redundancy | null => (r.group === null ? null : { group: `g${r.group}`, minUp: e.minUps[r.group] });
  const half = Math.ceil(e.relations.length / 2);
  // A group belongs to its dependent, so group names are per dependent, with one minUp each.
  for (const r of e.relations.slice(0, half)) b.relate(r.type, `n${r.from}`, `n${r.to}`, redundancyOf(r));
  const topo = b.build();
  for (const r of e.relations.slice(half)) topo.upsertRelation({ id: `${r.from}-${r.type}-${r.to}`, type: r.type, from: `n${r.from}`, to: `n${r.to}`, redundancy: redundancyOf(r) });
  return topo;
}

describe('impact propagation against a brute-force fixpoint', () => {
  it('agrees on every state and depth, and every path is a real chain of impacted CIs, on random graphs with redundancy', () => {
    fc.assert(fc.property(randomEstate, (e) => {
      const topo = build(e);
      const node = (n: number) => topo.nodeOf(`n${n}`)!;
      const expected = referenceStates(e);
      const depths = referenceDepths(e, expected);

      const result = propagateImpact(topo, e.failed.map(([n, state]) => ({ node: node(n), state })));

      const got = new Map(result.impacted.map((i) => [topo.idOf(i.node), i]));
      for (let n = 0; n < e.size; n++) {
        const i = got.get(`n${n}`);
        expect(i ? (i.actual === 'down' ? DOWN : DEGRADED) : UP, `state of n${n}`).toBe(expected[n]);
        if (!i) continue;
        expect(i.depth, `depth of n${n}`).toBe(depths.get(n));
        expect(i.path.length).toBe(i.depth + 1);
        expect(e.failed.map(([f]) => node(f))).toContain(i.path[0]);
        expect(i.path[i.path.length - 1]).toBe(i.node);
        for (let k = 1; k < i.path.length; k++) {
          const dependents: number[] = [];
          topo.forEachDependent(i.path[k - 1], (d) => dependents.push(d));
          expect(dependents).toContain(i.path[k]);
        }
      }
      expect(result.total).toBe(expected.filter((s) => s !== UP).length);
    }), { numRuns: 400, seed: 20240601 });
  });
  it('lists the nearest k exactly as the full listing starts, causes and paths included, and counts all the same', () => {
    fc.assert(fc.property(randomEstate, fc.integer({ min: 0, max: 6 }), (e, k) => {
      const topo = build(e);
      const failed = e.failed.map(([n, state]) => ({ node: topo.nodeOf(`n${n}`)!, state }));
      // Capped first: the engine reuses its scratch between calls, and what the full walk left there must not help.
      const capped = propagateImpact(topo, failed, { limit: k });
      const full = propagateImpact(topo, failed);
      expect(capped.impacted).toEqual(full.impacted.slice(0, k));
      expect(capped.total).toBe(full.total);
      expect([...capped.all]).toEqual([...full.all]);
      expect([...capped.allStates]).toEqual([...full.allStates]);
      expect(capped.truncated).toBe(full.total > k);
    }), { numRuns: 300, seed: 20261205 });
  });
});
