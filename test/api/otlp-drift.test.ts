import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { DriftReport } from '../../server/model/drift.ts';

const attr = (key: string, v: string) => ({ key, value: { stringValue: v } });
const now = BigInt(Date.now()) * 1_000_000n;
const span = (traceId: string, spanId: string, kind: number, over: object = {}) => ({
  traceId, spanId, name: 'op', kind, startTimeUnixNano: String(now - 5_000_000n), endTimeUnixNano: String(now), status: {}, ...over,
});
const request = (service: string, spans: object[]) => ({
  resourceSpans: [{ resource: { attributes: [attr('service.name', service)] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }],
});

describe('live OTLP receiver and drift over the API', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(); });
  afterAll(async () => { await server?.close(); });

  it('accepts OTLP/HTTP JSON from a collector token; a full success carries no partialSuccess (the spec: never an empty one)', async () => {
    const token = await server.tokenFor('collector');
    const traces = ['a1', 'a2', 'a3'].map((t) => t.padEnd(32, '0'));
    for (const t of traces) {
      const caller = await server.api('/v1/traces', { token, body: request('frontend', [span(t, '0000000000000001', 3)]) });
      expect(caller).toMatchObject({ status: 200, body: {} });
      expect(caller.body.partialSuccess).toBeUndefined();
      const callee = await server.api('/v1/traces', { token, body: request('cart', [span(t, '0000000000000002', 2, { parentSpanId: '0000000000000001', status: t === traces[0] ? { code: 2 } : {} })]) });
      expect(callee.status).toBe(200);
    }
    const db = await server.api('/v1/traces', { token, body: request('cart', [span('b1'.padEnd(32, '0'), '0000000000000009', 3, { attributes: [attr('db.system', 'redis'), attr('server.address', 'valkey-cart:6379')] })]) });
    expect(db.status).toBe(200);
  });

  it('takes gzip bodies, as the Collector otlphttp exporter sends them by default (compression: gzip)', async () => {
    const body = gzipSync(JSON.stringify(request('gzip-svc', [span('d1'.padEnd(32, '0'), '0000000000000001', 2)])));
    const res = await fetch(`${server.url}/v1/traces`, {
      method: 'POST', body,
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${await server.tokenFor('collector')}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
  });

  it('reports rejected spans as partial success and keeps the rest', async () => {
    const token = await server.tokenFor('collector');
    const res = await server.api('/v1/traces', { token, body: request('frontend', [span('c1'.padEnd(32, '0'), '0000000000000001', 2), { kind: 2 }]) });
    expect(res.status).toBe(200);
    expect(res.body.partialSuccess).toMatchObject({ rejectedSpans: 1, errorMessage: expect.stringContaining('traceId: is missing') });
  });

  it('refuses a viewer token, a media type it does not speak, and a body that is not an export request', async () => {
    expect((await server.api('/v1/traces', { token: await server.tokenFor('viewer'), body: request('x', []) })).status).toBe(403);
    expect((await server.api('/v1/traces', { token: null, body: request('x', []) })).status).toBe(401);
    const text = await server.api('/v1/traces', { token: await server.tokenFor('collector'), body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(text).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
    const wrong = await server.api('/v1/traces', { token: await server.tokenFor('collector'), body: { spans: [] } });
    expect(wrong).toMatchObject({ status: 400, body: { error: { code: 'invalid_otlp' } } });
  });

  it('flushes folded edges through ingest as observed DEPENDS_ON with calls, errors and last seen', async () => {
    await server.otlp.flush({ final: true });
    const frontend = (await server.api('/api/v1/cis?q=frontend')).body.items.find((c: { name: string }) => c.name === 'frontend');
    const detail = (await server.api(`/api/v1/cis/${frontend.id}`)).body;
    expect(detail.relations.outgoing).toHaveLength(1);
    expect(detail.relations.outgoing[0]).toMatchObject({ type: 'DEPENDS_ON', provenance: ['observed'], observed: { calls: 3, errors: 1 } });
    const cart = (await server.api('/api/v1/cis?q=valkey-cart')).body.items[0];
    expect(cart).toMatchObject({ class: 'cache', name: 'valkey-cart', attributes: { dbSystem: 'redis' } });
    expect(server.otlp.stats()).toMatchObject({ requests: 9, rejectedSpans: 1, paired: 3, failedFlushes: 0 });
  });

  it('GET /api/v1/drift: declared but not observed, and observed but never declared', async () => {
    const declared = await server.api('/api/v1/ingest', {
      body: {
        source: 'backstage', scope: 'catalog',
        cis: [{ class: 'service', name: 'frontend' }, { class: 'service', name: 'checkout' }, { class: 'service', name: 'payments' }],
        relations: [{ type: 'DEPENDS_ON', from: { class: 'service', name: 'checkout' }, to: { class: 'service', name: 'payments' } }],
      },
    });
    expect(declared.status).toBe(200);
    const drift = await server.api('/api/v1/drift?days=7', { token: await server.tokenFor('viewer') });
    expect(drift.status).toBe(200);
    expect(DriftReport.safeParse(drift.body).success).toBe(true);
    const pairs = (items: { from: { name: string }; to: { name: string } }[]) => items.map((i) => `${i.from.name} -> ${i.to.name}`).sort();
    expect(pairs(drift.body.declaredNotObserved)).toEqual(['checkout -> payments']);
    expect(pairs(drift.body.observedNotDeclared)).toEqual(['cart -> valkey-cart', 'frontend -> cart']);
    expect((await server.api('/api/v1/drift?days=-1')).status).toBe(400);
  });

  it('describes both operations in the OpenAPI document', async () => {
    const doc = (await server.api('/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/drift', '/v1/traces']));
  });
});
