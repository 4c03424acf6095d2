import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCollectCommand, type CliIo } from '../../collectors/cli.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const OTEL = '/work/shared/data/opentelemetry-demo';

function captureIo(env: Record<string, string | undefined> = {}): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: (t) => void (out += t), stderr: (t) => void (err += t), env, out: () => out, err: () => err };
}

describe('servicegraph collect against a real server', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    token = await server.tokenFor('collector');
  });
  afterAll(async () => server?.close());

  it('pushes the compose demo in several batches and the CIs and edges are found through the API', async () => {
    const io = captureIo();
    const code = await runCollectCommand(['compose', OTEL, '--server', server.url, '--token', token, '--batch-cis', '10', '--batch-relations', '30', '--json'], io);
    expect(io.err()).not.toMatch(/error/);
    expect(code).toBe(0);
    const summary = JSON.parse(io.out());
    expect(summary).toMatchObject({ source: 'compose', scope: 'opentelemetry-demo', runCompleted: true, cis: { created: 28 }, relations: { created: 77 } });
    expect(summary.batches).toBeGreaterThan(3);
    expect(io.err()).toMatch(/pushed batch \d+\/\d+: 28\/28 CIs, 77\/77 relations \(\d+ items\/s\)/);

    const found = await server.api('/api/v1/cis?q=checkout');
    expect(found.status).toBe(200);
    const checkout = found.body.items.find((c: { name: string }) => c.name === 'checkout');
    expect(checkout).toMatchObject({ class: 'service', environment: 'opentelemetry-demo' });
    const detail = await server.api(`/api/v1/cis/${checkout.id}`);
    expect(JSON.stringify(detail.body)).toMatch(/DEPENDS_ON/);
    const dbs = await server.api('/api/v1/cis?class=database');
    expect(dbs.body.items.map((c: { name: string }) => c.name)).toContain('astronomy-db');
  });

  it('runs again unchanged, and the kubernetes manifest pushes too (token from SERVICEGRAPH_TOKEN)', async () => {
    const again = captureIo();
    expect(await runCollectCommand(['compose', OTEL, '--server', server.url, '--token', token], again)).toBe(0);
    expect(again.out()).toMatch(/CIs: +0 created, 0 updated, 28 unchanged, 0 retired/);

    const k8s = captureIo({ SERVICEGRAPH_TOKEN: token, SERVICEGRAPH_URL: server.url });
    expect(await runCollectCommand(['kubernetes', join(OTEL, 'kubernetes-opentelemetry-demo.yaml'), '--cluster', 'demo'], k8s)).toBe(0);
    expect(k8s.err()).toMatch(/warning: .*FLAGD_UI_HOST names "flagd-ui"/);
    const workloads = await server.api('/api/v1/cis?class=k8s_workload&limit=100');
    expect(workloads.body.items).toHaveLength(25);
  });

  it('stops at the removal guard when a run would retire most of its scope, and --force completes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-cli-guard-'));
    try {
      writeFileSync(join(dir, 'compose.yaml'), 'name: opentelemetry-demo\nservices:\n  cart: {image: "ghcr.io/open-telemetry/demo:latest-cart"}\n');
      const refused = captureIo();
      expect(await runCollectCommand(['compose', dir, '--server', server.url, '--token', token], refused)).toBe(1);
      expect(refused.err()).toMatch(/HTTP 409 removal_guard/);
      expect(refused.err()).toMatch(/rerun with --force/);
      const forced = captureIo();
      expect(await runCollectCommand(['compose', dir, '--server', server.url, '--token', token, '--force', '--json'], forced)).toBe(0);
      expect(JSON.parse(forced.out()).cis.retired).toBe(27);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pushes a project given as -f files in order; its MONITORS edges are stored and carry no impact', async () => {
    const eshop = join(import.meta.dirname, '../fixtures/compose/eshop');
    const io = captureIo();
    const args = ['compose', '-f', join(eshop, 'docker-compose.yml'), '--file', join(eshop, 'docker-compose.override.yml'), '--project-name', 'eshop', '--server', server.url, '--token', token, '--json'];
    expect(await runCollectCommand(args, io)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ scope: 'eshop', cis: { created: 14 }, relations: { created: 33 } });

    const find = async (name: string) => (await server.api(`/api/v1/cis?q=${name}&environment=eshop`)).body.items.find((c: { name: string }) => c.name === name);
    const [webstatus, basket] = [await find('webstatus'), await find('basket-api')];
    const detail = await server.api(`/api/v1/cis/${webstatus.id}`);
    expect(JSON.stringify(detail.body)).toMatch(/MONITORS/);
    const impact = await server.api('/api/v1/impact', { method: 'POST', body: { failed: [{ ci: basket.id, state: 'down' }] } });
    expect(impact.status).toBe(200);
    const hit = impact.body.impacted.map((c: { name: string }) => c.name);
    expect(hit).toEqual(expect.arrayContaining(['webshoppingagg', 'webmvc', 'webspa']));
    expect(hit).not.toContain('webstatus');
  });

  it('applies the good services of a project when one name is refused, names the refused one, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-cli-refused-'));
    try {
      // A zero-width space makes 'pay\u200Bments' look like 'payments': the server refuses the name, not the project.
      writeFileSync(join(dir, 'compose.yaml'), 'name: refused-demo\nservices:\n  cart: {image: "demo/cart:1"}\n  "pay\u200Bments": {image: "demo/payments:1", depends_on: [cart]}\n  shop: {image: "demo/shop:1", depends_on: [cart]}\n');
      const io = captureIo();
      expect(await runCollectCommand(["compose", dir, "--server", server.url, "--token", token], io)).toBe(1);
      expect(io.err()).toContain('refused ci service/pay\\u200Bments: name: ');
      expect(io.err()).toMatch(/refused relation service\/pay\\u200Bments -DEPENDS_ON-> service\/cart: from\.name: .*U\+200B/);
      expect(io.err()).toMatch(/the server refused 2 items; the others were applied, and the run was not completed, so nothing was retired/);
      expect(io.out()).toMatch(/not completed/);
      const names = (await server.api('/api/v1/cis?environment=refused-demo&limit=50')).body.items.map((c: { name: string }) => c.name);
      expect(names).toEqual(expect.arrayContaining(['cart', 'shop']));
      expect(names.some((n: string) => n.startsWith('pay'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints a 4xx error body clearly and exits 1', async () => {
    const viewer = await server.tokenFor('viewer');
    const io = captureIo();
    expect(await runCollectCommand(['compose', OTEL, '--server', server.url, '--token', viewer], io)).toBe(1);
    expect(io.err()).toMatch(/push failed: batch 1: HTTP 403/);
    expect(io.err()).toMatch(/the run was not completed, so nothing was retired \(no batch was applied\)/);
  });
});

