import { describe, expect, it } from 'vitest';
import { compoundId, diffElements, groupKeys, toElements, type El } from '../../web/lib/graph/elements.ts';
import type { GraphEdge, GraphNode, GraphResult } from '../../web/lib/types.ts';

const node = (id: string, cls = 'service', extra: Partial<GraphNode> = {}): GraphNode => ({
  id, class: cls, name: id, environment: 'prod', tier: 2, owner: 'team-a', lifecycle: 'active', layer: layerOf(cls), ...extra,
});
const edge = (id: string, from: string, to: string, type = 'DEPENDS_ON', state: GraphEdge['state'] = 'active'): GraphEdge => ({
  id, type, from, to, provenance: ['observed'], state, redundancy: null,
});
function layerOf(cls: string) {
  return ({ business_service: 'business', service: 'software', database: 'software', pod: 'platform', k8s_namespace: 'platform', host: 'infrastructure' } as Record<string, string>)[cls] ?? 'software';
}
const byId = (els: El[]) => new Map(els.map((e) => [e.data.id, e]));

describe('map elements from a graph result', () => {
  const graph: GraphResult = {
    nodes: [node('checkout'), node('payments'), node('db', 'database', { tier: 1 }), node('old', 'service', { lifecycle: 'retired' }), node('g1', 'service', { group: { count: 12, key: 'svc:prod' } })],
    edges: [edge('e1', 'checkout', 'payments'), edge('e2', 'payments', 'db', 'DEPENDS_ON', 'declared')],
    truncated: false,
  };

  it('carries layer, class, tier, lifecycle and edge state as classes', () => {
    const els = byId(toElements(graph));
    expect(els.get('db')!.classes.split(' ')).toEqual(expect.arrayContaining(['layer-software', 'cls-database', 'tier-1']));
    expect(els.get('old')!.classes).toContain('retired');
    expect(els.get('e2')!.classes.split(' ')).toEqual(['edge-declared', 'rel-DEPENDS_ON']);
  });

  it('labels a server-side group with its count and keeps its key for expanding', () => {
    const g = byId(toElements(graph)).get('g1')!;
    expect(g.data).toMatchObject({ label: 'g1 (12)', count: 12, groupKey: 'svc:prod' });
    expect(g.classes).toContain('server-group');
  });

  it('tells CIs of one name apart: by class, or by environment when the class is the same too', () => {
    const g: GraphResult = {
      nodes: [node('s', 'service', { name: 'checkout-api' }), node('w', 'k8s_workload', { name: 'checkout-api' }), node('p', 'service', { name: 'auth', environment: 'production' }), node('q', 'service', { name: 'auth', environment: 'staging' }), node('only', 'database', { name: 'orders-db' })],
      edges: [], truncated: false,
    };
    const label = (id: string) => (byId(toElements(g)).get(id)!.data as { label: string }).label;
    expect([label('s'), label('w')]).toEqual(['checkout-api · Service', 'checkout-api · Kubernetes workload']);
    expect([label('p'), label('q')]).toEqual(['auth · production', 'auth · staging']);
    expect(label('only')).toBe('orders-db');
  });

  it('adds overlay classes to the nodes and edges they name', () => {
    const overlay = new Map([['payments', ['impact-down']], ['e1', ['path']]]);
    const els = byId(toElements(graph, { overlay }));
    expect(els.get('payments')!.classes).toContain('impact-down');
    expect(els.get('e1')!.classes).toContain('path');
    expect(els.get('checkout')!.classes).not.toContain('impact-down');
  });
});

