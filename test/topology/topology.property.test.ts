import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TopologyCi, TopologyRelation } from '../../server/store/port.ts';
import { topologyFrom } from '../../server/topology/build.ts';
import type { Topology } from '../../server/topology/topology.ts';

const ci = (n: number): TopologyCi => ({ id: `c${n}`, class: 'service', name: `c${n}`, environment: 'prod', tier: null, owner: null, attributes: {} });
const rel = (from: number, to: number, type: string, group: string | null): TopologyRelation =>
  ({ id: `${from}-${type}-${to}`, type, from: `c${from}`, to: `c${to}`, redundancy: group ? { group, minUp: 1 } : null, provenance: group ? ['observed'] : ['declared'], observed: null });

type Op =
  | { op: 'relate'; from: number; to: number; type: string; group: string | null }
  | { op: 'unrelate'; from: number; to: number; type: string }
  | { op: 'retire'; ci: number }
  | { op: 'restore'; ci: number }
  | { op: 'compact' }
  | { op: 'begin-compaction' }
  | { op: 'compaction-steps'; steps: number };

const SIZE = 8;
const node = fc.integer({ min: 0, max: SIZE - 1 });
// OWNED_BY and MONITORS carry no impact: only the map's relations hold them.
const type = fc.constantFrom('DEPENDS_ON', 'PART_OF', 'RUNS_ON', 'OWNED_BY', 'MONITORS');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('relate' as const), from: node, to: node, type, group: fc.constantFrom(null, 'g1', 'g2') }),
  fc.record({ op: fc.constant('unrelate' as const), from: node, to: node, type }),
  fc.record({ op: fc.constant('retire' as const), ci: node }),
  fc.record({ op: fc.constant('restore' as const), ci: node }),
  fc.record({ op: fc.constant('compact' as const) }),
  fc.record({ op: fc.constant('begin-compaction' as const) }),
  fc.record({ op: fc.constant('compaction-steps' as const), steps: fc.integer({ min: 1, max: 12 }) }),
);

/** Everything the engine can see of a projection, keyed by CI id so dense ids may differ. */
function view(t: Topology) {
  const out: string[] = [];
  for (const n of t.liveNodeIds()) {
    t.forEachDependent(n, (d, g) => out.push(`${t.idOf(n)}>${t.idOf(d)}:${g < 0 ? '-' : `${t.groupName(g)}/${t.groupSize(g)}`}`));
    t.forEachProvider(n, (p) => out.push(`${t.idOf(n)}<${t.idOf(p)}`));
  }
  return out.sort();
}

/** Everything a live map can read of the projection's relations. */
function mapView(t: Topology) {
  const nodes = [...t.liveNodeIds()];
  const of = nodes.flatMap((n) => t.mapRelations.of([n], Infinity).map((r) => `${t.idOf(n)}: ${JSON.stringify(r)}`));
  const among = t.mapRelations.among(nodes, Infinity).map((r) => JSON.stringify(r));
  return { of: of.sort(), among: among.sort(), size: t.mapRelations.size };
}

describe('topology projection under incremental change', () => {
  it('after any sequence of changes (with compactions in between, in one go or in steps among the changes) sees the same graph as a fresh build of the end state', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
      // The reference: the end state as plain records, as a store would stream it.
      const live = new Set<number>(Array.from({ length: SIZE }, (_, i) => i));
      const relations = new Map<string, TopologyRelation>();
      const incremental = topologyFrom(Array.from({ length: SIZE }, (_, i) => ci(i)), []);
      // A compaction under way (compactSteps), advanced a few steps at a time between the changes.
      let compaction: Generator<void, void> | null = null;
      const advance = (steps: number) => {
        for (let i = 0; i < steps && compaction; i++) if (compaction.next().done) compaction = null;
      };

      for (const o of ops) {
        if (o.op === 'relate') {
          if (!live.has(o.from) || !live.has(o.to)) continue;
          const r = rel(o.from, o.to, o.type, o.group);
          relations.set(r.id, r);
          incremental.upsertRelation(r);
        } else if (o.op === 'unrelate') {
          relations.delete(rel(o.from, o.to, o.type, null).id);
          incremental.removeRelation(rel(o.from, o.to, o.type, null));
        } else if (o.op === 'retire') {
          // As ingest does: a retired CI takes its relations with it.
          live.delete(o.ci);
          for (const [id, r] of relations) if (r.from === `c${o.ci}` || r.to === `c${o.ci}`) relations.delete(id);
          incremental.retireCi(`c${o.ci}`);
        } else if (o.op === 'restore') {
          live.add(o.ci);
          incremental.upsertCi(ci(o.ci));
        } else if (o.op === 'begin-compaction') {
          compaction ??= incremental.compactSteps();
        } else if (o.op === 'compaction-steps') {
          advance(o.steps);
        } else {
          advance(Infinity);
          incremental.compact();
        }
      }
      advance(Infinity);

      const fresh = topologyFrom([...live].map(ci), [...relations.values()]);
      expect(view(incremental)).toEqual(view(fresh));
      expect(mapView(incremental)).toEqual(mapView(fresh));
      expect(mapView(fresh).size).toBe(relations.size);
      expect(incremental.stats()).toMatchObject({ cis: fresh.stats().cis, relations: fresh.stats().relations });
    }), { numRuns: 600, seed: 424242 });
  });
});
