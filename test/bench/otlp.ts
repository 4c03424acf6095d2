import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { OtlpReceiver, defaultOtlpSettings } from '../../server/otlp/receiver.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { freePort, spawnServer, writeResult } from './bench-util.ts';

/**
 * The live OTLP receiver under a flood: spans per second accepted over HTTP and folded into edges
 * (target >= 50,000/s), and memory staying flat while new trace ids keep coming.
 * Phase 1 folds in-process (JSON.parse + fold + flushes into SQLite): the receiver's own cost.
 * Phase 2 floods a real server process over HTTP with concurrent exporters and samples its RSS.
 */

interface Rng { (): number }
function rng(seed: number): Rng {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const attr = (key: string, v: string) => ({ key, value: { stringValue: v } });

/**
 * Rounds of traces through a layered estate of `services` services (each calls 1-3 services of the
 * next layer; a tenth of the calls go to an uninstrumented database), batched per service as an SDK
 * exporter does, shuffled so that children often arrive before their parents. Trace ids are unique
 * across rounds. Returns request bodies (JSON text) with their span counts.
 */
function generate(opts: { services: number; traces: number; rounds: number; spansPerRequest: number; seed: number }) {
  const rand = rng(opts.seed);
  const layers = 5;
  const names = Array.from({ length: opts.services }, (_, i) => `svc-${i}`);
  const layerOf = (i: number) => Math.floor((i * layers) / opts.services);
  const callees = names.map((_, i) => {
    const next = names.map((_, j) => j).filter((j) => layerOf(j) === layerOf(i) + 1);
    return next.length ? Array.from({ length: 1 + Math.floor(rand() * 3) }, () => next[Math.floor(rand() * next.length)]) : [];
  });
  const roots = names.filter((_, i) => layerOf(i) === 0).length;
  const bodies: { text: string; spans: number }[] = [];
  let traceNo = 0;
  const now = BigInt(Date.now()) * 1_000_000n;
  // Per service across all rounds, then cut into requests: an OpenTelemetry Collector's batch
  // processor sends up to 8192 spans a request by default, so requests are large.
  const byService = new Map<number, object[]>();
  const put = (svc: number, span: object) => { const l = byService.get(svc) ?? []; l.push(span); byService.set(svc, l); };
  for (let r = 0; r < opts.rounds; r++) {
    for (let t = 0; t < opts.traces; t++) {
      const traceId = hex(++traceNo, 32);
      let spanNo = 0;
      const end = String(now + BigInt(traceNo));
      const visit = (svc: number, parentSpanId: string, depth: number) => {
        const server = hex(++spanNo, 16);
        put(svc, { traceId, spanId: server, parentSpanId, name: 'handle', kind: 2, startTimeUnixNano: end, endTimeUnixNano: end, status: rand() < 0.01 ? { code: 2 } : {} });
        if (depth > 3) return;
        for (const callee of callees[svc]) {
          if (rand() < 0.5) continue;
          const client = hex(++spanNo, 16);
          const db = rand() < 0.1;
          put(svc, {
            traceId, spanId: client, parentSpanId: server, name: 'call', kind: 3, startTimeUnixNano: end, endTimeUnixNano: end, status: {},
            ...(db ? { attributes: [attr('db.system', 'postgresql'), attr('server.address', `db-${callee}`), attr('db.name', 'app')] } : {}),
          });
          if (!db) visit(callee, client, depth + 1);
        }
      };
      visit(Math.floor(rand() * roots), '', 0);
    }
  }
  for (const [svc, spans] of byService) {
    for (let i = 0; i < spans.length; i += opts.spansPerRequest) {
      const chunk = spans.slice(i, i + opts.spansPerRequest);
      const body = { resourceSpans: [{ resource: { attributes: [attr('service.name', names[svc]), attr('deployment.environment.name', 'bench')] }, scopeSpans: [{ scope: { name: 'bench' }, spans: chunk }] }] };
      bodies.push({ text: JSON.stringify(body), spans: chunk.length });
    }
  }
  for (let i = bodies.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [bodies[i], bodies[j]] = [bodies[j], bodies[i]]; }
  return bodies;
}

/**
 * Feed the parsed requests round after round with the trace ids renamed per round, so every span
 * is new and the pending window (default cap) stays full; the heap after a forced GC per round must
 * stay flat. Flushes go to a real SQLite store as in production.
 */
async function floodInProcess(bodies: { text: string }[], rounds: number) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const docs = bodies.map((b) => JSON.parse(b.text) as { resourceSpans: { scopeSpans: { spans: { traceId: string }[] }[] }[] });
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-otlp-flood-'));
  const store = new SqliteStore({ file: join(dir, 'sg.db'), synchronous: 'NORMAL' });
  await store.init();
  const receiver = new OtlpReceiver({ store, limits: defaultLimits, maxRetireShare: 0.2, settings: { ...defaultOtlpSettings, flushSpans: 100_000 } });
  const heapMbAfterRound: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const prefix = r.toString(16).padStart(8, '0');
    for (const doc of docs) {
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) for (const sp of ss.spans) sp.traceId = prefix + sp.traceId.slice(8);
      receiver.accept(doc);
    }
    await receiver.flush();
    gc();
    heapMbAfterRound.push(Math.round(process.memoryUsage().heapUsed / 1e6));
  }
  await receiver.stop();
  const stats = receiver.stats();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { rounds, spans: stats.spans, heapMbAfterRound, evicted: stats.evicted, pendingCap: defaultOtlpSettings.maxPending, failedFlushes: stats.failedFlushes };
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

