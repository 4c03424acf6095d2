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
 * Upstream closure of each group (what its symptoms need, transitively), counted per CI:
 * the CIs shared by most groups come first, the more specific (fewer direct dependents) among equals.
 */
export function candidateNodes(graph: ImpactGraph, groups: SymptomGroup[], count: number): number[] {
  const coverage = new Map<number, number>();
  for (const g of groups) {
    const seen = new Set<number>(g.symptoms.map((x) => x.node));
    const stack = [...seen];
    while (stack.length) graph.forEachProvider(stack.pop()!, (p) => { if (!seen.has(p)) { seen.add(p); stack.push(p); } });
    for (const n of seen) coverage.set(n, (coverage.get(n) ?? 0) + 1);
  }
  const fanOut = (n: number) => { let d = 0; graph.forEachDependent(n, () => { d++; }); return d; };
  return [...coverage]
    .map(([n, c]) => ({ n, c, f: fanOut(n) }))
    .sort((a, b) => b.c - a.c || a.f - b.f || a.n - b.n)
    .slice(0, count)
    .map((x) => x.n);
}

/**
 * Rank root-cause candidates (design.md section 4): each candidate is failed on its own and keeps the
 * groups with a symptom its failure makes at least as bad as reported (a replica whose loss only
 * degrades a service does not explain that service being down). score = share of groups explained × specificity × boost,
 * where specificity = 1 / (1 + log10(1 + dependents)): a hub that everything depends on explains little.
 */
export function rankRootCauses(graph: ImpactGraph, groups: SymptomGroup[], candidates: number[], changed: ReadonlySet<number>, opts: RankOptions = {}): RankedCandidate[] {
  const boost = opts.changeBoost ?? 1.5;
  const out: RankedCandidate[] = [];
  for (const c of candidates) {
    const impact = propagateImpact(graph, [{ node: c, state: 'down' }], { limit: 0 });
    const reached = new Map<number, number>();
    for (let i = 0; i < impact.total; i++) reached.set(impact.all[i], impact.allStates[i]);
    const explains: string[] = [];
    const paths: number[][] = [];
    for (const g of groups) {
      const hit = g.symptoms.find((x) => (reached.get(x.node) ?? 0) >= (x.state === 'down' ? DOWN : 1))?.node;
      if (hit === undefined) continue;
      explains.push(g.key);
      // The shortest way the candidate's failure travels to that symptom, upstream from the symptom.
      const found = shortestPaths(graph, hit, c, 1).paths[0];
      paths.push(found ? [...found].reverse() : [c]);
    }
    if (!explains.length) continue;
    const dependents = impact.total - 1;
    const specificity = 1 / (1 + Math.log10(1 + dependents));
    const changedRecently = changed.has(c);
    const score = (explains.length / groups.length) * specificity * (changedRecently ? boost : 1);
    out.push({ node: c, score: Math.round(score * 1000) / 1000, explains, specificity: Math.round(specificity * 1000) / 1000, dependents, paths, changedRecently });
  }
  return out.sort((a, b) => b.score - a.score || b.explains.length - a.explains.length || a.dependents - b.dependents || a.node - b.node);
}
