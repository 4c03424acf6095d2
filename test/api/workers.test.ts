import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnServer } from '../helpers/child-server.ts';

const token = 'sg_workers_admin';

describe('several API workers on one port (SERVICEGRAPH_WORKERS)', () => {
  let child: ChildProcess;
  let dataDir: string;
  let base: string;
  const call = (path: string, body?: unknown) => fetch(base + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sg-workers-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = await spawnServer({ dataDir, port, token, env: { SERVICEGRAPH_WORKERS: '2', SERVICEGRAPH_POLL_MS: '200' } });
  }, 60_000);
  afterAll(() => { child.kill('SIGKILL'); rmSync(dataDir, { recursive: true, force: true }); });

  it('answers from two processes, and a batch one of them committed reaches the other one\'s projection', async () => {
    // The port answers as soon as the first worker listens; the second may still be building its projection.
    const pids = new Set<number>();
    for (const until = Date.now() + 20_000; pids.size < 2 && Date.now() < until;) {
      pids.add((await (await fetch(`${base}/healthz`)).json()).pid);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(pids.size).toBe(2);

    const svc = (name: string) => ({ class: 'service', name, environment: 'prod' });
    const ingested = await call('/api/v1/ingest', {
      source: 'workers-test', cis: [svc('checkout'), svc('payments')],
      relations: [{ type: 'DEPENDS_ON', from: svc('checkout'), to: svc('payments') }],
    });
    expect(ingested.status).toBe(200);
    const { seq } = await ingested.json();
    const payments = (await (await call('/api/v1/cis?q=payments')).json()).items[0];

    // Impact runs on each worker's own projection: both must know the new relation, within a few polls.
    const seenBy = new Set<number>();
    const deadline = Date.now() + 5_000;
    while (seenBy.size < 2 && Date.now() < deadline) {
      const health = await (await fetch(`${base}/healthz`)).json();
      if (health.seq >= seq) seenBy.add(health.pid);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seenBy.size).toBe(2);
    for (let i = 0; i < 4; i++) {
      const r = await call('/api/v1/impact', { failed: [{ ci: payments.id, state: 'down' }] });
      expect(r.status).toBe(200);
      expect((await r.json()).impacted.map((x: { name: string }) => x.name)).toEqual(['payments', 'checkout']);
    }
  }, 30_000);
});
