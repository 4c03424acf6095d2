/**
 * `npm run bench -- load [--cis 1000000] [--duration 20] [--connections 50] [--workers N] [--only graph|impact]
 * [--modes first,after] [--write-first-ms 50] [--read-rate N] [--idle-batches 200] [--warmup-batches 10] [--idle-only] [--cpu-prof <dir>]`: reads under load and a
 * writer beside them, once per mode, side by side:
 * `before` writes batches on the main thread among the reads and applies each to the projection before its reply
 * (SERVICEGRAPH_INGEST_THREAD=off, SERVICEGRAPH_READ_SLICE_MS=0, SERVICEGRAPH_PROJECTION_APPLY=before-reply),
 * `after` on the writer thread with reads taking turns in slices of `--slice-ms` (default 5) and the projection
 * applied after the reply (the server's defaults); `thread` and `gate` turn on one of the first two, `apply-first`
 * both but applies before the reply; `first` is `after` with writes first (SERVICEGRAPH_WRITE_FIRST_MS=`--write-first-ms`:
 * a batch in flight holds new reads back); `wal-at-commit` and `young-default` are `after` with one default changed
 * (SERVICEGRAPH_WAL_CHECKPOINT_MS=0, SERVICEGRAPH_INGEST_THREAD_YOUNG_MB=0); `writer-nice-off` is `after` with the writer thread at the
 * process's priority (SERVICEGRAPH_INGEST_THREAD_NICE=0); `listener` is `after` with the ingest client
 * sending to the writer thread's own port (SERVICEGRAPH_INGEST_PORT) instead of the API's. On the demo estate (default, one API process)
 * or, with `--cis`, a copy of the impact benchmark's estate (loaded once under data/bench/ and never written
 * here, so every run starts from the same estate; two API processes by default, as that benchmark runs it):
 *  1. an ingest client alone: batches of 200 new CIs, one after the other (its idle latency; `--idle-only`: this alone);
 *  2. `GET /graph` from 50 connections for `duration` seconds, the same ingest client running beside it;
 *  3. the same with `POST /impact`.
 * Load comes from autocannon in a process of its own (load-run.ts); the server is a process of its own
 * (`--cpu-prof <dir>`: each API process writes a V8 CPU profile there when it stops).
 * Each batch's reply carries its Server-Timing (server/ops/server-timing.ts): the bench reports where the batches'
 * time went, stage by stage, idle and under load, over all of them and over the slowest 5%.
 * Beside the ingest figures over every batch, the same `warm`: without each phase's first `--warmup-batches` (warmStats).
 * Writes bench-results/load.json {graphP99Ms, impactP99Ms, timeouts, ingestP99IdleMs, ingestP99UnderLoadMs, ...}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { loadDemo } from '../../server/demo/load-demo.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { firstJsonLine, percentile, writeResult } from './bench-util.ts';
import { parseServerTiming } from '../../server/ops/server-timing.ts';
import { configFromEnv } from '../../server/config.ts';
import { copyEstate, estateLoaded } from './bench-store.ts';

const here = dirname(fileURLToPath(import.meta.url));
const log = (msg: string) => process.stderr.write(`[bench load] ${msg}\n`);
const round = (x: number) => Math.round(x * 10) / 10;

interface LoadRequest { method: 'GET' | 'POST'; path: string; body?: string }
interface LoadOut { requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: number; timeouts: number; non2xx: number; requests: number }

/**
 * The estate's SQLite file: the demo estate in a scratch directory, or the impact benchmark's (built by it when
 * missing), only ever copied: the ingest client adds tens of thousands of CIs per run, which must not pile up in
 * the estate the impact benchmark and the next load run measure.
 */
async function estateFile(cis: number | null, scratch: string): Promise<string> {
  if (cis === null) {
    const file = join(scratch, 'demo.db');
    const store = new SqliteStore({ file });
    await store.init();
    await loadDemo(store, defaultLimits);
    await store.close();
    return file;
  }
  const file = resolve('data/bench', `impact-${cis}-7.db`);
  // Looked at read only: the estate is shared with the impact benchmark (and with runs of other checkouts); opening it
  // as a store would set up its schema and write to it just to learn whether it holds anything.
  if (!estateLoaded(file)) throw new Error(`${file} is missing or empty: build it first with \`npm run bench -- impact --cis ${cis}\` (it loads that estate once and keeps it)`);
  return file;
}

