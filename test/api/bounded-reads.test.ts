import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { loadConfig } from '../../server/config.ts';

/** Reads over a whole estate are capped, or give way to other requests (issue 10, item 7). */
describe('bounded reads', () => {
  let s: TestServer;
  const t0 = new Date(Date.now() - 1000).toISOString();
  beforeAll(async () => {
    s = await startTestServer({ config: { limits: { ...loadConfig({}).limits, listLimit: 20 } } });
    const cis = Array.from({ length: 1200 }, (_, i) => ({ class: 'service', name: `svc-${i}` }));
    const relations = cis.slice(1).map((c, i) => ({ type: 'DEPENDS_ON', from: { class: 'service', name: c.name }, to: { class: 'service', name: `svc-${i}` } }));
    expect((await s.api('/api/v1/ingest', { body: { source: 'manual', cis, relations } })).status).toBe(200);
  });
  afterAll(async () => { await s.close(); });

  it('caps a diff at the list limit and says it was cut, whatever limit is asked', async () => {
    const r = await s.api(`/api/v1/diff?from=${t0}&limit=50000`);
    expect(r.status).toBe(200);
    expect(r.body.truncated).toBe(true);
    expect(r.body.cis.added).toHaveLength(20);
    expect(r.body.relations.added).toHaveLength(20);
  });

  it('caps a drift report at the list limit, counting every relation once', async () => {
    const r = await s.api('/api/v1/drift?days=0&limit=100000');
    expect(r.status).toBe(200);
    expect(r.body.truncated).toBe(true);
    expect(r.body.declaredNotObserved).toHaveLength(20);
    expect(new Set(r.body.declaredNotObserved.map((d: { id: string }) => d.id)).size).toBe(20);
    expect(r.body.declaredNotObserved[0]).toMatchObject({ from: { name: expect.stringMatching(/^svc-/), class: 'service' }, to: { class: 'service' } });
  });

  it('answers /healthz while a drift report reads the estate page by page', async () => {
    const order: string[] = [];
    // The server and this test share one event loop: /healthz is sent once the report has read its first
    // page, and can only be answered first if the report gives way between pages.
    const list = s.store.listCis.bind(s.store);
    let firstPage!: () => void;
    const started = new Promise<void>((r) => { firstPage = r; });
    s.store.listCis = async (q) => { firstPage(); return list(q); };
    const drift = s.api('/api/v1/drift?days=0').then((r) => { order.push('drift'); return r; });
    await started;
    s.store.listCis = list;
    const health = s.api('/healthz', { token: null }).then((r) => { order.push('healthz'); return r; });
    const [d, h] = await Promise.all([drift, health]);
    expect(d.status).toBe(200);
    expect(h.status).toBe(200);
    expect(order).toEqual(['healthz', 'drift']);
  });

  it('stops a CI search whose client went away, and still answers the next one', async () => {
    const list = s.store.listCis.bind(s.store);
    let searching!: (signal: AbortSignal | undefined) => void;
    const called = new Promise<AbortSignal | undefined>((r) => { searching = r; });
    // The store is held until the signal says the client left (or a test timeout says it never does).
    s.store.listCis = (q, opts) => {
      searching(opts?.signal);
      return new Promise((_, reject) => opts?.signal?.addEventListener('abort', () => reject(opts.signal!.reason), { once: true }));
    };
    const ac = new AbortController();
    const search = fetch(`${s.url}/api/v1/cis?q=nothing-like-it&limit=10`, { headers: { authorization: `Bearer ${s.adminToken}` }, signal: ac.signal }).catch((e: Error) => e.name);
    const signal = await Promise.race([called, search.then((r) => { throw new Error(`answered before it reached the store: ${typeof r === "string" ? r : r.status}`); })]);
    expect(signal?.aborted).toBe(false);
    ac.abort();
    expect(await search).toBe('AbortError');
    await new Promise<void>((r) => (signal!.aborted ? r() : signal!.addEventListener('abort', () => r(), { once: true })));
    expect(signal!.reason).toMatchObject({ status: 499, code: 'client_closed' });
    s.store.listCis = list;
    const next = await s.api('/api/v1/cis?q=svc-11&limit=5');
    expect(next.status).toBe(200);
    expect(next.body.items.map((x: { name: string }) => x.name)).toEqual(['svc-11', 'svc-110', 'svc-1100', 'svc-1101', 'svc-1102']);
  });
});
