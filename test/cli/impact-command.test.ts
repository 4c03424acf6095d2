import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { runImpactCommand } from '../../server/cli/impact-command.ts';
import { renderImpactTree } from '../../server/cli/impact-tree.ts';
import { impactReport } from '../../server/domain/impact/report.ts';
import { estate } from '../topology/estate-builder.ts';

function captured() {
  const out: string[] = [], err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out: () => out.join(''), err: () => err.join('') };
}

describe('impact tree rendering', () => {
  it('puts each CI under the one its failure came through, worst first', () => {
    const topo = estate().ci('db', { class: 'database', tier: 1 }).ci('orders', { tier: 2 }).ci('search', { tier: 3 }).ci('shop', { class: 'business_service', tier: 1 })
      .dependsOn('orders', 'db').dependsOn('search', 'db').dependsOn('shop', 'orders').build();
    const { raw: _raw, ...report } = impactReport(topo, [{ node: topo.nodeOf('db')!, state: 'down' }]);

    const lines = renderImpactTree({ ...report, asOf: null });

    expect(lines.slice(0, 4)).toEqual([
      'db (database, tier 1) DOWN',
      '├─ orders (service, tier 2) DOWN — needs db, which is down → down',
      '│  └─ shop (business_service, tier 1) DOWN — needs orders, which is down → down',
      '└─ search (service, tier 3) DOWN — needs db, which is down → down',
    ]);
    expect(lines.at(-1)).toBe('4 CIs impacted: 4 down, 0 degraded, 0 in maintenance; 3 services.');
  });
});

describe('servicegraph impact against a running server', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    await s.api('/api/v1/ingest', {
      body: {
        source: 'manual',
        cis: [{ class: 'database', name: 'orders-db', environment: 'prod', tier: 1 }, { class: 'service', name: 'orders', environment: 'prod', tier: 2 },
          { class: 'service', name: 'orders', environment: 'staging', tier: 4 }],
        relations: [{ type: 'DEPENDS_ON', from: { class: 'service', name: 'orders', environment: 'prod' }, to: { class: 'database', name: 'orders-db', environment: 'prod' } }],
      },
    });
    await s.feed.poke();
  });
  afterAll(async () => { await s?.close(); });
  const run = (...args: string[]) => { const c = captured(); return runImpactCommand([...args, '--server', s.url, '--token', s.adminToken], c.io).then((code) => ({ code, ...c })); };

  it('prints the tree for a CI given by name', async () => {
    const r = await run('orders-db');
    expect(r.code).toBe(0);
    expect(r.out()).toContain('orders-db (database, tier 1) DOWN\n└─ orders (service, tier 2) DOWN — needs orders-db, which is down → down');
  });

  it('prints the JSON reply with --json, degraded with --degraded', async () => {
    const r = await run('orders-db', '--json', '--degraded');
    expect(JSON.parse(r.out())).toMatchObject({ total: 2, impacted: [{ name: 'orders-db', state: 'degraded' }, { name: 'orders', state: 'degraded' }] });
  });

  it('asks for --env when a name is ambiguous, and says so when nothing matches', async () => {
    const ambiguous = await run('orders');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err()).toMatch(/2 CIs are named orders; pass --env or an id/);
    expect((await run('orders', '--env', 'staging')).out()).toContain('orders (service, tier 4) DOWN');
    const none = await run('nothing-like-this');
    expect(none).toMatchObject({ code: 2 });
    expect(none.err()).toContain('no CI named or with id nothing-like-this');
  });
});
