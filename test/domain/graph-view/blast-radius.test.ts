import { describe, expect, it } from 'vitest';
import { blastRadiusMap, type ImpactedForMap } from '../../../server/domain/graph-view/blast-radius.ts';
import type { GraphEdge, GraphNode } from '../../../server/model/records.ts';

const node = (id: string, cls = 'service'): GraphNode => ({ id, class: cls, name: id, environment: 'prod', tier: null, owner: null, lifecycle: 'active', layer: 'software' });
const edge = (from: string, to: string): GraphEdge => ({ id: `${from}>${to}`, type: 'DEPENDS_ON', from, to, provenance: ['declared'], state: 'declared', redundancy: null });

/** A database that 30 services need, one of which a business service needs in turn. */
function estate() {
  const impacted: ImpactedForMap[] = [{ id: 'db', state: 'down', path: ['db'] }];
  const nodes = new Map<string, GraphNode>([['db', node('db', 'database')]]);
  const edges: GraphEdge[] = [];
  for (let i = 0; i < 30; i++) {
    const id = `svc-${String(i).padStart(2, '0')}`;
    impacted.push({ id, state: i < 29 ? 'down' : 'degraded', path: ['db', id] });
    nodes.set(id, node(id));
    edges.push(edge(id, 'db'));
  }
  impacted.push({ id: 'shop', state: 'down', path: ['db', 'svc-00', 'shop'] });
  nodes.set('shop', node('shop', 'business_service'));
  edges.push(edge('shop', 'svc-00'));
  return { impacted, nodes, edges };
}

describe('the map of a blast radius', () => {
  it('groups many same-class CIs hit through one CI, and colours the group with its worst member', () => {
    const { impacted, nodes, edges } = estate();
    const map = blastRadiusMap(impacted, nodes, edges, { maxNodes: 100, groupThreshold: 10, total: impacted.length });
    expect(map.nodes.map((n) => n.id)).toEqual(['db', 'group:db|service', 'shop']);
    expect(map.nodes[1].group).toEqual({ count: 30, key: 'db|service' });
    expect(map.states).toEqual({ db: 'down', 'group:db|service': 'down', shop: 'down' });
    expect(map.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(['group:db|service>db', 'shop>group:db|service']);
    expect(map.truncated).toBe(false);
  });

  it('keeps every CI when none is grouped, and says why when it must cut (nearest first)', () => {
    const { impacted, nodes, edges } = estate();
    const whole = blastRadiusMap(impacted, nodes, edges, { maxNodes: 100, groupThreshold: 100, total: impacted.length });
    expect(whole.nodes).toHaveLength(32);
    expect(whole.states!['svc-29']).toBe('degraded');
    const cut = blastRadiusMap(impacted, nodes, edges, { maxNodes: 5, groupThreshold: 100, total: impacted.length });
    expect(cut.nodes.map((n) => n.id)).toEqual(['db', 'svc-00', 'svc-01', 'svc-02', 'svc-03']);
    expect(cut.truncation).toMatchObject({ reason: 'nodes', limit: 5 });
    expect(cut.edges.every((e) => cut.nodes.some((n) => n.id === e.from) && cut.nodes.some((n) => n.id === e.to))).toBe(true);
    const listed = blastRadiusMap(impacted, nodes, edges, { maxNodes: 100, groupThreshold: 10, total: 5000 });
    expect(listed.truncation).toMatchObject({ reason: 'impact' });
    expect(listed.truncation!.message).toContain('5000 CIs are impacted');
  });
});
