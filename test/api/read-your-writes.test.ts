import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import WebSocket from 'ws';
import express from 'express';
import { createServer } from 'node:http';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { createApp } from '../../server/api/app.ts';
import { RouteTable } from '../../server/api/route-table.ts';
import type { ServerMessage } from '../../server/model/live.ts';

const svc = (name: string) => ({ class: 'service', name, environment: 'ryw' });
const dep = (from: string, to: string) => ({ type: 'DEPENDS_ON', from: svc(from), to: svc(to) });

/**
 * The ingest reply goes out once the batch committed, before the projection, the caches and the live hub hear of
 * it (SERVICEGRAPH_PROJECTION_APPLY=after-reply, the default); every other request that arrives after the reply
 * waits until they have, so a client reads its writes: maps, impact, CI detail and the live stream.
 */
describe('reads after an ingest reply see that batch', () => {
  let s: TestServer;
  let collector: string;
  let viewer: string;
  const ingest = (body: unknown) => s.api('/api/v1/ingest', { body, token: collector });
  const idOf = async (name: string) => (await s.api(`/api/v1/cis?q=${name}&environment=ryw`, { token: viewer })).body.items.find((c: { name: string }) => c.name === name)?.id as string | undefined;

  beforeAll(async () => {
    s = await startTestServer();
    collector = await s.tokenFor('collector');
    viewer = await s.tokenFor('viewer');
  });
  afterAll(async () => { await s?.close(); });

  it('answers with the change event sequence in the body and in x-servicegraph-seq, before the projection has it', async () => {
    expect(s.ingestThread?.up).toBe(true);
    const written = await s.ingestThread!.serve({ body: { parsed: { source: 'k', scope: 'seq', cis: [svc('seq-1')] } }, dryRun: false, idempotency: { header: undefined, principal: 'test' } });
    // The reply is ready while the projection is still at the sequence before it: the writer did not wait for it.
    expect(written.result).toHaveProperty('seq');
    const seq = (written.result as { seq: number }).seq;
    expect(s.topology.seq).toBeLessThan(seq);
    expect(s.feed.caughtUp()).not.toBeNull();
    await s.feed.caughtUp();
    expect(s.topology.seq).toBeGreaterThanOrEqual(seq);

    const r = await ingest({ source: 'k', scope: 'seq', cis: [svc('seq-1'), svc('seq-2')] });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-servicegraph-seq')).toBe(String(r.body.seq));
    expect(r.body.seq).toBeGreaterThan(seq);
  });

  it('a map, an impact, the CI and the live stream each show the batch answered just before', async () => {
    await ingest({ source: 'k', scope: 'hub', cis: [svc('ryw-hub')] });
    const hub = (await idOf('ryw-hub'))!;
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/api/v1/events?token=${viewer}`);
    const live: ServerMessage[] = [];
    ws.on('message', (d) => live.push(JSON.parse(String(d)) as ServerMessage));
    await new Promise<void>((r) => ws.once('open', () => r()));

    for (let round = 0; round < 8; round++) {
      const name = `ryw-dep-${round}`;
      const w = await ingest({ source: 'k', scope: `dep-${round}`, cis: [svc(name)], relations: [dep(name, 'ryw-hub')] });
      expect(w.status).toBe(200);
      // Sent at once, together, after the reply.
      const [graph, impact] = await Promise.all([
        s.api(`/api/v1/graph?focus=${hub}&depth=1&group=none`, { token: viewer }),
        s.api('/api/v1/impact', { body: { failed: [{ ci: hub, state: 'down' }] }, token: viewer }),
      ]);
      expect(graph.body.nodes.map((n: { name?: string; label?: string }) => n.name ?? n.label)).toContain(name);
      expect(impact.body.impacted.map((i: { name: string }) => i.name)).toContain(name);
      // The hub itself and every dependent written so far.
      expect(impact.body.total).toBe(round + 2);
      const id = (await idOf(name))!;
      const detail = await s.api(`/api/v1/cis/${id}`, { token: viewer });
      expect(detail.status).toBe(200);
      expect(detail.body.relations.outgoing.map((r: { to: string }) => r.to)).toEqual([hub]);
      for (let i = 0; i < 200 && !live.some((m) => m.type === 'change' && m.event.seq === w.body.seq); i++) await new Promise((r) => setTimeout(r, 10));
      const event = live.find((m) => m.type === 'change' && m.event.seq === w.body.seq);
      expect(event && event.type === 'change' && event.event.changes.some((c) => c.ci?.name === name)).toBe(true);
    }
    ws.close();
  });

  it('a 10,000-CI batch reaches reads whole: each sees none or all of it, and the first after the reply all of it', async () => {
    await ingest({ source: 'k', scope: 'big-hub', cis: [svc('big-hub')] });
    const hub = (await idOf('big-hub'))!;
    const n = 10_000;
    const names = Array.from({ length: n }, (_, i) => `big-${i}`);
    const big = { source: 'k', scope: 'big', cis: names.map(svc), relations: names.map((m) => dep(m, 'big-hub')) };
    let replied = false;
    const seen: number[] = [];
    const write = ingest(big).then((r) => { replied = true; return r; });
    // Reads keep arriving while the batch is written, answered and applied.
    while (!replied) {
      const r = await s.api('/api/v1/impact', { body: { failed: [{ ci: hub, state: 'down' }] }, token: viewer });
      seen.push(r.body.total);
    }
    expect((await write).status).toBe(200);
    const after = await s.api('/api/v1/impact', { body: { failed: [{ ci: hub, state: 'down' }] }, token: viewer });
    // The hub itself, then with the batch its n dependents.
    expect(after.body.total).toBe(n + 1);
    expect(seen.length).toBeGreaterThan(0);
    for (const total of seen) expect([1, n + 1]).toContain(total);
  }, 120_000);

  it('on shutdown, a batch already answered still reaches the projection', async () => {
    const other = await startTestServer();
    try {
      const written = await other.ingestThread!.serve({ body: { parsed: { source: 'k', scope: 'last', cis: [svc('last-words')] } }, dryRun: false, idempotency: { header: undefined, principal: 'test' } });
      const seq = (written.result as { seq: number }).seq;
      expect(other.topology.seq).toBeLessThan(seq);
      await other.close();
      expect(other.topology.seq).toBe(seq);
      const topo = other.topology.current;
      expect(Array.from({ length: topo.nodeCount }, (_, n) => topo.nameOf(n))).toContain('last-words');
    } finally {
      await other.close();
    }
  });
});

/** The barrier itself: every route but ingest waits for the projection to catch up; ingest never waits. */
describe('routes wait for the projection to catch up, ingest does not', () => {
  it('holds a read while an answered batch is pending and runs it once delivered', async () => {
    let release: () => void = () => {};
    let pending: Promise<void> | null = new Promise<void>((r) => { release = r; });
    const routes = new RouteTable()
      .route({ method: 'get', path: '/thing', summary: 'a read', role: 'viewer' }, (_req, res) => { res.json({ read: true }); })
      .route({ method: 'post', path: '/write', summary: 'a write', role: 'collector', catchUp: false }, (_req, res) => { res.json({ wrote: true }); });
    const app = createApp({
      bodyBytes: 1024, health: () => ({ status: 200, body: {} }), root: [], api: [routes],
      authenticate: (req, _res, next) => { req.principal = { id: 't', role: 'admin' } as never; next(); },
      caughtUp: () => pending,
    });
    app.use(express.json());
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v1`;
    try {
      let readDone = false;
      const read = fetch(`${url}/thing`).then(async (r) => { readDone = true; return r.json(); });
      const write = await fetch(`${url}/write`, { method: 'POST' });
      expect(write.status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
      expect(readDone).toBe(false);
      pending = null;
      release();
      expect(await read).toEqual({ read: true });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
