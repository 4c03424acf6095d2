import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv, type Config } from '../../server/config.ts';
import { startServer } from '../../server/server.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { startSlowServer } from '../helpers/slow-start.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c(); });

async function startSlow() {
  const s = await startSlowServer();
  cleanups.push(() => s.close());
  token = s.token;
  return s;
}
let token = '';

const get = async (url: string, path: string, init: RequestInit = {}) => {
  const res = await fetch(url + path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text.startsWith('{') ? JSON.parse(text) : text };
};

describe('a start listens before its projection is loaded', () => {
  it('answers /healthz 503 starting with its progress, every API route 503 starting with Retry-After, then serves normally', async () => {
    const { store, url: listening, started } = await startSlow();
    const url = await listening;

    // The total is counted beside the load (on a thread of its own): it comes a moment after the first CIs.
    const total = (await store.topologySize()).cis;
    await expect.poll(async () => (await get(url, '/healthz')).body.totalCis).toBe(total);
    const health = await get(url, '/healthz');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'starting', ok: false, phase: 'loading the projection', totalCis: total });
    expect(health.body.loadedCis).toBeGreaterThan(0);
    expect(health.body.loadedCis).toBeLessThan(health.body.totalCis);
    expect(health.body.reasons[0]).toMatch(/^servicegraph is starting: loading [\d,]+ of [\d,]+ CIs/);

    // Reads, writes (the body is not read), the probes and the API document: 503 `starting`, and when to come back.
    const refusals = await Promise.all([
      get(url, '/api/v1/graph?depth=2'),
      get(url, '/api/v1/impact', { method: 'POST', body: JSON.stringify({ failed: [{ ci: 'x', state: 'down' }] }) }),
      get(url, '/api/v1/ingest', { method: 'POST', body: JSON.stringify({ source: 's', cis: [] }) }),
      get(url, '/api/v1/cis'),
      get(url, '/readyz'),
      get(url, '/metrics'),
    ]);
    for (const r of refusals) {
      expect(r.status).toBe(503);
      expect(r.retryAfter).toBe('2');
      expect(r.body.error).toMatchObject({ code: 'starting', message: expect.stringMatching(/^servicegraph is starting: loading/) });
      expect(r.body.error.details.starting).toMatchObject({ status: 'starting', loadedCis: health.body.loadedCis });
    }
    // The web app itself is served (it says "starting" on its own: web/App.svelte).
    expect((await fetch(url + '/map')).status).not.toBe(503);
    let done = false;
    void started.then(() => { done = true; });
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);

    store.letGo();
    const server = await started;
    expect(server.url).toBe(url);
    const ready = await get(url, '/healthz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ok: true });
    const graph = await get(url, '/api/v1/graph?depth=1');
    expect(graph.status).toBe(200);
    expect(graph.body.nodes.length).toBeGreaterThan(0);
    const ci = graph.body.nodes.find((n: { group?: boolean }) => !n.group).id;
    const impact = await get(url, '/api/v1/impact', { method: 'POST', body: JSON.stringify({ failed: [{ ci, state: 'down' }] }) });
    expect(impact.status).toBe(200);
    expect((await get(url, '/readyz')).status).toBe(200);
  });

  it('gives up cleanly when the projection cannot load: the port closes and the start rejects', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sg-startup-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    class Failing extends SqliteStore {
      override async *streamTopology(): AsyncGenerator<never> { throw new Error('disk gone'); }
    }
    const store = new Failing({ file: join(dataDir, 'store.db') });
    let url = '';
    const config: Config = { ...configFromEnv({ SERVICEGRAPH_LOG_LEVEL: 'silent' }), port: 0, host: '127.0.0.1', dataDir, adminToken: token, pollMs: 200, otlpGrpcPort: null, ingestThread: 'off' };
    await expect(startServer(config, { store, onListening: (u) => { url = u; } })).rejects.toThrow('disk gone');
    expect(url).not.toBe('');
    await expect(fetch(url + '/healthz')).rejects.toThrow();
  });
});
