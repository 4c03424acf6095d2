import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { liveMap } from '../../server/topology/live-map.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import type { Topology } from '../../server/topology/topology.ts';

const busy = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end) { /* a large estate's CPU */ } };

/** The CI with the most relations: around it a depth-3 map reads the most CIs. */
function busiest(topo: Topology): string {
  const m = topo.mapRelations;
  let best = 0, most = -1;
  for (let n = 0; n < topo.nodeCount; n++) {
    let k = 0;
    for (let slot = m.firstOut(n); slot >= 0; slot = m.nextOut(slot)) k++;
    for (let slot = m.firstIn(n); slot >= 0; slot = m.nextIn(slot)) k++;
    if (k > most) { most = k; best = n; }
  }
  return topo.idOf(best);
}

/**
 * GET /graph computes a long map over turns of the event loop (SERVICEGRAPH_MAP_TURN_MS each): a request that arrives
 * meanwhile, an ingest batch above all, is served between them instead of after the whole map.
 */
describe('a long live map does not hold the event loop', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ demo: { cis: 1500 } }); });
  afterAll(async () => { await s?.close(); });

  it('answers an ingest batch sent while a map is being computed before the map, and the map as computed in one go', async () => {
    const topo = s.topology.current;
    const focus = busiest(topo);
    const alive = topo.isAlive.bind(topo);
    let checked = 0;
    let started: () => void = () => {};
    const mapStarted = new Promise<void>((r) => { started = r; });
    // Each CI the map looks at costs 0.5 ms, as around a hub of a million-CI estate under load: half a second or more in all.
    topo.isAlive = (n: number) => { checked++; started(); busy(0.5); return alive(n); };
    try {
      const order: string[] = [];
      const t0 = performance.now();
      const graph = s.api(`/api/v1/graph?focus=${focus}&depth=3`).then((r) => { order.push('graph'); return r; });
      await mapStarted;
      const ingest = s.api('/api/v1/ingest', { body: { source: 'manual', scope: 'turns-test', cis: [{ class: 'service', name: 'arrives-during-a-map', environment: 'prod' }] } })
        .then((r) => { order.push('ingest'); return r; });
      const [g, i] = await Promise.all([graph, ingest]);
      expect(i.status).toBe(200);
      expect(g.status).toBe(200);
      // The map was long: the batch had all that time to be served in between.
      expect(checked).toBeGreaterThan(500);
      expect(performance.now() - t0).toBeGreaterThan(200);
      expect(order).toEqual(['ingest', 'graph']);
      topo.isAlive = alive;
      const expected = liveMap(topo, {
        focus: [focus], depth: 3, direction: 'both', maxNodes: defaultLimits.graphNodes, maxEdges: defaultLimits.graphEdges, now: Date.now(),
        edgeThresholds: { activeMinutes: 30, idleMinutes: 1440 }, groupAbove: 10,
      });
      expect(g.body.nodes.map((n: { id: string }) => n.id)).toEqual(expected.nodes.map((n) => n.id));
      expect(g.body.edges.map((e: { id: string }) => e.id)).toEqual(expected.edges.map((e) => e.id));
    } finally {
      topo.isAlive = alive;
    }
  });
});
