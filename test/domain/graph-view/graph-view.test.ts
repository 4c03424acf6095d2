import { describe, it, expect } from 'vitest';
import { neighbourVia, edgeState } from '../../../server/domain/graph-view/direction.ts';
import { groupNodes } from '../../../server/domain/graph-view/group-nodes.ts';
import type { GraphEdge, GraphNode } from '../../../server/model/records.ts';

describe('map directions follow dependency', () => {
  const dependsOn = { type: 'DEPENDS_ON', from: 'checkout', to: 'payments' };
  const partOf = { type: 'PART_OF', from: 'pod', to: 'workload' };
  const ownedBy = { type: 'OWNED_BY', from: 'checkout', to: 'team' };

  it('goes downstream from a dependent to what it depends on', () => {
    expect(neighbourVia(dependsOn, 'checkout', 'downstream')).toBe('payments');
    expect(neighbourVia(dependsOn, 'payments', 'downstream')).toBeNull();
  });

  it('goes upstream from a provider to what relies on it', () => {
    expect(neighbourVia(dependsOn, 'payments', 'upstream')).toBe('checkout');
    expect(neighbourVia(dependsOn, 'checkout', 'upstream')).toBeNull();
  });

  it('reads PART_OF the other way: a workload relies on its pods', () => {
    expect(neighbourVia(partOf, 'workload', 'downstream')).toBe('pod');
    expect(neighbourVia(partOf, 'pod', 'upstream')).toBe('workload');
  });

  it('leads downstream to the owning team, and both ways when asked', () => {
    expect(neighbourVia(ownedBy, 'checkout', 'downstream')).toBe('team');
    expect(neighbourVia(dependsOn, 'payments', 'both')).toBe('checkout');
  });
});

describe('edge state from the last sighting', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  const t = { activeMinutes: 30, idleMinutes: 1440 };
  const seen = (minutesAgo: number) => ({ observed: { calls: 1, errors: 0, lastSeen: new Date(now - minutesAgo * 60_000).toISOString() } });
  it.each([[5, 'active'], [45, 'idle'], [60 * 30, 'inactive']] as const)('seen %i minutes ago → %s', (ago, state) => {
    expect(edgeState(seen(ago), now, t)).toBe(state);
  });
  it('calls an edge nobody observed declared', () => {
    expect(edgeState({ observed: null }, now, t)).toBe('declared');
  });
});

describe('grouping many same-class neighbours', () => {
  const node = (id: string, cls = 'service', tier = 3): GraphNode => ({ id, class: cls, name: id, environment: 'prod', tier, owner: null, lifecycle: 'active', layer: 'software' });
  const edge = (from: string, to: string): GraphEdge => ({ id: `${from}-${to}`, type: 'DEPENDS_ON', from, to, provenance: ['declared'], state: 'declared', redundancy: null });

  it('collapses more than the threshold into one counted node and reroutes their edges', () => {
    const members = Array.from({ length: 12 }, (_, i) => node(`s${i}`, 'service', i === 3 ? 1 : 3));
    const nodes = [node('dns', 'dns_name'), ...members, node('db', 'database')];
    const edges = [...members.map((m) => edge(m.id, 'dns')), edge('s0', 'db')];
    const parentOf = new Map([...members.map((m) => [m.id, 'dns'] as const), ['db', 's0'] as const]);
    const out = groupNodes(nodes, edges, parentOf, 10, new Set());
    const group = out.nodes.find((n) => n.group)!;
    expect(group).toMatchObject({ id: 'group:dns|service', class: 'service', tier: 1, group: { count: 12, key: 'dns|service' } });
    expect(out.nodes.map((n) => n.id).sort()).toEqual(['db', 'dns', 'group:dns|service']);
    expect(out.edges.map((e) => [e.from, e.to]).sort()).toEqual([['group:dns|service', 'db'], ['group:dns|service', 'dns']]);
  });

  it('leaves small sets, roots and expanded groups alone', () => {
    const members = Array.from({ length: 12 }, (_, i) => node(`s${i}`));
    const parentOf = new Map(members.map((m) => [m.id, 'dns'] as const));
    const nodes = [node('dns', 'dns_name'), ...members];
    expect(groupNodes(nodes, [], parentOf, 20, new Set()).nodes).toHaveLength(13);
    expect(groupNodes(nodes, [], parentOf, 10, new Set(['dns|service'])).nodes).toHaveLength(13);
  });
});
