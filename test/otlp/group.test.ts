import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, requestOnce, spawnServer, untilWorkersAnswer } from '../helpers/child-server.ts';

const token = 'sg_otlp_group_admin';
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** One exporter request in OTLP JSON: one span of `service`. */
function exportOf(service: string, span: { traceId: string; spanId: string; parentSpanId: string; kind: number }) {
  const nanos = String(BigInt(Date.now()) * 1_000_000n);
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, { key: 'deployment.environment.name', value: { stringValue: 'group' } }] },
      scopeSpans: [{ scope: { name: 'test' }, spans: [{ ...span, name: 'call', startTimeUnixNano: nanos, endTimeUnixNano: nanos, status: {} }] }],
    }],
  };
}

describe('live OTLP with API workers (SERVICEGRAPH_WORKERS=2)', () => {
  let child: ChildProcess | undefined; // undefined when the server did not start: its store is still removed
  let dataDir: string;
  let base: string;
  const once = (method: 'GET' | 'POST', path: string, body?: unknown) => requestOnce(base, token, method, path, body);
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sg-otlp-group-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = await spawnServer({ dataDir, port, token, env: { SERVICEGRAPH_WORKERS: '2', SERVICEGRAPH_POLL_MS: '200', SERVICEGRAPH_OTLP_FLUSH_MS: '300' } });
  }, 60_000);
  afterAll(() => { child?.kill('SIGKILL'); rmSync(dataDir, { recursive: true, force: true }); });

  it('a client span and the server span under it pair into an edge when different workers took them', async () => {
    // The port answers as soon as the first worker listens; wait for the second one.
    expect((await untilWorkersAnswer(base, token, 2)).size).toBe(2);
    // Each service exports on its own connection, as separate SDKs do: node:cluster gives connections
    // to workers in turn, so the two halves of a call often land on different workers.
    let calls = 0;
    let split = 0;
    for (let i = 1; (split < 3 || calls < 6) && i <= 60; i++) {
      const traceId = hex(i, 32);
      const client = await once('POST', '/v1/traces', exportOf('group-web', { traceId, spanId: hex(2 * i, 16), parentSpanId: '', kind: 3 }));
      const server = await once('POST', '/v1/traces', exportOf('group-api', { traceId, spanId: hex(2 * i + 1, 16), parentSpanId: hex(2 * i, 16), kind: 2 }));
      expect([client.status, client.body, server.status, server.body]).toEqual([200, {}, 200, {}]);
      calls++;
      if (client.instance !== server.instance) split++;
    }
    expect(split).toBeGreaterThanOrEqual(3);

    // Every call counts on the one edge, whichever workers took its spans.
    let observed: { calls: number } | undefined;
    for (const until = Date.now() + 15_000; Date.now() < until && observed?.calls !== calls;) {
      await new Promise((r) => setTimeout(r, 300));
      const cis = (await once('GET', '/api/v1/cis?q=group-')).body.items as { id: string; name: string }[];
      const [web, api] = ['group-web', 'group-api'].map((n) => cis.find((c) => c.name === n));
      if (!web || !api) continue;
      const rel = (await once('GET', `/api/v1/cis/${web.id}`)).body.relations.outgoing.find((r: { to: string }) => r.to === api.id);
      observed = rel?.observed;
    }
    expect(observed?.calls).toBe(calls);

    // Metrics: spans accepted summed over the workers that took them; the fold's figures once, not once per worker.
    const scrape = async () => {
      const text = (await once('GET', '/metrics')).body as string;
      return (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    };
    for (const until = Date.now() + 5_000; Date.now() < until;) {
      const value = await scrape();
      if (value('servicegraph_otlp_spans_accepted_total') === 2 * calls) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    await new Promise((r) => setTimeout(r, 1_500)); // the fold reports to every worker each second
    const value = await scrape();
    expect(value('servicegraph_otlp_spans_accepted_total')).toBe(2 * calls);
    expect(value('servicegraph_otlp_new_cis_total')).toBe(2);
    expect(value('servicegraph_otlp_flushes_total')).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
