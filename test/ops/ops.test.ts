import { Writable } from 'node:stream';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/log.ts';
import { requestLog } from '../../server/ops/request-log.ts';
import { Metrics } from '../../server/ops/metrics.ts';
import { LagTracker } from '../../server/ops/readiness.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => { server = await startTestServer({ config: { metricsToken: 'sg_metrics_only' } }); });
afterAll(async () => { await server?.close(); });

describe('GET /metrics', () => {
  it('answers Prometheus text to a viewer token or the metrics token, and to nobody else', async () => {
    const ci = (await server.api('/api/v1/ingest', { body: { source: 'manual', cis: [{ class: 'service', name: 'm1', environment: 'prod' }] } })).status;
    expect(ci).toBe(200);
    const someId = (await server.api('/api/v1/cis?q=m1')).body.items[0].id;
    await server.api(`/api/v1/cis/${someId}`);
    expect((await server.api('/api/v1/impact', { body: { failed: [{ ci: someId, state: 'down' }] } })).status).toBe(200);
    const viewer = await server.api('/metrics', { token: await server.tokenFor('viewer') });
    expect(viewer.status).toBe(200);
    expect(viewer.headers.get('content-type')).toMatch(/text\/plain/);
    const text = viewer.body as string;
    // Route patterns, never raw ids, label the HTTP series.
    expect(text).toMatch(/servicegraph_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/cis\/:id",status="200"\} 1/);
    expect(text).not.toContain(someId);
    expect(text).toMatch(/servicegraph_ingest_batches_total\{source="manual",outcome="ok"\} 1/);
    expect(text).toMatch(/servicegraph_ingest_items_total\{kind="ci",action="created"\} 1/);
    // Each impact computed on the projection is timed.
    expect(text).toMatch(/servicegraph_impact_duration_seconds_count 1\b/);
    for (const name of ['servicegraph_projection_cis', 'servicegraph_projection_lag_seconds', 'servicegraph_ws_clients', 'servicegraph_otlp_spans_accepted_total', 'nodejs_eventloop_lag_seconds']) expect(text).toContain(name);
    expect((await server.api('/metrics', { token: 'sg_metrics_only' })).status).toBe(200);
    expect((await server.api('/metrics', { token: await server.tokenFor('collector') })).status).toBe(403);
    expect((await server.api('/metrics', { token: null })).status).toBe(401);
  });
});

describe('GET /readyz', () => {
  it('is 200 with its checks when the store answers and the projection is current', async () => {
    const res = await server.api('/readyz', { token: null });
    expect(res).toMatchObject({ status: 200, body: { ready: true, store: { ok: true }, projection: { ok: true, built: true, behindEvents: 0 } } });
  });

  it('counts lag from when the projection was first seen behind, and forgets it once caught up', () => {
    const lag = new LagTracker();
    expect(lag.observe(10, 10, 1_000)).toBe(0);
    expect(lag.observe(12, 10, 2_000)).toBe(0);
    expect(lag.observe(12, 10, 9_000)).toBe(7_000);
    expect(lag.observe(12, 12, 10_000)).toBe(0);
  });
});

describe('request log', () => {
  it('one JSON line per request with its id (the caller\'s, echoed), route pattern, status, duration and token name, never the secret', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    const logger = createLogger({ level: 'info', destination: sink, pretty: false });
    const metrics = new Metrics();
    const app = express();
    app.use(requestLog({ logger, metrics }));
    app.get('/things/:id', (req, res) => { req.principal = { id: 'tok-1', name: 'ci-bot', role: 'viewer', createdAt: '' } as never; res.json({ ok: true }); });
    const http = app.listen(0);
    const port = (http.address() as { port: number }).port;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/things/abc?token=s3cret`, { headers: { 'x-request-id': 'trace-42', authorization: 'Bearer s3cret' } });
      expect(res.headers.get('x-request-id')).toBe('trace-42');
      const other = await fetch(`http://127.0.0.1:${port}/things/def`, { headers: { 'x-request-id': 'bad id with spaces' } });
      expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      http.close();
    }
    expect(lines[0]).toMatchObject({ reqId: 'trace-42', method: 'GET', route: '/things/:id', path: '/things/abc', status: 200, tokenName: 'ci-bot', role: 'viewer', msg: 'request' });
    expect(typeof lines[0].ms).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('s3cret');
    expect(await metrics.text()).toMatch(/route="\/things\/:id",status="200"\} 2/);
  });
});
