import type { ImpactGraph } from '../impact/graph.ts';
import { DOWN, propagateImpact, type FailState } from '../impact/propagate.ts';
import { shortestPaths } from '../impact/paths.ts';

/** One piece of evidence: an incident (or a lone symptom CI) and the CIs seen failing in it, and how badly. */
export interface SymptomGroup { key: string; symptoms: { node: number; state: FailState }[] }

export interface RankedCandidate {
  node: number;
  score: number;
  /** Keys of the symptom groups its failure would reach. */
  explains: string[];
  specificity: number;
  /** 1 when it is a direct provider of the symptoms, less the longer the chains to them. */
  proximity: number;
  /** Share of its direct dependents that are symptoms (their failing together is its signature). */
  coverage: number;
  /** CIs its failure would impact (itself excluded). */
  dependents: number;
  /** From the candidate to one symptom of each explained group. */
  paths: number[][];
  changedRecently: boolean;
}

export interface RankOptions {
  /** Candidates verified by a full propagation, picked by coverage first; the rest are never scored. */
  verify?: number;
  /** Score multiplier for a candidate that changed shortly before. */
  changeBoost?: number;
}

/**
 * Upstream closure of each group (what its symptoms need, transitively, by BFS), counted per CI:
 * the CIs shared by most groups come first; among equals the nearest to the symptoms (summed BFS
 * depth), then the most specific (fewest direct dependents).
 */
export function candidateNodes(graph: ImpactGraph, groups: SymptomGroup[], count: number): number[] {
  const coverage = new Map<number, { groups: number; depth: number }>();
  for (const g of groups) {
    const depth = new Map<number, number>(g.symptoms.map((x) => [x.node, 0]));
    const queue = [...depth.keys()];
    for (let i = 0; i < queue.length; i++) {
      const u = queue[i], d = depth.get(u)! + 1;
      graph.forEachProvider(u, (p) => { if (!depth.has(p)) { depth.set(p, d); queue.push(p); } });
    }
    for (const [n, d] of depth) {
      const c = coverage.get(n) ?? { groups: 0, depth: 0 };
      c.groups++; c.depth += d;
      coverage.set(n, c);
    }
  }
  const fanOut = (n: number) => { let d = 0; graph.forEachDependent(n, () => { d++; }); return d; };
  return [...coverage]
    .map(([n, c]) => ({ n, c: c.groups, d: c.depth, f: fanOut(n) }))
    .sort((a, b) => b.c - a.c || a.d - b.d || a.f - b.f || a.n - b.n)
    .slice(0, count)
    .map((x) => x.n);
}

/**
 * Rank root-cause candidates (design.md section 4): each candidate is failed on its own and keeps the
 * groups with a symptom its failure makes at least as bad as reported (a replica whose loss only
 * degrades a service does not explain that service being down). A failing symptom CI may explain the
 * other groups, never its own: otherwise every symptom would be a perfect, useless answer.
 * score = share of groups explained × specificity × proximity × evidence × boost, where
 *  - specificity = 1 / (1 + log10(1 + direct dependents)): a hub that everything depends on explains little
 *    (direct, not transitive: in a real estate failure fans out so far that every shared CI looks like a hub),
 *  - proximity = 1 / mean edges to the explained symptoms (at least 1): of two CIs shared by all the
 *    symptoms, the one they depend on directly beats one they reach through long chains,
 *  - evidence = ½ + ½ × share of its direct dependents that are symptoms: when a CI fails, everything
 *    right above it fails with it, so incidents on all of them point at it more than at a CI whose other
 *    dependents are fine,
 *  - boost = changeBoost when it changed shortly before.
 */
export function rankRootCauses(graph: ImpactGraph, groups: SymptomGroup[], candidates: number[], changed: ReadonlySet<number>, opts: RankOptions = {}): RankedCandidate[] {
  const boost = opts.changeBoost ?? 1.5;
  const symptomatic = new Set(groups.flatMap((g) => g.symptoms.map((x) => x.node)));
  const out: RankedCandidate[] = [];
  for (const c of candidates) {
    const impact = propagateImpact(graph, [{ node: c, state: 'down' }], { limit: 0 });
    const reached = new Map<number, number>();
    for (let i = 0; i < impact.total; i++) reached.set(impact.all[i], impact.allStates[i]);
    const explains: string[] = [];
    const paths: number[][] = [];
    for (const g of groups) {
      // A symptom is evidence, not its own explanation: a candidate explains a group through another symptom.
      const hit = g.symptoms.find((x) => x.node !== c && (reached.get(x.node) ?? 0) >= (x.state === 'down' ? DOWN : 1))?.node;
      if (hit === undefined) continue;
      explains.push(g.key);
      // The shortest way the candidate's failure travels to that symptom, upstream from the symptom.
      const found = shortestPaths(graph, hit, c, 1).paths[0]; // exists: the failure travelled that way
      paths.push([...found].reverse());
    }
    if (!explains.length) continue;
    let fanOut = 0, failingAbove = 0;
    graph.forEachDependent(c, (d) => { fanOut++; if (symptomatic.has(d)) failingAbove++; });
    const coverage = fanOut ? failingAbove / fanOut : 0;
    const specificity = 1 / (1 + Math.log10(1 + fanOut));
    const meanEdges = paths.reduce((sum, p) => sum + p.length - 1, 0) / paths.length;
    const proximity = 1 / Math.max(1, meanEdges);
    const changedRecently = changed.has(c);
    const score = (explains.length / groups.length) * specificity * proximity * (0.5 + 0.5 * coverage) * (changedRecently ? boost : 1);
    const r3 = (x: number) => Math.round(x * 1000) / 1000;
    out.push({ node: c, score: r3(score), explains, specificity: r3(specificity), proximity: r3(proximity), coverage: r3(coverage), dependents: impact.total - 1, paths, changedRecently });
  }
  // Exact ties (a worker and a database needed by exactly the same services) go to the smaller blast radius, then the older CI.
  return out.sort((a, b) => b.score - a.score || b.explains.length - a.explains.length || a.dependents - b.dependents || a.node - b.node);
}
