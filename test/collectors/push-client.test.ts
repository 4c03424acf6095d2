import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { IngestCi, IngestRelation } from '../../server/model/ingest.ts';
import { pushCollected, PushError, type PushProgress } from '../../collectors/push-client.ts';
import { planBatches } from '../../collectors/push-plan.ts';
import type { Collected } from '../../collectors/types.ts';

interface Received {
  runId: string;
  complete: boolean;
  force?: boolean;
  cis: IngestCi[];
  relations: IngestRelation[];
}

/** A tiny ingest endpoint: `reply` decides each answer; every parsed request body is kept. */
async function ingestServer(reply: (body: Received, n: number) => { status: number; body?: unknown; headers?: Record<string, string> } | 'drop' | 'hang'): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const body = JSON.parse(text) as Received;
      received.push(body);
      const r = reply(body, received.length);
      if (r === 'drop') return req.socket.destroy();
      if (r === 'hang') return;
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(JSON.stringify(r.body ?? ok(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => { s.closeAllConnections(); return new Promise((r) => s.close(r)); }));
});

function ok(b: Received) {
  return { runId: b.runId, seq: 1, cis: { created: b.cis.length, updated: 0, unchanged: 0, retired: 0 }, relations: { created: b.relations.length, updated: 0, unchanged: 0, retired: 0 }, runCompleted: b.complete };
}

/** n services in a chain, each depending on the next. */
function chain(n: number): Collected {
  const cis: IngestCi[] = Array.from({ length: n }, (_, i) => ({ class: 'service', name: `s${i}` }));
  const relations: IngestRelation[] = [];
  for (let i = 0; i + 1 < n; i++) {
    relations.push({ type: 'DEPENDS_ON', from: { class: 'service', name: `s${i}` }, to: { class: 'service', name: `s${i + 1}` } });
    relations.push({ type: 'DEPENDS_ON', from: { class: 'service', name: `s${i + 1}` }, to: { class: 'service', name: `s${i}` } });
  }
  return { scope: 'test', cis, relations, warnings: [] };
}

const noSleep = { sleep: async () => {}, backoffMs: 1 };

describe('batch planning', () => {
  it('keeps within the limits and sends every relation after the CIs it names', () => {
    const c = chain(2500); // 2500 CIs, 4998 relations
    const batches = planBatches(c, { cis: 1000, relations: 3000, bytes: 8 << 20 });
    expect(batches.map((b) => [b.cis.length, b.relations.length])).toEqual([[1000, 0], [1000, 0], [500, 3000], [0, 1998]]);
    const sent = new Set<string>();
    for (const b of batches) {
      b.cis.forEach((ci) => sent.add(ci.name));
      for (const r of b.relations) expect(sent.has((r.from as { name: string }).name) && sent.has((r.to as { name: string }).name)).toBe(true);
    }
  });

  it('splits by size too, and an empty run is one empty batch (so completion can still happen)', () => {
    expect(planBatches(chain(10), { cis: 1000, relations: 3000, bytes: 200 }).length).toBeGreaterThan(5);
    expect(planBatches({ cis: [], relations: [] })).toEqual([{ cis: [], relations: [] }]);
  });
});

