import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

describe('read API on the demo estate', () => {
  let s: TestServer;
  let viewer: string;
  beforeAll(async () => {
    s = await startTestServer({ demo: { cis: 1500 } });
    viewer = await s.tokenFor('viewer');
  });
  afterAll(async () => { await s.close(); });
  const get = (path: string) => s.api(path, { token: viewer });

  it('searches CIs by text and class, paging with a cursor', async () => {
    const first = await get('/api/v1/cis?q=checkout&limit=3');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(3);
    expect(first.body.items.every((c: any) => /checkout/i.test(c.name + JSON.stringify(c.identifiers) + c.owner))).toBe(true);
    const next = await get(`/api/v1/cis?q=checkout&limit=3&cursor=${first.body.nextCursor}`);
    expect(next.body.items[0].name >= first.body.items[2].name).toBe(true);
    const dbs = await get('/api/v1/cis?class=database&environment=production&limit=500');
    expect(dbs.body.items.length).toBeGreaterThan(5);
    expect(new Set(dbs.body.items.map((c: any) => c.class))).toEqual(new Set(['database']));
    expect((await get('/api/v1/cis?class=spaceship')).status).toBe(400);
    expect((await get('/api/v1/cis?limit=5000')).body.error.code).toBe('limit_exceeded');
  });

  it('shows one CI with its sources, relations and history', async () => {
    const [db] = (await get('/api/v1/cis?class=database&q=checkout-db&environment=production')).body.items;
    const r = await get(`/api/v1/cis/${db.id}`);
    expect(r.status).toBe(200);
    expect(r.body.sources).toEqual([expect.objectContaining({ source: 'demo', scope: 'demo-estate', active: true })]);
    expect(r.body.relations.outgoing.filter((x: any) => x.type === 'RUNS_ON')).toHaveLength(3);
    expect(r.body.relations.incoming.length).toBeGreaterThan(0);
    expect(r.body.history).toEqual([expect.objectContaining({ version: 1, validTo: null })]);
    // Every other end is named, so a client never has to show a bare id.
    const hosts = r.body.relations.outgoing.filter((x: any) => x.type === 'RUNS_ON').map((x: any) => r.body.ends[x.to]);
    expect(hosts.map((h: any) => h.class)).toEqual(['host', 'host', 'host']);
    expect(hosts.every((h: any) => h.name.startsWith('checkout-db') && h.lifecycle === 'active')).toBe(true);
    for (const x of r.body.relations.incoming) expect(r.body.ends[x.from]).toEqual(expect.objectContaining({ name: expect.any(String), class: expect.any(String) }));
    expect((await get('/api/v1/cis/ci-missing')).status).toBe(404);
  });

  it('returns a focus neighbourhood, downstream to providers and upstream to dependents', async () => {
    const [db] = (await get('/api/v1/cis?class=database&q=checkout-db&environment=production')).body.items;
    const down = await get(`/api/v1/graph?focus=${db.id}&direction=downstream&depth=1&group=none`);
    expect(down.body.nodes.filter((n: any) => n.id !== db.id).map((n: any) => n.class)).toEqual(['host', 'host', 'host']);
    expect(down.body.edges.every((e: any) => e.redundancy?.minUp === 2)).toBe(true);
    const up = await get(`/api/v1/graph?focus=${db.id}&direction=upstream&depth=1&group=none`);
    expect(up.body.nodes.length).toBeGreaterThan(1);
    expect(up.body.nodes.filter((n: any) => n.id !== db.id).every((n: any) => n.class === 'service')).toBe(true);
    const intoDb = up.body.edges.filter((e: any) => e.from === db.id || e.to === db.id);
    expect(intoDb.length).toBe(up.body.nodes.length - 1);
    expect(intoDb.every((e: any) => e.type === 'DEPENDS_ON' && e.to === db.id && e.state === 'declared')).toBe(true);
    // Each CI says when a source last asserted it (the demo load, moments ago); a map of the past does not.
    expect(up.body.nodes.every((n: any) => Date.now() - Date.parse(n.lastSeen) < 10 * 60_000)).toBe(true);
    const past = await get(`/api/v1/graph?focus=${db.id}&direction=upstream&depth=1&group=none&asOf=${new Date().toISOString()}`);
    expect(past.body.nodes.length).toBe(up.body.nodes.length);
    expect(past.body.nodes.every((n: any) => n.lastSeen === undefined)).toBe(true);
  });

  it('draws a live map\'s CIs from the projection, the same CIs the store holds, and a past map\'s from history', async () => {
    const [db] = (await get('/api/v1/cis?class=database&q=checkout-db&environment=production')).body.items;
    const fromStore = vi.spyOn(s.store, 'getCis');
    try {
      const live = await get(`/api/v1/graph?focus=${db.id}&direction=both&depth=2&group=none`);
      expect(fromStore).not.toHaveBeenCalled();
      const stored = new Map((await s.store.getCis(live.body.nodes.map((n: any) => n.id))).map((c) => [c.id, c]));
      expect(live.body.nodes.length).toBeGreaterThan(3);
      for (const n of live.body.nodes) expect(n).toMatchObject({ name: stored.get(n.id)!.name, class: stored.get(n.id)!.class, environment: stored.get(n.id)!.environment, tier: stored.get(n.id)!.tier, owner: stored.get(n.id)!.owner, lifecycle: 'active' });
      fromStore.mockClear();
      await get(`/api/v1/graph?focus=${db.id}&depth=1&asOf=${new Date().toISOString()}`);
      expect(fromStore).toHaveBeenCalled();
    } finally {
      fromStore.mockRestore();
    }
  });

  it('groups a hub\'s many dependents into a counted node that expands on request', async () => {
    const [dns] = (await get('/api/v1/cis?class=dns_name&environment=production')).body.items;
    const g = await get(`/api/v1/graph?focus=${dns.id}&direction=upstream&depth=1`);
    const group = g.body.nodes.find((n: any) => n.group);
    expect(group).toMatchObject({ class: 'service', group: { count: expect.any(Number) } });
    expect(group.group.count).toBeGreaterThan(10);
    const members = await get(`/api/v1/graph?expand=${encodeURIComponent(group.group.key)}&direction=upstream`);
    expect(members.body.nodes.filter((n: any) => n.class === 'service')).toHaveLength(group.group.count);
  });

  it('caps the graph and says so', async () => {
    const [dns] = (await get('/api/v1/cis?class=dns_name&environment=production')).body.items;
    const g = await get(`/api/v1/graph?focus=${dns.id}&direction=both&depth=5&group=none&maxNodes=50`);
    expect(g.body.nodes).toHaveLength(50);
    expect(g.body.truncated).toBe(true);
    // Why, in words: the hub's relations at the first level already exceed what a 50-CI map reads.
    expect(g.body.truncation).toMatchObject({ reason: expect.stringMatching(/^(hub|nodes)$/), message: expect.stringContaining('Lower the depth') });
  });

  it('starts the map at the business services when no focus is given', async () => {
    const g = await get('/api/v1/graph?depth=0&group=none');
    expect(g.body.nodes.length).toBeGreaterThan(0);
    expect(new Set(g.body.nodes.map((n: any) => n.layer))).toEqual(new Set(['business']));
  });

  it('serves an OpenAPI document generated from the schemas', async () => {
    const r = await get('/api/v1/openapi.json');
    expect(r.body.openapi).toBe('3.0.3');
    const ingest = r.body.paths['/api/v1/ingest'].post;
    expect(ingest.requestBody.content['application/json'].schema.properties.cis.type).toBe('array');
    expect(r.body.paths['/api/v1/cis/{id}'].get.parameters[0]).toMatchObject({ name: 'id', in: 'path' });
  });
});

