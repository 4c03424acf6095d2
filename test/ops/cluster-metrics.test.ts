import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requestOnce, spawnServer } from '../helpers/child-server.ts';

const token = 'sg_group_metrics_admin';
const metricsToken = 'sg_group_metrics_scraper';

/** The value of one series in a Prometheus text exposition (undefined when absent). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics with API workers (SERVICEGRAPH_WORKERS=2)', () => {
  let child: ChildProcess | undefined; // undefined when the server did not start: its store is still removed
  let dataDir: string;
  let base: string;
  const once = (method: 'GET' | 'POST', path: string, body?: unknown, as = token) => requestOnce(base, as, method, path, body);
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sg-group-metrics-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = await spawnServer({ dataDir, port, token, env: { SERVICEGRAPH_WORKERS: '2', SERVICEGRAPH_POLL_MS: '200', SERVICEGRAPH_METRICS_TOKEN: metricsToken } });
  }, 120_000);
  afterAll(() => { child?.kill('SIGKILL'); rmSync(dataDir, { recursive: true, force: true }); });

  it('a scrape reaching either worker counts the requests both served, and the projection once', async () => {
    const svc = (name: string) => ({ class: 'service', name, environment: 'prod' });
    const ingested = await once('POST', '/api/v1/ingest', { source: 'manual', cis: [svc('orders'), svc('stock')], relations: [{ type: 'DEPENDS_ON', from: svc('orders'), to: svc('stock') }] });
    expect(ingested.status).toBe(200);

    // Requests on fresh connections until each worker has served a few of them (and both hold the batch).
    const served = new Map<number, number>();
    let requests = 0;
    for (const until = Date.now() + 20_000; Date.now() < until && (served.size < 2 || Math.min(...served.values()) < 3);) {
      const r = await once('GET', '/api/v1/cis?limit=5');
      expect(r.status).toBe(200);
      requests++;
      served.set(r.instance, (served.get(r.instance) ?? 0) + 1);
    }
    expect(served.size).toBe(2);
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      const seqs = new Map<number, number>();
      for (let i = 0; i < 10; i++) { const h = await once('GET', '/healthz'); seqs.set(h.body.pid, h.body.seq); }
      if (seqs.size === 2 && [...seqs.values()].every((s) => s >= ingested.body.seq)) break;
    }

    // Whichever worker answers the scrape, the counts are the group's: the sum of what each served.
    const scrapedBy = new Set<number>();
    for (let i = 0; i < 40 && scrapedBy.size < 2; i++) {
      const scrape = await once('GET', '/metrics', undefined, metricsToken);
      expect(scrape.status).toBe(200);
      const text = scrape.body as string;
      expect(sample(text, 'servicegraph_http_request_duration_seconds_count{method="GET",route="/api/v1/cis",status="200"}')).toBe(requests);
      expect(sample(text, 'servicegraph_ingest_batches_total{source="manual",outcome="ok"}')).toBe(1);
      expect(sample(text, 'servicegraph_ingest_items_total{kind="ci",action="created"}')).toBe(2);
      // Every worker holds the whole projection: its size is not multiplied by the workers.
      expect(sample(text, 'servicegraph_projection_cis')).toBe(2);
      expect(sample(text, 'servicegraph_projection_relations')).toBe(1);
      expect(sample(text, 'servicegraph_projection_seq')).toBe(ingested.body.seq);
      // One series per name: the group's, not one per worker.
      expect(text.match(/^# TYPE nodejs_eventloop_lag_seconds gauge$/gm)).toHaveLength(1);
      scrapedBy.add(scrape.instance);
    }
    expect(scrapedBy.size).toBe(2);
  }, 60_000);
});
