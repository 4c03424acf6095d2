import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectManifests } from '../../collectors/kubernetes/index.ts';
import { collectCompose } from '../../collectors/compose/index.ts';
import { collectTraceTexts } from '../../collectors/otel/index.ts';
import type { Collected } from '../../collectors/types.ts';
import { ingest } from '../../server/ingest/ingest-service.ts';
import { IngestBatch } from '../../server/model/ingest.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { DATA } from './answer-keys.ts';

const OTEL_DEMO = join(DATA, 'opentelemetry-demo');

/** One OTLP/HTTP JSON export: frontend calls checkout, both in `production`, as the SDKs report it. */
function frontendCallsCheckout(): string {
  const resource = (service: string) => ({ attributes: [
    { key: 'service.name', value: { stringValue: service } },
    { key: 'deployment.environment.name', value: { stringValue: 'production' } },
  ] });
  const t = BigInt(Date.now()) * 1_000_000n;
  const span = (id: string, parent: string | undefined, kind: number) => ({
    traceId: '5b8aa5a2d2c872e8321cf37308d69df2', spanId: id, ...(parent ? { parentSpanId: parent } : {}),
    name: 'PlaceOrder', kind, startTimeUnixNano: String(t), endTimeUnixNano: String(t + 5_000_000n), status: {},
  });
  return JSON.stringify({ resourceSpans: [
    { resource: resource('frontend'), scopeSpans: [{ scope: { name: 'grpc' }, spans: [span('051581bf3cb55c13', undefined, 3)] }] },
    { resource: resource('checkout'), scopeSpans: [{ scope: { name: 'grpc' }, spans: [span('5fb397be34d26b51', '051581bf3cb55c13', 2)] }] },
  ] });
}

describe('sources that are told the same environment meet on one CI', () => {
  const store = new SqliteStore({ file: ':memory:' });
  const push = (source: string, c: Collected) =>
    ingest(store, IngestBatch.parse({ source, scope: c.scope, complete: true, force: true, cis: c.cis, relations: c.relations }), { limits: defaultLimits, maxRetireShare: 1 });

  beforeAll(async () => {
    await store.init();
    await push('kubernetes', await collectManifests([join(OTEL_DEMO, 'kubernetes-opentelemetry-demo.yaml')], { environment: 'production' }));
    await push('compose', collectCompose(OTEL_DEMO, { env: {}, environment: 'production' }));
    await push('otel', collectTraceTexts([{ file: 'export.json', text: frontendCallsCheckout() }]));
  });
  afterAll(() => store.close());

  it('the checkout Deployment, the checkout container and the checkout the traces show are one service with three sources', async () => {
    const found = (await store.listCis({ class: ['service'], q: 'checkout', limit: 10 })).items.filter((c) => c.name === 'checkout');
    expect(found).toHaveLength(1);
    expect(found[0].environment).toBe('production');
    const detail = (await store.getCiDetail(found[0].id))!;
    expect(detail.sources.map((s) => s.source).sort()).toEqual(['compose', 'kubernetes', 'otel']);
  });

  it('the observed call lands on the same CIs the manifests and the compose file declared', async () => {
    const [frontend] = (await store.listCis({ class: ['service'], q: 'frontend', environment: 'production', limit: 10 })).items.filter((c) => c.name === 'frontend');
    const calls = (await store.relationsOf([frontend.id])).filter((r) => r.from === frontend.id && r.type === 'DEPENDS_ON');
    const checkout = (await store.listCis({ class: ['service'], q: 'checkout', limit: 10 })).items.find((c) => c.name === 'checkout')!;
    const edge = calls.find((r) => r.to === checkout.id)!;
    expect(edge.provenance.sort()).toEqual(['declared', 'observed']);
    expect(edge.observed?.calls).toBe(1);
  });
});
