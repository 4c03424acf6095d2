import { describe, expect, it } from 'vitest';
import { generateEstate } from '../../../server/demo/generate-estate.ts';
import { seededRandom } from '../../../server/demo/random.ts';
import { propagateImpact, type FailState, type ImpactOptions, type ImpactResult } from '../../../server/domain/impact/propagate.ts';
import type { ImpactGraph } from '../../../server/domain/impact/graph.ts';
import type { Topology } from '../../../server/topology/topology.ts';
import { reportOf } from '../../../server/domain/impact/report.ts';
import { estateTopology, keyOf } from '../../demo/estate-impact.ts';
import { referencePropagate } from './reference-propagate.ts';

type Query = { failed: { node: number; state: FailState }[]; opts: ImpactOptions };

/** Where the engine and the reference disagree on one question, in words; null when they agree on everything. */
export function differenceFrom(graph: ImpactGraph, q: Query, got: ImpactResult = propagateImpact(graph, q.failed, q.opts)): string | null {
  const want = referencePropagate(graph, q.failed, q.opts);
  if (got.total !== want.total || got.truncated !== want.truncated) return `total ${got.total}/${want.total}, truncated ${got.truncated}/${want.truncated}`;
  for (let i = 0; i < want.total; i++) {
    if (got.all[i] !== want.all[i] || got.allStates[i] !== want.allStates[i]) return `at ${i}: CI ${got.all[i]}/${want.all[i]}, state ${got.allStates[i]}/${want.allStates[i]}`;
  }
  const a = JSON.stringify(got.impacted), b = JSON.stringify(want.impacted);
  return a === b ? null : `listing differs: ${a.slice(0, 300)} / ${b.slice(0, 300)}`;
}

/**
 * Questions drawn the way the API gets them: mostly one provider drawn from the edge list (hubs often), some several
 * failed CIs at once, degraded or down, the same CI twice, every listing size, maintenance sets.
 */
export function randomQueries(topo: Topology, count: number, seed: number): Query[] {
  const rnd = seededRandom(seed);
  const pick = (n: number) => Math.floor(rnd.next() * n);
  const { offsets, nodes } = topo.dependentsCsr();
  const live = [...topo.liveNodeIds()];
  const provider = () => {
    const e = pick(offsets[nodes]);
    let lo = 0, hi = nodes - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (offsets[mid] <= e) lo = mid; else hi = mid - 1; }
    return lo;
  };
  const limits = [undefined, 0, 1, 5, 40, 1_000];
  return Array.from({ length: count }, (): Query => {
    const n = rnd.chance(0.7) ? 1 : 2 + pick(4);
    const failed = Array.from({ length: n }, () => ({ node: rnd.chance(0.6) ? provider() : live[pick(live.length)], state: (rnd.chance(0.75) ? 'down' : 'degraded') as FailState }));
    // Every provider of one CI at once: redundancy groups lose more members than they can spare, and keep losing.
    if (rnd.chance(0.2)) topo.forEachProvider(live[pick(live.length)], (p) => { failed.push({ node: p, state: 'down' }); });
    if (rnd.chance(0.05)) failed.push({ ...failed[0], state: 'down' });
    const maintenance = rnd.chance(0.2) ? new Set(Array.from({ length: 20 }, () => live[pick(live.length)])) : undefined;
    return { failed, opts: { limit: limits[pick(limits.length)], maintenance } };
  });
}

