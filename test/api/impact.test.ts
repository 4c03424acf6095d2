import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCis, startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Impact, paths, incidents, changes, windows and root cause through HTTP, on the generated demo estate
 * (business services on app services on microservices; databases on 3 hosts needing 2; DNS and auth hubs).
 */
describe('impact analysis API on the demo estate', () => {
  let s: TestServer;
  let viewer: string, manager: string, collector: string;
  type Ci = { id: string; name: string; class: string; tier: number | null; environment: string };
  let cis: Ci[];
  const byName = (name: string, env = 'production') => cis.find((c) => c.name === name && c.environment === env)!;

  beforeAll(async () => {
    s = await startTestServer({ demo: { cis: 900, seed: 11 } });
    [viewer, manager, collector] = await Promise.all([s.tokenFor('viewer'), s.tokenFor('change-manager'), s.tokenFor('collector')]);
    cis = await allCis<Ci>(s);
  });
  afterAll(async () => { await s?.close(); });

  /** A production database and the services that need it directly. */
  async function sharedDatabase(minDependents: number) {
    for (const db of cis.filter((c) => c.class === 'database' && c.environment === 'production')) {
      const r = await s.api('/api/v1/impact', { body: { failed: [{ ci: db.id }] }, token: viewer });
      // Demo services only: other tests add 'late-reporter' and 'rca-newcomer', which (unlike them) do not need DNS.
      const direct = r.body.impacted.filter((i: any) => i.depth === 1 && i.class === 'service' && !['late-reporter', 'rca-newcomer'].includes(i.name));
      if (direct.length >= minDependents) return { db, direct, impact: r.body };
    }
    throw new Error('the demo estate has no database with enough dependents');
  }

  it('answers the blast radius of a failed database with states, depths, paths, reasons and services', async () => {
    const { db, direct, impact } = await sharedDatabase(2);

    expect(impact.impacted[0]).toMatchObject({ id: db.id, state: 'down', depth: 0, path: [db.id], reason: 'reported down' });
    expect(direct[0]).toMatchObject({ state: 'down', path: [db.id, direct[0].id], reason: `needs ${db.name}, which is down → down` });
    expect(impact.services.length).toBeGreaterThan(0);
    expect(impact.summary.downtimeCostPerHour).toBeGreaterThan(0);
    const business = impact.services.find((x: any) => x.class === 'business_service');
    expect(business).toMatchObject({ slo: expect.any(String), downtimeCostPerHour: expect.any(Number) });
    expect(impact).toMatchObject({ truncated: false, asOf: null });
    expect(impact.total).toBe(impact.impacted.length);
  });

  it('shows redundancy: one database host down degrades the database (2 of 3 up, needs 2), two take it down', async () => {
    const { db } = await sharedDatabase(1);
    const hosts = cis.filter((c) => c.class === 'host' && c.name.startsWith(`${db.name}-`) && c.name.endsWith('.production'));
    expect(hosts).toHaveLength(3);

    const one = await s.api('/api/v1/impact', { body: { failed: [{ ci: hosts[0].id }] }, token: viewer });
    const two = await s.api('/api/v1/impact', { body: { failed: [{ ci: hosts[0].id }, { ci: hosts[1].id }] }, token: viewer });

    expect(one.body.impacted.find((i: any) => i.id === db.id)).toMatchObject({ state: 'degraded', reason: `${db.name}-hosts: 2 of 3 up, needs 2 → degraded` });
    expect(two.body.impacted.find((i: any) => i.id === db.id)).toMatchObject({ state: 'down', reason: `${db.name}-hosts: 1 of 3 up, needs 2 → down` });
  });

  it('refuses unknown CIs (404), malformed bodies (400) and collector tokens (403)', async () => {
    const db = cis.find((c) => c.class === 'database')!;
    expect((await s.api('/api/v1/impact', { body: { failed: [{ ci: 'ci-nope' }] }, token: viewer })).status).toBe(404);
    const bad = await s.api('/api/v1/impact', { body: { failed: [{ ci: db.id, state: 'melted' }] }, token: viewer });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
    expect((await s.api('/api/v1/impact', { body: { failed: [{ ci: db.id }] }, token: collector })).status).toBe(403);
  });

  it('follows new relations from ingest without a restart', async () => {
    const { db } = await sharedDatabase(1);
    const ingest = await s.api('/api/v1/ingest', {
      body: { source: 'manual', cis: [{ class: 'service', name: 'late-reporter', environment: 'production' }], relations: [{ type: 'DEPENDS_ON', from: { class: 'service', name: 'late-reporter', environment: 'production' }, to: { id: db.id } }] },
    });
    expect(ingest.status).toBe(200);
    await s.feed.poke();

    const r = await s.api('/api/v1/impact', { body: { failed: [{ ci: db.id }] }, token: viewer });

    expect(r.body.impacted.find((i: any) => i.name === 'late-reporter')).toMatchObject({ state: 'down', depth: 1 });
  });

  it('lists the shortest dependency paths between two CIs', async () => {
    const { db, direct } = await sharedDatabase(1);

    const r = await s.api(`/api/v1/paths?from=${direct[0].id}&to=${db.id}`, { token: viewer });

    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ direction: 'dependsOn', paths: [[direct[0].id, db.id]], truncated: false });
    expect(r.body.nodes[db.id]).toMatchObject({ name: db.name, class: 'database' });
    const back = await s.api(`/api/v1/paths?from=${db.id}&to=${direct[0].id}`, { token: viewer });
    expect(back.body.direction).toBe('dependencyOf');
  });

  it('failing a shared database opens incidents whose root cause is that database, ranked above DNS', async () => {
    const { db, direct } = await sharedDatabase(3);
    const opened = [];
    // An incident on every service that needs the database; they all need DNS directly as well.
    for (const svc of direct) {
      const r = await s.api('/api/v1/incidents', { body: { title: `${svc.name} errors`, cis: [{ ci: svc.id, state: 'down' }], urgency: 2 }, token: manager });
      expect(r.status).toBe(201);
      expect(r.body.priority.priority).toMatch(/^P[1-4]$/);
      opened.push(r.body.id);
    }

    const r = await s.api('/api/v1/root-cause', { body: { incidents: opened, limit: 100 }, token: viewer });

    expect(r.status).toBe(200);
    expect(r.body.candidates[0]).toMatchObject({ id: db.id, explains: opened });
    expect(r.body.candidates[0].paths.every((p: string[]) => p[0] === db.id)).toBe(true);
    // Every CI on a path comes named, as /paths names its nodes.
    const onPaths = new Set<string>(r.body.candidates.flatMap((c: any) => c.paths.flat()));
    expect(new Set(Object.keys(r.body.nodes))).toEqual(onPaths);
    expect(r.body.nodes[db.id]).toEqual({ name: db.name, class: 'database', tier: db.tier });
    for (const svc of direct) expect(r.body.nodes[svc.id].name).toBe(svc.name);
    const dns = byName('dns-resolver');
    const dnsCandidate = r.body.candidates.find((c: any) => c.id === dns.id);
    expect(dnsCandidate.explains).toEqual(opened);
    expect(dnsCandidate.score).toBeLessThan(r.body.candidates[0].score);
    expect(dnsCandidate.dependents).toBeGreaterThan(r.body.candidates[0].dependents);
    // The estate was loaded a moment ago: its appearances are its discovery, not changes, and the reply says so.
    expect(r.body.discovery).toEqual({ cis: expect.any(Number), estate: expect.any(Number), until: expect.any(String) });
    expect(r.body.discovery.cis * 2).toBeGreaterThan(r.body.discovery.estate);
    const summaries: string[] = r.body.candidates.flatMap((c: any) => c.recentChanges.map((x: any) => x.summary));
    expect(summaries.filter((x) => x === 'appeared' || x.endsWith(' appeared'))).toEqual([]);
  });

  it('root cause counts what appeared after the estate was discovered, and tells it with names', async () => {
    const { db, direct } = await sharedDatabase(2);
    const since = new Date().toISOString();
    const added = await s.api('/api/v1/ingest', { token: collector, body: {
      source: 'manual', scope: 'rca-newcomer',
      cis: [{ class: 'service', name: 'rca-newcomer', environment: 'production' }],
      relations: [{ type: 'DEPENDS_ON', from: { class: 'service', name: 'rca-newcomer', environment: 'production' }, to: { id: db.id } }],
    } });
    expect(added.status).toBe(200);
    const r = await s.api('/api/v1/root-cause', { body: { cis: direct.map((d: { id: string }) => d.id), since, limit: 100 }, token: viewer });
    expect(r.status).toBe(200);
    expect(r.body.discovery).toBeUndefined();
    const found = r.body.candidates.find((c: any) => c.id === db.id);
    expect(found.recentChanges).toEqual([expect.objectContaining({ kind: 'relation-added', summary: `DEPENDS_ON rca-newcomer → ${db.name} appeared` })]);
  });

  it("root cause tells what a source edited on a candidate, attribute by attribute, and not its discovery with the estate", async () => {
    const { db, direct } = await sharedDatabase(2);
    const edited = await s.api('/api/v1/ingest', { token: collector, body: { source: 'dba-notes', scope: 'rca-step', cis: [{ class: 'database', name: db.name, environment: 'production', attributes: { max_connections: '500' } }] } });
    expect(edited.status).toBe(200);
    const opened = [];
    for (const svc of direct.slice(0, 2)) opened.push((await s.api('/api/v1/incidents', { body: { title: `${svc.name} slow`, cis: [{ ci: svc.id, state: 'degraded' }], urgency: 3 }, token: manager })).body.id);
    const r = await s.api('/api/v1/root-cause', { body: { incidents: opened, limit: 100 }, token: viewer });
    const found = r.body.candidates.find((c: any) => c.id === db.id);
    const summaries = found.recentChanges.filter((c: any) => c.kind === 'ci-version').map((c: any) => c.summary);
    // The edit, by attribute (old → new); its appearance with the estate's load a moment ago is discovery, not a change.
    expect(summaries).toEqual([expect.stringMatching(/^new version \d+: max_connections null → "500"$/)]);
    expect(r.body.discovery).toBeDefined();
  });

  it('an incident carries computed impact and priority, and can be resolved; viewers cannot open one', async () => {
    const { db } = await sharedDatabase(1);
    expect((await s.api('/api/v1/incidents', { body: { title: 'x', cis: [{ ci: db.id, state: 'down' }], urgency: 1 }, token: viewer })).status).toBe(403);
    const opened = await s.api('/api/v1/incidents', { body: { title: 'db down', cis: [{ ci: db.id, state: 'down' }], urgency: 1 }, token: manager });

    const got = await s.api(`/api/v1/incidents/${opened.body.id}`, { token: viewer });
    expect(got.body.impact.total).toBeGreaterThan(1);
    expect(got.body.priority).toMatchObject({ urgency: 1, priority: db.tier === 1 ? 'P1' : expect.any(String) });
    const resolved = await s.api(`/api/v1/incidents/${opened.body.id}`, { method: 'PATCH', body: { status: 'resolved' }, token: manager });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedAt: expect.any(String) });
    const list = await s.api('/api/v1/incidents?status=resolved', { token: viewer });
    expect(list.body.items.map((i: any) => i.id)).toContain(opened.body.id);
    expect((await s.api('/api/v1/incidents/inc-nope', { token: viewer })).status).toBe(404);
  });

  it('a change on a tier-1 database scores higher than the same change on a tier-4 cache', async () => {
    const db = cis.find((c) => c.class === 'database' && c.tier === 1 && c.environment === 'production')!;
    const cache = cis.find((c) => c.class === 'cache' && c.tier === 4)!;
    const window = { start: '2031-05-01T01:00:00Z', end: '2031-05-01T02:00:00Z' };
    const make = async (ci: string) => (await s.api('/api/v1/changes', { body: { title: 'minor upgrade', type: 'normal', window, cis: [ci] }, token: manager })).body.id;
    const [onDb, onCache] = [await make(db.id), await make(cache.id)];

    const a = (await s.api(`/api/v1/changes/${onDb}/assessment`, { token: viewer })).body;
    const b = (await s.api(`/api/v1/changes/${onCache}/assessment`, { token: viewer })).body;

    expect(a.risk.score).toBeGreaterThan(b.risk.score);
    expect(a.risk.factors.find((f: any) => f.factor === 'tiers').points).toBeGreaterThan(b.risk.factors.find((f: any) => f.factor === 'tiers').points);
    expect(a.blastRadius.total).toBeGreaterThan(0);
    expect(a.approvers.length).toBeGreaterThan(0);
    expect(a.approvers[0]).toMatchObject({ team: expect.any(String), services: expect.any(Array) });
  });

  it('overlapping changes with intersecting blast radii collide, non-overlapping ones do not; a blackout is reported', async () => {
    const { db, direct } = await sharedDatabase(1);
    const change = async (ci: string, start: string, end: string) =>
      (await s.api('/api/v1/changes', { body: { title: `work on ${ci}`, type: 'normal', window: { start, end }, cis: [ci] }, token: manager })).body.id;
    const first = await change(db.id, '2032-01-10T10:00:00Z', '2032-01-10T12:00:00Z');
    const overlapping = await change(direct[0].id, '2032-01-10T11:00:00Z', '2032-01-10T13:00:00Z');
    const later = await change(direct[0].id, '2032-01-11T11:00:00Z', '2032-01-11T13:00:00Z');
    await s.api('/api/v1/windows', { body: { title: 'quarter close', kind: 'blackout', start: '2032-01-10T00:00:00Z', end: '2032-01-10T23:00:00Z' }, token: manager });

    const a = (await s.api(`/api/v1/changes/${first}/assessment`, { token: viewer })).body;
    const c = (await s.api(`/api/v1/changes/${later}/assessment`, { token: viewer })).body;

    expect(a.collisions.map((x: any) => x.change.id)).toEqual([overlapping]);
    expect(a.collisions[0].sharedServices.length).toBeGreaterThan(0);
    expect(c.collisions).toEqual([]);
    expect(a.blackouts).toHaveLength(1);
    expect(c.blackouts).toHaveLength(0);
    expect(a.risk.factors.find((f: any) => f.factor === 'blackout').points).toBeGreaterThan(0);
  });

  it('a CI inside an active maintenance window shows as maintenance', async () => {
    const cache = cis.find((c) => c.class === 'cache' && c.environment === 'production')!;
    const now = Date.now();
    const w = await s.api('/api/v1/windows', {
      body: { title: 'cache patching', kind: 'maintenance', start: new Date(now - 60_000).toISOString(), end: new Date(now + 3_600_000).toISOString(), services: [cache.id] },
      token: manager,
    });
    expect(w.status).toBe(201);

    const r = await s.api('/api/v1/impact', { body: { failed: [{ ci: cache.id }] }, token: viewer });

    expect(r.body.impacted[0]).toMatchObject({ id: cache.id, state: 'maintenance', actualState: 'down' });
    expect(r.body.summary.maintenance).toBe(1);
    expect((await s.api('/api/v1/windows?kind=maintenance', { token: viewer })).body.items.map((x: any) => x.id)).toContain(w.body.id);
  });
});

describe('impact analysis in the OpenAPI document', () => {
  it('lists every impact route with its role', async () => {
    const s = await startTestServer();
    try {
      const doc = (await s.api('/api/v1/openapi.json')).body;
      for (const [path, method] of [['/api/v1/impact', 'post'], ['/api/v1/paths', 'get'], ['/api/v1/incidents', 'post'], ['/api/v1/changes/{id}/assessment', 'get'], ['/api/v1/windows', 'post'], ['/api/v1/root-cause', 'post']]) {
        expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
      }
    } finally { await s.close(); }
  });
});