describe('push client', () => {
  it('sends one runId and completes only on the last batch, after every earlier one was acknowledged', async () => {
    const acknowledged: number[] = [];
    const srv = await ingestServer((b, n) => {
      if (b.complete) expect(acknowledged).toEqual(Array.from({ length: n - 1 }, (_, i) => i + 1));
      acknowledged.push(n);
      return { status: 200 };
    });
    const progress: PushProgress[] = [];
    const summary = await pushCollected(chain(2500), { server: srv.url, token: 't', source: 'test', onProgress: (p) => progress.push(p) });
    expect(srv.received).toHaveLength(4);
    expect(new Set(srv.received.map((b) => b.runId))).toEqual(new Set([summary.runId]));
    expect(srv.received.map((b) => b.complete)).toEqual([false, false, false, true]);
    expect(summary).toMatchObject({ batches: 4, runCompleted: true, cis: { created: 2500 }, relations: { created: 4998 } });
    expect(progress.map((p) => p.cisPushed + p.relationsPushed)).toEqual([1000, 2000, 5500, 7498]);
    expect(progress.every((p) => p.itemsPerSecond > 0)).toBe(true);
  });

  it('retries a 5xx with growing backoff and carries on', async () => {
    const srv = await ingestServer((_b, n) => (n <= 2 ? { status: 503, body: { error: { code: 'unavailable', message: 'busy' } } } : { status: 200 }));
    const delays: number[] = [];
    const summary = await pushCollected(chain(3), { server: srv.url, source: 'test', sleep: async () => {}, backoffMs: 100, onRetry: (r) => delays.push(r.delayMs) });
    expect(srv.received).toHaveLength(3);
    expect(summary.runCompleted).toBe(true);
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeGreaterThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(200);
  });

  it('retries when the connection drops (the batch may have been applied: ingest is idempotent)', async () => {
    const srv = await ingestServer((_b, n) => (n === 1 ? 'drop' : { status: 200 }));
    const summary = await pushCollected(chain(3), { server: srv.url, source: 'test', ...noSleep });
    expect(srv.received).toHaveLength(2);
    expect(summary.runCompleted).toBe(true);
  });

  it('sends one Idempotency-Key per batch, the same on each retry of it, so the server applies a batch once', async () => {
    const sent: { key: string | null; complete: boolean }[] = [];
    const srv = await ingestServer((_b, n) => (n === 2 || n === 4 ? 'drop' : { status: 200 }));
    const spy: typeof fetch = async (url, init) => {
      sent.push({ key: new Headers(init?.headers).get('idempotency-key'), complete: JSON.parse(String(init?.body)).complete });
      return fetch(url, init);
    };
    await pushCollected(chain(6), { server: srv.url, source: 'test', limits: { cis: 3, relations: 4 }, fetch: spy, ...noSleep });
    expect(sent.length).toBeGreaterThanOrEqual(4);
    for (const s of sent) expect(s.key).toMatch(/^[0-9a-f-]{36}$/);
    // Requests 2 and 4 were cut off: each batch was sent again under the key of its first attempt.
    expect(sent[1].key).toBe(sent[2].key);
    expect(sent[3].key).toBe(sent[4].key);
    expect(new Set(sent.map((s) => s.key)).size).toBe(sent.length - 2);
  });

  it('never retries a 4xx, reports its error body, and sends nothing after it (the run stays incomplete)', async () => {
    const srv = await ingestServer((_b, n) =>
      n === 2 ? { status: 400, body: { error: { code: 'unknown_ci', message: 'relation 3 names an unknown CI', details: { index: 3 } } } } : { status: 200 },
    );
    const err = await pushCollected(chain(2500), { server: srv.url, source: 'test', ...noSleep }).catch((e) => e);
    expect(err).toBeInstanceOf(PushError);
    expect(err).toMatchObject({ batch: 2, status: 400, code: 'unknown_ci', details: { index: 3 } });
    expect(err.message).toBe('batch 2: HTTP 400 unknown_ci: relation 3 names an unknown CI');
    expect(srv.received).toHaveLength(2);
    expect(srv.received.some((b) => b.complete)).toBe(false);
  });

  it('gives up after the last attempt on a server that keeps failing', async () => {
    const srv = await ingestServer(() => ({ status: 500 }));
    const err = await pushCollected(chain(2), { server: srv.url, source: 'test', attempts: 3, ...noSleep }).catch((e) => e);
    expect(err).toBeInstanceOf(PushError);
    expect(err.message).toMatch(/HTTP 500.*gave up after 3 attempts/);
    expect(srv.received).toHaveLength(3);
  });

  it('retries a 429 after the Retry-After the server asked for', async () => {
    const srv = await ingestServer((_b, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '3' }, body: { error: { code: 'rate_limited', message: 'slow down' } } } : { status: 200 }));
    const delays: number[] = [];
    const summary = await pushCollected(chain(2), { server: srv.url, source: 'test', sleep: async () => {}, backoffMs: 10, onRetry: (r) => delays.push(r.delayMs) });
    expect(delays).toEqual([3000]);
    expect(summary.runCompleted).toBe(true);
    expect(srv.received).toHaveLength(2);
  });

  it('gives up waiting on a server that does not answer, and retries', async () => {
    const srv = await ingestServer((_b, n) => (n === 1 ? 'hang' : { status: 200 }));
    const reasons: string[] = [];
    const summary = await pushCollected(chain(2), { server: srv.url, source: 'test', timeoutMs: 200, ...noSleep, onRetry: (r) => reasons.push(r.reason) });
    expect(reasons).toEqual(['no answer within 0.2 s']);
    expect(summary.runCompleted).toBe(true);
  });

  it('splits batches a server with lower limits refuses, and still completes only on the very last one', async () => {
    const srv = await ingestServer((b) => {
      if (b.cis.length > 300) return { status: 400, body: { error: { code: 'too_many_cis', message: `a batch holds at most 300 CIs, this one has ${b.cis.length}; split it` } } };
      if (Buffer.byteLength(JSON.stringify(b)) > 40_000) return { status: 413, body: { error: { code: 'too_large', message: 'request body exceeds the limit' } } };
      return { status: 200 };
    });
    const c = chain(1500);
    const summary = await pushCollected(c, { server: srv.url, source: 'test', ...noSleep });
    const accepted = srv.received.filter((b) => b.cis.length <= 300 && Buffer.byteLength(JSON.stringify(b)) <= 40_000);
    expect(accepted.flatMap((b) => b.cis).map((ci) => ci.name)).toEqual(c.cis.map((ci) => ci.name));
    expect(accepted.flatMap((b) => b.relations)).toHaveLength(c.relations.length);
    expect(srv.received.map((b) => b.complete).filter(Boolean)).toHaveLength(1);
    expect(srv.received.at(-1)!.complete).toBe(true);
    expect(summary).toMatchObject({ runCompleted: true, batches: accepted.length, cis: { created: 1500 } });
  });

  it('does not split a batch refused for one CI it holds (a 400 that no split can fix)', async () => {
    const srv = await ingestServer(() => ({ status: 400, body: { error: { code: 'too_large', message: 'attributes take at most 65536 bytes as JSON' } } }));
    const err = await pushCollected(chain(10), { server: srv.url, source: 'test', ...noSleep }).catch((e) => e);
    expect(err).toMatchObject({ status: 400, code: 'too_large' });
    expect(srv.received).toHaveLength(1);
  });

  it('sends force only with the completing batch', async () => {
    const srv = await ingestServer(() => ({ status: 200 }));
    await pushCollected(chain(1200), { server: srv.url, source: 'test', force: true, limits: { cis: 1000, relations: 3000 } });
    expect(srv.received.map((b) => b.force ?? false)).toEqual([false, true]);
  });
});
