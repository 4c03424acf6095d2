import { mkdirSync, writeFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const repoRoot = join(import.meta.dirname, '..', '..');

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function writeResult(name: string, data: object): string {
  const dir = join(repoRoot, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ ...data, measuredAt: new Date().toISOString() }, null, 2) + '\n');
  return file;
}

/**
 * The first JSON line a bench server prints on stdout (`{url, token, ...}`), once it listens; its stdout is then
 * drained unread. (Kept and split again on every chunk, as it once was, the server's request log, a line per
 * request, cost the bench process seconds of CPU per run: counted in the latency of its own clients.)
 */
export function firstJsonLine<T>(child: ChildProcess): Promise<T> {
  return new Promise((ok, fail) => {
    let buffered = '';
    const read = (d: Buffer) => {
      buffered += d;
      const line = buffered.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      child.stdout!.off('data', read);
      child.stdout!.resume();
      ok(JSON.parse(line) as T);
    };
    child.stdout!.on('data', read);
    child.once('exit', (code) => fail(new Error(`bench server exited with ${code}`)));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as { port: number }; srv.close(() => resolve(port)); });
  });
}

/** The server as its own process, so client work (JSON encoding) does not share its event loop. */
export async function spawnServer(env: Record<string, string>, port: number): Promise<ChildProcess> {
  // SG_BENCH_SERVER_FLAGS: V8/Node flags for the server (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`: a profile per thread).
  const flags = process.env.SG_BENCH_SERVER_FLAGS ? process.env.SG_BENCH_SERVER_FLAGS.split(' ') : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', join(repoRoot, 'server', 'main.ts')], {
    cwd: repoRoot, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SERVICEGRAPH_OTLP_GRPC_PORT: 'off', SERVICEGRAPH_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

export function progress(label: string, done: number, total: number, startedAt: number) {
  const s = (Date.now() - startedAt) / 1000;
  process.stderr.write(`\r${label}: ${done}/${total} (${Math.round(done / Math.max(s, 0.001))}/s)   `);
  if (done >= total) process.stderr.write('\n');
}

/** A full garbage collection (benchmarks measure memory after one). */
export function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Heap plus typed-array memory after a full collection. */
export function memory(): number {
  fullGc(); fullGc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** A seeded generator for sampling (mulberry32): the same seed picks the same CIs in every run. */
export function sampler(seed: number) {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}
