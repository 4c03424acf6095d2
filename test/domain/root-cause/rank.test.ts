import { describe, expect, it } from 'vitest';
import { candidateNodes, rankRootCauses } from '../../../server/domain/root-cause/rank.ts';
import { estate } from '../../topology/estate-builder.ts';

/** Three apps on one shared database; every service (and the db) also needs DNS, like everything else does. */
function sharedDbEstate() {
  const b = estate().cisNamed('dns', 'db', 'app1', 'app2', 'app3', 'other1', 'other2', 'other3', 'other4');
  for (const app of ['app1', 'app2', 'app3']) b.dependsOn(app, 'db').dependsOn(app, 'dns');
  for (const o of ['other1', 'other2', 'other3', 'other4']) b.dependsOn(o, 'dns');
  b.dependsOn('db', 'dns');
  return b.build();
}

describe('root cause ranking', () => {
  it('ranks the shared database above DNS: both explain every incident, the database is more specific', () => {
    const topo = sharedDbEstate();
    const n = (id: string) => topo.nodeOf(id)!;
    const groups = ['app1', 'app2', 'app3'].map((a) => ({ key: `inc-${a}`, symptoms: [{ node: n(a), state: 'down' as const }] }));

    const ranked = rankRootCauses(topo, groups, candidateNodes(topo, groups, 10), new Set());

    expect(topo.idOf(ranked[0].node)).toBe('db');
    expect(ranked[0]).toMatchObject({ explains: ['inc-app1', 'inc-app2', 'inc-app3'], dependents: 3 });
    expect(ranked[0].paths.map((p) => p.map((x) => topo.idOf(x)))).toEqual([['db', 'app1'], ['db', 'app2'], ['db', 'app3']]);
    const dns = ranked.find((r) => topo.idOf(r.node) === 'dns')!;
    expect(dns.explains).toHaveLength(3);
    expect(dns.score).toBeLessThan(ranked[0].score);
    expect(ranked.indexOf(dns)).toBeGreaterThan(0);
  });

  it('a failing symptom explains the other incidents that depend on it, never its own', () => {
    const topo = estate().cisNamed('front', 'back').dependsOn('front', 'back').build();
    const groups = ['front', 'back'].map((id) => ({ key: `inc-${id}`, symptoms: [{ node: topo.nodeOf(id)!, state: 'down' as const }] }));

    const ranked = rankRootCauses(topo, groups, candidateNodes(topo, groups, 10), new Set());

    expect(ranked.map((r) => [topo.idOf(r.node), r.explains])).toEqual([['back', ['inc-front']]]);
  });

  it('a CI that every symptom needs is preferred to one whose other dependents are fine', () => {
    // a1..a3 need both worker and db; worker also serves b, which is fine; db serves only them.
    const b = estate().cisNamed('worker', 'db', 'a1', 'a2', 'a3', 'b').dependsOn('b', 'worker');
    for (const a of ['a1', 'a2', 'a3']) b.dependsOn(a, 'worker').dependsOn(a, 'db');
    const topo = b.build();
    const groups = ['a1', 'a2', 'a3'].map((a) => ({ key: a, symptoms: [{ node: topo.nodeOf(a)!, state: 'down' as const }] }));

    const ranked = rankRootCauses(topo, groups, candidateNodes(topo, groups, 10), new Set());

    expect(ranked.map((r) => [topo.idOf(r.node), r.coverage])).toEqual([['db', 1], ['worker', 0.75]]);
  });

  it('a recent change lifts a candidate among equals', () => {
    const topo = estate().cisNamed('a', 'b', 'app').dependsOn('app', 'a').dependsOn('app', 'b').build();
    const groups = [{ key: 'inc', symptoms: [{ node: topo.nodeOf('app')!, state: 'down' as const }] }];
    const candidates = candidateNodes(topo, groups, 10);

    const ranked = rankRootCauses(topo, groups, candidates, new Set([topo.nodeOf('b')!]));

    expect(topo.idOf(ranked[0].node)).toBe('b');
    expect(ranked[0].changedRecently).toBe(true);
  });

  it('a replica whose loss only degrades the service explains it being degraded, not it being down', () => {
    const g = { group: 'replicas', minUp: 1 };
    const topo = estate().cisNamed('r1', 'r2', 'api').dependsOn('api', 'r1', g).dependsOn('api', 'r2', g).build();
    const incident = (state: 'down' | 'degraded') => [{ key: 'inc', symptoms: [{ node: topo.nodeOf('api')!, state }] }];
    const ranked = (state: 'down' | 'degraded') =>
      rankRootCauses(topo, incident(state), candidateNodes(topo, incident(state), 10), new Set()).map((r) => topo.idOf(r.node));

    expect(ranked('down')).toEqual([]);
    expect(ranked('degraded')).toEqual(['r1', 'r2']);
  });
});