describe('servicegraph collect without pushing', () => {
  let requests = 0;
  let url = '';
  const http = createServer((_req, res) => {
    requests++;
    res.writeHead(500).end();
  });
  const dir = mkdtempSync(join(tmpdir(), 'sg-cli-'));
  beforeAll(async () => {
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => http.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('--dry-run prints the batches as JSON, the last one completing', async () => {
    const io = captureIo();
    expect(await runCollectCommand(['compose', OTEL, '--dry-run', '--batch-cis', '20', '--server', url], io)).toBe(0);
    const batches = JSON.parse(io.out());
    expect(batches.map((b: { cis: unknown[] }) => b.cis.length)).toEqual([20, 8]);
    expect(batches.map((b: { complete: boolean }) => b.complete)).toEqual([false, true]);
    expect(requests).toBe(0);
  });

  it('--profile (repeatable) activates Compose profiles: the service is then started by default', async () => {
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  app: {image: a}\n  debug: {image: d, profiles: [debug]}\n  seed: {image: s, profiles: [tools]}\n');
    const run = async (...extra: string[]) => {
      const io = captureIo();
      expect(await runCollectCommand(['compose', dir, '--dry-run', ...extra], io)).toBe(0);
      const cis = JSON.parse(io.out()).flatMap((b: { cis: { name: string; attributes?: { startedByDefault?: boolean } }[] }) => b.cis);
      return cis.filter((c: { attributes?: { startedByDefault?: boolean } }) => c.attributes?.startedByDefault !== false).map((c: { name: string }) => c.name).sort();
    };
    expect(await run()).toEqual(['app']);
    expect(await run('--profile', 'debug', '--profile', 'tools')).toEqual(['app', 'debug', 'seed']);
    expect(requests).toBe(0);
  });

  it('a malformed input fails with file and line and pushes nothing', async () => {
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  a:\n    image: a\n    depends_on: [b]\n');
    const io = captureIo();
    expect(await runCollectCommand(['compose', dir, '--server', url, '--token', 't'], io)).toBe(1);
    expect(io.err()).toMatch(/compose\.yaml:4: service "a" depends on undefined service "b"/);
    expect(io.err()).toMatch(/nothing was pushed/);
    expect(requests).toBe(0);
  });

  it('rejects an unknown source, an unknown source option and a missing token as usage errors', async () => {
    expect(await runCollectCommand(['nope'], captureIo())).toBe(2);
    const typo = captureIo();
    expect(await runCollectCommand(['kubernetes', '--kubconfig', 'x', '--live'], typo)).toBe(2);
    expect(typo.err()).toMatch(/unknown option --kubconfig/);
    const foreign = captureIo();
    expect(await runCollectCommand(['kubernetes', '-f', 'x.yaml'], foreign)).toBe(2);
    expect(foreign.err()).toMatch(/unknown option --file for kubernetes/);
    const both = captureIo();
    expect(await runCollectCommand(['compose', OTEL, '-f', join(OTEL, 'docker-compose.yml'), '--dry-run'], both)).toBe(1);
    expect(both.err()).toMatch(/one project per run/);
    const noToken = captureIo();
    expect(await runCollectCommand(['compose', OTEL, '--server', url], noToken)).toBe(2);
    expect(noToken.err()).toMatch(/no token/);
    expect(requests).toBe(0);
  });
});