export async function benchOtlp(argv: string[]) {
  const { values } = parseArgs({
    args: argv, options: {
      seconds: { type: 'string', default: '15' }, concurrency: { type: 'string', default: '4' }, services: { type: 'string', default: '40' },
      traces: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '12' }, 'spans-per-request': { type: 'string', default: '4096' }, 'flood-rounds': { type: 'string', default: '6' }, 'server-heap-mb': { type: 'string', default: '256' }, seed: { type: 'string', default: '1' },
    },
  });
  const seconds = Number(values.seconds), concurrency = Number(values.concurrency), heapCapMb = Number(values['server-heap-mb']);
  console.log('generating traces...');
  const bodies = generate({ services: Number(values.services), traces: Number(values.traces), rounds: Number(values.rounds), spansPerRequest: Number(values['spans-per-request']), seed: Number(values.seed) });
  const totalSpans = bodies.reduce((s, b) => s + b.spans, 0);
  const mb = bodies.reduce((s, b) => s + b.text.length, 0) / 1e6;
  console.log(`${bodies.length} requests, ${totalSpans} spans, ${mb.toFixed(0)} MB of OTLP JSON`);

  // Phase 1: in process, the receiver alone (parse + fold), flushing into a real SQLite store.
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-otlp-'));
  const store = new SqliteStore({ file: join(dir, 'sg.db'), synchronous: 'NORMAL' });
  await store.init();
  const receiver = new OtlpReceiver({ store, limits: defaultLimits, maxRetireShare: 0.2, settings: { ...defaultOtlpSettings, flushSpans: 500_000 } });
  const heapBefore = process.memoryUsage().heapUsed;
  const foldStart = performance.now();
  for (const b of bodies) receiver.accept(JSON.parse(b.text));
  await receiver.stop();
  const foldSeconds = (performance.now() - foldStart) / 1000;
  const folded = receiver.stats();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  // Phase 1b: memory while new trace ids keep coming, several times what the pairing window holds.
  const bounded = await floodInProcess(bodies, Number(values['flood-rounds']));
  console.log(`in process, ${bounded.spans} spans with fresh trace ids: heap after GC ${bounded.heapMbAfterRound.join(' → ')} MB per round (pending window capped at ${bounded.pendingCap} spans; ${bounded.evicted} pushed out by the cap)`);

  const inProcess = {
    spans: folded.spans, seconds: Number(foldSeconds.toFixed(2)), spansPerSec: Math.round(folded.spans / foldSeconds),
    pairs: folded.paired, virtualCalls: folded.virtual, flushes: folded.flushes, failedFlushes: folded.failedFlushes,
    heapGrowthMb: Number(((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(1)),
  };
  console.log(`in process: ${inProcess.spansPerSec} spans/s parsed and folded (${inProcess.pairs} cross-service pairs, ${inProcess.virtualCalls} database calls, ${inProcess.flushes} flushes)`);

  // Phase 2: a server process flooded over HTTP by concurrent exporters for `seconds`.
  const dataDir = mkdtempSync(join(tmpdir(), 'sg-bench-otlp-srv-'));
  const token = 'sg_bench_admin';
  const port = await freePort();
  const server = await spawnServer({ SERVICEGRAPH_DATA_DIR: dataDir, SERVICEGRAPH_ADMIN_TOKEN: token, SERVICEGRAPH_WEB_DIST: join(dataDir, 'none'), SERVICEGRAPH_OTLP_FLUSH_MS: '2000', SERVICEGRAPH_LIMIT_LIST_LIMIT: '100000',
    // A hard heap cap: a receiver whose memory grew with the flood would die of it, not just swell.
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${heapCapMb}`.trim() }, port);
  const rss: { t: number; mb: number }[] = [];
  let sent = 0, spansAccepted = 0, failures = 0;
  try {
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const sampler = setInterval(() => rss.push({ t: Math.round(performance.now() - started), mb: Math.round(rssMb(server.pid!)) }), 500);
    let next = 0;
    const exporter = async () => {
      while (performance.now() < deadline) {
        const b = bodies[next++ % bodies.length];
        const res = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: b.text });
        const reply = await res.json() as { partialSuccess?: { rejectedSpans?: number } };
        sent++;
        if (!res.ok) { failures++; continue; }
        spansAccepted += b.spans - (reply.partialSuccess?.rejectedSpans ?? 0);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, exporter));
    clearInterval(sampler);
    const httpSeconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 2500)); // one flush interval: the folded edges reach the store
    const drift = await (await fetch(`http://127.0.0.1:${port}/api/v1/drift?days=1&limit=100000`, { headers: { authorization: `Bearer ${token}` } })).json() as { observedNotDeclared: { calls: number }[] };
    const half = rss.slice(Math.floor(rss.length / 2));
    const http = {
      seconds: Number(httpSeconds.toFixed(1)), requests: sent, failures, concurrency, spansAccepted, serverHeapCapMb: heapCapMb,
      spansPerSec: Math.round(spansAccepted / httpSeconds),
      rssMbMax: Math.max(...rss.map((s) => s.mb)),
      rssMbSecondHalf: { min: Math.min(...half.map((s) => s.mb)), max: Math.max(...half.map((s) => s.mb)) },
      edgesInStore: drift.observedNotDeclared.length,
      callsInStore: drift.observedNotDeclared.reduce((s, e) => s + e.calls, 0),
    };
    console.log(`over HTTP: ${http.spansPerSec} spans/s accepted (${spansAccepted} spans in ${http.seconds} s, ${concurrency} exporters, ${failures} failed requests)`);
    console.log(`server RSS: max ${http.rssMbMax} MB; second half of the flood ${http.rssMbSecondHalf.min}-${http.rssMbSecondHalf.max} MB (old space capped at ${heapCapMb} MB)`);
    console.log(`store: ${http.edgesInStore} observed edges carrying ${http.callsInStore} calls`);
    const target = 50_000;
    console.log(`machine load (1 min) ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);
    console.log(`target ${target} spans/s: ${http.spansPerSec >= target ? 'met' : 'NOT met'} over HTTP, ${inProcess.spansPerSec >= target ? 'met' : 'NOT met'} in process`);
    console.log(`written to ${writeResult('otlp', { target, bounded, loadAverage1m: Number(loadavg()[0].toFixed(1)), cores: availableParallelism(), inProcess, http, requests: bodies.length, spansGenerated: totalSpans, mbGenerated: Number(mb.toFixed(1)), rssSamples: rss })}`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
