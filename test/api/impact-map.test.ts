import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** "Show on map" of a blast radius of any size: the server computes the impact and answers a grouped map. */
describe('POST /api/v1/graph/impact on the demo estate', () => {
  let s: TestServer;
  let dns: { id: string };
  beforeAll(async () => {
    s = await startTestServer({ demo: { cis: 3000 } });
    [dns] = (await s.api('/api/v1/cis?class=dns_name&environment=production')).body.items;
  });
  afterAll(async () => { await s?.close(); });

  it('maps a hub\'s blast radius of hundreds of CIs, grouped and coloured, with no error', async () => {
    const impact = await s.api('/api/v1/impact', { body: { failed: [{ ci: dns.id }] } });
    expect(impact.body.total).toBeGreaterThan(400);
    const r = await s.api('/api/v1/graph/impact', { body: { failed: [{ ci: dns.id, state: 'down' }] } });
    expect(r.status).toBe(200);
    const nodes: { id: string; group?: { count: number } }[] = r.body.nodes;
    expect(nodes[0].id).toBe(dns.id);
    // Every impacted CI is on the map, itself or inside a group.
    const drawn = nodes.reduce((k, n) => k + (n.group?.count ?? 1), 0);
    expect(drawn).toBe(impact.body.total);
    expect(nodes.length).toBeLessThan(drawn);
    expect(r.body.states[dns.id]).toBe('down');
    expect(nodes.every((n) => r.body.states[n.id] !== undefined)).toBe(true);
    const ids = new Set(nodes.map((n) => n.id));
    expect(r.body.edges.length).toBeGreaterThan(0);
    expect(r.body.edges.every((e: { from: string; to: string }) => ids.has(e.from) && ids.has(e.to))).toBe(true);
    expect(r.body.truncated).toBe(false);
  });

  it('draws a relation\'s note on the live map and on the blast-radius map, as the store holds it', async () => {
    const [gateway] = (await s.api('/api/v1/cis?q=search-gateway&environment=production')).body.items;
    const noted = (edges: { note?: string }[]) => edges.filter((e) => e.note?.startsWith('deliberate cycle'));
    const map = await s.api(`/api/v1/graph?focus=${gateway.id}&depth=1`);
    expect(noted(map.body.edges)).toHaveLength(2);
    const past = await s.api(`/api/v1/graph?focus=${gateway.id}&depth=1&asOf=${new Date().toISOString()}`);
    expect(noted(past.body.edges)).toEqual(noted(map.body.edges).map((e) => ({ ...e, state: 'declared' })));
    const blast = await s.api('/api/v1/graph/impact', { body: { failed: [{ ci: gateway.id, state: 'down' }] } });
    expect(noted(blast.body.edges).length).toBeGreaterThan(0);
  });

  it('maps a change\'s worst case from the change itself', async () => {
    const [db] = (await s.api('/api/v1/cis?class=database&q=payments-db&environment=production')).body.items;
    const change = await s.api('/api/v1/changes', { body: { title: 'patch payments-db', type: 'normal', window: { start: new Date(Date.now() + 86_400_000).toISOString(), end: new Date(Date.now() + 90_000_000).toISOString() }, cis: [db.id] } });
    expect(change.status).toBe(201);
    const r = await s.api('/api/v1/graph/impact', { body: { change: change.body.id } });
    expect(r.status).toBe(200);
    expect(r.body.nodes[0].id).toBe(db.id);
    expect(r.body.nodes.length).toBeGreaterThan(3);
  });

  it('refuses bad bodies (400), unknown CIs and changes (404) and collector tokens (403)', async () => {
    expect((await s.api('/api/v1/graph/impact', { body: { failed: [] } })).status).toBe(400);
    expect((await s.api('/api/v1/graph/impact', { body: { failed: [{ ci: dns.id }], change: 'x' } })).status).toBe(400);
    expect((await s.api('/api/v1/graph/impact', { body: { failed: [{ ci: 'ci-nope' }] } })).status).toBe(404);
    expect((await s.api('/api/v1/graph/impact', { body: { change: 'chg-nope' } })).status).toBe(404);
    expect((await s.api('/api/v1/graph/impact', { body: { failed: [{ ci: dns.id }] }, token: await s.tokenFor('collector') })).status).toBe(403);
  });
});
