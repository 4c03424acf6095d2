import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { OtlpReceiver, defaultOtlpSettings, type ExportResult } from '../../server/otlp/receiver.ts';
import { decodeTraceRequest, decodeTraceResponse, encodeTraceRequest, TRACE_EXPORT_PATH, type PbExportTraceServiceRequest, type PbExportTraceServiceResponse } from '../../server/otlp/otlp-proto.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { freePort, spawnServer, writeResult } from './bench-util.ts';

/**
 * The live OTLP receiver under a flood: spans per second accepted and folded into edges
 * (target >= 50,000/s) in each encoding exporters send, and memory staying flat while new trace ids
 * keep coming.
 * Phase 1 folds in-process (JSON.parse or protobuf decode + fold + flushes into SQLite): the receiver's
 * own cost, and a check that both encodings of the same spans fold to the same edges.
 * Phase 2 floods one real server process with concurrent exporters, one transport after the other:
 * OTLP/HTTP JSON, OTLP/HTTP protobuf (the SDKs' and the Collector's `otlphttp` default), the same
 * gzip-compressed (the Collector's default compression), OTLP/gRPC and OTLP/gRPC with gzip; it samples
 * the server's RSS. The request bodies are encoded beforehand (by JSON.stringify, and by the protobuf
 * code generated from the official opentelemetry-proto definitions that the server decodes with), so
 * the client's share of the two cores is sending, not encoding.
 */

