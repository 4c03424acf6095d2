import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { bearerToken } from '../../server/api/auth.ts';

describe('tokens and roles', () => {
  let s: TestServer;
  const tok: Record<string, string> = {};
  beforeAll(async () => {
    s = await startTestServer();
    for (const role of ['viewer', 'collector', 'change-manager'] as const) tok[role] = await s.tokenFor(role);
    tok.admin = s.adminToken;
  });
  afterAll(async () => { await s.close(); });

  const batch = { source: 'k', cis: [{ class: 'service', name: 'auth-test' }] };

  it('answers /healthz without a token and everything else only with one', async () => {
    expect((await s.api('/healthz', { token: null })).status).toBe(200);
    const r = await s.api('/api/v1/cis', { token: null });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthenticated');
    expect((await s.api('/api/v1/cis', { token: 'sg_wrong' })).status).toBe(401);
    expect((await s.api('/api/v1/openapi.json', { token: null })).status).toBe(401);
  });

  it('takes the Bearer scheme in any case (RFC 9110), as hand-written exporter headers send it, and nothing else', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      expect((await fetch(`${s.url}/api/v1/cis`, { headers: { authorization: `${scheme} ${tok.viewer}` } })).status).toBe(200);
    }
    expect((await fetch(`${s.url}/api/v1/cis`, { headers: { authorization: `Basic ${tok.viewer}` } })).status).toBe(401);
    expect(bearerToken('bearer  sg_x \t')).toBe('sg_x');
    expect([bearerToken('Bearer'), bearerToken('Bearer '), bearerToken('Bearersg_x'), bearerToken(undefined)]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it.each([
    ['viewer', 'GET /api/v1/cis', 200], ['viewer', 'POST /api/v1/ingest', 403], ['viewer', 'POST /api/v1/tokens', 403],
    ['collector', 'POST /api/v1/ingest', 200], ['collector', 'GET /api/v1/cis', 403], ['collector', 'GET /api/v1/graph', 403],
    ['change-manager', 'GET /api/v1/cis', 200], ['change-manager', 'POST /api/v1/ingest', 200], ['change-manager', 'POST /api/v1/tokens', 403],
    ['admin', 'POST /api/v1/tokens', 201], ['admin', 'GET /api/v1/openapi.json', 200],
  ])('%s: %s → %i', async (role, route, status) => {
    const [method, path] = route.split(' ');
    const body = path.endsWith('/ingest') ? batch : path.endsWith('/tokens') ? { name: 'made by test', role: 'viewer' } : undefined;
    const r = await s.api(path, { method, token: tok[role], body });
    expect(r.status).toBe(status);
    if (status === 403) expect(r.body.error.code).toBe('forbidden');
  });

  it('issues a token that works at once and is stored only as a hash', async () => {
    const r = await s.api('/api/v1/tokens', { body: { name: 'grafana', role: 'viewer' } });
    expect(r.status).toBe(201);
    expect(r.body.token).toMatch(/^sg_/);
    expect((await s.api('/api/v1/whoami', { token: r.body.token })).body).toMatchObject({ name: 'grafana', role: 'viewer' });
    expect(await s.store.findToken(r.body.token)).toBeNull();
  });

  it('rejects a token request with an unknown role', async () => {
    const r = await s.api('/api/v1/tokens', { body: { name: 'x', role: 'superuser' } });
    expect(r.status).toBe(400);
    expect(r.body.error.details.problems[0].path).toEqual(['role']);
  });
});
