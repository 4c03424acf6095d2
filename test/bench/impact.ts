/**
 * `npm run bench -- impact --cis 1000000 [--store sqlite|neo4j]`: blast radius on a generated estate,
 * through the domain function, through HTTP, and as the store itself would answer it without the
 * projection (SQLite: a recursive CTE over the same tables, what a relational CMDB does; Neo4j: a Cypher
 * variable-length traversal, cypher/bench-reachability.cypher), plus an autocannon load run. Writes
 * bench-results/impact.json. The SQLite estate is kept under data/bench/ so a second run skips the load;
 * with `--store neo4j` the estate is loaded into the NEO4J_* database only when it is empty, else the
 * graph already there is measured.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { loadavg } from 'node:os';
import Database from 'better-sqlite3';
import type { GraphStore } from '../../server/store/port.ts';
import type { Neo4jStore } from '../../server/store/neo4j/index.ts';
import { ingest } from '../../server/ingest/ingest-service.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { IngestBatch } from '../../server/model/ingest.ts';
import { generateEstate } from '../../server/demo/generate-estate.ts';
import { loadTopology } from '../../server/topology/build.ts';
import type { Topology } from '../../server/topology/topology.ts';
import { impactReport } from '../../server/domain/impact/report.ts';
import { propagateImpact } from '../../server/domain/impact/propagate.ts';
import { REMOVED } from '../../server/domain/impact/graph.ts';
import { referencePropagate } from '../domain/impact/reference-propagate.ts';
import { firstJsonLine, memory, percentile, sampler } from './bench-util.ts';
import { benchStoreKind, estateLoaded, neo4jTarget, openBenchStore, scratchEstate, type BenchStoreKind } from './bench-store.ts';



const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const log = (msg: string) => process.stderr.write(`[bench impact] ${msg}\n`);


/** The generated estate through the one write path, into an empty store (left open). */
async function loadEstate(store: GraphStore, cis: number, seed: number) {
  const started = Date.now();
  const estate = generateEstate({ cis, seed });
  log(`generated ${estate.cis.length} CIs, ${estate.relations.length} relations; ingesting`);
  const limits = { ...defaultLimits };
  const send = (part: Partial<IngestBatch>) =>
    ingest(store, IngestBatch.parse({ source: 'bench', scope: 'bench', runId: 'bench-load', ...part }), { limits, maxRetireShare: 1 });
  for (let i = 0; i < estate.cis.length; i += limits.batchCis) {
    await send({ cis: estate.cis.slice(i, i + limits.batchCis) });
    if ((i / limits.batchCis) % 20 === 0) log(`CIs ${i}/${estate.cis.length}`);
  }
  for (let i = 0; i < estate.relations.length; i += limits.batchRelations) {
    await send({ relations: estate.relations.slice(i, i + limits.batchRelations) });
    if ((i / limits.batchRelations) % 20 === 0) log(`relations ${i}/${estate.relations.length}`);
  }
  log(`loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}


export function hubs(topo: Topology, count: number): number[] {
  const degree: [number, number][] = [];
  for (const n of topo.liveNodeIds()) {
    let d = 0;
    topo.forEachDependent(n, () => { d++; });
    degree.push([n, d]);
  }
  return degree.sort((a, b) => b[1] - a[1]).slice(0, count).map(([n]) => n);
}

/**
 * Providers sampled from the edge list: each impact edge equally likely, so a CI is drawn in proportion to its
 * dependents. This is the sample where a blast radius is large (hubs and their neighbours), unlike uniform CIs.
 */
export function hubBiased(topo: Topology, count: number, pick: (n: number) => number): number[] {
  const { offsets, nodes } = topo.dependentsCsr();
  const edges = offsets[nodes];
  return Array.from({ length: count }, () => {
    const e = pick(edges);
    // The provider owning base edge e: the last node whose range starts at or before it.
    let lo = 0, hi = nodes - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (offsets[mid] <= e) lo = mid; else hi = mid - 1; }
    return lo;
  });
}

/**
 * The floor under any blast radius: a bare breadth-first search over the same CSR (live base edges and the
 * overlay), no states, groups, depths or paths. Returns how many CIs it reached besides the start.
 */
export function bareBfs(topo: Topology) {
  const csr = topo.dependentsCsr();
  const seen = new Uint8Array(topo.nodeCount);
  const queue = new Int32Array(topo.nodeCount);
  return (start: number): number => {
    const { nodes, offsets, edges, overlayOf } = csr;
    let tail = 0;
    seen[start] = 1; queue[tail++] = start;
    for (let head = 0; head < tail; head++) {
      const u = queue[head];
      if (u < nodes) {
        for (let i = offsets[u] << 1, end = offsets[u + 1] << 1; i < end; i += 2) {
          const v = edges[i];
          if (v !== REMOVED && !seen[v]) { seen[v] = 1; queue[tail++] = v; }
        }
      }
      const extra = overlayOf(u);
      if (extra) for (let j = 0; j < extra.length; j += 3) { const v = extra[j]; if (!seen[v]) { seen[v] = 1; queue[tail++] = v; } }
    }
    for (let i = 0; i < tail; i++) seen[queue[i]] = 0;
    return tail - 1;
  };
}

/**
 * The same BFS over the layout that is best for it when it reads no groups: the dependents alone in one Int32Array
 * (4 bytes per edge against the interleaved 8), removed edges left out, built once here from the projection's CSR.
 * The floor of each CI is the faster of the two.
 */
export function bareBfsTargetsOnly(topo: Topology) {
  const { nodes, offsets, edges, overlayOf } = topo.dependentsCsr();
  const off = new Int32Array(nodes + 1), targets = new Int32Array(offsets[nodes]);
  let m = 0;
  for (let u = 0; u < nodes; u++) {
    for (let i = offsets[u] << 1, end = offsets[u + 1] << 1; i < end; i += 2) if (edges[i] !== REMOVED) targets[m++] = edges[i];
    off[u + 1] = m;
  }
  const seen = new Uint8Array(topo.nodeCount);
  const queue = new Int32Array(topo.nodeCount);
  return (start: number): number => {
    let tail = 0;
    seen[start] = 1; queue[tail++] = start;
    for (let head = 0; head < tail; head++) {
      const u = queue[head];
      if (u < nodes) {
        for (let i = off[u], end = off[u + 1]; i < end; i++) {
          const v = targets[i];
          if (!seen[v]) { seen[v] = 1; queue[tail++] = v; }
        }
      }
      const extra = overlayOf(u);
      if (extra) for (let j = 0; j < extra.length; j += 3) { const v = extra[j]; if (!seen[v]) { seen[v] = 1; queue[tail++] = v; } }
    }
    for (let i = 0; i < tail; i++) seen[queue[i]] = 0;
    return tail - 1;
  };
}

/**
 * A call's mean time in ms, the best of three rounds each repeating the call until a millisecond has passed (see
 * againstBareBfs): `ms` by the wall clock, `cpuMs` in CPU time (the process's user + system time over the round, per
 * call). On this shared 2-core machine a round's wall time includes the slices other processes took, which moved the
 * hub p99 by up to 50% between runs while the CPU time per call moved ~10%: both are reported.
 */
function perCall(f: () => void): { ms: number; cpuMs: number } {
  let best = Infinity, bestCpu = Infinity;
  for (let round = 0; round < 3; round++) {
    let calls = 0, ms = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    do { f(); calls++; ms = performance.now() - t0; } while (ms < 1);
    const cpu = process.cpuUsage(cpu0);
    best = Math.min(best, ms / calls);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000 / calls);
  }
  return { ms: best, cpuMs: bestCpu };
}

/**
 * What a call costs before it walks anything, on `count` live CIs nothing depends on (a blast radius of one): the
 * engine with the nearest `listed` kept, states only, the API report and the bare BFS on the same CIs, and the engine
 * asked about no CI at all. Medians, in ms.
 */
export function perCallOverhead(topo: Topology, count = 100, listed = 1_000) {
  const leaves: number[] = [];
  for (const n of topo.liveNodeIds()) {
    let dependents = 0;
    topo.forEachDependent(n, () => { dependents++; });
    if (dependents === 0) leaves.push(n);
    if (leaves.length === count) break;
  }
  const bfs = bareBfs(topo), bfsTargets = bareBfsTargetsOnly(topo);
  const median = (f: (n: number) => void) => {
    const times = leaves.map((n) => perCall(() => { f(n); }).ms).sort((a, b) => a - b);
    return percentile(times, 50);
  };
  leaves.slice(0, 10).forEach((n) => { bfs(n); bfsTargets(n); propagateImpact(topo, [{ node: n, state: 'down' }], { limit: listed }); }); // warm-up
  return {
    cis: leaves.length,
    emptyMs: median(() => { propagateImpact(topo, [], { limit: listed }); }),
    oneCiMs: median((n) => { propagateImpact(topo, [{ node: n, state: 'down' }], { limit: listed }); }),
    oneCiStatesOnlyMs: median((n) => { propagateImpact(topo, [{ node: n, state: 'down' }], { limit: 0 }); }),
    oneCiReportMs: median((n) => { impactReport(topo, [{ node: n, state: 'down' }], { limit: listed }); }),
    oneCiBareBfsMs: Math.min(median((n) => { bfs(n); }), median((n) => { bfsTargets(n); })),
  };
}

/**
 * The engine and the bare BFS on the same CIs, interleaved, so a noisy neighbour on this shared machine slows both
 * sides alike. Each side's time for a CI is the best of three rounds, a round repeating the call until a millisecond
 * has passed (the mean per call): most of these blast radii are a few CIs, answered in microseconds, where one call's
 * time is the timer's resolution, and on a machine shared with other sessions a single call's time is as often a
 * stolen time slice as the walk. Sides: the engine's answer with the nearest `listed` CIs' paths and causes kept (as
 * POST /impact asks for them), the same with their listing objects built (what a caller reading `impacted` adds),
 * states only (nothing listed), and the engine this one replaced (test/domain/impact/reference-propagate.ts), listing
 * built as it always did. Also checks that all reach the same CIs and that the engine answers as the reference did.
 */
export function againstBareBfs(topo: Topology, nodes: number[], listed = 1_000) {
  const bfs = bareBfs(topo), bfsTargets = bareBfsTargetsOnly(topo);
  // Each side's input is made before it is timed, as the BFS's start is: the failed CI list and the options are the
  // caller's, not the engine's work (made inside the timed call they were ~5% of a median blast radius's time).
  const input = (n: number) => [{ node: n, state: 'down' as const }];
  const keep = { limit: listed }, statesOnly = { limit: 0 };
  nodes.slice(0, 10).forEach((n) => {
    const failed = input(n);
    bfs(n); bfsTargets(n); propagateImpact(topo, failed, keep); void propagateImpact(topo, failed, keep).impacted; propagateImpact(topo, failed, statesOnly);
    referencePropagate(topo, failed, keep); impactReport(topo, failed, keep);
  }); // warm-up
  // Each side's times per CI, by the wall clock and in CPU time (see perCall), in the order of `nodes`.
  const side = () => ({ engine: [] as number[], listing: [] as number[], report: [] as number[], statesOnly: [] as number[], reference: [] as number[], bfs: [] as number[], bfsPairs: [] as number[], bfsTargets: [] as number[] });
  const wall = side(), cpu = side();
  const time = (name: Exclude<keyof typeof wall, 'bfs'>, f: () => void) => { const t = perCall(f); wall[name].push(t.ms); cpu[name].push(t.cpuMs); };
  const sizes: number[] = [];
  let sameReach = true, sameAnswers = true;
  // The checks of one CI, in a function of their own so that their answers (at a hub, a thousand listed CIs built on
  // each side and their JSON) are garbage before anything is timed: held in the loop's scope, they survived every
  // scavenge during the CI's timings, and the side whose allocation set one off, the engine first of all, paid for
  // copying them (the hub's engine calls ranged 245-1,040 us against a typical 260, so its p99 was those copies). The
  // bare BFS allocates nothing and never paid.
  const check = (n: number, failed: ReturnType<typeof input>): number => {
    const r = propagateImpact(topo, failed, keep);
    // Every CI a failure reaches is impacted (down or degraded): both must count the same CIs.
    if (bfs(n) + 1 !== r.total || bfsTargets(n) + 1 !== r.total) sameReach = false;
    const was = referencePropagate(topo, failed, keep);
    if (r.total !== was.total || r.all.some((x, i) => x !== was.all[i] || r.allStates[i] !== was.allStates[i]) || JSON.stringify(r.impacted) !== JSON.stringify(was.impacted)) sameAnswers = false;
    return r.total;
  };
  for (const n of nodes) {
    const failed = input(n);
    sizes.push(check(n, failed));
    time('engine', () => { propagateImpact(topo, failed, keep); });
    time('listing', () => { void propagateImpact(topo, failed, keep).impacted; });
    time('report', () => { impactReport(topo, failed, keep); });
    time('statesOnly', () => { propagateImpact(topo, failed, statesOnly); });
    time('reference', () => { referencePropagate(topo, failed, keep); });
    time('bfsPairs', () => { bfs(n); });
    time('bfsTargets', () => { bfsTargets(n); });
    for (const t of [wall, cpu]) t.bfs.push(Math.min(t.bfsPairs[t.bfsPairs.length - 1], t.bfsTargets[t.bfsTargets.length - 1]));
  }
  return { wall, cpu, sizes, sameReach, sameAnswers };
}

/**
 * A labelled extra figure, printed and written beside the headline, never instead of it: as JMH warms up before it
 * measures, both sides are first run once on every distinct CI of the sample, then the engine (the nearest `listed`
 * kept) and the bare BFS (the faster of its two layouts per CI) are timed on the sample as againstBareBfs times them.
 * Why: V8 deoptimises the engine the first time a rare path runs (a CI that worsens after it was processed, a large
 * answer's typed arrays) and recompiles it inside the timing of the CI that took the path, a once-per-process cost
 * the headline charges to one query (server/domain/impact/README.md, stop 32). Run after the headline, so the
 * headline's own timing is as it was.
 */
export function warmedAgainstBareBfs(topo: Topology, nodes: number[], listed = 1_000) {
  const bfs = bareBfs(topo), bfsTargets = bareBfsTargetsOnly(topo);
  const keep = { limit: listed };
  const inputs = new Map(nodes.map((n) => [n, [{ node: n, state: 'down' as const }]]));
  for (const [n, failed] of inputs) { propagateImpact(topo, failed, keep); bfs(n); bfsTargets(n); } // the warm-up
  const wall = { engine: [] as number[], bfs: [] as number[] }, cpu = { engine: [] as number[], bfs: [] as number[] };
  for (const n of nodes) {
    const failed = inputs.get(n)!;
    const e = perCall(() => { propagateImpact(topo, failed, keep); });
    const p = perCall(() => { bfs(n); }), t = perCall(() => { bfsTargets(n); });
    wall.engine.push(e.ms); cpu.engine.push(e.cpuMs);
    wall.bfs.push(Math.min(p.ms, t.ms)); cpu.bfs.push(Math.min(p.cpuMs, t.cpuMs));
  }
  return { wall: ratioFigures(wall.engine, wall.bfs), cpu: ratioFigures(cpu.engine, cpu.bfs) };
}

/** p50 and p99 of each side, their ratios, and the distribution of the per-CI ratio (the same CI on both sides). */
export function ratioFigures(times: number[], bfsTimes: number[]) {
  const sorted = [...times].sort((a, b) => a - b), sortedBfs = [...bfsTimes].sort((a, b) => a - b);
  const perCi = times.map((t, i) => t / bfsTimes[i]).sort((a, b) => a - b);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), bfsP50Ms: percentile(sortedBfs, 50), bfsP99Ms: percentile(sortedBfs, 99),
    ratioP50: percentile(sorted, 50) / percentile(sortedBfs, 50), ratioP99: percentile(sorted, 99) / percentile(sortedBfs, 99),
    perCiRatioP50: percentile(perCi, 50), perCiRatioP90: percentile(perCi, 90), perCiRatioMax: perCi[perCi.length - 1],
    /** The whole sample's time over the BFS's: what the big blast radii cost. */
    totalRatio: sum(times) / sum(bfsTimes),
  };
}

/**
 * The engine (every impacted CI's state and depth, one shortest path each, the nearest `listed` of them
 * materialised as the API lists by default); then, separately, the full API-shaped report.
 */
function timeDomain(topo: Topology, nodes: number[], listed = 1_000, keepSets = 0) {
  const times: number[] = [], reportTimes: number[] = [], sizes: number[] = [], sets: Set<string>[] = [];
  for (const n of nodes) {
    const t0 = performance.now();
    const r = propagateImpact(topo, [{ node: n, state: 'down' }], { limit: listed });
    times.push(performance.now() - t0);
    sizes.push(r.total);
    // Only the answers the CTE is checked against are kept: holding them all would bloat the heap and time GC instead.
    if (sets.length < keepSets) sets.push(new Set(Array.from(r.all, (x) => topo.idOf(x))));
  }
  for (const n of nodes) {
    const t0 = performance.now();
    impactReport(topo, [{ node: n, state: 'down' }], { limit: 1_000 }); // what POST /impact lists by default
    reportTimes.push(performance.now() - t0);
  }
  return { times, reportTimes, sizes, sets };
}

/** Reachability along impact edges, as a relational CMDB computes it. */
const CTE = `WITH RECURSIVE impacted(id) AS (
  SELECT ?
  UNION SELECT r.from_id FROM relations r JOIN impacted i ON r.to_id = i.id WHERE r.valid_to IS NULL AND r.type IN ('DEPENDS_ON', 'RUNS_ON')
  UNION SELECT r.to_id FROM relations r JOIN impacted i ON r.from_id = i.id WHERE r.valid_to IS NULL AND r.type = 'PART_OF'
) SELECT id FROM impacted`;

/** The store's own answer to "what does this CI's failure reach", and how long that alone took. */
interface Reachability {
  title: string;
  reach(id: string): Promise<{ ids: string[]; ms: number }>;
  close(): void;
}

/** SQLite: the recursive CTE on the estate file, read-only beside the store. */
function cteReachability(file: string): Reachability {
  const db = new Database(file, { readonly: true });
  const cte = db.prepare<[string], { id: string }>(CTE);
  return {
    title: 'CTE',
    reach: async (id) => {
      const s = performance.now();
      const ids = cte.all(id).map((r) => r.id);
      return { ids, ms: performance.now() - s };
    },
    close: () => db.close(),
  };
}

/** Neo4j: cypher/bench-reachability.cypher, one read transaction per CI (the round trip included, as an API on Neo4j would pay it). */
async function cypherReachability(store: Neo4jStore): Promise<Reachability> {
  const { runQuery } = await import('../../server/store/neo4j/run.ts');
  return {
    title: 'Cypher',
    reach: async (id) => {
      const s = performance.now();
      const rows = await store.readTransaction((tx) => runQuery<{ id: string }>(tx, 'bench-reachability', { id }));
      return { ids: rows.map((r) => r.id), ms: performance.now() - s };
    },
    close: () => {},
  };
}

/**
 * The estate to measure: a scratch copy of SQLite's file under data/bench/ (loaded there once, when missing), or the
 * NEO4J_* database (loaded only when empty). A copy, because the benchmarks that measure it write (the API's tokens,
 * alerts, incidents) and the file is shared by every benchmark and by runs of other checkouts, each of which must
 * measure the same estate.
 */
export async function estateStore(kind: BenchStoreKind, cis: number, seed: number): Promise<{ store: GraphStore; file: string | null }> {
  if (kind === 'neo4j') {
    const store = await openBenchStore(kind, '');
    const seq = await store.latestSeq();
    if (seq === 0) await loadEstate(store, cis, seed);
    else log(`reusing the estate already in Neo4j (${neo4jTarget()}, event log at ${seq}): --cis and --seed do not apply to it`);
    return { store, file: null };
  }
  const dir = resolve('data/bench');
  mkdirSync(dir, { recursive: true });
  const shared = join(dir, `impact-${cis}-${seed}.db`);
  if (estateLoaded(shared)) log(`reusing ${shared} (a copy of it)`);
  else {
    const store = await openBenchStore(kind, shared);
    await loadEstate(store, cis, seed);
    await store.close();
  }
  const file = scratchEstate(shared);
  return { store: await openBenchStore(kind, file), file };
}

export async function benchImpact(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cis: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '7' },
      samples: { type: 'string', default: '1000' },
      'hub-samples': { type: 'string', default: '300' },
      'cte-samples': { type: 'string', default: '100' },
      'api-samples': { type: 'string', default: '300' },
      duration: { type: 'string', default: '20' },
      connections: { type: 'string', default: '50' },
      // API processes sharing the port for the HTTP runs (SERVICEGRAPH_WORKERS): one per core of this machine.
      workers: { type: 'string', default: '2' },
      out: { type: 'string', default: 'bench-results/impact.json' },
      store: { type: 'string', default: 'sqlite' },
    },
    allowPositionals: true,
  });
  const cis = Number(values.cis), seed = Number(values.seed);
  const kind = benchStoreKind(values.store);
  // A million-CI estate needs more heap than Node's default while it is generated: run again with room.
  if (getHeapStatistics().heap_size_limit < 8e9 && !process.env.SG_BENCH_CHILD) {
    const r = spawnSync(process.execPath, [...process.execArgv, '--max-old-space-size=16384', process.argv[1], ...process.argv.slice(2)],
      { stdio: 'inherit', env: { ...process.env, SG_BENCH_CHILD: '1' } });
    process.exitCode = r.status ?? 1;
    return;
  }

  const { store, file } = await estateStore(kind, cis, seed);

  // Projection build and its memory.
  const before = memory();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const topo = await loadTopology(store);
  const buildSeconds = (performance.now() - t0) / 1000;
  const buildCpuSeconds = process.cpuUsage(cpu0).user / 1e6;
  const bytesPerCi = (memory() - before) / topo.stats().cis;
  if (kind === 'neo4j' && topo.stats().cis !== cis) log(`the Neo4j estate holds ${topo.stats().cis} live CIs, not the ${cis} asked for`);
  log(`projection: ${JSON.stringify(topo.stats())} in ${buildSeconds.toFixed(2)} s (${buildCpuSeconds.toFixed(1)} s CPU), ${bytesPerCi.toFixed(0)} bytes per CI`);

  // Domain: random CIs and the biggest hubs.
  const pick = sampler(seed);
  const live = [...topo.liveNodeIds()];
  const randomNodes = Array.from({ length: Number(values.samples) }, () => live[pick(live.length)]);
  timeDomain(topo, randomNodes.slice(0, 50)); // warm-up
  log(`timing ${randomNodes.length} random CIs`);
  const domain = timeDomain(topo, randomNodes, 1_000, Number(values['cte-samples']));
  log('timing the 20 biggest hubs');
  // The same CIs with every impacted CI listed with its path (what ?limit=100000 costs).
  const fullListing = [...timeDomain(topo, randomNodes.slice(0, 200), defaultLimits.impactResults).times].sort((a, b) => a - b);
  const hubNodes = hubs(topo, 20);
  const hub = timeDomain(topo, hubNodes);
  log('timing the hub-biased sample against a bare BFS');
  const biased = hubBiased(topo, Number(values['hub-samples']), pick);
  const loadBefore = loadavg()[0];
  const vsBfs = againstBareBfs(topo, biased);
  const biasedSameReach = vsBfs.sameReach;
  // Every side against the bare BFS, by the wall clock and in CPU time.
  const against = (t: typeof vsBfs.wall) => ({
    withListing: ratioFigures(t.engine, t.bfs), statesOnly: ratioFigures(t.statesOnly, t.bfs), listingBuilt: ratioFigures(t.listing, t.bfs),
    engineBefore: ratioFigures(t.reference, t.bfs), apiReport: ratioFigures(t.report, t.bfs),
    bfsPairs: ratioFigures(t.bfsPairs, t.bfs), bfsTargets: ratioFigures(t.bfsTargets, t.bfs),
  });
  const { withListing, statesOnly, listingBuilt, engineBefore, apiReport, bfsPairs, bfsTargets } = against(vsBfs.wall);
  const cpu = against(vsBfs.cpu);
  const sortedBiasedSizes = [...vsBfs.sizes].sort((a, b) => a - b);
  const bfsLoad = [loadBefore, loadavg()[0]].map((x) => round(x, 1));
  const ms = (x: number) => (x < 0.1 ? `${(x * 1000).toFixed(2)} us` : `${x.toFixed(2)} ms`);
  const line = (title: string, f: ReturnType<typeof ratioFigures>, c: ReturnType<typeof ratioFigures>) =>
    `${title} p50 ${ms(f.p50Ms)}, p99 ${ms(f.p99Ms)}: ${f.ratioP50.toFixed(2)}x / ${f.ratioP99.toFixed(2)}x the bare BFS (per CI: median ${f.perCiRatioP50.toFixed(2)}x, p90 ${f.perCiRatioP90.toFixed(2)}x; whole sample ${f.totalRatio.toFixed(2)}x); CPU time ${c.ratioP50.toFixed(2)}x / ${c.ratioP99.toFixed(2)}x (whole sample ${c.totalRatio.toFixed(2)}x)`;
  log(`hub-biased (${biased.length} providers drawn from the edge list; blast radius p50 ${percentile(sortedBiasedSizes, 50)}, p99 ${percentile(sortedBiasedSizes, 99)}; load average ${bfsLoad.join(' -> ')}): bare BFS p50 ${ms(withListing.bfsP50Ms)}, p99 ${ms(withListing.bfsP99Ms)} (CPU time ${ms(cpu.withListing.bfsP50Ms)}, ${ms(cpu.withListing.bfsP99Ms)}); same reach: ${biasedSameReach}; same answers as the engine before: ${vsBfs.sameAnswers}`);
  log(line('  bare BFS over the projection\'s CSR (dependent and group side by side)', bfsPairs, cpu.bfsPairs));
  log(line('  bare BFS over dependents alone (4 bytes per edge)', bfsTargets, cpu.bfsTargets));
  log(line('  engine, the nearest 1,000 with paths and causes kept', withListing, cpu.withListing));
  log(line('  the same, their listing objects built', listingBuilt, cpu.listingBuilt));
  log(line('  the API report (entries, services, summary) from the flat answer', apiReport, cpu.apiReport));
  log(line('  engine, states only (nothing listed)', statesOnly, cpu.statesOnly));
  log(line('  the engine before (listing built in the walk)', engineBefore, cpu.engineBefore));
  // After the headline (see warmedAgainstBareBfs): the same sample once every distinct CI has run on both sides.
  const warmed = warmedAgainstBareBfs(topo, biased);
  log(line('  warmed up (both sides run once on every distinct CI first; not the headline)', warmed.wall, warmed.cpu));
  const overhead = perCallOverhead(topo);
  log(`per call (median of ${overhead.cis} CIs nothing depends on): engine ${ms(overhead.oneCiMs)} (states only ${ms(overhead.oneCiStatesOnlyMs)}, API report ${ms(overhead.oneCiReportMs)}), bare BFS ${ms(overhead.oneCiBareBfsMs)}; the engine asked about no CI ${ms(overhead.emptyMs)}`);
  const sortedDomain = [...domain.times].sort((a, b) => a - b);
  const sortedHub = [...hub.times].sort((a, b) => a - b);
  const sortedSizes = [...domain.sizes].sort((a, b) => a - b);
  const sortedReport = [...domain.reportTimes].sort((a, b) => a - b);
  log(`domain p50 ${percentile(sortedDomain, 50).toFixed(3)} ms, p99 ${percentile(sortedDomain, 99).toFixed(3)} ms; blast radius p50 ${percentile(sortedSizes, 50)}, max ${sortedSizes[sortedSizes.length - 1]}; hubs p99 ${percentile(sortedHub, 99).toFixed(2)} ms (largest ${Math.max(...hub.sizes)})`);

  // The same reachability answered by the store itself (SQLite: a recursive CTE on the same tables; Neo4j:
  // a Cypher traversal of the same graph), checking the answers agree. Named cte* in the results for both.
  const alt = kind === 'sqlite' ? cteReachability(file!) : await cypherReachability(store as Neo4jStore);
  const cteNodes = randomNodes.slice(0, Number(values['cte-samples']));
  const cteTimes: number[] = [];
  let sameAnswers = true;
  for (const [i, n] of cteNodes.entries()) {
    const { ids, ms } = await alt.reach(topo.idOf(n));
    cteTimes.push(ms);
    const mine = domain.sets[i];
    if (ids.length !== mine.size || ids.some((id) => !mine.has(id))) {
      sameAnswers = false;
      log(`different answer for ${topo.idOf(n)}: ${alt.title} ${ids.length}, projection ${mine.size}`);
    }
  }
  alt.close();
  const sortedCte = [...cteTimes].sort((a, b) => a - b);
  const domainOnCteSample = [...domain.times.slice(0, cteNodes.length)].sort((a, b) => a - b);
  const speedupVsCte = percentile(sortedCte, 50) / percentile(domainOnCteSample, 50);
  // The median CI has a small blast radius, where both sides cost little; the whole sample's time and the
  // tail show what a CMDB pays for the big ones.
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const speedupVsCteP99 = percentile(sortedCte, 99) / percentile(domainOnCteSample, 99);
  const speedupVsCteTotal = sum(sortedCte) / sum(domainOnCteSample);
  // Like for like: the CTE answers only which CIs are reached; the engine with nothing listed answers
  // that and every CI's state (no paths or causes materialised).
  const reachOnly = cteNodes.map((n) => {
    const t0 = performance.now();
    propagateImpact(topo, [{ node: n, state: 'down' }], { limit: 0 });
    return performance.now() - t0;
  }).sort((a, b) => a - b);
  const speedupVsCteReachOnly = percentile(sortedCte, 50) / percentile(reachOnly, 50);
  log(`${alt.title} p50 ${percentile(sortedCte, 50).toFixed(2)} ms, p99 ${percentile(sortedCte, 99).toFixed(2)} ms over ${cteNodes.length} CIs; same answers: ${sameAnswers}; speedup at p50 ${speedupVsCte.toFixed(1)}x, at p99 ${speedupVsCteP99.toFixed(1)}x, over the whole sample ${speedupVsCteTotal.toFixed(1)}x; reachability and states only (nothing listed) at p50 ${speedupVsCteReachOnly.toFixed(1)}x`);
  await store.close();

  // HTTP: the real server over the same database, in its own process (it builds its own projection at start).
  const serverArgs = ['--workers', values.workers!, ...(kind === 'sqlite' ? ['--store', 'sqlite', file!] : ['--store', 'neo4j'])];
  const child = spawn(process.execPath, [...process.execArgv, join(dirname(fileURLToPath(import.meta.url)), 'impact-server.ts'), ...serverArgs], { stdio: ['pipe', 'pipe', 'inherit'] });
  const server = await firstJsonLine<{ url: string; token: string }>(child);
  const adminToken = server.token;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` };
  const body = (n: number) => JSON.stringify({ failed: [{ ci: topo.idOf(n), state: 'down' }] });
  const apiTimes: number[] = [];
  for (const n of randomNodes.slice(0, Number(values['api-samples']))) {
    const s = performance.now();
    const res = await fetch(`${server.url}/api/v1/impact`, { method: 'POST', headers, body: body(n) });
    await res.arrayBuffer();
    apiTimes.push(performance.now() - s);
    if (res.status !== 200) throw new Error(`impact API answered ${res.status}`);
  }
  const sortedApi = [...apiTimes].sort((a, b) => a - b);
  log(`API p50 ${percentile(sortedApi, 50).toFixed(2)} ms, p99 ${percentile(sortedApi, 99).toFixed(2)} ms`);

  // The load generator runs in its own process (load-run.ts), over requests drawn here from the same seeded sample.
  const load = async (title: string, request: (n: number) => { method: 'GET' | 'POST'; path: string; body?: string }) => {
    const requests = Array.from({ length: 2_000 }, () => request(randomNodes[pick(randomNodes.length)]));
    const spec = { url: server.url, headers, connections: Number(values.connections), duration: Number(values.duration), requests };
    const runner = spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--max-old-space-size')), join(dirname(fileURLToPath(import.meta.url)), 'load-run.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let text = '';
    runner.stdout!.on('data', (d) => { text += d; });
    runner.stdin!.end(JSON.stringify(spec));
    const code = await new Promise<number | null>((r) => runner.once('exit', r));
    if (code !== 0) throw new Error(`load run for ${title} exited with ${code}`);
    const out = JSON.parse(text.trim().split('\n').pop()!);
    log(`load ${title}: ${JSON.stringify(out)}`);
    return out;
  };
  const loadImpact = await load('POST /api/v1/impact', (n) => ({ method: 'POST', path: '/api/v1/impact', body: body(n) }));
  const loadGraph = await load('GET /api/v1/graph', (n) => ({ method: 'GET', path: `/api/v1/graph?focus=${encodeURIComponent(topo.idOf(n))}&depth=2` }));
  child.stdin!.end();
  await new Promise((r) => child.once('exit', r));

  const alternative = kind === 'sqlite'
    ? 'cte*: the recursive CTE over the same SQLite tables'
    : 'cte*: not a CTE but the Cypher traversal of cypher/bench-reachability.cypher on the same Neo4j, one read transaction each, Bolt round trip included';
  const results = {
    store: kind,
    p50Ms: round(percentile(sortedDomain, 50)), p99Ms: round(percentile(sortedDomain, 99)),
    apiP50Ms: round(percentile(sortedApi, 50)), apiP99Ms: round(percentile(sortedApi, 99)),
    hubP99Ms: round(percentile(sortedHub, 99)),
    hubBiasedP50Ms: round(withListing.p50Ms, 5), hubBiasedP99Ms: round(withListing.p99Ms, 5),
    bareBfsP50Ms: round(withListing.bfsP50Ms, 5), bareBfsP99Ms: round(withListing.bfsP99Ms, 5),
    bareBfsLayouts: {
      pairs: { p50Ms: round(bfsPairs.p50Ms, 5), p99Ms: round(bfsPairs.p99Ms, 5) },
      targetsOnly: { p50Ms: round(bfsTargets.p50Ms, 5), p99Ms: round(bfsTargets.p99Ms, 5) },
    },
    bareBfsRatio: round(Math.max(withListing.ratioP50, withListing.ratioP99), 2), bareBfsRatioP50: round(withListing.ratioP50, 2), bareBfsRatioP99: round(withListing.ratioP99, 2),
    bareBfsRatioPerCi: { p50: round(withListing.perCiRatioP50, 2), p90: round(withListing.perCiRatioP90, 2), max: round(withListing.perCiRatioMax, 2) }, bareBfsRatioWholeSample: round(withListing.totalRatio, 2),
    hubBiasedSameAnswersAsBefore: vsBfs.sameAnswers,
    warmedUp: {
      bareBfsRatioP50: round(warmed.wall.ratioP50, 2), bareBfsRatioP99: round(warmed.wall.ratioP99, 2), wholeSample: round(warmed.wall.totalRatio, 2),
      cpuTime: { bareBfsRatioP50: round(warmed.cpu.ratioP50, 2), bareBfsRatioP99: round(warmed.cpu.ratioP99, 2), wholeSample: round(warmed.cpu.totalRatio, 2) },
    },
    cpuTime: {
      bareBfsP50Ms: round(cpu.withListing.bfsP50Ms, 5), bareBfsP99Ms: round(cpu.withListing.bfsP99Ms, 5),
      hubBiasedP50Ms: round(cpu.withListing.p50Ms, 5), hubBiasedP99Ms: round(cpu.withListing.p99Ms, 5),
      bareBfsRatioP50: round(cpu.withListing.ratioP50, 2), bareBfsRatioP99: round(cpu.withListing.ratioP99, 2), bareBfsRatioWholeSample: round(cpu.withListing.totalRatio, 2),
      ...Object.fromEntries((['statesOnly', 'listingBuilt', 'apiReport', 'engineBefore'] as const).map((k) =>
        [k, { bareBfsRatioP50: round(cpu[k].ratioP50, 2), bareBfsRatioP99: round(cpu[k].ratioP99, 2), wholeSample: round(cpu[k].totalRatio, 2) }])),
    },
    listingBuilt: { p50Ms: round(listingBuilt.p50Ms, 5), p99Ms: round(listingBuilt.p99Ms, 5), bareBfsRatioP50: round(listingBuilt.ratioP50, 2), bareBfsRatioP99: round(listingBuilt.ratioP99, 2), perCiRatioP50: round(listingBuilt.perCiRatioP50, 2), wholeSample: round(listingBuilt.totalRatio, 2) },
    apiReport: { p50Ms: round(apiReport.p50Ms, 5), p99Ms: round(apiReport.p99Ms, 5), bareBfsRatioP50: round(apiReport.ratioP50, 2), bareBfsRatioP99: round(apiReport.ratioP99, 2), perCiRatioP50: round(apiReport.perCiRatioP50, 2), wholeSample: round(apiReport.totalRatio, 2) },
    engineBefore: { p50Ms: round(engineBefore.p50Ms, 5), p99Ms: round(engineBefore.p99Ms, 5), bareBfsRatioP50: round(engineBefore.ratioP50, 2), bareBfsRatioP99: round(engineBefore.ratioP99, 2), perCiRatioP50: round(engineBefore.perCiRatioP50, 2), wholeSample: round(engineBefore.totalRatio, 2) },
    statesOnly: { p50Ms: round(statesOnly.p50Ms, 5), p99Ms: round(statesOnly.p99Ms, 5), bareBfsRatioP50: round(statesOnly.ratioP50, 2), bareBfsRatioP99: round(statesOnly.ratioP99, 2), perCiRatioP50: round(statesOnly.perCiRatioP50, 2), perCiRatioP90: round(statesOnly.perCiRatioP90, 2), wholeSample: round(statesOnly.totalRatio, 2) },
    perCallOverhead: Object.fromEntries(Object.entries(overhead).map(([k, v]) => [k, k === 'cis' ? v : round(v, 6)])),
    hubBiasedBlastRadius: { p50: percentile(sortedBiasedSizes, 50), p99: percentile(sortedBiasedSizes, 99) }, hubBiasedLoadAverage: bfsLoad,
    hubBiasedSameReach: biasedSameReach,
    fullListingP99Ms: round(percentile(fullListing, 99)),
    reportP50Ms: round(percentile(sortedReport, 50)), reportP99Ms: round(percentile(sortedReport, 99)),
    cteP50Ms: round(percentile(sortedCte, 50)), cteP99Ms: round(percentile(sortedCte, 99)),
    speedupVsCte: round(speedupVsCte, 1), speedupVsCteP99: round(speedupVsCteP99, 1), speedupVsCteTotal: round(speedupVsCteTotal, 1), speedupVsCteReachOnly: round(speedupVsCteReachOnly, 1), sameAnswers,
    buildSeconds: round(buildSeconds, 2), buildCpuSeconds: round(buildCpuSeconds, 1), bytesPerCi: Math.round(bytesPerCi),
    estate: { cis: topo.stats().cis, relations: topo.stats().relations, impactEdges: topo.stats().relations, groups: topo.stats().groups },
    samples: { random: randomNodes.length, hubs: hubNodes.length, hubBiased: biased.length, cte: cteNodes.length, api: apiTimes.length },
    blastRadius: { p50: percentile(sortedSizes, 50), p99: percentile(sortedSizes, 99), max: sortedSizes[sortedSizes.length - 1], hubMax: Math.max(...hub.sizes) },
    load: { connections: Number(values.connections), durationSeconds: Number(values.duration), workers: Number(values.workers), impact: loadImpact, graph: loadGraph },
    note: `p50Ms/p99Ms/hubP99Ms: propagateImpact computing every impacted CI (state, depth, shortest-path parent) and keeping the nearest 1,000's paths and causes, as POST /impact asks by default (flat: their listing objects are built when read); hubBiased*: the same engine call on providers drawn from the edge list (degree-biased), against bareBfs*, a bare BFS on the same CIs (its edge loop written inline, no callback: the floor, answering only how many CIs are reached), per CI the faster of two layouts (bareBfsLayouts): the projection's CSR (dependent and group side by side, 8 bytes per edge) and the dependents alone (4 bytes per edge, removed edges left out), interleaved, each the best of three rounds of repeating the call for at least 1 ms (both sides alike); cpuTime: the same figures in CPU time (the process's user + system time per call over those rounds), which a loaded machine moves far less than the wall clock; bareBfsRatio: the worse of its p50 and p99 ratios; bareBfsRatioPerCi: the distribution of engine/BFS on each CI; bareBfsRatioWholeSample: the sample's summed times; listingBuilt: the same with the listing's objects built (reading impacted); apiReport: the whole report POST /impact serialises (impactReport, limit 1,000: entries built straight from the flat answer, services, summary over every impacted CI); engineBefore: the engine this one replaced, which built them in the walk (test/domain/impact/reference-propagate.ts), hubBiasedSameAnswersAsBefore: whether both answered the same on every CI of the sample (states, order, paths, causes); warmedUp: not the headline, a figure beside it: the engine (nearest 1,000 kept) and the bare BFS timed again on the same sample after the headline, both sides first run once on every distinct CI of it (a warm-up as JMH does: a deoptimisation on a rare path is a once-per-process cost, not a query's); statesOnly: the same with nothing listed (every CI's state, the engine's walk alone); hubBiasedLoadAverage: the 1-minute load average before and after; perCallOverhead: medians over CIs nothing depends on (a blast radius of one) of the engine (listing kept, states only), the API report and the bare BFS, and emptyMs the engine asked about no CI: what a call costs before it walks; fullListingP99Ms: the same listing all (up to 100,000) on 200 of the CIs; reportP*: the API-shaped report (ids, names, reasons, services); ${alternative}; speedupVsCte*: its time over the domain function's on the same CIs. The API runs in its own process, on the same store. Measured on a shared 2-core machine while other engineers worked: figures are noisy.`,
  };
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(values.out!, JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify(results, null, 2));
}

// Run directly: `tsx test/bench/impact.ts --cis 100000`.
if (process.argv[1]?.endsWith('impact.ts')) await benchImpact(process.argv.slice(2));
