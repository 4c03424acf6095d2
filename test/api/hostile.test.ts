import { request } from 'node:http';
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * What a hostile test of main broke (issue 10), one regression each: bad cursors and bad
 * percent-encoding are 400s, and a body is never read before its sender is known and allowed.
 */
describe('hostile input at the HTTP edge', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s.close(); });

  it.each(['MQ', 'e30', 'bnVsbA', 'W3RydWUsZmFsc2Vd', 'W3siYSI6MX0sIngiXQ', 'WyJhIl0', '!!', 'W10'])('a cursor this server did not issue (%s) is a 400 on every list that pages', async (cursor) => {
    for (const list of ['/api/v1/cis', '/api/v1/incidents', '/api/v1/changes']) {
      const r = await s.api(`${list}?cursor=${cursor}`);
      expect(r.status, list).toBe(400);
      expect(r.body.error.details.problems[0].path).toEqual(['cursor']);
    }
  });

  it('a cursor it issued pages on', async () => {
    await s.api('/api/v1/ingest', { body: { source: 'manual', cis: ['a', 'b', 'c'].map((name) => ({ class: 'service', name })) } });
    const first = await s.api('/api/v1/cis?limit=2');
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const next = await s.api(`/api/v1/cis?limit=2&cursor=${first.body.nextCursor}`);
    expect(next.status).toBe(200);
    expect(next.body.items.map((c: { name: string }) => c.name)).toEqual(['c']);
  });

  it.each(['/api/v1/cis/%E0%A4', '/api/v1/cis/%ZZ', '/api/v1/incidents/%E0%A4', '/api/v1/changes/%C0/assessment'])('a path that is not valid percent-encoding (%s) is a 400', async (path) => {
    const r = await s.api(path);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_path');
  });

  /** Sends the headers and a first chunk of a 16 MB body that never comes: a reply can only be one that did not wait for it. */
  function replyBeforeBody(path: string, token: string | null): Promise<number> {
    return new Promise((resolve, reject) => {
      const url = new URL(path, s.url);
      const req = request({
        host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(16 * 1024 * 1024), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      }, (res) => { res.resume(); resolve(res.statusCode!); req.destroy(); });
      req.on('error', (e) => { if (!(e as NodeJS.ErrnoException).code?.startsWith('ECONNRESET')) reject(e); });
      req.write('{"source": "x", "cis": [');
      setTimeout(() => reject(new Error(`no reply to ${path} without its body`)), 5000).unref();
    });
  }

  it('refuses an unauthenticated body before reading it', async () => {
    expect(await replyBeforeBody('/api/v1/ingest', null)).toBe(401);
    expect(await replyBeforeBody('/api/v1/ingest', 'sg_not_a_token')).toBe(401);
    expect(await replyBeforeBody('/v1/traces', null)).toBe(401);
  });

  it('refuses a body of a role that may not send it before reading it', async () => {
    expect(await replyBeforeBody('/api/v1/ingest', await s.tokenFor('viewer'))).toBe(403);
    expect(await replyBeforeBody('/api/v1/tokens', await s.tokenFor('change-manager'))).toBe(403);
  });

  it('answers an unknown path 404 without reading its body', async () => {
    expect(await replyBeforeBody('/api/v1/no-such-thing', s.adminToken)).toBe(404);
    expect(await replyBeforeBody('/no-such-thing', null)).toBe(404);
  });
});

describe('/healthz reports background work', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer({ config: { healthMaxLagMs: 300, pollMs: 50 } }); });
  afterAll(async () => { await s.close(); });

  it('answers 503 with the reason while the projection cannot follow the store, and 200 once it caught up', async () => {
    const ok = await s.api('/healthz', { token: null });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, reasons: [], lagMs: 0, loops: [expect.objectContaining({ name: 'change feed', ok: true }), expect.objectContaining({ name: 'live token check', ok: true }), expect.objectContaining({ name: 'ingest writer thread', ok: true }), expect.objectContaining({ name: 'wal checkpoint', ok: true })] });
    const read = s.store.eventsSince.bind(s.store);
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    s.store.eventsSince = async () => { throw new Error('disk I/O error'); };
    try {
      await s.api('/api/v1/ingest', { body: { source: 'manual', cis: [{ class: 'service', name: 'during-outage' }] } });
      await vi.waitFor(async () => expect((await s.api('/healthz', { token: null })).status).toBe(503), { timeout: 5000, interval: 100 });
      const bad = await s.api('/healthz', { token: null });
      expect(bad.body.ok).toBe(false);
      expect(bad.body.reasons[0]).toMatch(/projection is \d+ s behind the store.*disk I\/O error/);
    } finally {
      s.store.eventsSince = read;
    }
    await vi.waitFor(async () => expect((await s.api('/healthz', { token: null })).status).toBe(200), { timeout: 5000, interval: 100 });
    const found = await s.api('/api/v1/paths?from=x&to=y');
    expect(found.status).not.toBe(500);
    expect(s.topology.seq).toBe(await s.store.latestSeq());
    quiet.mockRestore();
  });
});
