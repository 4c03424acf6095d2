import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { TopologyCi, TopologyRelation } from '../../server/store/port.ts';
import { topologyFrom } from '../../server/topology/build.ts';
import { liveMapSource } from '../../server/topology/map-cis.ts';
import { liveMap } from '../../server/topology/live-map.ts';
import { rankNames } from '../../server/topology/name-order.ts';
import { neighbourhood, type NeighbourhoodQuery } from '../../server/domain/graph-view/neighbourhood.ts';
import { groupNodes } from '../../server/domain/graph-view/group-nodes.ts';
import type { Topology } from '../../server/topology/topology.ts';

const SIZE = 30;
const classes = ['service', 'database', 'host', 'pod', 'team'] as const;
const types = ['DEPENDS_ON', 'RUNS_ON', 'PART_OF', 'OWNED_BY', 'MONITORS'] as const;
const NOW = Date.parse('2026-12-05T12:00:00Z');

const ciArb = (i: number) => fc.record({
  cls: fc.constantFrom(...classes), name: fc.constantFrom('a', 'b', 'B', 'checkout', 'checkout experience', 'Checkout', 'check-out', 'check.out', 'check_out', 'db-7', 'db-10', 'db7', 'é', ''),
  env: fc.constantFrom('prod', 'staging'), owner: fc.constantFrom(null, 'commerce', 'platform'), tier: fc.constantFrom(null, 1, 2, 4),
}).map((c): TopologyCi => ({ id: `c${String(i).padStart(2, '0')}`, class: c.cls, name: c.name, environment: c.env, tier: c.tier, owner: c.owner, attributes: {} }));
// Hubs: a third of the relations touch c00 or c01, so the node and edge caps and the hub cut are reached.
const endArb = fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 0, max: SIZE - 1 }), fc.integer({ min: 0, max: SIZE - 1 }));
const relArb = fc.record({ from: endArb, to: endArb, type: fc.constantFrom(...types), group: fc.constantFrom(null, 'g'), seenMinutesAgo: fc.constantFrom(null, 5, 120, 5000) });
const id = (n: number) => `c${String(n).padStart(2, '0')}`;
type RelSpec = typeof relArb extends fc.Arbitrary<infer T> ? T : never;
const relation = (r: RelSpec): TopologyRelation => ({
  id: `${id(r.from)}-${r.type}-${id(r.to)}`, type: r.type, from: id(r.from), to: id(r.to), redundancy: r.group ? { group: r.group, minUp: 1 } : null,
  provenance: r.seenMinutesAgo === null ? ['declared'] : ['observed'],
  observed: r.seenMinutesAgo === null ? null : { calls: 3, errors: 0, lastSeen: new Date(NOW - r.seenMinutesAgo * 60_000).toISOString() },
  ...(r.type === 'MONITORS' ? { note: 'polls /health' } : {}),
});

