import { describe, expect, it } from 'vitest';
import { propagateImpact } from '../../../server/domain/impact/propagate.ts';
import type { ImpactGraph } from '../../../server/domain/impact/graph.ts';
import { EstateBuilder } from '../../topology/estate-builder.ts';
import { referencePropagate } from './reference-propagate.ts';

/** A hub every one of `fanOut` services needs, each needed by one app; half the apps also need a 2-of-3 cache group. */
function hubEstateBuilder(fanOut: number) {
  const b = new EstateBuilder().cisNamed('hub', 'c1', 'c2', 'c3');
  for (let i = 0; i < fanOut; i++) {
    b.cisNamed(`svc${i}`, `app${i}`).dependsOn(`svc${i}`, 'hub').dependsOn(`app${i}`, `svc${i}`);
    if (i % 2) for (const c of ['c1', 'c2', 'c3']) b.dependsOn(`app${i}`, c, { group: 'cache', minUp: 2 });
  }
  return b;
}
const hubEstate = (fanOut: number) => hubEstateBuilder(fanOut).build();

/** The same graph seen only through the ImpactGraph interface (no CSR arrays to walk). */
const withoutCsr = (g: ImpactGraph): ImpactGraph => ({
  nodeCount: g.nodeCount, groupCount: g.groupCount,
  forEachDependent: (u, visit) => g.forEachDependent(u, visit),
  forEachProvider: (v, visit) => g.forEachProvider(v, visit),
  groupSize: (x) => g.groupSize(x), groupRequired: (x) => g.groupRequired(x), groupName: (x) => g.groupName(x),
});

