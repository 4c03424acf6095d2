import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requestOnce, spawnServer, untilWorkersAnswer } from '../helpers/child-server.ts';

const token = 'sg_workers_admin';

const once = (base: string, method: 'GET' | 'POST', path: string, body?: unknown) => requestOnce(base, token, method, path, body);

/** The workers whose projection reached `seq` within 5 s (by pid). */
async function workersAt(base: string, seq: number): Promise<Set<number>> {
  const seenBy = new Set<number>();
  const deadline = Date.now() + 5_000;
  while (seenBy.size < 2 && Date.now() < deadline) {
    const health = (await once(base, 'GET', '/healthz')).body;
    if (health.seq >= seq) seenBy.add(health.pid);
    await new Promise((r) => setTimeout(r, 50));
  }
  return seenBy;
}

describe('several API workers on one port (SERVICEGRAPH_WORKERS)', () => {
  let child: ChildProcess | undefined; // undefined when the server did not start: its store is still removed
  let dataDir: string;
  let base: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sg-workers-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = await spawnServer({ dataDir, port, token, env: { SERVICEGRAPH_WORKERS: '2', SERVICEGRAPH_POLL_MS: '200' } });
  }, 120_000);
  afterAll(() => { child?.kill('SIGKILL'); rmSync(dataDir, { recursive: true, force: true }); });

  it('answers from two processes, and a batch one of them committed reaches the other one\'s projection', async () => {
    // The port answers as soon as the first worker listens; the second may still be building its projection.
    expect((await untilWorkersAnswer(base, token, 2)).size).toBe(2);

    const svc = (name: string) => ({ class: 'service', name, environment: 'prod' });
    const ingested = await once(base, 'POST', '/api/v1/ingest', {
      source: 'workers-test', cis: [svc('checkout'), svc('payments')],
      relations: [{ type: 'DEPENDS_ON', from: svc('checkout'), to: svc('payments') }],
    });
    expect(ingested.status).toBe(200);
    const { seq } = ingested.body;
    const payments = (await once(base, 'GET', '/api/v1/cis?q=payments')).body.items[0];

    // Impact runs on each worker's own projection: both must know the new relation, within a few polls.
    expect((await workersAt(base, seq)).size).toBe(2);
    // And each answers the blast radius from it: payments down takes checkout down, on both workers.
    const answeredBy = new Set<number>();
    for (let i = 0; i < 40 && answeredBy.size < 2; i++) {
      const r = await once(base, 'POST', '/api/v1/impact', { failed: [{ ci: payments.id, state: 'down' }] });
      expect(r.status).toBe(200);
      expect(r.body.impacted.map((x: { name: string }) => x.name)).toEqual(['payments', 'checkout']);
      answeredBy.add(r.instance);
    }
    expect(answeredBy.size).toBe(2);
  }, 30_000);
});

describe('several API workers and the ingest writer\'s own port (SERVICEGRAPH_WORKERS, SERVICEGRAPH_INGEST_PORT)', () => {
  let child: ChildProcess | undefined; // undefined when the server did not start: its store is still removed
  let dataDir: string;
  let base: string;
  let ingestBase: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sg-workers-ingest-'));
    const [port, ingestPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    ingestBase = `http://127.0.0.1:${ingestPort}`;
    // A poll far longer than the test: only the primary passing each commit on can bring it to the workers in time.
    child = await spawnServer({ dataDir, port, token, env: { SERVICEGRAPH_WORKERS: '2', SERVICEGRAPH_POLL_MS: '600000', SERVICEGRAPH_INGEST_PORT: String(ingestPort) } });
  }, 120_000);
  afterAll(() => { child?.kill('SIGKILL'); rmSync(dataDir, { recursive: true, force: true }); });

  it('the primary\'s writer thread takes batches there, and every worker\'s projection hears of each one', async () => {
    expect((await untilWorkersAnswer(base, token, 2)).size).toBe(2);
    const svc = (name: string) => ({ class: 'service', name, environment: 'prod' });
    const ingested = await requestOnce(ingestBase, token, 'POST', '/api/v1/ingest', {
      source: 'workers-test', cis: [svc('checkout'), svc('payments')],
      relations: [{ type: 'DEPENDS_ON', from: svc('checkout'), to: svc('payments') }],
    });
    expect(ingested.status).toBe(200);
    // Answered by neither worker: by the primary's thread.
    const workers = await untilWorkersAnswer(base, token, 2);
    expect(workers.has(ingested.instance)).toBe(false);
    const { seq } = ingested.body;
    expect((await workersAt(base, seq)).size).toBe(2);
  }, 30_000);

  it('the batches served on the primary\'s port are counted once in the group\'s metrics, whichever worker is scraped', async () => {
    const svc = (name: string) => ({ class: 'service', name, environment: 'prod' });
    const sample = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(series + ' '))?.slice(series.length + 1) ?? 0);
    const http = 'servicegraph_http_request_duration_seconds_count{method="POST",route="/api/v1/ingest",status="200"}';
    const batches = 'servicegraph_ingest_batches_total{source="manual",outcome="ok"}';
    const counts = async () => { const t = (await requestOnce(base, token, 'GET', '/metrics')).body as string; return [sample(t, http), sample(t, batches)]; };
    // The test before sent one batch there too (source "other"): counted in the HTTP series, not in this source's.
    const [httpBefore] = await counts();
    for (const name of ['metered-a', 'metered-b', 'metered-c']) {
      expect((await requestOnce(ingestBase, token, 'POST', '/api/v1/ingest', { source: 'manual', cis: [svc(name)] })).status).toBe(200);
    }
    // The primary hands each observation to one worker (a message): a scrape may come a moment before the last.
    for (const until = Date.now() + 10_000; Date.now() < until && (await counts())[1] < 3;) await new Promise((r) => setTimeout(r, 50));
    const scrapedBy = new Set<number>();
    for (let i = 0; i < 40 && scrapedBy.size < 2; i++) {
      const scrape = await requestOnce(base, token, 'GET', '/metrics');
      expect([sample(scrape.body as string, http) - httpBefore, sample(scrape.body as string, batches)]).toEqual([3, 3]);
      scrapedBy.add(scrape.instance);
    }
    expect(scrapedBy.size).toBe(2);
  }, 30_000);
});

describe('several API workers with SERVICEGRAPH_INGEST_PORT taken', () => {
  it('the group says which port, forks no worker and ends by itself with exit code 1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sg-workers-taken-'));
    const taken = createServer();
    const ingestPort = await freePort();
    await new Promise<void>((r) => taken.listen(ingestPort, '127.0.0.1', r));
    try {
      const port = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'server', 'main.ts')], {
        env: {
          ...process.env, PORT: String(port), HOST: '127.0.0.1', SERVICEGRAPH_DATA_DIR: dataDir, SERVICEGRAPH_ADMIN_TOKEN: token,
          SERVICEGRAPH_OTLP_GRPC_PORT: 'off', SERVICEGRAPH_WORKERS: '2', SERVICEGRAPH_INGEST_PORT: String(ingestPort),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stdout?.resume();
      child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
      // Ending by itself: nothing left holding its event loop once it stopped what it had started.
      const code = await new Promise<number | null>((resolve) => {
        const kill = setTimeout(() => { child.kill('SIGKILL'); resolve(null); }, 30_000);
        child.once('exit', (c) => { clearTimeout(kill); resolve(c); });
      });
      expect(code).toBe(1);
      expect(err).toContain(`did not start on port ${ingestPort}`);
      expect(err).not.toMatch(/API worker/);
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      await new Promise((r) => taken.close(r));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 40_000);
});