/** The API over `file` in its own process (impact-server.ts), with `workers` processes sharing the port. */
async function startApi(file: string, workers: number, mode: Mode, cpuProf?: string): Promise<{ child: ChildProcess; url: string; token: string; ingestUrl: string | null }> {
  const profile = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resolve(cpuProf)}`] : [];
  const child = spawn(process.execPath, [
    // The API processes follow each other's commits as the server's do (its default SERVICEGRAPH_POLL_MS, 1 s): every
    // process's projection takes the ingest client's batches, whichever process or port they were sent to.
    ...process.execArgv, ...profile, join(here, 'impact-server.ts'), '--workers', String(workers), '--store', 'sqlite', '--poll-ms', String(configFromEnv({}).pollMs),
    '--ingest-thread', mode.thread, '--read-slice-ms', String(mode.sliceMs), '--projection-apply', mode.apply, '--write-first-ms', String(mode.writeFirstMs),
    ...(mode.walCheckpointMs === undefined ? [] : ['--wal-checkpoint-ms', String(mode.walCheckpointMs)]),
    ...(mode.youngMb === undefined ? [] : ['--ingest-young-mb', String(mode.youngMb)]), ...(mode.writerNice === undefined ? [] : ['--ingest-nice', String(mode.writerNice)]), ...(mode.listener ? ['--ingest-listener'] : []), file,
  ], { stdio: ['pipe', 'pipe', 'inherit'] });
  const started = await firstJsonLine<{ url: string; token: string; ingestUrl: string | null }>(child);
  return { child, ...started };
}

/** autocannon in a process of its own over `requests`, for `duration` seconds. */
async function loadRun(url: string, headers: Record<string, string>, connections: number, duration: number, requests: LoadRequest[], overallRate: number): Promise<LoadOut> {
  const runner = spawn(process.execPath, [...process.execArgv, join(here, 'load-run.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  let text = '';
  runner.stdout!.on('data', (d) => { text += d; });
  runner.stdin!.end(JSON.stringify({ url, headers, connections, duration, requests, overallRate }));
  const code = await new Promise<number | null>((r) => runner.once('exit', r));
  if (code !== 0) throw new Error(`load run exited with ${code}`);
  return JSON.parse(text.trim().split('\n').pop()!) as LoadOut;
}

/** One batch as the client saw it: milliseconds from request to reply, and the server's stages (its Server-Timing). */
interface BatchTime { ms: number; stages: Map<string, number> }

/**
 * A collector pushing batches of 200 new CIs (services with an attribute and a relation to the previous one),
 * one at a time, until `until()` says stop; how long each batch took from request to reply, and where.
 */
async function ingestClient(url: string, headers: Record<string, string>, tag: string, until: () => boolean, atLeast = 0, everyMs = 0): Promise<BatchTime[]> {
  const times: BatchTime[] = [];
  for (let b = 0, next = performance.now(); !until() || times.length < atLeast; b++) {
    // Paced (`--ingest-every-ms`): a batch starts every everyMs, or as soon as the one before answered if later.
    if (everyMs > 0) { const wait = next - performance.now(); if (wait > 0) await new Promise((r) => setTimeout(r, wait)); next = Math.max(next, performance.now() - everyMs) + everyMs; }
    const cis = Array.from({ length: 200 }, (_, i) => ({ class: 'service', name: `load-${tag}-${b}-${i}`, environment: 'load', attributes: { batch: b, slot: i } }));
    const relations = cis.slice(1).map((c, i) => ({ type: 'DEPENDS_ON', from: { class: 'service', name: c.name, environment: 'load' }, to: { class: 'service', name: cis[i].name, environment: 'load' } }));
    const body = JSON.stringify({ source: 'load-bench', scope: tag, cis, relations });
    const t0 = performance.now();
    const res = await fetch(`${url}/api/v1/ingest`, { method: 'POST', headers, body });
    await res.arrayBuffer();
    times.push({ ms: performance.now() - t0, stages: parseServerTiming(res.headers.get('server-timing')) });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
  }
  return times;
}

/**
 * Where the batches' time went: per stage of the server's Server-Timing (auth, body, the writer thread's queue and
 * work, the hand-over both ways and the reply's wait for the main loop, apply), and `outside`: what the client
 * measured beyond the server's total (waiting to be read off the socket and parsed, the reply's flush, the
 * client's own loop). Mean over all batches and over the slowest 5% (the tail the p99 is made of), in ms.
 */
function breakdown(batches: BatchTime[]) {
  const withTiming = batches.filter((b) => b.stages.has('total'));
  const mean = (bs: BatchTime[]) => {
    const out: Record<string, number> = {};
    for (const b of bs) {
      for (const [name, ms] of b.stages) out[name] = (out[name] ?? 0) + ms / bs.length;
      out.outside = (out.outside ?? 0) + Math.max(0, b.ms - b.stages.get('total')!) / bs.length;
      out.client = (out.client ?? 0) + b.ms / bs.length;
    }
    for (const k of Object.keys(out)) out[k] = round(out[k]);
    return out;
  };
  const slowest = [...withTiming].sort((a, b) => b.ms - a.ms).slice(0, Math.max(1, Math.ceil(withTiming.length * 0.05)));
  return { all: mean(withTiming), slowest5pct: mean(slowest), slowestCount: slowest.length };
}
/**
 * The slowest 1% of the batches (at least three) in the order sent, each with its writer's time, the reply's wait for
 * the main loop and what the client saw beyond the server: where in the run the tail comes from, and what it is made of.
 */
const slowestOf = (bs: BatchTime[]) => bs.map((b, i) => ({ i, ...b })).sort((a, b) => b.ms - a.ms).slice(0, Math.max(3, Math.ceil(bs.length / 100)))
  .sort((a, b) => a.i - b.i).map((b) => `#${b.i} ${round(b.ms)} (${['write', 'handover'].map((k) => round(b.stages.get(k) ?? NaN)).join(' ')} ${round(b.ms - (b.stages.get('total') ?? NaN))})`);
