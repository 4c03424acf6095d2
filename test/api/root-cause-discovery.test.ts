import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCis, startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Root cause right after the demo estate was loaded, as a new user tries it: nothing has been written since
 * the load, whose last batches carry only relations (the CIs come first). Those relations are the estate's
 * discovery as much as its CIs are, not "what changed just before" the incidents.
 */
describe('root cause on a freshly loaded estate', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ demo: { cis: 900, seed: 11 } }); });
  afterAll(async () => { await s?.close(); });

  it('counts neither the CIs nor the relations of the discovery as recent changes', async () => {
    const viewer = await s.tokenFor('viewer'), manager = await s.tokenFor('change-manager');
    const dbs = (await allCis<{ id: string; class: string; environment: string }>(s)).filter((c) => c.class === 'database' && c.environment === 'production');
    let direct: { id: string; name: string }[] = [];
    for (const db of dbs) {
      const r = await s.api('/api/v1/impact', { body: { failed: [{ ci: db.id }] }, token: viewer });
      direct = r.body.impacted.filter((i: { depth: number; class: string }) => i.depth === 1 && i.class === 'service');
      if (direct.length >= 2) break;
    }
    expect(direct.length).toBeGreaterThanOrEqual(2);
    const opened: string[] = [];
    for (const svc of direct.slice(0, 2)) {
      const r = await s.api('/api/v1/incidents', { body: { title: `${svc.name} errors`, cis: [{ ci: svc.id, state: 'degraded' }], urgency: 2 }, token: manager });
      opened.push(r.body.id);
    }

    const r = await s.api('/api/v1/root-cause', { body: { incidents: opened, limit: 100 }, token: viewer });

    expect(r.status).toBe(200);
    expect(r.body.discovery).toBeDefined();
    expect(r.body.candidates.length).toBeGreaterThan(0);
    const told = r.body.candidates.flatMap((c: { name: string; recentChanges: { summary: string }[] }) => c.recentChanges.map((x) => `${c.name}: ${x.summary}`));
    expect(told).toEqual([]);
  });
});