const queryArb = fc.record({
  focus: fc.array(fc.oneof(fc.integer({ min: 0, max: SIZE - 1 }).map(id), fc.constant('unknown')), { minLength: 1, maxLength: 3 }),
  depth: fc.integer({ min: 0, max: 4 }),
  direction: fc.constantFrom('upstream' as const, 'downstream' as const, 'both' as const),
  classes: fc.option(fc.subarray([...classes], { minLength: 1 }), { nil: undefined }),
  environment: fc.option(fc.constantFrom('prod', 'staging'), { nil: undefined }),
  owner: fc.option(fc.constantFrom('commerce', 'platform'), { nil: undefined }),
  maxNodes: fc.integer({ min: 1, max: 40 }),
  maxEdges: fc.integer({ min: 1, max: 80 }),
  groupAbove: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
});
const mutationArb = fc.array(fc.oneof(
  fc.record({ op: fc.constant('retire' as const), ci: fc.integer({ min: 0, max: SIZE - 1 }) }),
  fc.record({ op: fc.constant('unrelate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('relate' as const), rel: relArb }),
  fc.record({ op: fc.constant('compact' as const) }),
  // After the names were ranked (rankNames): a CI renamed, a CI added, each without a rank.
  fc.record({ op: fc.constant('rename' as const), ci: fc.integer({ min: 0, max: SIZE - 1 }), as: ciArb(0) }),
  fc.record({ op: fc.constant('add' as const), as: ciArb(0), rel: relArb }),
), { maxLength: 8 });

/** The reference: the generic neighbourhood over the projection's relation reads, then the grouping, as GET /graph did. */
async function reference(topo: Topology, q: NeighbourhoodQuery) {
  const g = await neighbourhood(liveMapSource(topo), q);
  const out = q.groupAbove !== undefined ? groupNodes(g.nodes, g.edges, g.parentOf, q.groupAbove, new Set()) : g;
  return { nodes: out.nodes, edges: out.edges, truncated: g.truncated, ...(g.truncation ? { truncation: g.truncation } : {}) };
}

describe('the live map read by dense node', () => {
  it('answers exactly as the generic neighbourhood and grouping do, in the same order, on random estates with hubs, filters, caps and later changes, with and without ranked names', async () => {
    const estateArb = fc.tuple(fc.tuple(...Array.from({ length: SIZE }, (_, i) => ciArb(i))), fc.array(relArb, { maxLength: 120 }), mutationArb, fc.boolean());
    await fc.assert(fc.asyncProperty(estateArb, fc.array(queryArb, { minLength: 1, maxLength: 5 }), async ([cis, rels, mutations, ranked], queries) => {
      const relations = rels.map(relation);
      const topo = topologyFrom(cis, relations);
      if (ranked) topo.nameOrder = await rankNames(topo, { sliceMs: 1_000 });
      let added = SIZE;
      for (const m of mutations) {
        if (m.op === 'rename') topo.upsertCi({ ...cis[m.ci], name: m.as.name });
        else if (m.op === 'add') {
          const ci = { ...m.as, id: id(added++) };
          topo.upsertCi(ci);
          topo.upsertRelation(relation({ ...m.rel, from: Number(ci.id.slice(1)) }));
        }
        if (m.op === 'retire') topo.retireCi(id(m.ci));
        else if (m.op === 'unrelate' && relations.length) topo.removeRelation(relations[m.at % relations.length]);
        else if (m.op === 'relate') topo.upsertRelation(relation(m.rel));
        else if (m.op === 'compact') topo.compact();
      }
      for (const q of queries) {
        const query: NeighbourhoodQuery = { ...q, now: NOW, edgeThresholds: { activeMinutes: 30, idleMinutes: 1440 } };
        const { read: _read, observed: _observed, ...mine } = liveMap(topo, query);
        const theirs = await reference(topo, query);
        // Same JSON, key order included: the bodies are byte for byte the same.
        expect(JSON.stringify(mine)).toBe(JSON.stringify(theirs));
      }
    }), { numRuns: 300 });
  });

  it('takes a level in name order from the ranked names, with CIs renamed or added after the ranking in their new place', async () => {
    const svc = (id: string, name: string): TopologyCi => ({ id, class: 'service', name, environment: 'prod', tier: null, owner: null, attributes: {} });
    const hub = 'hub';
    const topo = topologyFrom([svc(hub, 'hub'), ...['b', 'd', 'f', 'h'].map((n) => svc(n, n))], ['b', 'd', 'f', 'h'].map((n): TopologyRelation => ({ id: `${n}>hub`, type: 'DEPENDS_ON', from: n, to: hub, redundancy: null })));
    topo.nameOrder = await rankNames(topo);
    topo.upsertCi(svc('h', 'a'));
    topo.upsertCi(svc('c', 'c'));
    topo.upsertRelation({ id: 'c>hub', type: 'DEPENDS_ON', from: 'c', to: hub, redundancy: null });
    const names = () => liveMap(topo, { focus: [hub], depth: 1, direction: 'both', maxNodes: 100, maxEdges: 100, now: NOW, edgeThresholds: { activeMinutes: 30, idleMinutes: 1440 } }).nodes.map((n) => n.name);
    expect(names()).toEqual(['hub', 'a', 'b', 'c', 'd', 'f']);
    topo.upsertCi(svc('b', 'z'));
    expect(names()).toEqual(['hub', 'a', 'c', 'd', 'f', 'z']);
  });

  it('orders plain names (lower-case letters, digits, space, "-" and ".") by code unit exactly as localeCompare does', () => {
    const plain = fc.string({ unit: fc.constantFrom(...'abcxyz0189 .-'), maxLength: 8 });
    fc.assert(fc.property(plain, plain, (a, b) => Math.sign(a.localeCompare(b)) === (a < b ? -1 : a > b ? 1 : 0)), { numRuns: 20_000 });
  });

  it('names every CI its answer depends on: the focus and each CI a level reached, drawn or not', () => {
    const topo = topologyFrom(
      ['web', 'api', 'db', 'dns', 'other'].map((n): TopologyCi => ({ id: n, class: 'service', name: n, environment: 'prod', tier: null, owner: null, attributes: {} })),
      [['web', 'api'], ['api', 'db'], ['api', 'dns'], ['other', 'dns']].map(([from, to]): TopologyRelation => ({ id: `${from}>${to}`, type: 'DEPENDS_ON', from, to, redundancy: null })),
    );
    const map = liveMap(topo, { focus: ['web'], depth: 1, direction: 'downstream', maxNodes: 100, maxEdges: 100, now: NOW, edgeThresholds: { activeMinutes: 30, idleMinutes: 1440 } });
    expect([...map.read].map((n) => topo.idOf(n)).sort()).toEqual(['api', 'web']);
    const deeper = liveMap(topo, { focus: ['web'], depth: 2, direction: 'downstream', maxNodes: 100, maxEdges: 100, now: NOW, edgeThresholds: { activeMinutes: 30, idleMinutes: 1440 } });
    expect([...deeper.read].map((n) => topo.idOf(n)).sort()).toEqual(['api', 'db', 'dns', 'web']);
  });
});
