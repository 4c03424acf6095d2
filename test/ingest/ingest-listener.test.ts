import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Worker } from 'node:worker_threads';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { comparable, until } from '../helpers/ingest-answers.ts';
import { StartError } from '../../server/server.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { createBatchWriter } from '../../server/ingest/batch-writer.ts';
import { listenForIngest, type IngestListener } from '../../server/ingest/ingest-listener.ts';
import { issueToken } from '../../server/api/auth.ts';
import { defaultLimits } from '../../server/model/limits.ts';

const svc = (name: string) => ({ class: 'service', name, environment: 'prod' });
const dep = (from: string, to: string) => ({ type: 'DEPENDS_ON', from: svc(from), to: svc(to) });
const post = async (base: string, token: string | null, body: unknown, headers: Record<string, string> = {}, query = '') => {
  const res = await fetch(`${base}/api/v1/ingest${query}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() as any };
};

/**
 * SERVICEGRAPH_INGEST_PORT: the ingest writer thread listens for `POST /api/v1/ingest` itself, so a batch sent there
 * never waits for the main thread's event loop (the one that serves reads), neither to be read nor to be answered.
 */
describe('ingest on the writer thread\'s own port', () => {
  let s: TestServer;
  let plain: TestServer;
  let collector: { s: string; plain: string };
  beforeAll(async () => {
    s = await startTestServer({ config: { ingestPort: 0 } });
    plain = await startTestServer();
    collector = { s: await s.tokenFor('collector'), plain: await plain.tokenFor('collector') };
  });
  afterAll(async () => { await s?.close(); await plain?.close(); });

  it('listens only when asked, on a port of its own', () => {
    expect(s.ingestUrl).toMatch(/^http:\/\/localhost:\d+$/);
    expect(s.ingestUrl).not.toBe(s.url);
    expect(plain.ingestUrl).toBeNull();
  });

  it('answers every request exactly as the main port does, refusals, replays and dry runs included', async () => {
    const requests: { body: unknown; headers?: Record<string, string>; query?: string }[] = [
      { body: '{"source": ' },
      { body: {} },
      { body: { source: 'kubernetes', scope: 'same', cis: [svc('a')], relations: [dep('a', 'nowhere')] } },
      { body: { source: 'kubernetes', scope: 'same', runId: 'same-r1', complete: true, cis: [svc('a'), svc('b')], relations: [dep('a', 'b')] } },
      { body: { source: 'kubernetes', scope: 'same', cis: [svc('c')] }, headers: { 'idempotency-key': 'k1' } },
      { body: { source: 'kubernetes', scope: 'same', cis: [svc('d')] }, headers: { 'idempotency-key': 'k1' } },
      { body: { source: 'kubernetes', scope: 'same', cis: [svc('c')] }, headers: { 'idempotency-key': 'k1' } },
      { body: { source: 'kubernetes', scope: 'same', cis: [svc('a'), svc('e')] }, query: '?dryRun=true' },
      { body: { source: 'kubernetes', scope: 'same', runId: 'same-r2', complete: true, cis: [svc('a'), svc('b')], relations: [dep('a', 'b')] } },
    ];
    for (const r of requests) {
      const own = await post(s.ingestUrl!, collector.s, r.body, r.headers, r.query);
      const main = await post(plain.url, collector.plain, r.body, r.headers, r.query);
      expect({ status: own.status, replayed: own.headers.get('idempotent-replayed'), body: comparable(own.body) }, JSON.stringify(r))
        .toEqual({ status: main.status, replayed: main.headers.get('idempotent-replayed'), body: comparable(main.body) });
      if (own.status === 200 && !r.query) expect(own.headers.get('server-timing')).toMatch(/write;dur=/);
    }
  });

  it('asks for a collector\'s token as the main port does, forgets a revoked one at once, and serves nothing but ingest', async () => {
    const batch = { source: 'kubernetes', scope: 'auth', cis: [svc('auth-a')] };
    expect((await post(s.ingestUrl!, null, batch)).status).toBe(401);
    expect((await post(s.ingestUrl!, await s.tokenFor('viewer'), batch)).status).toBe(403);
    const issued = await s.api('/api/v1/tokens', { body: { name: 'short-lived collector', role: 'collector' } });
    expect(issued.status).toBe(201);
    expect((await post(s.ingestUrl!, issued.body.token, batch)).status).toBe(200);
    expect((await s.api(`/api/v1/tokens/${issued.body.id}`, { method: 'DELETE' })).status).toBeLessThan(300);
    // Within the thread's authenticator cache window (TOKEN_CACHE_MS): only the revocation's message can refuse it.
    expect((await post(s.ingestUrl!, issued.body.token, batch)).status).toBe(401);
    // It serves ingest and nothing else: no read, whoever asks.
    expect((await fetch(`${s.ingestUrl}/api/v1/cis`, { headers: { authorization: `Bearer ${s.adminToken}` } })).status).toBe(404);
  });

  it('counts what it serves in the process\'s metrics, as the main port would (servicegraph_http_*, servicegraph_ingest_*)', async () => {
    const series = (text: string, name: string) => Number(text.split('\n').find((l) => l.startsWith(name + ' '))?.slice(name.length + 1) ?? 0);
    const http = 'servicegraph_http_request_duration_seconds_count{method="POST",route="/api/v1/ingest",status="200"}';
    // Refused before routing (authentication comes first): labelled as the main port labels it.
    const refused = 'servicegraph_http_request_duration_seconds_count{method="POST",route="unmatched",status="401"}';
    const batches = 'servicegraph_ingest_batches_total{source="kubernetes",outcome="ok"}';
    const before = (await s.api('/metrics')).body as string;
    expect((await post(s.ingestUrl!, collector.s, { source: 'kubernetes', scope: 'metered', cis: [svc('metered-a')] })).status).toBe(200);
    expect((await post(s.ingestUrl!, collector.s, { source: 'kubernetes', scope: 'metered', cis: [svc('metered-b')] })).status).toBe(200);
    expect((await post(s.ingestUrl!, null, { source: 'kubernetes', scope: 'metered', cis: [svc('metered-c')] })).status).toBe(401);
    // The observations cross from the thread as messages: the scrape may come a moment before the last one.
    let after = '';
    await until(async () => { after = (await s.api('/metrics')).body as string; return series(after, refused) === series(before, refused) + 1; }, 'the refusal to be counted');
    expect(series(after, http) - series(before, http)).toBe(2);
    expect(series(after, batches) - series(before, batches)).toBe(2);
  });

  it('hands each committed batch to the main thread\'s feed: reads on the main port see it', async () => {
    const res = await post(s.ingestUrl!, collector.s, { source: 'kubernetes', scope: 'seen', cis: [svc('seen-a'), svc('seen-b')], relations: [dep('seen-a', 'seen-b')] });
    expect(res.status).toBe(200);
    await until(() => s.topology.seq >= res.body.seq, 'the projection to have the batch');
    const found = await s.api('/api/v1/cis?q=seen-a');
    expect(found.body.items.map((c: { name: string }) => c.name)).toContain('seen-a');
  });

  it('answers a batch while the main thread\'s event loop is held', async () => {
    // The client runs on a thread of its own: this thread's loop is held while the batch is sent and answered.
    const client = new Worker(`
      const { parentPort, workerData } = require('node:worker_threads');
      parentPort.once('message', async () => {
        const res = await fetch(workerData.url + '/api/v1/ingest', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + workerData.token }, body: JSON.stringify(workerData.batch) });
        await res.arrayBuffer();
        parentPort.postMessage({ status: res.status, at: Date.now() });
      });
      parentPort.postMessage('ready');`,
    { eval: true, workerData: { url: s.ingestUrl, token: collector.s, batch: { source: 'kubernetes', scope: 'held', cis: [svc('held-a')] } } });
    try {
      await new Promise((r) => client.once('message', r));
      const answered = new Promise<{ status: number; at: number }>((r) => client.once('message', r));
      client.postMessage('go');
      // This loop is held for 3 s (no timer, message or socket of this thread runs meanwhile); the answer's time is
      // the worker's clock, checked against when the hold ended.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3_000);
      const released = Date.now();
      const got = await answered;
      expect(got.status).toBe(200);
      expect(got.at).toBeLessThan(released);
    } finally {
      await client.terminate();
    }
  });

  it('is refused at start where there is no writer thread to listen', async () => {
    await expect(startTestServer({ config: { ingestPort: 0, ingestThread: 'off' } })).rejects.toThrow(StartError);
  });
});

/**
 * The writer thread empties its young generation between batches (idle-scavenge.ts). Batches to its own port must
 * tell it when one was answered and none other is in hand, as the main thread's batches do once its queue is empty.
 */
describe('ingest listener: between batches', () => {
  it('calls betweenBatches once a batch is answered and no other is in hand, and not while one is', async () => {
    const store = new SqliteStore({ file: ':memory:' });
    await store.init();
    const writer = createBatchWriter({ store, feed: { offer() { /* no readers here */ } }, limits: defaultLimits, maxRetireShare: 0.2, idempotencyTtlMs: 60_000 });
    const { token } = await issueToken(store, 'collector', 'collector', null);
    const inFlightWhenCalled: number[] = [];
    let listener: IngestListener | null = null;
    listener = await listenForIngest({ store, writer, bodyBytes: 1 << 20, host: '127.0.0.1', port: 0, logLevel: 'silent',
      betweenBatches: () => { inFlightWhenCalled.push(listener!.inFlight); } });
    try {
      const url = `http://127.0.0.1:${listener.port}`;
      const one = await post(url, token, { source: 'kubernetes', scope: 'between', cis: [svc('between-a')] });
      expect(one.status).toBe(200);
      await until(() => inFlightWhenCalled.length === 1, 'the first batch answered');
      // Two at once: called once both are answered, never with one still in hand.
      const both = await Promise.all(['between-b', 'between-c'].map((n) => post(url, token, { source: 'kubernetes', scope: 'between', cis: [svc(n)] })));
      expect(both.map((r) => r.status)).toEqual([200, 200]);
      await until(() => inFlightWhenCalled.length >= 2, 'both batches answered');
      await new Promise((r) => setTimeout(r, 50));
      expect(inFlightWhenCalled.every((n) => n === 0)).toBe(true);
      expect(inFlightWhenCalled.length).toBeLessThanOrEqual(3);
      // A request refused before the route (no token) was no batch: nothing to empty after it.
      const calls = inFlightWhenCalled.length;
      expect((await post(url, null, { source: 'kubernetes', scope: 'between', cis: [] })).status).toBe(401);
      await new Promise((r) => setTimeout(r, 50));
      expect(inFlightWhenCalled.length).toBe(calls);
    } finally {
      await listener.close();
      await store.close();
    }
  });
});
