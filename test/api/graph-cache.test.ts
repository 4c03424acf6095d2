import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCis, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { neighbourhood } from '../../server/domain/graph-view/neighbourhood.ts';
import { groupNodes } from '../../server/domain/graph-view/group-nodes.ts';
import { liveMapSource } from '../../server/topology/map-cis.ts';
import { defaultLimits } from '../../server/model/limits.ts';

interface Ci { id: string; name: string; class: string }

/** Kept live maps (GET /graph reuses an answer while nothing it read has changed): same bodies, exact freshness, 304s. */
describe('GET /api/v1/graph answers from kept maps exactly as it would compute them', () => {
  let s: TestServer;
  let cis: Ci[];
  const metric = async (name: string) => Number((await s.api('/metrics')).body.match(new RegExp(`^${name} (\\d+)`, 'm'))?.[1] ?? NaN);
  beforeAll(async () => {
    s = await startTestServer({ demo: { cis: 1500 } });
    cis = await allCis<Ci>(s);
  });
  afterAll(async () => { await s?.close(); });

  /** What the route computed before maps were kept: the generic neighbourhood over the projection, grouped, with last sightings. */
  async function computed(focus: string, depth: number, direction: 'upstream' | 'downstream' | 'both', group: boolean) {
    const topo = s.topology.current;
    const g = await neighbourhood(liveMapSource(topo), {
      focus: [focus], depth, direction, maxNodes: defaultLimits.graphNodes, maxEdges: defaultLimits.graphEdges, now: Date.now(),
      edgeThresholds: { activeMinutes: 30, idleMinutes: 1440 }, groupAbove: group ? 10 : undefined,
    });
    const out = group ? groupNodes(g.nodes, g.edges, g.parentOf, 10, new Set()) : g;
    const seen = await s.store.lastSeen(out.nodes.filter((n) => !n.group).map((n) => n.id));
    return { nodes: out.nodes.map((n) => (n.group ? n : { ...n, lastSeen: seen.get(n.id) ?? null })), edges: out.edges, truncated: g.truncated, ...(g.truncation ? { truncation: g.truncation } : {}) };
  }

  it('a first and a repeated request answer the same body as the map computed afresh, hubs and every direction included', async () => {
    const sample = [...cis.filter((c) => c.class === 'dns_name' || c.class === 'database').slice(0, 6), ...cis.filter((_, i) => i % 97 === 0)];
    const hitsBefore = await metric('servicegraph_map_cache_hits_total');
    for (const c of sample) {
      for (const [depth, direction, group] of [[2, 'both', true], [1, 'upstream', false], [3, 'downstream', true]] as const) {
        const path = `/api/v1/graph?focus=${c.id}&depth=${depth}&direction=${direction}&group=${group ? 'auto' : 'none'}`;
        const first = await s.api(path);
        const again = await s.api(path);
        expect(first.status).toBe(200);
        expect(JSON.stringify(again.body)).toBe(JSON.stringify(first.body));
        expect(JSON.stringify(first.body)).toBe(JSON.stringify(await computed(c.id, depth, direction, group)));
      }
    }
    expect(await metric('servicegraph_map_cache_hits_total')).toBeGreaterThanOrEqual(hitsBefore + sample.length * 3);
  });

  it('a batch touching a CI a kept map read changes the next answer; a batch elsewhere leaves the kept answer in use', async () => {
    const ingest = (body: object) => s.api('/api/v1/ingest', { body: { source: 'manual', scope: 'cache-test', ...body } });
    expect((await ingest({ cis: [{ class: 'service', name: 'cache-a', environment: 'cachetest' }, { class: 'service', name: 'cache-b', environment: 'cachetest' }],
      relations: [{ type: 'DEPENDS_ON', from: { class: 'service', name: 'cache-a', environment: 'cachetest' }, to: { class: 'service', name: 'cache-b', environment: 'cachetest' } }] })).status).toBe(200);
    const [a] = (await s.api('/api/v1/cis?q=cache-a&environment=cachetest')).body.items;
    const path = `/api/v1/graph?focus=${a.id}&depth=2`;
    const before = await s.api(path);
    expect(before.body.nodes.map((n: Ci) => n.name).sort()).toEqual(['cache-a', 'cache-b']);

    // Elsewhere: a new CI with no relation to anything on this map.
    expect((await ingest({ cis: [{ class: 'service', name: 'cache-elsewhere', environment: 'othertest' }] })).status).toBe(200);
    const hits = await metric('servicegraph_map_cache_hits_total');
    expect(JSON.stringify((await s.api(path)).body)).toBe(JSON.stringify(before.body));
    expect(await metric('servicegraph_map_cache_hits_total')).toBe(hits + 1);

    // Two levels out: cache-b gains a provider, and cache-a's map of depth 2 shows it at once.
    expect((await ingest({ cis: [{ class: 'database', name: 'cache-db', environment: 'cachetest' }],
      relations: [{ type: 'DEPENDS_ON', from: { class: 'service', name: 'cache-b', environment: 'cachetest' }, to: { class: 'database', name: 'cache-db', environment: 'cachetest' } }] })).status).toBe(200);
    const after = await s.api(path);
    expect(after.body.nodes.map((n: Ci) => n.name).sort()).toEqual(['cache-a', 'cache-b', 'cache-db']);
    // A rename of a CI on the map shows too.
    expect((await ingest({ cis: [{ class: 'database', name: 'cache-db', environment: 'cachetest', owner: 'data-team' }] })).status).toBe(200);
    expect((await s.api(path)).body.nodes.find((n: { name: string }) => n.name === 'cache-db').owner).toBe('data-team');
  });

  it('answers 304 to If-None-Match while the map and its last sightings are unchanged, 200 with a new ETag once a source re-asserts a CI', async () => {
    const ingest = () => s.api('/api/v1/ingest', { body: { source: 'manual', scope: 'etag-test', cis: [{ class: 'service', name: 'etag-a', environment: 'etagtest' }] } });
    expect((await ingest()).status).toBe(200);
    const [ci] = (await s.api('/api/v1/cis?q=etag-a&environment=etagtest')).body.items;
    const path = `/api/v1/graph?focus=${ci.id}&depth=1`;
    const first = await s.api(path);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    // As a browser revalidates what it cached (fetch() with If-None-Match of its own would add `no-cache`, which asks for a full answer).
    const revalidate = { 'if-none-match': etag!, 'cache-control': 'max-age=0' };
    const same = await s.api(path, { headers: revalidate });
    expect(same.status).toBe(304);
    expect(same.body).toBe('');
    // The same CI asserted again, unchanged: no new version, but its last sighting moves, and the map says so.
    await new Promise((r) => setTimeout(r, 5));
    expect((await ingest()).status).toBe(200);
    const moved = await s.api(path, { headers: revalidate });
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).not.toBe(etag);
    expect(moved.body.nodes[0].lastSeen > first.body.nodes[0].lastSeen).toBe(true);
  });
});
