import type { GraphEdge, GraphNode, GraphResult, Truncation } from '../../model/records.ts';
import { groupNodes } from './group-nodes.ts';

export interface ImpactedForMap { id: string; state: 'down' | 'degraded' | 'maintenance'; path: readonly string[] }

const worse = { maintenance: 0, degraded: 1, down: 2 } as const;

/**
 * The map of a blast radius of any size: every impacted CI, each hung under the CI its impact came
 * from (its path), with more than `groupThreshold` same-class CIs under one CI collapsed into a counted
 * group (as any map is), and at most `maxNodes` nodes, nearest first. A group carries the worst state of
 * its members, so the map is coloured whatever it groups.
 */
export function blastRadiusMap(
  impacted: readonly ImpactedForMap[], nodes: ReadonlyMap<string, GraphNode>, edges: readonly GraphEdge[],
  opts: { maxNodes: number; groupThreshold: number; total: number },
): GraphResult {
  const parentOf = new Map<string, string>();
  const listed: GraphNode[] = [];
  for (const i of impacted) {
    const n = nodes.get(i.id);
    if (!n) continue;
    listed.push(n);
    if (i.path.length > 1) parentOf.set(i.id, i.path[i.path.length - 2]);
  }
  const grouped = groupNodes(listed, [...edges], parentOf, opts.groupThreshold, new Set());
  const stateOf = new Map(impacted.map((i) => [i.id, i.state]));
  const states: Record<string, ImpactedForMap['state']> = Object.create(null);
  for (const n of grouped.nodes) {
    if (!n.group) { const s = stateOf.get(n.id); if (s) states[n.id] = s; continue; }
    // A group's members are the CIs of its class hung under its parent.
    const [parent, cls] = n.group.key.split('|');
    let worst: ImpactedForMap['state'] | undefined;
    for (const m of listed) if (m.class === cls && parentOf.get(m.id) === parent) {
      const s = stateOf.get(m.id)!;
      if (!worst || worse[s] > worse[worst]) worst = s;
    }
    if (worst) states[n.id] = worst;
  }
  // Nearest first: the impact's breadth-first order, each group where its first member stood.
  const rank = new Map(listed.map((n, i) => [n.id, i]));
  for (const n of grouped.nodes) if (n.group) {
    const [parent, cls] = n.group.key.split('|');
    rank.set(n.id, listed.findIndex((m) => m.class === cls && parentOf.get(m.id) === parent));
  }
  const ordered = [...grouped.nodes].sort((a, b) => rank.get(a.id)! - rank.get(b.id)!);
  let truncation: Truncation | undefined;
  let shown = ordered;
  if (shown.length > opts.maxNodes) {
    shown = shown.slice(0, opts.maxNodes);
    truncation = { reason: 'nodes', limit: opts.maxNodes, message: `The blast radius has ${grouped.nodes.length} nodes after grouping; the ${opts.maxNodes} nearest are shown. The impact list and its CSV have every CI.` };
  } else if (opts.total > impacted.length) {
    truncation = { reason: 'impact', limit: impacted.length, message: `${opts.total} CIs are impacted; the map shows the ${impacted.length} nearest (the impact listing cap). The summary counts them all.` };
  }
  const kept = new Set(shown.map((n) => n.id));
  const shownStates: Record<string, ImpactedForMap['state']> = Object.create(null);
  for (const id of kept) if (states[id]) shownStates[id] = states[id];
  return {
    nodes: shown, edges: grouped.edges.filter((e) => kept.has(e.from) && kept.has(e.to)),
    truncated: truncation !== undefined, ...(truncation ? { truncation } : {}), states: shownStates,
  };
}
