/**
 * `npm run bench -- maps [--cis 100000] [--seed 7] [--focuses 2000]`: the live map's cost on the impact benchmark's
 * estate (built once under data/bench/, read only), over the focus sample the load benchmark asks for (the first 2,000 CIs by
 * name, each a depth-2 map, grouped, at the default caps: GET /graph's query). A CI next to a hub has a level of
 * 10,000 new CIs to order by name, the map's main cost at 100k and 1M CIs; side by side in one run, alternating
 * per focus: that order taken from the projection's ranked names (rankNames, the server now) vs comparing names
 * (before). Also how long ranking takes and the longest the event loop waited meanwhile. Same answers checked.
 * Writes bench-results/maps.json.
 */
import { parseArgs } from 'node:util';
import { isDeepStrictEqual } from 'node:util';
import { loadavg } from 'node:os';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadTopology } from '../../server/topology/build.ts';
import { liveMap } from '../../server/topology/live-map.ts';
import { rankNames } from '../../server/topology/name-order.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { openReadOnlyEstate } from './bench-store.ts';
import { percentile, writeResult } from './bench-util.ts';

const log = (m: string) => process.stderr.write(`[bench maps] ${m}\n`);
const round = (x: number) => Math.round(x * 100) / 100;

export async function benchMaps(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { cis: { type: 'string', default: '100000' }, seed: { type: 'string', default: '7' }, focuses: { type: 'string', default: '2000' } } });
  const cis = Number(values.cis), seed = Number(values.seed), focuses = Number(values.focuses);
  const file = resolve('data/bench', `impact-${cis}-${seed}.db`);
  if (!existsSync(file)) throw new Error(`${file} is missing: build it first with \`npm run bench -- impact --cis ${cis} --seed ${seed}\``);
  const store = openReadOnlyEstate(file);
  try {
    let t0 = performance.now();
    const topo = await loadTopology(store);
    const loadMs = performance.now() - t0;
    log(`projection of ${topo.nodeCount} CIs loaded in ${Math.round(loadMs)} ms`);
    let last = performance.now(), longestGap = 0;
    const timer = setInterval(() => { const t = performance.now(); longestGap = Math.max(longestGap, t - last); last = t; }, 1);
    t0 = performance.now();
    const ranked = await rankNames(topo);
    const rankMs = performance.now() - t0;
    clearInterval(timer);
    log(`names ranked in ${Math.round(rankMs)} ms, the event loop waited at most ${Math.round(longestGap)} ms meanwhile`);

    // The load benchmark's sample: GET /cis pages (by name), then every 7919th modulo its size.
    const sample: string[] = [];
    for (let cursor: string | undefined; sample.length < focuses;) {
      const page = await store.listCis({ limit: 1000, cursor });
      sample.push(...page.items.map((c) => c.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const ids = Array.from({ length: Math.min(focuses, sample.length) }, (_, i) => sample[(i * 7919) % sample.length]);
    const now = Date.now();
    const query = (id: string) => ({ focus: [id], depth: 2, direction: 'both' as const, maxNodes: defaultLimits.graphNodes, maxEdges: defaultLimits.graphEdges, now, edgeThresholds: { activeMinutes: 30, idleMinutes: 1440 }, groupAbove: 10 });
    const times = { ranked: [] as number[], compared: [] as number[] };
    let differing = 0;
    // A first round warms both up (and checks the answers); the second is timed.
    for (let r = 0; r < 2; r++) {
      for (const id of ids) {
        topo.nameOrder = null;
        t0 = performance.now();
        const before = liveMap(topo, query(id));
        const compared = performance.now() - t0;
        topo.nameOrder = ranked;
        t0 = performance.now();
        const after = liveMap(topo, query(id));
        const rankedMs = performance.now() - t0;
        if (r === 0) { if (!isDeepStrictEqual(before, after)) differing++; continue; }
        times.compared.push(compared); times.ranked.push(rankedMs);
      }
    }
    const stats = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return { meanMs: round(s.reduce((a, b) => a + b, 0) / s.length), p50Ms: round(percentile(s, 50)), p90Ms: round(percentile(s, 90)), p99Ms: round(percentile(s, 99)), maxMs: round(s[s.length - 1]) };
    };
    const result = {
      cis: topo.nodeCount, focuses: ids.length, loadMs: Math.round(loadMs), rankMs: Math.round(rankMs), rankLongestLoopWaitMs: Math.round(longestGap),
      ranked: stats(times.ranked), compared: stats(times.compared), meanSpeedup: round(stats(times.compared).meanMs / stats(times.ranked).meanMs), differingAnswers: differing,
      loadAverage1m: round(loadavg()[0]),
      note: 'liveMap (GET /graph before last sightings) per focus, depth 2, grouped above 10, default caps; ranked = the order of a level taken from the projection\'s ranked names (the server), compared = by comparing names (before); alternated per focus in one run. Shared 2-core machine: figures are noisy, the ratio less so.',
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`written to ${writeResult('maps', result)}`);
    if (differing) process.exitCode = 1;
  } finally {
    await store.close();
  }
}
