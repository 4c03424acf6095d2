import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { pushCollected } from '../../collectors/push-client.ts';

const svc = (name: string) => ({ class: 'service', name, environment: 'prod' });

describe('POST /api/v1/ingest with an Idempotency-Key', () => {
  let s: TestServer;
  let collector: string;
  beforeAll(async () => {
    s = await startTestServer();
    collector = await s.tokenFor('collector');
  });
  afterAll(async () => { await s.close(); });

  const send = (body: unknown, key?: string, token = collector) =>
    s.api('/api/v1/ingest', { token, body, headers: key === undefined ? {} : { 'idempotency-key': key } });

  it('applies the batch once: the same request again gets the first reply, marked replayed, and writes nothing', async () => {
    const body = { source: 'manual', scope: 'idem-1', runId: 'idem-run-1', complete: true, cis: [svc('idem-a')] };
    const first = await send(body, 'key-1');
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const seq = await s.store.latestSeq();
    const again = await send(body, 'key-1');
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await s.store.latestSeq()).toBe(seq);
    // The same completing batch without its key meets its completed run.
    expect((await send(body)).body.error.code).toBe('run_completed');
  });

  it('accepts the key as a structured-field string too (the IETF draft\'s form)', async () => {
    const body = { source: 'manual', scope: 'idem-2', cis: [svc('idem-b')] };
    const first = await send(body, '"8e03978e-40d5-43e8-bc93-6894a57f9324"');
    const again = await send(body, '8e03978e-40d5-43e8-bc93-6894a57f9324');
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('refuses the key reused for another batch with 422 and writes nothing', async () => {
    await send({ source: 'manual', scope: 'idem-3', cis: [svc('idem-c')] }, 'key-3');
    const seq = await s.store.latestSeq();
    const r = await send({ source: 'manual', scope: 'idem-3', cis: [svc('idem-d')] }, 'key-3');
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'idempotency_key_reused', message: expect.stringContaining('another request') });
    expect(await s.store.latestSeq()).toBe(seq);
  });

  it('keeps keys apart per token: another collector\'s same key is its own batch', async () => {
    const other = (await import('../../server/api/auth.ts')).issueToken(s.store, 'second collector', 'collector', null);
    const token = (await other).token;
    await send({ source: 'manual', scope: 'idem-4', cis: [svc('idem-e')] }, 'shared-key');
    const r = await send({ source: 'manual', scope: 'idem-4b', cis: [svc('idem-f')] }, 'shared-key', token);
    expect(r.status).toBe(200);
    expect(r.headers.get('idempotent-replayed')).toBeNull();
    expect(r.body.cis.created).toBe(1);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['with a space', 'two words'],
  ])('refuses a malformed key (%s) with 400 naming the header', async (_what, key) => {
    const r = await send({ source: 'manual', cis: [svc('idem-never')] }, key);
    expect(r.status).toBe(400);
    expect(r.body.error.details.problems[0].path.slice(0, 2)).toEqual(['headers', 'idempotency-key']);
    expect((await s.api('/api/v1/cis?q=idem-never')).body.items).toEqual([]);
  });

  it('ignores the key on a dry run, which writes nothing anyway', async () => {
    const r = await s.api('/api/v1/ingest?dryRun=true', { token: collector, body: { source: 'manual', cis: [svc('idem-dry')] }, headers: { 'idempotency-key': 'key-dry' } });
    expect(r.status).toBe(200);
    expect(r.body.dryRun).toBe(true);
    const real = await send({ source: 'manual', cis: [svc('idem-dry')] }, 'key-dry');
    expect(real.headers.get('idempotent-replayed')).toBeNull();
    expect(real.body.cis.created).toBe(1);
  });

  it('lets a collector whose reply was lost after the commit retry and finish its run (push client through a proxy that drops one reply)', async () => {
    // The proxy forwards every request to the server; the first reply to the completing batch is dropped
    // after the server committed it, as a timed-out or cut connection would lose it.
    let dropped = false;
    const proxy: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const completing = JSON.parse(body.toString()).complete === true;
        const target = new URL(req.url!, s.url);
        const fwd = httpRequest(target, { method: req.method, headers: req.headers }, (up) => {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            if (completing && !dropped) { dropped = true; req.socket.destroy(); return; }
            res.writeHead(up.statusCode!, up.headers);
            res.end(Buffer.concat(parts));
          });
        });
        fwd.end(body);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const cis = Array.from({ length: 5 }, (_, i) => ({ class: 'service' as const, name: `lost-reply-${i}`, environment: 'prod' }));
      const retries: string[] = [];
      const summary = await pushCollected({ scope: 'lost-reply', cis, relations: [], warnings: [] }, {
        server: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, token: collector, source: 'manual',
        limits: { cis: 2 }, backoffMs: 1, sleep: async () => {}, onRetry: (r) => retries.push(r.reason),
      });
      expect(dropped).toBe(true);
      expect(retries).toHaveLength(1);
      expect(summary).toMatchObject({ batches: 3, runCompleted: true, cis: { created: 5 } });
      expect((await s.api('/api/v1/cis?q=lost-reply&limit=10')).body.items).toHaveLength(5);
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });
});