/** The writer's own mean ms per batch (the Server-Timing `write` stage: on the writer thread, or in process). */
const writerMeanMs = (bs: BatchTime[]) => { const w = bs.map((b) => b.stages.get('write')).filter((x) => x !== undefined); return w.length ? round(w.reduce((a, x) => a + x, 0) / w.length) : null; };

/**
 * How the server under test writes and reads (SERVICEGRAPH_INGEST_THREAD, SERVICEGRAPH_READ_SLICE_MS,
 * SERVICEGRAPH_PROJECTION_APPLY, SERVICEGRAPH_WRITE_FIRST_MS; SERVICEGRAPH_WAL_CHECKPOINT_MS and
 * SERVICEGRAPH_INGEST_THREAD_YOUNG_MB when given, else the server's defaults).
 */
interface Mode { thread: 'on' | 'off'; sliceMs: number; apply: 'after-reply' | 'before-reply'; writeFirstMs: number; walCheckpointMs?: number; youngMb?: number; writerNice?: number; listener?: boolean }
const modesOf = (sliceMs: number, writeFirstMs: number): Record<string, Mode> => ({
  before: { thread: 'off', sliceMs: 0, apply: 'before-reply', writeFirstMs: 0 },
  thread: { thread: 'on', sliceMs: 0, apply: 'before-reply', writeFirstMs: 0 },
  gate: { thread: 'off', sliceMs, apply: 'before-reply', writeFirstMs: 0 },
  'apply-first': { thread: 'on', sliceMs, apply: 'before-reply', writeFirstMs: 0 },
  after: { thread: 'on', sliceMs, apply: 'after-reply', writeFirstMs: 0 },
  first: { thread: 'on', sliceMs, apply: 'after-reply', writeFirstMs },
  // The defaults but one: the WAL checkpointed at commit instead of by its thread; the writer thread's young generation at V8's default.
  'wal-at-commit': { thread: 'on', sliceMs, apply: 'after-reply', writeFirstMs: 0, walCheckpointMs: 0 },
  'young-default': { thread: 'on', sliceMs, apply: 'after-reply', writeFirstMs: 0, youngMb: 0 },
  // The defaults but the writer thread at the process's priority, not ahead of the reads' threads (SERVICEGRAPH_INGEST_THREAD_NICE=0).
  'writer-nice-off': { thread: 'on', sliceMs, apply: 'after-reply', writeFirstMs: 0, writerNice: 0 },
  // The defaults, and the ingest client sends to the writer thread's own port (SERVICEGRAPH_INGEST_PORT), not the main one.
  listener: { thread: 'on', sliceMs, apply: 'after-reply', writeFirstMs: 0, listener: true },
});