interface Rng { (): number }
function rng(seed: number): Rng {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const attr = (key: string, v: string) => ({ key, value: { stringValue: v } });

/** An ExportTraceServiceRequest in the OTLP JSON encoding (ids in hex, nanoseconds as decimal strings). */
interface JsonSpan {
  traceId: string; spanId: string; parentSpanId: string; name: string; kind: number;
  startTimeUnixNano: string; endTimeUnixNano: string; status: { code?: number }; attributes?: { key: string; value: { stringValue: string } }[];
}
interface JsonRequest {
  resourceSpans: { resource: { attributes: { key: string; value: { stringValue: string } }[] }; scopeSpans: { scope: { name: string }; spans: JsonSpan[] }[] }[];
}

/** The same request as protobuf message fields: ids as bytes, nanoseconds as fixed64 (low and high words). */
function protoOf(doc: JsonRequest): PbExportTraceServiceRequest {
  const bytes = (h: string) => (h ? Buffer.from(h, 'hex') : Buffer.alloc(0));
  const fixed64 = (nanos: string) => { const n = BigInt(nanos); return { low: Number(n & 0xffffffffn), high: Number(n >> 32n) }; };
  return {
    resourceSpans: doc.resourceSpans.map((rs) => ({
      resource: rs.resource,
      scopeSpans: rs.scopeSpans.map((ss) => ({
        scope: ss.scope,
        spans: ss.spans.map((sp) => ({
          traceId: bytes(sp.traceId), spanId: bytes(sp.spanId), parentSpanId: bytes(sp.parentSpanId), name: sp.name, kind: sp.kind,
          startTimeUnixNano: fixed64(sp.startTimeUnixNano), endTimeUnixNano: fixed64(sp.endTimeUnixNano), status: sp.status, attributes: sp.attributes ?? [],
        })),
      })),
    })),
  };
}

/**
 * Rounds of traces through a layered estate of `services` services (each calls 1-3 services of the
 * next layer; a tenth of the calls go to an uninstrumented database), batched per service as an SDK
 * exporter does, shuffled so that children often arrive before their parents. Trace ids are unique
 * across rounds. Returns the requests with their span counts.
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
  const bodies: { doc: JsonRequest; spans: number }[] = [];
  let traceNo = 0;
  const now = BigInt(Date.now()) * 1_000_000n;
  // Per service across all rounds, then cut into requests: an OpenTelemetry Collector's batch
  // processor sends up to 8192 spans a request by default, so requests are large.
  const byService = new Map<number, JsonSpan[]>();
  const put = (svc: number, span: JsonSpan) => { const l = byService.get(svc) ?? []; l.push(span); byService.set(svc, l); };
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
      const doc: JsonRequest = { resourceSpans: [{ resource: { attributes: [attr('service.name', names[svc]), attr('deployment.environment.name', 'bench')] }, scopeSpans: [{ scope: { name: 'bench' }, spans: chunk }] }] };
      bodies.push({ doc, spans: chunk.length });
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

/** The requests in every encoding the flood sends: JSON text, protobuf bytes, protobuf gzip-compressed. */
interface Encoded { json: string; protobuf: Uint8Array; protobufGzip: Uint8Array; spans: number }

/** Phase 1: the receiver alone, in process, over one encoding; flushes go to a real SQLite store. */
async function foldInProcess(bodies: Encoded[], accept: (receiver: OtlpReceiver, b: Encoded) => ExportResult) {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-otlp-'));
  const store = new SqliteStore({ file: join(dir, 'sg.db'), synchronous: 'NORMAL' });
  await store.init();
  const receiver = new OtlpReceiver({ store, limits: defaultLimits, maxRetireShare: 0.2, settings: { ...defaultOtlpSettings, flushSpans: 500_000 } });
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  for (const b of bodies) accept(receiver, b);
  await receiver.stop();
  const seconds = (performance.now() - started) / 1000;
  const folded = receiver.stats();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    spans: folded.spans, seconds: Number(seconds.toFixed(2)), spansPerSec: Math.round(folded.spans / seconds),
    pairs: folded.paired, virtualCalls: folded.virtual, flushes: folded.flushes, failedFlushes: folded.failedFlushes, edgesWritten: folded.edgesWritten,
    heapGrowthMb: Number(((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(1)),
  };
}

/** One exporter request: did the server take it, and how many of its spans it accepted. */
type Send = (b: Encoded) => Promise<{ ok: boolean; accepted: number }>;

const TRANSPORTS = ['json', 'protobuf', 'protobufGzip', 'grpc', 'grpcGzip'] as const;
type TransportName = typeof TRANSPORTS[number];
const LABELS: Record<TransportName, string> = {
  json: 'OTLP/HTTP JSON', protobuf: 'OTLP/HTTP protobuf', protobufGzip: 'OTLP/HTTP protobuf+gzip', grpc: 'OTLP/gRPC', grpcGzip: 'OTLP/gRPC+gzip',
};

function httpSender(url: string, token: string, encoding: 'json' | 'protobuf' | 'protobufGzip'): Send {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf',
    ...(encoding === 'protobufGzip' ? { 'content-encoding': 'gzip' } : {}),
  };
  return async (b) => {
    const res = await fetch(url, { method: 'POST', headers, body: b[encoding] as BodyInit });
    const body = new Uint8Array(await res.arrayBuffer());
    if (!res.ok) return { ok: false, accepted: 0 };
    const reply: PbExportTraceServiceResponse = encoding === 'json' ? JSON.parse(Buffer.from(body).toString('utf8')) : decodeTraceResponse(body);
    return { ok: true, accepted: b.spans - Number(reply.partialSuccess?.rejectedSpans ?? 0) };
  };
}

/** A gRPC channel as the OTLP/gRPC exporters keep one: unary TraceService/Export calls multiplexed on it. */
function grpcSender(port: number, token: string, gzip: boolean): { send: Send; close(): void } {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
    ...(gzip ? { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip } : {}),
  });
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  const send: Send = (b) => new Promise((resolve) => {
    client.makeUnaryRequest(TRACE_EXPORT_PATH, (m: Uint8Array) => Buffer.from(m.buffer, m.byteOffset, m.byteLength), (r: Buffer) => decodeTraceResponse(r), b.protobuf, metadata,
      (err, reply) => resolve(err || !reply ? { ok: false, accepted: 0 } : { ok: true, accepted: b.spans - Number(reply.partialSuccess?.rejectedSpans ?? 0) }));
  });
  return { send, close: () => client.close() };
}

interface FloodRun { seconds: number; requests: number; failures: number; spansAccepted: number; rss: { t: number; mb: number }[] }

/** `concurrency` exporters send requests back to back for `seconds`; the same sequence of requests for every transport. */
async function flood(send: Send, bodies: Encoded[], opts: { seconds: number; concurrency: number; pid: number }): Promise<FloodRun> {
  const rss: { t: number; mb: number }[] = [];
  let requests = 0, spansAccepted = 0, failures = 0, next = 0;
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  const sampler = setInterval(() => rss.push({ t: Math.round(performance.now() - started), mb: Math.round(rssMb(opts.pid)) }), 500);
  const exporter = async () => {
    while (performance.now() < deadline) {
      const r = await send(bodies[next++ % bodies.length]);
      requests++;
      if (!r.ok) failures++;
      spansAccepted += r.accepted;
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, exporter));
  } finally {
    clearInterval(sampler);
  }
  return { seconds: (performance.now() - started) / 1000, requests, failures, spansAccepted, rss };
}

