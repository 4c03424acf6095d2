import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/child-server.ts';

const root = join(import.meta.dirname, '..', '..');
const OTEL_K8S = '/work/shared/data/opentelemetry-demo/kubernetes-opentelemetry-demo.yaml';

/** Runs `cmd args` and reads its stdout only after `delayMs`, as `| (sleep 1; wc -c)` does. */
function runWithSlowReader(cmd: string, args: string[], delayMs: number): Promise<{ code: number | null; out: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.pause();
    setTimeout(() => { child.stdout.on('data', (c: Buffer) => chunks.push(c)); child.stdout.resume(); }, delayMs);
    let exit: number | null = null;
    child.on('exit', (code) => { exit = code; });
    child.stdout.on('end', () => setTimeout(() => resolve({ code: exit, out: Buffer.concat(chunks) }), 50));
    child.on('error', reject);
  });
}

describe('the servicegraph process', () => {
  it('writes all of its output to a pipe read late (no exit before stdout drained)', async () => {
    const r = await runWithSlowReader(process.execPath, [join(root, 'bin', 'servicegraph.js'), 'collect', 'kubernetes', OTEL_K8S, '--cluster', 'demo', '--dry-run', '--json', '--quiet'], 1000);
    expect(r.code).toBe(0);
    expect(r.out.length).toBeGreaterThan(65_536);
    const batches = JSON.parse(r.out.toString('utf8'));
    expect(batches.at(-1).complete).toBe(true);
  }, 60_000);

  it('npm start hands SIGTERM to the server, which drains and stops', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sg-sigterm-'));
    const port = await freePort();
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SERVICEGRAPH_DATA_DIR: dataDir, SERVICEGRAPH_ADMIN_TOKEN: 'sg_sigterm_test', SERVICEGRAPH_WEB_DIST: join(dataDir, 'no-web'), SERVICEGRAPH_OTLP_GRPC_PORT: 'off' },
    });
    const up = async () => { try { return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok; } catch { return false; } };
    try {
      const deadline = Date.now() + 60_000;
      while (!(await up())) {
        if (Date.now() > deadline) throw new Error('npm start did not come up');
        await new Promise((r) => setTimeout(r, 200));
      }
      const exited = new Promise<number | null>((r) => npm.on('exit', (code) => r(code)));
      npm.kill('SIGTERM');
      const stopDeadline = Date.now() + 15_000;
      while (await up()) {
        if (Date.now() > stopDeadline) throw new Error('the server still answers 15 s after SIGTERM to npm start');
        await new Promise((r) => setTimeout(r, 200));
      }
      await exited;
    } finally {
      npm.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