/**
 * The same figures without each phase's first `warmup` batches: the idle p99 over 200 batches is their second slowest,
 * and the first batches of a server are often among the slowest (the writer thread's code not optimised yet, its
 * statements and pages cold), which moves the idle p99, and with it the ratio, from run to run. Left out of the idle
 * batches and of each read load's batches alike, so that neither side is measured kinder than the other.
 */
const warmStats = (phases: BatchTime[][], warmup: number) => stats(phases.flatMap((bs) => bs.slice(warmup)));

const stats = (bs: BatchTime[]) => {
  const s = bs.map((b) => b.ms).sort((a, b) => a - b);
  return { batches: s.length, p50Ms: round(percentile(s, 50)), p99Ms: round(percentile(s, 99)), maxMs: round(s[s.length - 1] ?? NaN) };
};

export async function benchLoad(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cis: { type: 'string' },
      duration: { type: 'string', default: '20' },
      connections: { type: 'string', default: '50' },
      workers: { type: 'string' },
      // Enough that the idle p99 is not one batch's hiccup (at 200 it is the second slowest).
      'idle-batches': { type: 'string', default: '200' },
      // The first batches of each phase (idle, beside /graph, beside /impact) left out of the `warm` figures, which are
      // printed beside the figures over every batch (those stay the headline): see warmStats.
      'warmup-batches': { type: 'string', default: '10' },
      // Only the ingest client alone (no read load): the idle figures of each mode, in seconds rather than minutes.
      'idle-only': { type: 'boolean', default: false },
      // 0: each batch right after the reply to the one before (the most a client can write); N: one every N ms, so
      // that every mode's reads face the same writes.
      'ingest-every-ms': { type: 'string', default: '0' },
      only: { type: 'string' }, // graph | impact
      'cpu-prof': { type: 'string' },
      modes: { type: 'string' },
      'slice-ms': { type: 'string', default: '5' },
      // SERVICEGRAPH_WRITE_FIRST_MS of the `first` mode.
      'write-first-ms': { type: 'string', default: '50' },
      // At most this many reads a second in all (autocannon's overallRate; 0: as fast as the server answers).
      'read-rate': { type: 'string', default: '0' },
    },
  });
  if (values.only !== undefined && !['graph', 'impact'].includes(values.only)) throw new Error(`--only takes graph or impact, not ${values.only}`);
  const cis = values.cis === undefined ? null : Number(values.cis);
  const workers = Number(values.workers ?? (cis === null ? 1 : 2));
  const duration = Number(values.duration), connections = Number(values.connections);
  const scratch = mkdtempSync(join(tmpdir(), 'sg-bench-load-'));

  /** One server in `mode` over `estate`: the ingest client alone, then beside each read load. */
  async function measure(estate: string, mode: Mode) {
    let api: Awaited<ReturnType<typeof startApi>> | null = null;
    try {
      api = await startApi(estate, workers, mode, values['cpu-prof']);
      const headers = { 'content-type': 'application/json', authorization: `Bearer ${api.token}` };
      // Focus CIs and impact targets: a seeded sample of the estate's live CIs, hubs included as they come.
      const sample: string[] = [];
      for (let cursor: string | null = null; sample.length < 2_000;) {
        const res = await fetch(`${api.url}/api/v1/cis?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, { headers });
        const page = await res.json() as { items: { id: string }[]; nextCursor: string | null };
        sample.push(...page.items.map((c) => c.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      const pick = (i: number) => sample[(i * 7919) % sample.length];
      const graphRequests: LoadRequest[] = Array.from({ length: 2_000 }, (_, i) => ({ method: 'GET', path: `/api/v1/graph?focus=${encodeURIComponent(pick(i))}&depth=2` }));
      const impactRequests: LoadRequest[] = Array.from({ length: 2_000 }, (_, i) => ({ method: 'POST', path: '/api/v1/impact', body: JSON.stringify({ failed: [{ ci: pick(i), state: 'down' }] }) }));

      log(`ingest client alone: ${values['idle-batches']} batches of 200 CIs`);
      let sent = 0;
      // Where the ingest client sends its batches: the writer thread's own port in `listener` mode, else the API's.
      const ingestUrl = api.ingestUrl ?? api.url;
      const idleBatches = await ingestClient(ingestUrl, headers, 'idle', () => ++sent > Number(values['idle-batches']), 0, everyMs);
      const idle = stats(idleBatches);
      log(`idle ingest: ${JSON.stringify(idle)}, writer ${writerMeanMs(idleBatches)} ms per batch; where: ${JSON.stringify(breakdown(idleBatches))}`);
      log(`idle ingest, slowest batches (number: client ms (write, handover, outside ms)): ${slowestOf(idleBatches).join(', ')}`);

      const underLoad = async (title: string, requests: LoadRequest[]) => {
        let done = false;
        const writer = ingestClient(ingestUrl, headers, title, () => done, 1, everyMs);
        const reads = await loadRun(api!.url, headers, connections, duration, requests, readRate).finally(() => { done = true; });
        const writes = await writer;
        const writerMs = writerMeanMs(writes);
        log(`${title} under ${connections} connections: ${JSON.stringify(reads)}; ingest beside it: ${JSON.stringify(stats(writes))}, writer ${writerMs} ms per batch; where: ${JSON.stringify(breakdown(writes))}`);
        log(`${title}: slowest batches beside it (number: client ms (write, handover, outside ms)): ${slowestOf(writes).join(', ')}`);
        return { reads, writes, writerMs };
      };
      // --only runs one of the two (a profile of one route); its figures go to load-<route>.json, not load.json.
      const runs = (route: string) => !values['idle-only'] && (values.only === undefined || values.only === route);
      const graph = runs('graph') ? await underLoad('graph', graphRequests) : null;
      const impact = runs('impact') ? await underLoad('impact', impactRequests) : null;
      const loadedBatches = [...graph?.writes ?? [], ...impact?.writes ?? []];
      const loaded = stats(loadedBatches);
      const warmup = Number(values['warmup-batches']);
      const idleWarm = warmStats([idleBatches], warmup);
      const loadedWarm = warmStats([graph?.writes ?? [], impact?.writes ?? []], warmup);
      return {
        graphP99Ms: graph?.reads.p99Ms ?? null, impactP99Ms: impact?.reads.p99Ms ?? null,
        timeouts: (graph?.reads.timeouts ?? 0) + (impact?.reads.timeouts ?? 0),
        ingestP99IdleMs: idle.p99Ms, ingestP99UnderLoadMs: loaded.batches ? loaded.p99Ms : null,
        ingestUnderLoadVsIdle: loaded.batches ? round(loaded.p99Ms / idle.p99Ms) : null,
        // The same without each phase's first `warmupBatches` batches (warmStats); the figures above count every batch.
        warmupBatches: warmup, ingestP99IdleWarmMs: idleWarm.p99Ms, ingestP99UnderLoadWarmMs: loadedWarm.batches ? loadedWarm.p99Ms : null,
        ingestWarmUnderLoadVsIdle: loadedWarm.batches ? round(loadedWarm.p99Ms / idleWarm.p99Ms) : null,
        // The writer's own mean time per batch (its parse, validation, planning and COMMIT), idle and beside each read
        // load: the rest of a batch's latency is waiting (the main loop, or the CPU the reads and the load generator take).
        ingestWriterMeanMs: { idle: writerMeanMs(idleBatches), graph: graph?.writerMs ?? null, impact: impact?.writerMs ?? null },
        // Where a batch's time went (Server-Timing stages and what the client saw beyond them), idle and under load.
        ingestBreakdownMs: { idle: breakdown(idleBatches), underLoad: breakdown(loadedBatches) },
        graph: graph?.reads ?? null, impact: impact?.reads ?? null,
        ingestIdle: idle, ingestUnderLoad: loaded, ...mode,
        loadAverage1m: round(loadavg()[0]),
      };
    } finally {
      if (api) {
        api.child.stdin!.end();
        await new Promise((r) => api!.child.once('exit', r));
      }
    }
  }
  const modes = modesOf(Number(values['slice-ms']), Number(values['write-first-ms']));
  const everyMs = Number(values['ingest-every-ms']);
  const readRate = Number(values['read-rate']);
  const modeNames = (values.modes ?? 'first,after').split(',').map((m) => m.trim());
  for (const m of modeNames) if (!(m in modes)) throw new Error(`--modes takes ${Object.keys(modes).join(', ')}, not ${m}`);
  try {
    log(cis === null ? 'loading the demo estate' : `using the ${cis}-CI estate of the impact benchmark`);
    const file = await estateFile(cis, scratch);
    const loadBefore = loadavg()[0];
    const byMode: Record<string, Awaited<ReturnType<typeof measure>>> = {};
    for (const [i, name] of modeNames.entries()) {
      // Every mode starts from the same estate: the ingest client of the one before added to its copy.
      // A mode named twice (before,after,before,after: alternated against the machine's drift) is kept as name#2.
      const key = modeNames.slice(0, i).includes(name) ? `${name}#${modeNames.slice(0, i + 1).filter((n) => n === name).length}` : name;
      const estate = copyEstate(file, scratch, key);
      log(`mode ${name}: ingest thread ${modes[name].thread}, read slices ${modes[name].sliceMs || 'off'} ms, projection applied ${modes[name].apply}, writes first ${modes[name].writeFirstMs || 'off'}${modes[name].writeFirstMs ? ' ms' : ''}`
        + `${modes[name].walCheckpointMs === 0 ? ', WAL checkpointed at commit' : ''}${modes[name].youngMb === 0 ? ', writer young generation at V8\'s default' : ''}`
        + `${modes[name].writerNice === 0 ? ', writer thread at the process\'s priority' : ''}`
        + `${modes[name].listener ? ', batches sent to the writer thread\'s own port' : ''}`);
      byMode[key] = await measure(estate, modes[name]);
      const r = byMode[key];
      log(`mode ${key}: graph p99 ${r.graphP99Ms} ms, impact p99 ${r.impactP99Ms} ms, timeouts ${r.timeouts}; ingest p99 idle ${r.ingestP99IdleMs} ms, under load ${r.ingestP99UnderLoadMs} ms (${r.ingestUnderLoadVsIdle}x)`
        + `; without each phase's first ${r.warmupBatches} batches (warm): idle ${r.ingestP99IdleWarmMs} ms, under load ${r.ingestP99UnderLoadWarmMs} ms (${r.ingestWarmUnderLoadVsIdle}x)`);
    }
    // The headline figures are the last mode's (by default `after`, the server's defaults).
    const last = Object.values(byMode)[modeNames.length - 1];
    const result = {
      ...last,
      modes: byMode,
      estate: cis === null ? 'demo (about 3,000 CIs)' : `${cis} CIs (the impact benchmark's)`,
      workers, connections, durationSeconds: duration, ingestEveryMs: everyMs, readRate,
      loadAverage1m: { before: round(loadBefore), after: round(loadavg()[0]) },
      note: 'graph: GET /graph?focus=<sampled CI>&depth=2; impact: POST /impact on one sampled CI down; each for durationSeconds from `connections` connections (autocannon, its own process; a timeout is a request unanswered after 10 s), while one ingest client sends batches of 200 new CIs with 199 relations one after the other. Idle: the same client with nothing else running. The *Warm* figures (ingestP99IdleWarmMs, ingestP99UnderLoadWarmMs, ingestWarmUnderLoadVsIdle) leave out the first warmupBatches batches of each phase (idle, beside graph, beside impact) alike; the others count every batch. Modes (run one after the other on copies of one estate): before = batches written on the main thread, reads as they arrive (SERVICEGRAPH_INGEST_THREAD=off, SERVICEGRAPH_READ_SLICE_MS=0); after = writer thread on, reads in slices of sliceMs and each batch applied to the projection after its reply (the defaults; SERVICEGRAPH_PROJECTION_APPLY=after-reply); thread / gate = one of the first two; apply-first = after but applied before the reply; first = after with writes first (writeFirstMs: a batch in flight holds new reads back); wal-at-commit = after with the WAL checkpointed at commit, not by its thread (walCheckpointMs 0); young-default = after with the writer thread\'s young generation at V8\'s default (youngMb 0); writer-nice-off = after with the writer thread at the process\'s priority, not ahead of the reads (writerNice 0, SERVICEGRAPH_INGEST_THREAD_NICE); listener = after with the ingest client sending to the writer thread\'s own port (SERVICEGRAPH_INGEST_PORT; with workers, the primary\'s writer thread), not the API\'s. ingestBreakdownMs: where the time of the batches went by Server-Timing stage (auth, body, post = the hand-over to the writer thread, queue and write = on the thread, handover = the rest of the round trip, mostly the reply waiting for the main loop, apply, total) and outside = what the client measured beyond the server total. Top-level figures are the last mode\'s. Shared 2-core machine: figures are noisy.',
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`written to ${writeResult(values['idle-only'] ? 'load-idle' : values.only ? `load-${values.only}` : 'load', result)}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
