import type { ImpactGraph } from './graph.ts';

export interface PathsResult {
  /** `dependsOn`: failure of `to` reaches `from` along these paths; `dependencyOf`: the other way round. */
  direction: 'dependsOn' | 'dependencyOf' | null;
  /** Node paths from `from` to `to`, all of the shortest length, in a stable order. */
  paths: number[][];
  truncated: boolean;
}

/**
 * All shortest dependency paths between two CIs, at most `limit` of them. Looks first along what
 * `from` needs (providers), then along what needs `from` (dependents); the first direction that
 * connects them answers.
 */
export function shortestPaths(graph: ImpactGraph, from: number, to: number, limit: number): PathsResult {
  const up = layeredPaths((n, visit) => graph.forEachProvider(n, visit), from, to, limit);
  if (up) return { direction: 'dependsOn', ...up };
  const down = layeredPaths((n, visit) => graph.forEachDependent(n, (d) => visit(d)), from, to, limit);
  if (down) return { direction: 'dependencyOf', ...down };
  return { direction: null, paths: [], truncated: false };
}

type Neighbours = (n: number, visit: (m: number) => void) => void;

/** BFS by layers, keeping every predecessor one layer closer, then walking them back from `to`. */
function layeredPaths(next: Neighbours, from: number, to: number, limit: number): { paths: number[][]; truncated: boolean } | null {
  if (from === to) return { paths: [[from]], truncated: false };
  const dist = new Map<number, number>([[from, 0]]);
  const preds = new Map<number, number[]>();
  let layer = [from];
  for (let d = 1; layer.length && !dist.has(to); d++) {
    const nextLayer: number[] = [];
    for (const u of layer) {
      next(u, (v) => {
        const dv = dist.get(v);
        if (dv === undefined) { dist.set(v, d); preds.set(v, [u]); nextLayer.push(v); }
        else if (dv === d && !preds.get(v)!.includes(u)) preds.get(v)!.push(u);
      });
    }
    layer = nextLayer;
  }
  if (!dist.has(to)) return null;
  const paths: number[][] = [];
  let truncated = false;
  const walk = (n: number, suffix: number[]) => {
    if (paths.length >= limit) { truncated = true; return; }
    if (n === from) { paths.push([from, ...suffix]); return; }
    for (const p of preds.get(n)!) walk(p, [n, ...suffix]);
  };
  walk(to, []);
  return { paths, truncated };
}
