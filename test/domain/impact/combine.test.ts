import { describe, expect, it } from 'vitest';
import { estate } from '../../topology/estate-builder.ts';
import { mergeResults, restrictTo, rollingWaves } from '../../../server/domain/impact/combine.ts';
import { propagateImpact } from '../../../server/domain/impact/propagate.ts';
import type { Topology } from '../../../server/topology/topology.ts';

const names = (topo: Topology, nodes: Iterable<number>) => [...nodes].map((n) => topo.idOf(n));
const states = (topo: Topology, r: ReturnType<typeof propagateImpact>) =>
  Object.fromEntries([...r.all].map((n, i) => [topo.idOf(n), r.allStates[i] === 2 ? 'down' : 'degraded']));

/** api needs 2 of 3 replicas; web needs api; batch needs r3 alone; report stands apart. */
const build = () => estate().cisNamed('web', 'api', 'r1', 'r2', 'r3', 'batch', 'report', 'x')
  .dependsOn('web', 'api')
  .dependsOn('api', 'r1', { group: 'replicas', minUp: 2 }).dependsOn('api', 'r2', { group: 'replicas', minUp: 2 }).dependsOn('api', 'r3', { group: 'replicas', minUp: 2 })
  .dependsOn('batch', 'r3').dependsOn('report', 'x').build();
const n = (topo: Topology, id: string) => topo.nodeOf(id)!;

describe('rolling waves', () => {
  it('never takes two members of one redundancy group down in the same wave', () => {
    const topo = build();
    const waves = rollingWaves(topo, ['r1', 'r2', 'r3'].map((id) => n(topo, id)));
    expect(waves.map((w) => names(topo, w))).toEqual([['r1'], ['r2'], ['r3']]);
  });

  it('puts CIs without redundancy in the first wave, and members of different groups together', () => {
    const topo = build();
    expect(rollingWaves(topo, ['r1', 'x', 'r2'].map((id) => n(topo, id))).map((w) => names(topo, w))).toEqual([['r1', 'x'], ['r2']]);
    expect(rollingWaves(topo, []).length).toBe(0);
  });
});

describe('merging propagations', () => {
  it('keeps every CI any wave impacts in its worst state, nearest first', () => {
    const topo = build();
    const one = propagateImpact(topo, [{ node: n(topo, 'r1'), state: 'down' }]);
    const three = propagateImpact(topo, [{ node: n(topo, 'r3'), state: 'down' }]);
    const merged = mergeResults([one, three]);
    expect(states(topo, merged)).toEqual({ r1: 'down', r3: 'down', api: 'degraded', web: 'degraded', batch: 'down' });
    expect(merged.total).toBe(5);
    expect(merged.impacted.map((i) => i.depth)).toEqual([...merged.impacted.map((i) => i.depth)].sort((a, b) => a - b));
    expect(mergeResults([one])).toBe(one);
  });

  it('a CI down in one wave and degraded in another is down, listed with its down explanation', () => {
    const topo = estate().cisNamed('a', 'b', 'c').dependsOn('a', 'b', { group: 'g', minUp: 1 }).dependsOn('a', 'c', { group: 'g', minUp: 1 }).build();
    const degraded = propagateImpact(topo, [{ node: n(topo, 'b'), state: 'down' }]);
    const down = propagateImpact(topo, [{ node: n(topo, 'b'), state: 'down' }, { node: n(topo, 'c'), state: 'down' }]);
    const merged = mergeResults([degraded, down]);
    expect(merged.impacted.find((i) => topo.idOf(i.node) === 'a')).toMatchObject({ actual: 'down', state: 'down' });
  });

  it('caps the listing like propagation does, counting everything', () => {
    const topo = build();
    const merged = mergeResults([propagateImpact(topo, [{ node: n(topo, 'r1'), state: 'down' }]), propagateImpact(topo, [{ node: n(topo, 'x'), state: 'down' }])], 2);
    expect(merged.impacted).toHaveLength(2);
    expect(merged.total).toBe(5);
    expect(merged.truncated).toBe(true);
  });
});

describe('the share of a combined propagation some failed CIs take part in', () => {
  it('two replicas lost in two incidents: each one sees api and web down; a bystander failure is not theirs', () => {
    const topo = build();
    const all = propagateImpact(topo, ['r1', 'r2', 'x'].map((id) => ({ node: n(topo, id), state: 'down' as const })));
    const mine = restrictTo(topo, all, [n(topo, 'r1')]);
    expect(states(topo, mine)).toEqual({ r1: 'down', api: 'down', web: 'down' });
    expect(mine.impacted.map((i) => topo.idOf(i.node))).toEqual(['r1', 'api', 'web']);
    expect(states(topo, restrictTo(topo, all, [n(topo, 'x')]))).toEqual({ x: 'down', report: 'down' });
  });
});
