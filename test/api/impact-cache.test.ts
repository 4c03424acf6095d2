import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCis, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { impactReport } from '../../server/domain/impact/report.ts';
import { defaultLimits } from '../../server/model/limits.ts';

interface Ci { id: string; name: string; class: string; environment: string }

/** Kept impact answers (POST /impact reuses an answer while nothing it read has changed): same bodies, exact freshness. */
describe('POST /api/v1/impact answers from kept answers exactly as it would compute them', () => {
  let s: TestServer;
  let cis: Ci[];
  const metric = async (name: string) => Number((await s.api('/metrics')).body.match(new RegExp(`^${name} (\\d+)`, 'm'))?.[1] ?? NaN);
  const impact = (ci: string) => s.api('/api/v1/impact', { body: { failed: [{ ci, state: 'down' }] } });
  beforeAll(async () => {
    s = await startTestServer({ demo: { cis: 1200, seed: 5 } });
    cis = await allCis<Ci>(s);
  });
  afterAll(async () => { await s?.close(); });

  it('a first and a repeated request answer the same body as the impact computed afresh on the projection', async () => {
    const sample = [...cis.filter((c) => c.class === 'dns_name' || c.class === 'database').slice(0, 5), ...cis.filter((_, i) => i % 101 === 0)];
    const hits = await metric('servicegraph_impact_cache_hits_total');
    for (const c of sample) {
      const first = await impact(c.id);
      const again = await impact(c.id);
      expect(first.status).toBe(200);
      expect(JSON.stringify(again.body)).toBe(JSON.stringify(first.body));
      const topo = s.topology.current;
      const { raw: _raw, ...fresh } = impactReport(topo, [{ node: topo.nodeOf(c.id)!, state: 'down' }],
        { maintenance: new Set(), limit: defaultLimits.impactResults, serviceLimit: defaultLimits.impactResults });
      expect(JSON.stringify(first.body)).toBe(JSON.stringify({ ...fresh, asOf: null }));
    }
    expect(await metric('servicegraph_impact_cache_hits_total')).toBe(hits + sample.length);
  });

  it('a new dependent of an impacted CI, and a maintenance window on one, show in the next answer', async () => {
    const db = cis.find((c) => c.class === 'database' && c.environment === 'production')!;
    const before = await impact(db.id);
    const first = (before.body.impacted as { id: string; name: string; class: string; environment: string; depth: number }[]).find((i) => i.depth > 0 && i.class === 'service')!;
    const dependent = { class: 'service', name: 'cache-test-dependent', environment: 'production' };
    const ing = await s.api('/api/v1/ingest', { body: { source: 'manual', scope: 'impact-cache', cis: [dependent],
      relations: [{ type: 'DEPENDS_ON', from: dependent, to: { id: first.id } }] } });
    expect(ing.status, JSON.stringify(ing.body)).toBe(200);
    const after = await impact(db.id);
    expect(after.body.total).toBe(before.body.total + 1);
    expect(after.body.impacted.map((i: { name: string }) => i.name)).toContain('cache-test-dependent');

    const now = Date.now();
    expect((await s.api('/api/v1/windows', { body: { title: 'patching', kind: 'maintenance', start: new Date(now - 60_000).toISOString(), end: new Date(now + 3_600_000).toISOString(), services: [first.id] } })).status).toBe(201);
    const inWindow = await impact(db.id);
    expect(inWindow.body.impacted.find((i: { id: string }) => i.id === first.id).state).toBe('maintenance');
    expect(inWindow.body.summary.maintenance).toBe(1);
  });
});
