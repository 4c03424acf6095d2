import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCis, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { configFromEnv } from '../../server/config.ts';
import { generateEstate } from '../../server/demo/generate-estate.ts';
import { ingest } from '../../server/ingest/ingest-service.ts';
import type { IngestBatch } from '../../server/model/ingest.ts';

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

/**
 * Root cause hours after a load that a collector kept editing: a re-sync every few minutes changed an attribute
 * here and there, then a deploy gave a database a new dependency. The re-syncs' edits are not appearances, so
 * the discovery ends with the load, and what the deploy brought is told as what changed just before.
 */
describe('root cause after a load edited since', () => {
  const MIN = 60_000;
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s?.close(); });

  it('tells the dependency a deploy added after the re-syncs as a recent change', async () => {
    const limits = configFromEnv({}).limits;
    const t0 = Date.now() - 3 * 60 * MIN;
    // A batch written as if at `ms` (one source and scope each; `complete` ends the load's run).
    const write = (ms: number, b: Pick<IngestBatch, 'source' | 'scope' | 'cis' | 'relations'> & { runId?: string; complete?: boolean }) =>
      ingest(s.store, { complete: false, force: false, ...b }, { limits, maxRetireShare: 1, now: () => new Date(ms).toISOString() });
    const estate = generateEstate({ cis: 900, seed: 11 });
    await write(t0, { source: 'demo', scope: 'estate', runId: 'load', cis: estate.cis, relations: [] });
    await write(t0 + 2_000, { source: 'demo', scope: 'estate', runId: 'load', complete: true, cis: [], relations: estate.relations });
    const services = estate.cis.filter((c) => c.class === 'service' && c.environment === 'production');
    // A monitoring source re-syncing an attribute every 6 minutes for half an hour.
    for (let k = 1; k <= 5; k++) {
      const svc = services[k];
      await write(t0 + 6 * k * MIN, { source: 'probe', scope: 'probe', cis: [{ class: svc.class, name: svc.name, environment: svc.environment, attributes: { lastProbe: k } }], relations: [] });
    }
    await s.feed.poke();
    const viewer = await s.tokenFor('viewer'), manager = await s.tokenFor('change-manager');
    const cis = await allCis<{ id: string; name: string; class: string; environment: string }>(s);
    let db: { id: string; name: string } | undefined, direct: { id: string; name: string }[] = [];
    for (const c of cis.filter((x) => x.class === 'database' && x.environment === 'production')) {
      const r = await s.api('/api/v1/impact', { body: { failed: [{ ci: c.id }] }, token: viewer });
      direct = r.body.impacted.filter((i: { depth: number; class: string }) => i.depth === 1 && i.class === 'service');
      if (direct.length >= 2) { db = c; break; }
    }
    expect(db).toBeDefined();
    // Six minutes after the last re-sync, a deploy: the database now goes through a new connection pooler.
    await write(t0 + 36 * MIN, {
      source: 'deploy', scope: 'deploy',
      cis: [{ class: 'service', name: 'pgbouncer', environment: 'production', attributes: { image: 'pgbouncer:1.23' } }],
      relations: [{ type: 'DEPENDS_ON', from: { id: db!.id }, to: { class: 'service', name: 'pgbouncer', environment: 'production' } }],
    });
    await s.feed.poke();
    const opened: string[] = [];
    for (const svc of direct.slice(0, 2)) {
      const r = await s.api('/api/v1/incidents', { body: { title: `${svc.name} errors`, cis: [{ ci: svc.id, state: 'degraded' }], urgency: 2, startedAt: new Date(t0 + 40 * MIN).toISOString() }, token: manager });
      opened.push(r.body.id);
    }

    const r = await s.api('/api/v1/root-cause', { body: { incidents: opened, limit: 100 }, token: viewer });

    expect(r.status).toBe(200);
    expect(Date.parse(r.body.discovery.until)).toBeLessThan(t0 + MIN);
    const told = (name: string) => r.body.candidates.find((c: { name: string }) => c.name === name)?.recentChanges.map((x: { summary: string }) => x.summary);
    expect(told(db!.name)).toEqual([`DEPENDS_ON ${db!.name} → pgbouncer appeared`]);
    expect(told('pgbouncer')).toEqual(['appeared', `DEPENDS_ON ${db!.name} → pgbouncer appeared`]);
  });
});