/** One transport's figures over all its passes. */
function summarize(runs: FloodRun[]) {
  const sum = (k: 'seconds' | 'requests' | 'failures' | 'spansAccepted') => runs.reduce((s, r) => s + r[k], 0);
  const seconds = sum('seconds');
  const rss = runs.flatMap((r) => r.rss.map((x) => x.mb));
  return {
    seconds: Number(seconds.toFixed(1)), requests: sum('requests'), failures: sum('failures'), spansAccepted: sum('spansAccepted'),
    spansPerSec: Math.round(sum('spansAccepted') / seconds), passes: runs.map((r) => Math.round(r.spansAccepted / r.seconds)),
    rssMbMax: Math.max(...rss), rssMbMin: Math.min(...rss),
  };
}

export async function benchOtlp(argv: string[]) {
  const { values } = parseArgs({
    args: argv, options: {
      seconds: { type: 'string', default: '8' }, concurrency: { type: 'string', default: '4' }, services: { type: 'string', default: '40' },
      traces: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '6' }, 'spans-per-request': { type: 'string', default: '4096' }, 'flood-rounds': { type: 'string', default: '6' }, 'server-heap-mb': { type: 'string', default: '256' }, seed: { type: 'string', default: '1' },
      transports: { type: 'string', default: TRANSPORTS.join(',') },
    },
  });
  const seconds = Number(values.seconds), concurrency = Number(values.concurrency), heapCapMb = Number(values['server-heap-mb']);
  const transports = values.transports.split(',').map((t) => t.trim()) as TransportName[];
  const unknown = transports.filter((t) => !TRANSPORTS.includes(t));
  if (unknown.length) throw new Error(`--transports: unknown ${unknown.join(', ')} (known: ${TRANSPORTS.join(', ')})`);
  const benchStarted = performance.now();
  const loadAtStart = Number(loadavg()[0].toFixed(1));
  console.log('generating traces...');
  const bodies: Encoded[] = generate({ services: Number(values.services), traces: Number(values.traces), rounds: Number(values.rounds), spansPerRequest: Number(values['spans-per-request']), seed: Number(values.seed) })
    .map(({ doc, spans }) => {
      const protobuf = encodeTraceRequest(protoOf(doc));
      return { json: JSON.stringify(doc), protobuf, protobufGzip: gzipSync(protobuf), spans };
    });
  const totalSpans = bodies.reduce((s, b) => s + b.spans, 0);
  const size = (k: 'json' | 'protobuf' | 'protobufGzip') => Number((bodies.reduce((s, b) => s + b[k].length, 0) / 1e6).toFixed(2));
  const mbGenerated = { json: size('json'), protobuf: size('protobuf'), protobufGzip: size('protobufGzip') };
  console.log(`${bodies.length} requests, ${totalSpans} spans: ${mbGenerated.json} MB of OTLP JSON, ${mbGenerated.protobuf} MB protobuf, ${mbGenerated.protobufGzip} MB gzip-compressed`);

  // Phase 1: in process, the receiver alone (parse or decode + fold), flushing into a real SQLite store.
  const inProcess = await foldInProcess(bodies, (r, b) => r.accept(JSON.parse(b.json)));
  console.log(`in process, JSON: ${inProcess.spansPerSec} spans/s parsed and folded (${inProcess.pairs} cross-service pairs, ${inProcess.virtualCalls} database calls, ${inProcess.flushes} flushes)`);
  const inProcessProtobuf = await foldInProcess(bodies, (r, b) => r.acceptProto(decodeTraceRequest(b.protobuf)));
  const sameFold = inProcessProtobuf.spans === inProcess.spans && inProcessProtobuf.pairs === inProcess.pairs && inProcessProtobuf.virtualCalls === inProcess.virtualCalls && inProcessProtobuf.edgesWritten === inProcess.edgesWritten;
  console.log(`in process, protobuf: ${inProcessProtobuf.spansPerSec} spans/s decoded and folded; ${sameFold ? 'the same spans, pairs, database calls and edges as JSON' : 'NOT the same fold as JSON'}`);
  if (!sameFold) throw new Error(`protobuf and JSON encodings of the same spans folded differently: ${JSON.stringify({ json: inProcess, protobuf: inProcessProtobuf })}`);
  // Phase 1b: memory while new trace ids keep coming, several times what the pairing window holds.
  const bounded = await floodInProcess(bodies.map((b) => ({ text: b.json })), Number(values['flood-rounds']));
  console.log(`in process, ${bounded.spans} spans with fresh trace ids: heap after GC ${bounded.heapMbAfterRound.join(' → ')} MB per round (pending window capped at ${bounded.pendingCap} spans; ${bounded.evicted} pushed out by the cap)`);

  // Phase 2: one server process flooded by concurrent exporters for `seconds` per transport.
  const dataDir = mkdtempSync(join(tmpdir(), 'sg-bench-otlp-srv-'));
  const token = 'sg_bench_admin';
  const [port, grpcPort] = [await freePort(), await freePort()];
  const server = await spawnServer({ SERVICEGRAPH_DATA_DIR: dataDir, SERVICEGRAPH_ADMIN_TOKEN: token, SERVICEGRAPH_WEB_DIST: join(dataDir, 'none'), SERVICEGRAPH_OTLP_FLUSH_MS: '2000', SERVICEGRAPH_LIMIT_LIST_LIMIT: '100000',
    SERVICEGRAPH_OTLP_GRPC_PORT: String(grpcPort),
    // A hard heap cap: a receiver whose memory grew with the flood would die of it, not just swell.
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${heapCapMb}`.trim() }, port);
  const over: Partial<Record<TransportName, ReturnType<typeof summarize>>> = {};
  try {
    const run = async (t: TransportName, secs: number) => {
      const grpcClient = t === 'grpc' || t === 'grpcGzip' ? grpcSender(grpcPort, token, t === 'grpcGzip') : null;
      const send = grpcClient?.send ?? httpSender(`http://127.0.0.1:${port}/v1/traces`, token, t as 'json' | 'protobuf' | 'protobufGzip');
      try {
        return await flood(send, bodies, { seconds: secs, concurrency, pid: server.pid! });
      } finally {
        grpcClient?.close();
      }
    };
    // A warm-up second each (the server's JIT and both listeners), then two passes of half the time each,
    // the second in reverse order: a transport measured first or last is not favoured by warm-up or by a
    // change in the machine's load mid-run.
    for (const t of transports) await run(t, 1);
    const runs = new Map<TransportName, FloodRun[]>(transports.map((t) => [t, []]));
    for (const pass of [transports, [...transports].reverse()]) {
      for (const t of pass) runs.get(t)!.push(await run(t, seconds / 2));
    }
    for (const t of transports) {
      const r = summarize(runs.get(t)!);
      over[t] = r;
      console.log(`${LABELS[t].padEnd(24)} ${String(r.spansPerSec).padStart(8)} spans/s accepted (passes ${r.passes.join(' and ')}; ${r.spansAccepted} spans in ${r.seconds} s, ${r.requests} requests, ${r.failures} failed); server RSS ${r.rssMbMin}-${r.rssMbMax} MB`);
    }
    await new Promise((r) => setTimeout(r, 2500)); // one flush interval: the folded edges reach the store
    const drift = await (await fetch(`http://127.0.0.1:${port}/api/v1/drift?days=1&limit=100000`, { headers: { authorization: `Bearer ${token}` } })).json() as { observedNotDeclared: { calls: number }[] };
    const store = { edges: drift.observedNotDeclared.length, calls: drift.observedNotDeclared.reduce((s, e) => s + e.calls, 0) };
    console.log(`store: ${store.edges} observed edges carrying ${store.calls} calls`);
    const load = Number(loadavg()[0].toFixed(1));
    console.log(`machine load (1 min) ${loadAtStart} at the start, ${load} at the end, on ${availableParallelism()} cores; ${concurrency} exporters per transport, ${seconds} s each; server old space capped at ${heapCapMb} MB; the whole run took ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
    const target = 50_000;
    const met = (n: number | undefined) => (n === undefined ? 'not run' : n >= target ? 'met' : 'NOT met');
    console.log(`target ${target} spans/s: ${transports.map((t) => `${met(over[t]?.spansPerSec)} over ${LABELS[t]}`).join(', ')}, ${met(inProcess.spansPerSec)} in process`);
    const perSec = (t: TransportName) => over[t]?.spansPerSec ?? null;
    console.log(`written to ${writeResult('otlp', {
      target, loadAverage1m: load, loadAverage1mAtStart: loadAtStart, cores: availableParallelism(), concurrency, secondsPerTransport: seconds, serverHeapCapMb: heapCapMb,
      jsonSpansPerSec: perSec('json'), protobufSpansPerSec: perSec('protobuf'), protobufGzipSpansPerSec: perSec('protobufGzip'), grpcSpansPerSec: perSec('grpc'), grpcGzipSpansPerSec: perSec('grpcGzip'),
      transports: over, inProcess, inProcessProtobuf, bounded, store,
      requests: bodies.length, spansGenerated: totalSpans, mbGenerated,
    })}`);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
