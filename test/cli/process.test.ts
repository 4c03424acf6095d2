import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
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

  /** The server as `npm start` runs it, with every listener on (OTLP/gRPC on a free port); what it says on stderr from the start. */
  async function server(args: string[] = [], env: Record<string, string> = {}) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sg-stop-'));
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server', 'main.ts'), ...args], {
      cwd: root, stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SERVICEGRAPH_DATA_DIR: dataDir, SERVICEGRAPH_ADMIN_TOKEN: 'sg_stop_test', SERVICEGRAPH_WEB_DIST: join(dataDir, 'no-web'), SERVICEGRAPH_OTLP_GRPC_PORT: '0', SERVICEGRAPH_LOG_LEVEL: 'warn', ...env },
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    const t0 = { at: 0 };
    // 'close', not 'exit': the last lines on stderr may still be in the pipe when the process exits.
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, ms: Date.now() - t0.at }));
    });
    const said = async (re: RegExp) => {
      const deadline = Date.now() + 60_000;
      while (!re.test(stderr)) {
        if (Date.now() > deadline) throw new Error(`the server did not say ${re} (stderr: ${stderr.slice(-500)})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const up = async () => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return; } catch { /* starting */ }
        if (Date.now() > deadline) throw new Error('the server did not come up');
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const signal = (sig: NodeJS.Signals) => { t0.at ||= Date.now(); child.kill(sig); };
    return { child, exited, said, up, signal, stderr: () => stderr, done: () => { child.kill('SIGKILL'); rmSync(dataDir, { recursive: true, force: true }); } };
  }

  it('stops on SIGTERM by closing everything it opened: it ends by itself, with exit code 0, well before the watchdog', async () => {
    const s = await server();
    try {
      await s.up();
      s.signal('SIGTERM');
      const end = await s.exited;
      expect(end).toMatchObject({ code: 0, signal: null });
      // The watchdog ends a stop still running after 10 s; a clean stop never needs it.
      expect(end.ms).toBeLessThan(8_000);
      expect(s.stderr()).toMatch(/SIGTERM; stopping/);
      expect(s.stderr()).not.toMatch(/did not stop/);
    } finally { s.done(); }
  }, 90_000);

  it('with API workers, SIGTERM stops the whole group cleanly: every worker drains and leaves, the primary ends with code 0', async () => {
    // The primary used to disconnect the workers while they disconnected themselves: ERR_IPC_DISCONNECTED
    // in a worker or EPIPE in the primary, and exit code 1, on most stops.
    for (let round = 0; round < 2; round++) {
      const s = await server([], { SERVICEGRAPH_WORKERS: '2' });
      try {
        await s.up();
        s.signal('SIGTERM');
        const end = await s.exited;
        expect(end).toMatchObject({ code: 0, signal: null });
        expect(s.stderr()).not.toMatch(/ERR_IPC_DISCONNECTED|EPIPE|Error/);
      } finally { s.done(); }
    }
  }, 120_000);

  it('a second SIGTERM during a slow stop (a demo load in progress) ends the process at once, by that signal', async () => {
    const s = await server(['--demo', '--demo-size', '30000']);
    try {
      await s.said(/demo: batch/);
      s.signal('SIGTERM');
      // The first signal waits for the demo load to finish its writes...
      await s.said(/SIGTERM; stopping \(a second signal stops at once\)/);
      expect(s.child.exitCode).toBeNull();
      // ...the second does not wait.
      s.signal('SIGTERM');
      const end = await s.exited;
      expect(end).toMatchObject({ code: null, signal: 'SIGTERM' });
      expect(s.stderr()).toMatch(/second SIGTERM; stopping now/);
    } finally { s.done(); }
  }, 120_000);

  it('with API workers, a worker that cannot start (its port is taken) stops the others and the primary ends with code 1', async () => {
    const taken = createServer();
    const port = await new Promise<number>((r) => taken.listen(0, '127.0.0.1', () => r((taken.address() as { port: number }).port)));
    const dataDir = mkdtempSync(join(tmpdir(), 'sg-workers-'));
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'server', 'main.ts')], {
        cwd: root, encoding: 'utf8', timeout: 60_000,
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SERVICEGRAPH_DATA_DIR: dataDir, SERVICEGRAPH_ADMIN_TOKEN: 'sg_workers_test', SERVICEGRAPH_WORKERS: '2', SERVICEGRAPH_OTLP_GRPC_PORT: 'off' },
      });
      expect(r.signal).toBeNull();
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/could not start/);
      expect(r.stderr).toMatch(/is taken by another process/);
    } finally {
      taken.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
