import { describe, expect, it } from 'vitest';
import { estate } from '../../topology/estate-builder.ts';
import { impactOf } from './impact-of.ts';

describe('impact propagation on hand-built graphs', () => {
  it('a diamond: both middle services and the top go down, each listed once at its shortest depth', () => {
    // app needs left and right, both need db.
    const topo = estate().cisNamed('app', 'left', 'right', 'db')
      .dependsOn('app', 'left').dependsOn('app', 'right').dependsOn('left', 'db').dependsOn('right', 'db').build();

    const r = impactOf(topo, { db: 'down' });

    expect([...r.keys()]).toEqual(['db', 'left', 'right', 'app']);
    expect(r.get('left')).toMatchObject({ state: 'down', depth: 1, path: ['db', 'left'], reason: 'needs db, which is down → down' });
    expect(r.get('app')).toMatchObject({ state: 'down', depth: 2, path: ['db', 'left', 'app'] });
    expect(r.get('db')).toMatchObject({ state: 'down', depth: 0, path: ['db'], reason: 'reported down' });
    expect(r.report.total).toBe(4);
  });

  it('a cycle terminates, and the same question gets the same answer every time', () => {
    // a and b need each other; c needs a; nothing in the cycle fails on its own.
    const build = () => estate().cisNamed('a', 'b', 'c').dependsOn('a', 'b').dependsOn('b', 'a').dependsOn('c', 'a').build();

    const first = impactOf(build(), { b: 'down' });
    const second = impactOf(build(), { b: 'down' });

    expect([...first.values()].map((i) => [i.id, i.state, i.depth])).toEqual([['b', 'down', 0], ['a', 'down', 1], ['c', 'down', 2]]);
    expect(second.report.impacted).toEqual(first.report.impacted);
  });

  it('a cycle does not sustain a failure nothing caused: failing a bystander leaves the cycle up', () => {
    const topo = estate().cisNamed('a', 'b', 'x').dependsOn('a', 'b').dependsOn('b', 'a').build();

    const r = impactOf(topo, { x: 'down' });

    expect([...r.keys()]).toEqual(['x']);
  });

  describe('a 3-replica group', () => {
    const withMinUp = (minUp: number | string) => estate().cisNamed('api', 'r1', 'r2', 'r3')
      .dependsOn('api', 'r1', { group: 'cache', minUp }).dependsOn('api', 'r2', { group: 'cache', minUp })
      .dependsOn('api', 'r3', { group: 'cache', minUp }).build();

    it('minUp 1: losing one or two replicas degrades, losing all three takes it down', () => {
      const topo = withMinUp(1);
      expect(impactOf(topo, { r1: 'down' }).get('api')).toMatchObject({ state: 'degraded', reason: 'cache: 2 of 3 up, needs 1 → degraded' });
      expect(impactOf(topo, { r1: 'down', r2: 'down' }).get('api')).toMatchObject({ state: 'degraded', reason: 'cache: 1 of 3 up, needs 1 → degraded' });
      expect(impactOf(topo, { r1: 'down', r2: 'down', r3: 'down' }).get('api')).toMatchObject({ state: 'down', reason: 'cache: 0 of 3 up, needs 1 → down' });
    });

    it('minUp 2: one lost degrades, two lost is down', () => {
      const topo = withMinUp(2);
      expect(impactOf(topo, { r3: 'down' }).get('api')).toMatchObject({ state: 'degraded', reason: 'cache: 2 of 3 up, needs 2 → degraded' });
      expect(impactOf(topo, { r1: 'down', r3: 'down' }).get('api')).toMatchObject({ state: 'down', reason: 'cache: 1 of 3 up, needs 2 → down' });
    });

    it('"67%" of 3 is 2.01 replicas, rounded up to all 3: one lost is already down', () => {
      const topo = withMinUp('67%');
      expect(impactOf(topo, { r2: 'down' }).get('api')).toMatchObject({ state: 'down', reason: 'cache: 2 of 3 up, needs 3 → down' });
    });

    it('"66%" of 3 needs 2: one lost degrades', () => {
      expect(impactOf(withMinUp('66%'), { r2: 'down' }).get('api')).toMatchObject({ state: 'degraded' });
    });

    it('a degraded replica degrades the dependent without counting as lost', () => {
      expect(impactOf(withMinUp(3), { r1: 'degraded' }).get('api')).toMatchObject({ state: 'degraded', reason: 'needs r1, which is degraded → degraded' });
    });
  });

  it('a CI degraded first and brought down later keeps its shortest path and names the group that brought it down, listed at the limit too', () => {
    // db fails; api needs one of r1 (on db) and r2 (on mid, on db): r1 degrades api first, r2's loss later takes it down.
    const topo = estate().cisNamed('web', 'api', 'r1', 'r2', 'mid', 'db')
      .dependsOn('web', 'api').dependsOn('api', 'r1', { group: 'cache', minUp: 1 }).dependsOn('api', 'r2', { group: 'cache', minUp: 1 })
      .dependsOn('r1', 'db').dependsOn('r2', 'mid').dependsOn('mid', 'db').build();

    for (const limit of [undefined, 4]) {
      const r = impactOf(topo, { db: 'down' }, { limit });
      expect(r.get('api')).toMatchObject({ state: 'down', depth: 2, path: ['db', 'r1', 'api'], reason: 'cache: 0 of 2 up, needs 1 → down' });
      expect(r.report).toMatchObject({ total: 6, summary: { down: 6, degraded: 0 } });
    }
    expect(impactOf(topo, { db: 'down' }).get('web')).toMatchObject({ state: 'down', depth: 3, reason: 'needs api, which is down → down' });
  });

  it('a degraded chain stays degraded all the way up, with growing depth', () => {
    const topo = estate().cisNamed('web', 'api', 'db').dependsOn('web', 'api').dependsOn('api', 'db').build();

    const r = impactOf(topo, { db: 'degraded' });

    expect(r.get('api')).toMatchObject({ state: 'degraded', depth: 1, reason: 'needs db, which is degraded → degraded' });
    expect(r.get('web')).toMatchObject({ state: 'degraded', depth: 2, path: ['db', 'api', 'web'] });
  });

  it('a CI reported degraded whose provider is down is down', () => {
    const topo = estate().cisNamed('api', 'db').dependsOn('api', 'db').build();

    const r = impactOf(topo, { api: 'degraded', db: 'down' });

    expect(r.get('api')).toMatchObject({ state: 'down', depth: 0, reason: 'reported, and needs db, which is down → down' });
  });

  it('a CI inside a maintenance window shows as maintenance, its dependents outside the window are still hit', () => {
    const topo = estate().ci('shop', { class: 'business_service', tier: 1 }).ci('orders', { tier: 2 }).ci('db', { class: 'database', tier: 2 })
      .dependsOn('shop', 'orders').dependsOn('orders', 'db').build();

    const r = impactOf(topo, { db: 'down' }, { maintenance: ['db', 'orders'] });

    expect(r.get('db')).toMatchObject({ state: 'maintenance', actualState: 'down' });
    expect(r.get('orders')).toMatchObject({ state: 'maintenance', actualState: 'down' });
    expect(r.get('shop')).toMatchObject({ state: 'down' });
    expect(r.report.summary).toMatchObject({ down: 1, maintenance: 2, worstTier: 1, worstTierState: 'down' });
  });

  it('failure travels along RUNS_ON and PART_OF but not OWNED_BY', () => {
    const topo = estate().cisNamed('svc', 'pod', 'workload', 'team-a')
      .ci('node1', { class: 'host' }).runsOn('pod', 'node1').partOf('pod', 'workload').dependsOn('svc', 'workload')
      .relate('OWNED_BY', 'svc', 'team-a').build();

    expect([...impactOf(topo, { node1: 'down' }).keys()]).toEqual(['node1', 'pod', 'workload', 'svc']);
    expect([...impactOf(topo, { 'team-a': 'down' }).keys()]).toEqual(['team-a']);
  });

  it('failure travels along neither end of MONITORS: a status page polling a service is not its dependent, nor its provider', () => {
    const topo = estate().cisNamed('webstatus', 'basket-api', 'webmvc')
      .relate('MONITORS', 'webstatus', 'basket-api').relate('MONITORS', 'webstatus', 'webmvc').dependsOn('webmvc', 'basket-api').build();

    expect([...impactOf(topo, { 'basket-api': 'down' }).keys()]).toEqual(['basket-api', 'webmvc']);
    expect([...impactOf(topo, { webstatus: 'down' }).keys()]).toEqual(['webstatus']);
  });

  it('the listing stops at the limit, nearest first, and says so; the summary still counts everything', () => {
    const topo = estate().cisNamed('a', 'b', 'c', 'd').dependsOn('b', 'a').dependsOn('c', 'b').dependsOn('d', 'c').build();

    const r = impactOf(topo, { a: 'down' }, { limit: 2 });

    expect([...r.keys()]).toEqual(['a', 'b']);
    expect(r.report).toMatchObject({ total: 4, truncated: true, summary: { down: 4 } });
  });

  it('impacted services carry tier, owner, slo and cost, and the cost is summed', () => {
    const topo = estate()
      .ci('checkout', { class: 'business_service', tier: 1, owner: 'shop-team', attributes: { slo: '99.9%', downtimeCostPerHour: 12000, ignored: 'x' } })
      .ci('search', { class: 'service', tier: 3, owner: 'search-team', attributes: { downtimeCostPerHour: 500 } })
      .ci('db', { class: 'database', tier: 1 })
      .dependsOn('checkout', 'db').dependsOn('search', 'db').build();

    const { report } = impactOf(topo, { db: 'down' });

    expect(report.services).toEqual([
      { id: 'checkout', name: 'checkout', class: 'business_service', tier: 1, owner: 'shop-team', state: 'down', slo: '99.9%', downtimeCostPerHour: 12000 },
      { id: 'search', name: 'search', class: 'service', tier: 3, owner: 'search-team', state: 'down', downtimeCostPerHour: 500 },
    ]);
    expect(report.summary).toMatchObject({ downtimeCostPerHour: 12500, byTier: { 1: 1, 3: 1 } });
  });
});
