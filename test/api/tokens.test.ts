import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { ensureAdminToken } from '../../server/server.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { latestAudit } from '../../server/api/token-audit.ts';

/** A live connection signed in with `token`, once the server said hello; what it received and how it closed. */
async function watch(s: TestServer, token: string) {
  const ws = new WebSocket(`${s.url.replace('http', 'ws')}/api/v1/events?token=${token}`);
  const messages: { type: string; code?: string }[] = [];
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  const hello = new Promise<void>((r) => ws.on('message', (m) => { messages.push(JSON.parse(String(m))); r(); }));
  await Promise.race([hello, closed]);
  return { messages, closed };
}

describe('tokens: list, revoke, expiry, last use (issue 10, item 8)', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s.close(); });

  it('lists tokens with role, expiry and last use, never a secret or its hash; admins only', async () => {
    const made = await s.api('/api/v1/tokens', { body: { name: 'grafana', role: 'viewer', expiresInDays: 30 } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ token: expect.stringMatching(/^sg_/), expiresAt: expect.any(String), lastUsedAt: null });
    expect((await s.api('/api/v1/whoami', { token: made.body.token })).status).toBe(200);
    const list = await s.api('/api/v1/tokens');
    expect(list.status).toBe(200);
    const mine = list.body.items.find((t: { id: string }) => t.id === made.body.id);
    expect(mine).toMatchObject({ name: 'grafana', role: 'viewer', expiresAt: made.body.expiresAt, lastUsedAt: expect.any(String) });
    expect(Date.parse(mine.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(made.body.token);
    expect(text).not.toContain('hash');
    expect((await s.api('/api/v1/tokens', { token: await s.tokenFor('change-manager') })).status).toBe(403);
  });

  it('revokes a token at once: refused on the next request, its live connections closed as revoked', async () => {
    const made = await s.api('/api/v1/tokens', { body: { name: 'wall screen', role: 'viewer' } });
    expect((await s.api('/api/v1/cis', { token: made.body.token })).status).toBe(200);
    const live = await watch(s, made.body.token);
    expect(live.messages[0]).toMatchObject({ type: 'hello' });
    expect((await s.api(`/api/v1/tokens/${made.body.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await live.closed).toBe(4401);
    expect(live.messages.at(-1)).toMatchObject({ type: 'error', code: 'revoked' });
    const after = await s.api('/api/v1/cis', { token: made.body.token });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/revoked/);
    expect((await s.api(`/api/v1/tokens/${made.body.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('closes a live connection whose token another API worker revoked (straight in the store), within seconds', async () => {
    const made = await s.api('/api/v1/tokens', { body: { name: 'kiosk', role: 'viewer' } });
    const live = await watch(s, made.body.token);
    expect(await s.store.revokeToken(made.body.id)).toBe(true);
    const t0 = Date.now();
    expect(await live.closed).toBe(4401);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(live.messages.at(-1)).toMatchObject({ type: 'error', code: 'revoked' });
  }, 20_000);

  it('refuses an expired token on the API and the live feed, and an expiry in the past', async () => {
    const made = await s.api('/api/v1/tokens', { body: { name: 'short', role: 'viewer', expiresAt: new Date(Date.now() + 1500).toISOString() } });
    expect((await s.api('/api/v1/cis', { token: made.body.token })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await s.api('/api/v1/cis', { token: made.body.token })).status).toBe(401);
    const live = await watch(s, made.body.token);
    expect(await live.closed).toBe(4401);
    expect((await s.api('/api/v1/tokens', { body: { name: 'past', role: 'viewer', expiresAt: '2020-01-01T00:00:00Z' } })).status).toBe(400);
    expect((await s.api('/api/v1/tokens', { body: { name: 'both', role: 'viewer', expiresAt: '2030-01-01T00:00:00Z', expiresInDays: 3 } })).status).toBe(400);
  });

  it('a token cannot revoke itself', async () => {
    const me = (await s.api('/api/v1/whoami')).body;
    const r = await s.api(`/api/v1/tokens/${me.id}`, { method: 'DELETE' });
    expect(r.status).toBe(400);
    expect((await s.api('/api/v1/whoami')).status).toBe(200);
  });

  it('rotates a token: a new secret with the same name, role, team and expiry; the old one refused at once, its live connections closed', async () => {
    const made = (await s.api('/api/v1/tokens', { body: { name: 'payments on-call', role: 'change-manager', team: 'payments', expiresInDays: 30 } })).body;
    const live = await watch(s, made.token);
    const r = await s.api(`/api/v1/tokens/${made.id}/rotate`, { method: 'POST' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'payments on-call', role: 'change-manager', team: 'payments', expiresAt: made.expiresAt, replaces: made.id, lastUsedAt: null });
    expect(r.body.token).toMatch(/^sg_/);
    expect(r.body.token).not.toBe(made.token);
    expect(r.body.id).not.toBe(made.id);
    // The old secret: refused from the next request, its live connection closed as revoked.
    expect(await live.closed).toBe(4401);
    expect(live.messages.at(-1)).toMatchObject({ type: 'error', code: 'revoked' });
    expect((await s.api('/api/v1/cis', { token: made.token })).status).toBe(401);
    // The new one does what the old one did.
    expect((await s.api('/api/v1/whoami', { token: r.body.token })).body).toMatchObject({ id: r.body.id, role: 'change-manager', team: 'payments' });
    const items = (await s.api('/api/v1/tokens')).body.items as { id: string; name: string }[];
    expect(items.filter((t) => t.name === 'payments on-call').map((t) => t.id)).toEqual([r.body.id]);
    expect(JSON.stringify(items)).not.toContain(r.body.token);
  });

  it('refuses to rotate an unknown, an expired or its own token, and changes nothing then', async () => {
    const before = (await s.api('/api/v1/tokens')).body.items.length;
    const unknown = await s.api('/api/v1/tokens/tok-nosuch/rotate', { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBeTypeOf('string');
    const me = (await s.api('/api/v1/whoami')).body;
    expect((await s.api(`/api/v1/tokens/${me.id}/rotate`, { method: 'POST' })).status).toBe(400);
    expect((await s.api('/api/v1/whoami')).status).toBe(200);
    const soon = (await s.api('/api/v1/tokens', { body: { name: 'short-lived', role: 'viewer', expiresAt: new Date(Date.now() + 1500).toISOString() } })).body;
    await new Promise((res) => setTimeout(res, 1600));
    const expired = await s.api(`/api/v1/tokens/${soon.id}/rotate`, { method: 'POST' });
    expect(expired.status).toBe(400);
    expect(expired.body.error.details.problems[0]).toMatchObject({ path: ['expiresAt'], code: 'expired' });
    expect((await s.api('/api/v1/tokens')).body.items.length).toBe(before + 1);
    // Only an admin rotates.
    expect((await s.api(`/api/v1/tokens/${soon.id}/rotate`, { method: 'POST', token: await s.tokenFor('change-manager') })).status).toBe(403);
  });
});

describe('the admin audit trail: who created, rotated and revoked which token', () => {
  let s: TestServer;
  beforeAll(async () => { s = await startTestServer(); });
  afterAll(async () => { await s.close(); });
  type Entry = { id: string; at: string; action: string; by: { id: string; name: string; role: string } | null; token: { id: string; name: string; role: string; team: string | null }; replacedBy?: string };
  const audit = async (q = '') => (await s.api(`/api/v1/audit${q}`)).body.items as Entry[];

  it('records each action with the admin who did it, newest first; a revoked token stays in the trail', async () => {
    const admin = (await s.api('/api/v1/whoami')).body;
    const made = (await s.api('/api/v1/tokens', { body: { name: 'dba on-call', role: 'change-manager', team: 'dba' } })).body;
    const rotated = (await s.api(`/api/v1/tokens/${made.id}/rotate`, { method: 'POST' })).body;
    expect((await s.api(`/api/v1/tokens/${rotated.id}`, { method: 'DELETE' })).status).toBe(204);
    const mine = (await audit()).filter((e) => e.token.name === 'dba on-call');
    const by = { id: admin.id, name: admin.name, role: 'admin' };
    expect(mine.map((e) => [e.action, e.token.id, e.replacedBy ?? null])).toEqual([
      ['token.revoked', rotated.id, null],
      ['token.rotated', made.id, rotated.id],
      ['token.created', made.id, null],
    ]);
    for (const e of mine) expect(e).toMatchObject({ by, token: { role: 'change-manager', team: 'dba' } });
    // Gone from the token list, still in the trail; never a secret or a hash in it.
    expect((await s.api('/api/v1/tokens')).body.items.some((t: { name: string }) => t.name === 'dba on-call')).toBe(false);
    const text = JSON.stringify(await audit());
    for (const secret of [made.token, rotated.token]) expect(text).not.toContain(secret);
    expect(text).not.toContain('hash');
  });

  it('writes nothing for an action that did not happen', async () => {
    const before = (await audit()).length;
    expect((await s.api('/api/v1/tokens/tok-nosuch', { method: 'DELETE' })).status).toBe(404);
    expect((await s.api('/api/v1/tokens/tok-nosuch/rotate', { method: 'POST' })).status).toBe(404);
    expect((await s.api('/api/v1/tokens', { body: { name: '', role: 'viewer' } })).status).toBe(400);
    const me = (await s.api('/api/v1/whoami')).body;
    expect((await s.api(`/api/v1/tokens/${me.id}`, { method: 'DELETE' })).status).toBe(400);
    expect((await audit()).length).toBe(before);
  });

  it('is for admins only, and bounded', async () => {
    for (const role of ['viewer', 'collector', 'change-manager'] as const) {
      expect((await s.api('/api/v1/audit', { token: await s.tokenFor(role) })).status).toBe(403);
    }
    for (let i = 0; i < 3; i++) await s.api('/api/v1/tokens', { body: { name: `bulk ${i}`, role: 'viewer' } });
    expect((await audit('?limit=2')).map((e) => e.token.name)).toEqual(['bulk 2', 'bulk 1']);
    const bad = await s.api('/api/v1/audit?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBeTypeOf('string');
    expect((await s.api('/api/v1/audit?limit=5000')).status).toBe(400);
  });
});

describe('the generated admin token', () => {
  it('is returned (for the start to print) only when it is generated, and kept readable by its owner only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-admin-'));
    try {
      const store = new SqliteStore({ file: join(dir, 'servicegraph.db') });
      await store.init();
      const first = await ensureAdminToken(store, { dataDir: dir, adminToken: undefined });
      expect(first).toMatch(/^sg_/);
      expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
      expect(await ensureAdminToken(store, { dataDir: dir, adminToken: undefined })).toBeNull();
      expect(await ensureAdminToken(store, { dataDir: dir, adminToken: 'sg_given_admin' })).toBeNull();
      // Both in the audit trail, made by the server itself (no token asked for them).
      expect((await latestAudit(store, 10)).map((e) => [e.action, e.token.name, e.by])).toEqual([
        ['token.created', 'admin (SERVICEGRAPH_ADMIN_TOKEN)', null], ['token.created', 'admin (first start)', null],
      ]);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the configured admin token is made once when several processes start on one store together (API workers)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-admin-race-'));
    const stores = [0, 1, 2].map(() => new SqliteStore({ file: join(dir, 'servicegraph.db') }));
    try {
      for (const st of stores) await st.init();
      // Each finds it missing before any has written it: one insert wins, the others find it made.
      const made = await Promise.all(stores.map((st) => ensureAdminToken(st, { dataDir: dir, adminToken: 'sg_shared_admin' })));
      expect(made).toEqual([null, null, null]);
      const tokens = (await stores[0].listTokens()).filter((t) => t.name === 'admin (SERVICEGRAPH_ADMIN_TOKEN)');
      expect(tokens.map((t) => t.role)).toEqual(['admin']);
    } finally {
      for (const st of stores) await st.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