describe('impact propagation on blast radii of thousands', () => {
  it('answers a hub of 6,000 dependents in BFS order with every state, and the next call starts clean', () => {
    const topo = hubEstate(3_000);
    const hub = topo.nodeOf('hub')!;

    const r = propagateImpact(topo, [{ node: hub, state: 'down' }], { limit: 10 });

    expect(r.total).toBe(1 + 2 * 3_000);
    expect(r.truncated).toBe(true);
    expect(topo.idOf(r.all[0])).toBe('hub');
    expect([...r.all].slice(1, 3_001).every((n) => topo.idOf(n).startsWith('svc'))).toBe(true);
    expect([...r.all].slice(3_001).every((n) => topo.idOf(n).startsWith('app'))).toBe(true);
    expect([...r.allStates].every((s) => s === 2)).toBe(true);
    expect(r.impacted.map((i) => i.depth)).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    // The scratch of that walk must not leak into the next question: one cache node down only degrades its apps.
    const c1 = propagateImpact(topo, [{ node: topo.nodeOf('c1')!, state: 'down' }]);
    expect(c1.total).toBe(1 + 1_500);
    expect([...c1.allStates].slice(1).every((s) => s === 1)).toBe(true);
    expect(c1.impacted[1].cause).toMatchObject({ kind: 'group', group: 'cache', up: 2, size: 3, required: 2 });
  });

  it('gives the same answer through the CSR arrays and through forEachDependent, small and large, overlay included', () => {
    const topo = hubEstate(3_000);
    // Later additions live in the overlay until compaction: the walk must read them as the base.
    topo.upsertCi({ id: 'late', name: 'late', class: 'service', environment: 'prod', tier: null, owner: null, attributes: {} });
    topo.upsertRelation({ id: 'late-dep', type: 'DEPENDS_ON', from: 'late', to: 'app7', redundancy: null });
    for (const [failed, limit] of [[['hub', 'c2'], 100], [['c1', 'c2'], 5], [['svc7'], 1_000]] as const) {
      const input = failed.map((id) => ({ node: topo.nodeOf(id)!, state: 'down' as const }));
      const viaCsr = propagateImpact(topo, input, { limit });
      const viaVisitor = propagateImpact(withoutCsr(topo), input, { limit });
      expect(viaVisitor.impacted).toEqual(viaCsr.impacted);
      expect([...viaVisitor.all]).toEqual([...viaCsr.all]);
      expect([...viaVisitor.allStates]).toEqual([...viaCsr.allStates]);
    }
    expect([...propagateImpact(topo, [{ node: topo.nodeOf('svc7')!, state: 'down' }]).all].map((n) => topo.idOf(n))).toEqual(['svc7', 'app7', 'late']);
  });

  it('answers the one degraded CI of a large answer degraded among thousands down, raised so or named so', () => {
    // watcher needs one of {svc0, c2}: degraded when the hub brings svc0 down. Everything else the hub brings down.
    const withWatcher = hubEstateBuilder(3_000).cisNamed('watcher')
      .dependsOn('watcher', 'svc0', { group: 'either', minUp: 1 }).dependsOn('watcher', 'c2', { group: 'either', minUp: 1 }).build();
    const plain = hubEstate(3_000);
    const down = (topo: typeof plain, id: string) => ({ node: topo.nodeOf(id)!, state: 'down' as const });

    for (const [topo, failed, degraded] of [
      [withWatcher, [down(withWatcher, 'hub')], 'watcher'],
      // c1's apps go degraded first (c1 is processed before any svc), then down: c1 alone stays degraded.
      [plain, [down(plain, 'hub'), { node: plain.nodeOf('c1')!, state: 'degraded' as const }], 'c1'],
    ] as const) {
      const r = propagateImpact(topo, failed, { limit: 10 });

      expect(r.total).toBe(1 + 2 * 3_000 + 1);
      expect([...r.all].filter((_, i) => r.allStates[i] === 1).map((n) => topo.idOf(n))).toEqual([degraded]);
      expect([...r.allStates]).toEqual([...referencePropagate(topo, [...failed], { limit: 10 }).allStates]);
    }
  });

  it('starts clean after a walk that threw half way', () => {
    const topo = hubEstate(100);
    const svc7 = topo.nodeOf('svc7')!;
    let fail = true;
    // A graph whose edges are read through a visitor that throws once, after the walk has marked CIs.
    const throwing: ImpactGraph = {
      ...withoutCsr(topo),
      forEachDependent: (u, visit) => {
        if (fail && u === svc7) { fail = false; throw new Error('read failed'); }
        topo.forEachDependent(u, visit);
      },
    };
    const failed = [{ node: topo.nodeOf('hub')!, state: 'down' as const }];

    expect(() => propagateImpact(throwing, failed)).toThrow('read failed');
    const r = propagateImpact(topo, failed);

    expect(r.total).toBe(1 + 2 * 100);
    expect([...r.all]).toEqual([...referencePropagate(topo, failed).all]);
  });

  it('gives a CI that worsens after it was processed its final state in a large answer, as the engine before did', () => {
    // x needs one of {svc0, deep}: degraded when svc0 (depth 1) goes down, processed so, then down when deep (depth 3)
    // does; y, which needs x, follows it. The answer's states cannot be those the CIs had when processed.
    const topo = hubEstateBuilder(3_000).cisNamed('deep', 'x', 'y')
      .dependsOn('deep', 'app0').dependsOn('x', 'svc0', { group: 'pair', minUp: 1 }).dependsOn('x', 'deep', { group: 'pair', minUp: 1 })
      .dependsOn('y', 'x').build();
    const failed = [{ node: topo.nodeOf('hub')!, state: 'down' as const }];

    const r = propagateImpact(topo, failed, { limit: 1_000 });

    expect(r.total).toBe(1 + 2 * 3_000 + 3);
    const stateOf = (id: string) => r.allStates[[...r.all].indexOf(topo.nodeOf(id)!)];
    expect([stateOf('x'), stateOf('y'), stateOf('deep')]).toEqual([2, 2, 2]);
    const before = referencePropagate(topo, failed, { limit: 1_000 });
    expect([...r.all]).toEqual([...before.all]);
    expect([...r.allStates]).toEqual([...before.allStates]);
    expect(r.impacted).toEqual(before.impacted);
  });

  it('lists every CI of a large answer when asked to (more listed than a small answer holds), as the engine before did', () => {
    // Up to 4,096 listed, the listing is a plain array; past that, a typed one: both must read the same.
    const topo = hubEstateBuilder(3_000).build();
    const failed = [{ node: topo.nodeOf('hub')!, state: 'down' as const }];

    const r = propagateImpact(topo, failed);

    expect(r.total).toBe(1 + 2 * 3_000);
    expect(r.truncated).toBe(false);
    expect(r.impacted).toEqual(referencePropagate(topo, failed).impacted);
  });
});
