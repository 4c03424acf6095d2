import { describe, expect, it } from 'vitest';
import { estate } from './estate-builder.ts';
import type { Topology } from '../../server/topology/topology.ts';

const dependentsOf = (t: Topology, id: string) => {
  const out: string[] = [];
  t.forEachDependent(t.nodeOf(id)!, (d) => out.push(t.idOf(d)));
  return out.sort();
};
const providersOf = (t: Topology, id: string) => {
  const out: string[] = [];
  t.forEachProvider(t.nodeOf(id)!, (p) => out.push(t.idOf(p)));
  return out.sort();
};
const rel = (type: string, from: string, to: string, redundancy: { group: string; minUp: number | string } | null = null) =>
  ({ id: `${from}-${type}-${to}`, type, from, to, redundancy });
const ci = (id: string, tier: number | null = null) => ({ id, class: 'service', name: id, environment: 'prod', tier, owner: null, attributes: {} });

describe('topology projection', () => {
  it('stores edges in the impact direction: a provider lists who depends on it, a dependent lists what it needs', () => {
    const t = estate().cisNamed('app', 'db', 'pod', 'workload').dependsOn('app', 'db').partOf('pod', 'workload').build();

    expect(dependentsOf(t, 'db')).toEqual(['app']);
    expect(providersOf(t, 'app')).toEqual(['db']);
    expect(dependentsOf(t, 'pod')).toEqual(['workload']);
    expect(t.stats()).toMatchObject({ cis: 4, relations: 2 });
  });

  it('keeps only the attributes impact reports read', () => {
    const t = estate().ci('svc', { attributes: { slo: '99.9%', downtimeCostPerHour: 10, repo: 'https://x' } }).build();

    expect(t.info(t.nodeOf('svc')!).attributes).toEqual({ slo: '99.9%', downtimeCostPerHour: 10 });
  });

  it('a CI updated without its kept attributes loses them, and gets them back with the next update that has them', () => {
    const t = estate().ci('svc', { attributes: { users: 5 } }).cisNamed('db').build();
    const svc = t.nodeOf('svc')!;

    t.upsertCi({ ...ci('svc'), attributes: { repo: 'https://x' } });
    expect(t.attributesOf(svc)).toEqual({});
    t.upsertCi({ ...ci('svc'), attributes: { users: 7 } });
    expect(t.attributesOf(svc)).toEqual({ users: 7 });
    expect(t.attributesOf(t.nodeOf('db')!)).toEqual({});
  });

  it('takes new CIs and relations into an overlay without a rebuild, and compacts to the same graph', () => {
    const t = estate().cisNamed('app', 'db').dependsOn('app', 'db').build();

    t.upsertCi(ci('cache'));
    t.upsertRelation(rel('DEPENDS_ON', 'app', 'cache'));
    t.upsertRelation(rel('DEPENDS_ON', 'cache', 'db'));
    expect(t.stats()).toMatchObject({ relations: 3, overlayEdges: 2 });
    expect(dependentsOf(t, 'db')).toEqual(['app', 'cache']);
    expect(providersOf(t, 'app')).toEqual(['cache', 'db']);

    t.compact();

    expect(t.stats()).toMatchObject({ relations: 3, overlayEdges: 0, deadEdges: 0 });
    expect(dependentsOf(t, 'db')).toEqual(['app', 'cache']);
    expect(providersOf(t, 'app')).toEqual(['cache', 'db']);
  });

  it('removes base and overlay edges from both directions, and keeps redundancy group sizes right', () => {
    const g = { group: 'replicas', minUp: 1 };
    const t = estate().cisNamed('api', 'r1', 'r2').dependsOn('api', 'r1', g).dependsOn('api', 'r2', g).build();
    t.upsertCi(ci('r3'));
    t.upsertRelation(rel('DEPENDS_ON', 'api', 'r3', g));
    expect(t.groupSize(0)).toBe(3);

    t.removeRelation(rel('DEPENDS_ON', 'api', 'r1'));
    t.removeRelation(rel('DEPENDS_ON', 'api', 'r3'));

    expect(providersOf(t, 'api')).toEqual(['r2']);
    expect(dependentsOf(t, 'r1')).toEqual([]);
    expect(t.groupSize(0)).toBe(1);
    expect(t.stats()).toMatchObject({ relations: 1, deadEdges: 1, overlayEdges: 0 });
  });

  it('moves an edge between groups when its redundancy changes', () => {
    const t = estate().cisNamed('api', 'r1', 'r2').dependsOn('api', 'r1', { group: 'a', minUp: 1 }).dependsOn('api', 'r2', { group: 'a', minUp: 1 }).build();

    t.upsertRelation(rel('DEPENDS_ON', 'api', 'r2', null));

    expect(t.groupSize(0)).toBe(1);
    expect(t.stats().relations).toBe(2);
  });

  it('retiring a CI drops its edges and hides it; restoring brings it back under the same dense id', () => {
    const t = estate().cisNamed('app', 'db').dependsOn('app', 'db').build();
    const before = t.nodeOf('db');

    t.retireCi('db');
    expect(t.nodeOf('db')).toBeUndefined();
    expect(providersOf(t, 'app')).toEqual([]);

    t.upsertCi(ci('db', 1));
    expect(t.nodeOf('db')).toBe(before);
    expect(t.tierOf(before!)).toBe(1);
    expect(t.stats()).toMatchObject({ cis: 2, relations: 0 });
  });

  it('ignores relations whose ends it does not hold, and relations that carry no impact', () => {
    const t = estate().cisNamed('app').build();

    expect(t.upsertRelation(rel('DEPENDS_ON', 'app', 'ghost'))).toBe(false);
    expect(t.upsertRelation(rel('OWNED_BY', 'app', 'app'))).toBe(false);
    expect(t.stats().relations).toBe(0);
  });
});
