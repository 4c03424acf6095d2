import { describe, expect, it } from 'vitest';
import { mapRelationOf, neighbourhood, type NeighbourhoodSource } from '../../../server/domain/graph-view/neighbourhood.ts';
import type { CiRecord, RelationRecord } from '../../../server/model/records.ts';

const ci = (id: string, cls = 'service'): CiRecord => ({
  id, class: cls, name: id, environment: 'prod', tier: null, owner: null, lifecycle: 'active',
  attributes: {}, identifiers: {}, version: 1, validFrom: '2026-01-01T00:00:00.000Z', validTo: null,
});
const dependsOn = (from: string, to: string): RelationRecord => ({
  id: `${from}>${to}`, type: 'DEPENDS_ON', from, to, attributes: {}, redundancy: null, provenance: ['declared'],
  observed: null, version: 1, validFrom: '2026-01-01T00:00:00.000Z', validTo: null,
});

/** An estate in memory that counts how many relations each read returned. */
function estate(cis: CiRecord[], rels: RelationRecord[]) {
  const byId = new Map(cis.map((c) => [c.id, c]));
  const reads: { kind: string; asked: number; returned: number }[] = [];
  const src: NeighbourhoodSource = {
    async relationsOf(ids, limit) {
      const set = new Set(ids);
      const out = rels.filter((r) => set.has(r.from) || set.has(r.to)).slice(0, limit);
      reads.push({ kind: 'of', asked: ids.length, returned: out.length });
      return out.map(mapRelationOf);
    },
    async relationsAmong(ids, limit) {
      const set = new Set(ids);
      const out = rels.filter((r) => set.has(r.from) && set.has(r.to)).slice(0, limit);
      reads.push({ kind: 'among', asked: ids.length, returned: out.length });
      return out.map(mapRelationOf);
    },
    async getCis(ids) { return ids.flatMap((id) => byId.get(id) ?? []); },
  };
  return { src, reads };
}

const query = { depth: 2, direction: 'upstream' as const, maxNodes: 100, maxEdges: 1000, now: Date.now(), edgeThresholds: { activeMinutes: 30, idleMinutes: 1440 } };

describe('a map neighbourhood reads what it can draw, not the whole estate', () => {
  it('around a hub with 5,000 dependents reads at most twice the node budget of its relations, and says it is truncated', async () => {
    const callers = Array.from({ length: 5000 }, (_, i) => ci(`svc-${String(i).padStart(4, '0')}`));
    const { src, reads } = estate([ci('dns', 'dns_name'), ...callers], callers.map((c) => dependsOn(c.id, 'dns')));
    const g = await neighbourhood(src, { ...query, focus: ['dns'] });
    expect(g.truncated).toBe(true);
    expect(g.truncation?.reason).toBe('hub');
    expect(g.nodes).toHaveLength(100);
    expect(Math.max(...reads.filter((r) => r.kind === 'of').map((r) => r.returned))).toBeLessThanOrEqual(2 * 99 + 1);
    // The edges drawn are exactly those among the nodes shown.
    expect(g.edges).toHaveLength(99);
    expect(g.edges.every((e) => e.to === 'dns')).toBe(true);
  });

  it('when the answer will be grouped, reads the closing edges only among the CIs that stay visible', async () => {
    const callers = Array.from({ length: 50 }, (_, i) => ci(`svc-${i}`));
    const { src, reads } = estate([ci('dns', 'dns_name'), ci('db', 'database'), ...callers],
      [...callers.map((c) => dependsOn(c.id, 'dns')), dependsOn('dns', 'db'), dependsOn('svc-1', 'svc-2')]);
    const g = await neighbourhood(src, { ...query, direction: 'both', depth: 1, focus: ['dns'], groupAbove: 10 });
    expect(g.nodes).toHaveLength(52);
    // The 50 callers collapse into one group: only dns and db are asked about.
    expect(reads.find((r) => r.kind === 'among')!.asked).toBe(2);
    // Each caller keeps its edge to dns, found on the way.
    expect(g.edges.filter((e) => e.to === 'dns')).toHaveLength(50);
  });

  it('around a small service reads everything, draws the edges among what it shows, and is not truncated', async () => {
    const cis = ['checkout', 'cart', 'web', 'payments'].map((id) => ci(id));
    const rels = [dependsOn('cart', 'checkout'), dependsOn('web', 'cart'), dependsOn('web', 'checkout'), dependsOn('checkout', 'payments')];
    const { src } = estate(cis, rels);
    const g = await neighbourhood(src, { ...query, focus: ['checkout'] });
    expect(g.truncated).toBe(false);
    expect(g.nodes.map((n) => n.id).sort()).toEqual(['cart', 'checkout', 'web']);
    expect(g.edges.map((e) => e.id).sort()).toEqual(['cart>checkout', 'web>cart', 'web>checkout']);
    expect(g.depthOf.get('web')).toBe(1);
  });
});