describe('compound groups', () => {
  // Two pods on host h1, one on h2; workload w is PART_OF namespace ns, pods PART_OF w.
  const graph: GraphResult = {
    nodes: [node('h1', 'host'), node('h2', 'host'), node('h3', 'host'), node('p1', 'pod'), node('p2', 'pod'), node('p3', 'pod'), node('ns', 'k8s_namespace'), node('w', 'k8s_workload'), node('api', 'service', { owner: 'team-b' })],
    edges: [
      edge('r1', 'p1', 'h1', 'RUNS_ON'), edge('r2', 'p2', 'h1', 'RUNS_ON'), edge('r3', 'p3', 'h2', 'RUNS_ON'),
      edge('o1', 'p1', 'w', 'PART_OF'), edge('o2', 'p2', 'w', 'PART_OF'), edge('o3', 'w', 'ns', 'PART_OF'),
      edge('d1', 'api', 'p1'), edge('d2', 'api', 'p2'), edge('d3', 'api', 'p3'),
    ],
    truncated: false,
  };

  it('finds the nearest owner through the relations of the grouping (pods via their workload to the namespace)', () => {
    const ns = groupKeys(graph, 'namespace');
    expect(ns.get('p1')?.key).toBe('ns');
    expect(ns.get('w')?.key).toBe('ns');
    expect(ns.has('p3')).toBe(false);
    expect(groupKeys(graph, 'host').get('p2')?.key).toBe('h1');
    expect(groupKeys(graph, 'team').get('api')?.key).toBe('team-b');
  });

  it('draws a compound parent for groups of two or more and none for a group of one', () => {
    const els = byId(toElements(graph, { grouping: 'host' }));
    const h1 = compoundId('host', 'h1');
    expect(els.get(h1)!.classes).toBe('compound');
    expect(els.get('p1')!.data).toMatchObject({ parent: h1 });
    expect(els.get('p3')!.data).toMatchObject({ parent: compoundId('host', 'h2') });
    // h3 runs nothing shown: a box around one node would only add noise.
    expect(els.has(compoundId('host', 'h3'))).toBe(false);
    expect((els.get('h3')!.data as { parent?: string }).parent).toBeUndefined();
  });

  it('a collapsed group stands for its members and merges the edges into it', () => {
    const h1 = compoundId('host', 'h1');
    const els = byId(toElements(graph, { grouping: 'host', collapsed: new Set([h1]) }));
    expect(els.has('p1')).toBe(false);
    expect(els.has('h1')).toBe(false);
    expect(els.get(h1)!.classes).toBe('compound collapsed');
    // api -> p1 and api -> p2 become one edge api -> group counting 2; p1/p2 -> h1 vanish inside.
    const merged = [...els.values()].filter((e) => e.group === 'edges' && e.data.target === h1);
    expect(merged).toHaveLength(1);
    expect(merged[0].data).toMatchObject({ source: 'api', count: 2 });
    expect(els.get('d3')!.data).toMatchObject({ source: 'api', target: 'p3' });
  });
});

describe('keyed diff of elements', () => {
  const a = toElements({ nodes: [node('x'), node('y')], edges: [edge('e', 'x', 'y')], truncated: false });

  it('finds nothing to do between equal element lists', () => {
    const again = toElements({ nodes: [node('x'), node('y')], edges: [edge('e', 'x', 'y')], truncated: false });
    expect(diffElements(byId(a), again)).toEqual({ add: [], remove: [], update: [] });
  });

  it('adds new ids, removes missing ones and patches changed data or classes in place', () => {
    const next = toElements({ nodes: [node('x', 'service', { name: 'x2' }), node('z')], edges: [], truncated: false }, { overlay: new Map([['z', ['new']]]) });
    const d = diffElements(byId(a), next);
    expect(d.add.map((e) => e.data.id)).toEqual(['z']);
    expect(d.remove.sort()).toEqual(['e', 'y']);
    expect(d.update.map((e) => e.data.id)).toEqual(['x']);
  });

  it('re-adds an edge whose ends changed and a node whose parent changed, since Cytoscape cannot re-point them', () => {
    const prev = byId([
      { group: 'edges', data: { id: 'e', source: 'x', target: 'y', type: 'DEPENDS_ON', state: 'active' }, classes: '' },
      { group: 'nodes', data: { id: 'n', label: 'n', ciClass: 'pod', layer: 'platform', tier: null, owner: null, environment: 'p', parent: 'cg:host:a' }, classes: '' },
    ]);
    const d = diffElements(prev, [
      { group: 'edges', data: { id: 'e', source: 'x', target: 'z', type: 'DEPENDS_ON', state: 'active' }, classes: '' },
      { group: 'nodes', data: { id: 'n', label: 'n', ciClass: 'pod', layer: 'platform', tier: null, owner: null, environment: 'p', parent: 'cg:host:b' }, classes: '' },
    ]);
    expect(d.remove.sort()).toEqual(['e', 'n']);
    expect(d.add.map((e) => e.data.id).sort()).toEqual(['e', 'n']);
    expect(d.update).toEqual([]);
  });
});