describe('the flat-answer engine against the engine it replaced', () => {
  it('gives the same states, order, depths, paths and causes on a generated estate of 6,000 CIs, before and after live changes', () => {
    const estate = generateEstate({ cis: 6_000, seed: 11 });
    const topo = estateTopology(estate);
    const check = (seed: number) => {
      const queries = randomQueries(topo, 400, seed);
      const differences = queries.map((q) => differenceFrom(topo, q)).filter((d) => d !== null);
      expect(differences).toEqual([]);
      // Not a trivial sample: some answers are big, some truncated, some have groups in their causes.
      const answers = queries.map((q) => propagateImpact(topo, q.failed, q.opts));
      expect(Math.max(...answers.map((a) => a.total))).toBeGreaterThan(500);
      expect(answers.some((a) => a.truncated)).toBe(true);
      expect(answers.some((a) => a.impacted.some((x) => x.cause.kind === 'group' && x.cause.group !== null && x.cause.up < x.cause.size))).toBe(true);
    };
    check(1);

    // Live changes leave overlay edges and dead base edges until compaction: the walk must read both as the base would.
    const rnd = seededRandom(5);
    for (let k = 0; k < 300; k++) {
      const r = rnd.pick(estate.relations);
      const from = keyOf(r.from), to = keyOf(r.to);
      if (k % 2) topo.removeRelation({ type: r.type, from, to });
      else topo.upsertRelation({ id: `late${k}`, type: 'DEPENDS_ON', from: to, to: from, redundancy: k % 3 ? null : { group: `late-${k % 7}`, minUp: 1 } });
    }
    expect(topo.stats().overlayEdges).toBeGreaterThan(0);
    expect(topo.stats().deadEdges).toBeGreaterThan(0);
    check(2);
  });

  it('reports the same entries when the report reads the flat answer as when it reads the listing objects', () => {
    const topo = estateTopology(generateEstate({ cis: 3_000, seed: 4 }));
    const queries = randomQueries(topo, 300, 13);
    let grouped = 0, inMaintenance = 0, costed = 0;
    for (const q of queries) {
      const flat = reportOf(topo, propagateImpact(topo, q.failed, q.opts), q.opts);
      // The same answer without listedCursor: the report falls back to reading `impacted`, as for merged results.
      const answer = propagateImpact(topo, q.failed, q.opts);
      const objects = reportOf(topo, { impacted: answer.impacted, all: answer.all, allStates: answer.allStates, total: answer.total, truncated: answer.truncated }, q.opts);
      expect(flat.impacted).toEqual(objects.impacted);
      expect(JSON.stringify(flat.impacted)).toBe(JSON.stringify(objects.impacted));
      // Services read field by field say what the catalog's info says of each, optional attributes only when kept.
      expect(flat.services).toEqual(flat.services.map((x) => {
        const info = topo.info(topo.nodeOf(x.id)!), { slo, downtimeCostPerHour, users } = info.attributes;
        return {
          id: info.id, name: info.name, class: info.class, tier: info.tier, owner: info.owner, state: x.state,
          ...(slo !== undefined ? { slo } : {}), ...(typeof downtimeCostPerHour === 'number' ? { downtimeCostPerHour } : {}), ...(typeof users === 'number' ? { users } : {}),
        };
      }));
      expect(flat.services.length).toBe(Math.min(flat.summary.services, q.opts.limit ?? Infinity));
      costed += flat.services.filter((x) => x.downtimeCostPerHour !== undefined).length;
      grouped += flat.impacted.filter((x) => / of \d+ up, needs /.test(x.reason)).length;
      inMaintenance += flat.impacted.filter((x) => x.state === 'maintenance').length;
    }
    // Not a trivial sample: group arithmetic, maintenance and services' costs all appear in what is compared.
    expect(grouped).toBeGreaterThan(0);
    expect(costed).toBeGreaterThan(0);
    expect(inMaintenance).toBeGreaterThan(0);
  });

  it('keeps an answer intact while later questions reuse the scratch, and builds its listing only once', () => {
    const topo = estateTopology(generateEstate({ cis: 2_000, seed: 3 }));
    const [q1, q2] = randomQueries(topo, 2, 9);
    const first = propagateImpact(topo, q1.failed, { limit: 100 });
    const again = referencePropagate(topo, q1.failed, { limit: 100 });
    for (let k = 0; k < 20; k++) propagateImpact(topo, q2.failed, { limit: 100 });
    expect(differenceFrom(topo, { failed: q1.failed, opts: { limit: 100 } }, first)).toBeNull();
    expect(first.impacted).toEqual(again.impacted);
    expect(first.impacted).toBe(first.impacted);
  });
});
