import { describe, expect, it } from 'vitest';
import { Correlator, defaultCorrelatorOptions } from '../../../server/domain/alerts/correlate.ts';
import { estate } from '../../topology/estate-builder.ts';

/**
 * A database with many dependent services (and DNS, which everything needs), and an unrelated
 * cache-backed service: the storm on the database must become one situation whatever the order
 * in which the alerts arrive.
 */
function estateWithDb(services = 30) {
  const b = estate().cisNamed('dns', 'db', 'cache', 'loner', 'other');
  b.dependsOn('db', 'dns').dependsOn('loner', 'cache').dependsOn('other', 'dns');
  for (let i = 0; i < services; i++) b.cisNamed(`svc${i}`).dependsOn(`svc${i}`, 'db').dependsOn(`svc${i}`, 'dns');
  return b.build();
}

let seq = 0;
const ids = () => `sit-${++seq}`;
const MIN = 60_000;

function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) { s = (s * 1103515245 + 12345) % 2 ** 31; const j = s % (i + 1); [out[i], out[j]] = [out[j], out[i]]; }
  return out;
}

describe('correlating alerting CIs into situations', () => {
  it('a database and 30 dependents alerting within a minute are one situation caused by the database, in any order', () => {
    const topo = estateWithDb();
    const names = ['db', ...Array.from({ length: 30 }, (_, i) => `svc${i}`)];
    for (const seed of [1, 2, 3, 4, 5]) {
      const c = new Correlator(topo);
      const order = shuffled(names, seed);
      const placed = order.map((name, i) => c.place(topo.nodeOf(name)!, name === 'db' ? 'down' : 'degraded', 1_000 + i * 1_500, ids));
      const live = [...c.all()];
      expect(live, `seed ${seed}`).toHaveLength(1);
      expect(topo.idOf(live[0].cause), `seed ${seed}`).toBe('db');
      expect(live[0].symptoms.size).toBe(31);
      // Every placement landed in the one that survived, directly or by a merge.
      const merged = new Set(placed.flatMap((p) => p.merged));
      for (const p of placed) expect(p.situation === live[0].id || merged.has(p.situation)).toBe(true);
    }
  });

  it('two services alerting without the database are explained by the database they share, not by DNS (a hub)', () => {
    const topo = estateWithDb();
    // DNS has 32 direct dependents, the database 30: with the limit between them DNS is a hub.
    const c = new Correlator(topo, { ...defaultCorrelatorOptions, maxCauseFanOut: 31 });
    c.place(topo.nodeOf('svc1')!, 'degraded', 0, ids);
    const p = c.place(topo.nodeOf('svc2')!, 'degraded', 10_000, ids);
    expect(p.causeChanged).toBe(true);
    expect([...c.all()].map((s) => topo.idOf(s.cause))).toEqual(['db']);
    // With DNS a candidate too, the ranking's specificity still prefers the database.
    const d = new Correlator(topo);
    d.place(topo.nodeOf('svc1')!, 'degraded', 0, ids);
    d.place(topo.nodeOf('svc2')!, 'degraded', 10_000, ids);
    expect([...d.all()].map((s) => topo.idOf(s.cause))).toEqual(['db']);
  });

  it('an unrelated alert opens its own situation', () => {
    const topo = estateWithDb();
    const c = new Correlator(topo);
    const a = c.place(topo.nodeOf('db')!, 'down', 0, ids);
    const b = c.place(topo.nodeOf('loner')!, 'down', 1_000, ids);
    expect(b.opened).toBe(true);
    expect(b.situation).not.toBe(a.situation);
  });

  it('does not merge across time: a dependent of an old situation\'s symptoms past the window opens anew', () => {
    const topo = estateWithDb();
    const c = new Correlator(topo);
    c.place(topo.nodeOf('svc1')!, 'degraded', 0, ids);
    const p = c.place(topo.nodeOf('svc2')!, 'degraded', 30 * MIN, ids);
    expect(p.opened).toBe(true);
    expect([...c.all()]).toHaveLength(2);
  });

  it('flapping reopens the situation it resolved instead of opening a duplicate', () => {
    const topo = estateWithDb();
    const c = new Correlator(topo);
    const first = c.place(topo.nodeOf('db')!, 'down', 0, ids);
    expect(c.release(first.situation, topo.nodeOf('db')!, 20_000)).toBe(true);
    const again = c.place(topo.nodeOf('db')!, 'down', 40_000, ids);
    expect(again).toMatchObject({ situation: first.situation, opened: false, reopened: true });
    expect(c.get(first.situation)!.status).toBe('open');
  });

  it('a situation resolved longer ago than the reopen time stays closed', () => {
    const topo = estateWithDb();
    const c = new Correlator(topo);
    const first = c.place(topo.nodeOf('db')!, 'down', 0, ids);
    c.release(first.situation, topo.nodeOf('db')!, MIN);
    const later = c.place(topo.nodeOf('db')!, 'down', 30 * MIN, ids);
    expect(later.opened).toBe(true);
    expect(c.get(first.situation)).toBeUndefined();
  });
});
