import { NO_GROUP, type ImpactGraph } from './graph.ts';
import { DOWN, type ImpactedNode, type ImpactResult } from './propagate.ts';

/**
 * Several propagations over one graph as one blast radius: every CI impacted by any of them, in its
 * worst state, listed by its shallowest depth (a rolling change goes down wave by wave: what it risks
 * is everything any wave takes down). `limit` caps the listing as propagate's does.
 */
export function mergeResults(results: ImpactResult[], limit = Infinity): ImpactResult {
  if (results.length === 1) return results[0];
  const state = new Map<number, number>();
  const listed = new Map<number, ImpactedNode>();
  const order: number[] = [];
  for (const r of results) {
    for (let i = 0; i < r.total; i++) {
      const n = r.all[i], s = r.allStates[i];
      const cur = state.get(n);
      if (cur === undefined) order.push(n);
      if (cur === undefined || s > cur) state.set(n, s);
    }
    for (const x of r.impacted) {
      const cur = listed.get(x.node);
      // The worse state wins; at equal state, the nearer explanation.
      const worse = cur && (x.actual === 'down' && cur.actual !== 'down');
      if (!cur || worse || (x.actual === cur.actual && x.depth < cur.depth)) listed.set(x.node, x);
    }
  }
  const depthOf = (n: number) => listed.get(n)?.depth ?? Infinity;
  order.sort((a, b) => depthOf(a) - depthOf(b));
  const all = Int32Array.from(order);
  const allStates = Uint8Array.from(order, (n) => state.get(n)!);
  const impacted = order.slice(0, Math.min(limit, order.length)).map((n) => listed.get(n)).filter((x): x is ImpactedNode => x !== undefined)
    .map((x) => (state.get(x.node) === DOWN && x.actual !== 'down' ? { ...x, actual: 'down' as const, state: x.state === 'maintenance' ? x.state : 'down' as const } : x));
  return { impacted, all, allStates, total: order.length, truncated: order.length > impacted.length };
}

/**
 * The part of a blast radius reachable from some CIs (through impacted CIs only): the share of a
 * combined propagation that one incident's failed CIs take part in.
 */
export function restrictTo(graph: ImpactGraph, result: ImpactResult, from: readonly number[]): ImpactResult {
  const impactedAt = new Map<number, number>();
  for (let i = 0; i < result.total; i++) impactedAt.set(result.all[i], i);
  const seen = new Set<number>();
  const queue: number[] = [];
  for (const n of from) if (impactedAt.has(n) && !seen.has(n)) { seen.add(n); queue.push(n); }
  for (let q = 0; q < queue.length; q++) {
    graph.forEachDependent(queue[q], (d) => {
      if (!seen.has(d) && impactedAt.has(d)) { seen.add(d); queue.push(d); }
    });
  }
  const keep: number[] = [];
  for (let i = 0; i < result.total; i++) if (seen.has(result.all[i])) keep.push(i);
  const impacted = result.impacted.filter((x) => seen.has(x.node));
  return {
    impacted,
    all: Int32Array.from(keep, (i) => result.all[i]),
    allStates: Uint8Array.from(keep, (i) => result.allStates[i]),
    total: keep.length,
    truncated: keep.length > impacted.length,
  };
}

/**
 * A rolling implementation: the touched CIs in waves, so that no wave takes down two members of one
 * redundancy group (the group of a provider's edge to a dependent). Greedy, in the order given; a CI in
 * no group goes in the first wave (it has no redundancy to roll through).
 */
export function rollingWaves(graph: ImpactGraph, touched: readonly number[]): number[][] {
  const waves: { nodes: number[]; groups: Set<number> }[] = [];
  for (const n of touched) {
    const groups = new Set<number>();
    graph.forEachDependent(n, (_d, g) => { if (g !== NO_GROUP) groups.add(g); });
    let w = waves.findIndex((x) => ![...groups].some((g) => x.groups.has(g)));
    if (w < 0) { waves.push({ nodes: [], groups: new Set() }); w = waves.length - 1; }
    waves[w].nodes.push(n);
    for (const g of groups) waves[w].groups.add(g);
  }
  return waves.map((w) => w.nodes);
}
