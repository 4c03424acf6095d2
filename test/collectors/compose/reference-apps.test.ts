import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectCompose } from '../../../collectors/compose/index.ts';
import type { Collected } from '../../../collectors/types.ts';
import { dependsOnEdges, describeScore, expectValidBatch, readKey, score } from '../answer-keys.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/compose');

function monitorsEdges(c: Collected): Set<string> {
  return new Set(c.relations.filter((r) => r.type === 'MONITORS' && 'name' in r.from && 'name' in r.to).map((r) => `${(r.from as { name: string }).name} -> ${(r.to as { name: string }).name}`));
}

describe('compose collector on eShopOnContainers (base file + docker-compose.override.yml, as `docker compose up` reads them)', () => {
  const dir = join(FIXTURES, 'eshop');
  const collected = collectCompose(dir, { env: {} });
  const dependsOn = score(dependsOnEdges(collected), readKey(join(dir, 'EXPECTED_DEPENDS_ON.txt')));
  const monitors = score(monitorsEdges(collected), readKey(join(dir, 'EXPECTED_MONITORS.txt')));
  // What reading the base file alone (the collector before override files) finds.
  const baseOnly = score(dependsOnEdges(collectCompose(join(dir, 'docker-compose.yml'), { env: {} })), readKey(join(dir, 'EXPECTED_DEPENDS_ON.txt')));

  it(`finds every dependency of the merged project — ${describeScore('DEPENDS_ON', dependsOn)}; base file alone: ${describeScore('DEPENDS_ON', baseOnly)}`, async () => {
    expect({ missing: dependsOn.missing, extra: dependsOn.extra }).toEqual({ missing: [], extra: [] });
    expect(baseOnly.missing).toEqual(['ordering-api -> identity-api', 'webhooks-api -> identity-api', 'webhooks-api -> rabbitmq', 'webhooks-api -> sqldata', 'webhooks-client -> webhooks-api']);
    await expectValidBatch('compose', collected);
  });

  it(`records health-check polling as MONITORS, never as a dependency — ${describeScore('MONITORS', monitors)}`, () => {
    expect({ missing: monitors.missing, extra: monitors.extra }).toEqual({ missing: [], extra: [] });
    // The status page depends on nothing: if it fails, the eight services it polls keep working.
    expect([...dependsOnEdges(collected)].filter((e) => e.startsWith('webstatus ->'))).toEqual([]);
  });

  it('keeps a dependency that also has a health-check URL as DEPENDS_ON, listing both pieces of evidence', () => {
    const edge = collected.relations.find((r) => 'name' in r.from && r.from.name === 'webshoppingagg' && 'name' in r.to && r.to.name === 'catalog-api');
    expect(edge).toMatchObject({ type: 'DEPENDS_ON', attributes: { via: ['depends_on', 'env:CatalogUrlHC', 'env:urls__catalog'], confidence: 'high' } });
    const hc = collected.relations.find((r) => 'name' in r.from && r.from.name === 'webstatus' && 'name' in r.to && r.to.name === 'basket-api');
    expect(hc).toMatchObject({ type: 'MONITORS', attributes: { via: ['env:HealthChecksUI__HealthChecks__4__Uri'] } });
  });

  it('merges the override into the base service: ports from the override, image and build from the base', () => {
    const sql = collected.cis.find((c) => c.name === 'sqldata');
    expect(sql).toMatchObject({ class: 'database', attributes: { image: 'mcr.microsoft.com/mssql/server:2019-latest', ports: ['5433:1433'] } });
    expect(collected.cis.find((c) => c.name === 'basket-api')?.attributes).toMatchObject({ image: 'eshop/basket.api:linux-latest', built: true, ports: ['5103:80'] });
    expect(JSON.stringify(collected)).not.toContain('Pass@word');
  });
});

describe('compose collector on the Sock Shop (a load generator names its target on its command line)', () => {
  const dir = join(FIXTURES, 'sockshop');
  const collected = collectCompose(dir, { env: {} });
  const s = score(dependsOnEdges(collected), readKey(join(dir, 'EXPECTED_DEPENDS_ON.txt')));

  it(`reads "-h edge-router" in command: as a dependency of lower confidence — ${describeScore('DEPENDS_ON', s)}`, () => {
    expect({ missing: s.missing, extra: s.extra }).toEqual({ missing: [], extra: [] });
    const sim = collected.relations.find((r) => 'name' in r.from && r.from.name === 'user-sim');
    expect(sim).toMatchObject({ type: 'DEPENDS_ON', to: { name: 'edge-router' }, attributes: { via: ['command'], confidence: 'medium' } });
    const env = collected.relations.find((r) => 'name' in r.from && r.from.name === 'user');
    expect(env?.attributes).toEqual({ via: ['env:MONGO_HOST'], confidence: 'high' });
  });
});
