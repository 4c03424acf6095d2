import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { openReadOnlyEstate } from './bench-store.ts';
import { TopologyService } from '../../server/topology/topology-service.ts';
import { stepsInTurns } from '../../server/live/turns.ts';
import { percentile, writeResult } from './bench-util.ts';

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental', [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/**
 * `npm run bench -- startup [--cis 1000000]`: the server's start after it listens, on the impact benchmark's estate
 * (data/bench, read only): the projection loaded from the store in slices, with room reserved for the live topology's
 * size once a thread has counted it, and the names ranked (TopologyService.start, as server.ts runs it), with a 2 ms timer watching the event loop. Prints and writes bench-results/startup.json: each
 * phase's time, the longest loop turns (and whether a GC pause fell in them), the GC pauses by kind, the heap after.
 */
export async function benchStartup(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { cis: { type: 'string', default: '1000000' } } });
  const cis = Number(values.cis);
  const log = (m: string) => process.stderr.write(`[bench startup] ${m}\n`);
  const file = resolve('data/bench', `impact-${cis}-7.db`);
  if (!existsSync(file)) throw new Error(`${file} is missing: build it first with \`npm run bench -- impact --cis ${cis}\``);
  const load = [loadavg()[0]];
  const store = openReadOnlyEstate(file);
  const gcs: { start: number; ms: number; kind: string }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: e.startTime, ms: e.duration, kind: GC_KINDS[((e as unknown as { detail: { kind: number } }).detail).kind] ?? 'other' });
  });
  observer.observe({ entryTypes: ['gc'] });
  const turns: { start: number; ms: number; phase: string }[] = [];
  let last = performance.now();
  const phases: Record<string, number> = {};
  let phase = 'loading', phaseAt = performance.now();
  // A turn is named by the phases under way when it began and when it ended.
  let phaseBefore = phase;
  const tick = setInterval(() => {
    const t = performance.now();
    turns.push({ start: last, ms: t - last, phase: phaseBefore === phase ? phase : `${phaseBefore} → ${phase}` });
    last = t; phaseBefore = phase;
  }, 2);
  const t0 = performance.now();
  const topology = new TopologyService(store);
  // As server.ts: the live topology counted beside the load, and reserved once known.
  const size = store.topologySize?.().catch(() => null);
  await topology.start(undefined, { size, step: (p) => { phases[phase] = Math.round(performance.now() - phaseAt); phase = p; phaseAt = performance.now(); } });
  phases[phase] = Math.round(performance.now() - phaseAt);
  const totalMs = performance.now() - t0;
  clearInterval(tick);
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  load.push(loadavg()[0]);
  const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  const longest = [...turns].sort((a, b) => b.ms - a.ms).slice(0, 8).map((t) => {
    const inside = gcs.filter((g) => g.start >= t.start && g.start < t.start + t.ms);
    return { ms: Math.round(t.ms), phase: t.phase, gcMs: Math.round(inside.reduce((s, g) => s + g.ms, 0)), gcKinds: [...new Set(inside.map((g) => g.kind))].join(',') };
  });
  const byKind = Object.fromEntries(Object.values(GC_KINDS).map((k) => {
    const ms = gcs.filter((g) => g.kind === k).map((g) => g.ms).sort((a, b) => a - b);
    return [k, { count: ms.length, totalMs: Math.round(ms.reduce((s, x) => s + x, 0)), p99Ms: Math.round(percentile(ms, 99) || 0), maxMs: Math.round(ms.at(-1) ?? 0) }];
  }).filter(([, v]) => (v as { count: number }).count > 0));
  const sortedTurns = turns.map((t) => t.ms).sort((a, b) => a - b);
  const compaction = await benchCompaction(topology.current);
  log(`compaction: ${JSON.stringify(compaction)}`);
  const out = {
    cis, liveCis: topology.current.stats().cis, totalMs: Math.round(totalMs), phases, compaction,
    turns: { count: turns.length, p99Ms: Math.round(percentile(sortedTurns, 99)), over100ms: turns.filter((t) => t.ms > 100).length, longest },
    gc: byKind, heapMb, loadAverage: load.map((x) => Math.round(x * 100) / 100),
  };
  await store.close();
  console.log(JSON.stringify(out, null, 2));
  log(`wrote ${writeResult('startup', out)}`);
}

/**
 * The loaded projection compacted twice, alternately: in one turn (`compact()`, as a change event's apply did it) and
 * in turns of 20 ms (`compactSteps` through stepsInTurns, as TopologyService does now), with the same 2 ms timer on the
 * loop: wall time and the longest turn of each. A compaction's work does not depend on how much the overlay holds
 * (it reads every live edge), so the just-loaded projection, whose overlay is empty, costs what a due one costs.
 */
async function benchCompaction(topo: import('../../server/topology/topology.ts').Topology) {
  const watched = async (run: () => Promise<void> | void) => {
    let last = performance.now(), longest = 0;
    const tick = setInterval(() => { const t = performance.now(); longest = Math.max(longest, t - last); last = t; }, 2);
    const t0 = performance.now();
    await run();
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 10));
    clearInterval(tick);
    return { ms: Math.round(ms), longestTurnMs: Math.round(Math.max(longest, performance.now() - last)) };
  };
  const oneTurn: { ms: number; longestTurnMs: number }[] = [], inTurns: { ms: number; longestTurnMs: number }[] = [];
  for (let i = 0; i < 2; i++) {
    oneTurn.push(await watched(() => topo.compact()));
    inTurns.push(await watched(() => stepsInTurns(topo.compactSteps(), 20)));
  }
  return { edges: topo.stats().relations, oneTurn, inTurns };
}