describe('history over the API', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s.close(); });

  it('reads a CI as of a past instant and diffs two instants', async () => {
    const svc = (name: string, version: string) => ({ class: 'service', name, environment: 'prod', attributes: { version } });
    await s.api('/api/v1/ingest', { body: { source: 'k', scope: 's', runId: 'h1', complete: true, cis: [svc('web', '1'), svc('api', '1')] } });
    const t1 = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await s.api('/api/v1/ingest', { body: { source: 'k', scope: 's', runId: 'h2', complete: true, force: true, cis: [svc('web', '2'), svc('worker', '1')] } });
    const [web] = (await s.api('/api/v1/cis?q=web')).body.items;
    expect((await s.api(`/api/v1/cis/${web.id}?asOf=${t1}`)).body.attributes).toEqual({ version: '1' });
    const d = (await s.api(`/api/v1/diff?from=${t1}`)).body;
    expect(d.cis.added.map((c: any) => c.name)).toEqual(['worker']);
    expect(d.cis.removed.map((c: any) => c.name)).toEqual(['api']);
    expect(d.cis.changed.map((c: any) => [c.after.name, c.fields])).toEqual([['web', ['attributes']]]);
    expect((await s.api('/api/v1/diff?from=yesterday')).status).toBe(400);
  });
});
