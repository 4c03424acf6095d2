import { ciClasses } from '../../model/classes.ts';
import type { GraphEdge, GraphNode } from '../../model/records.ts';

/** The groups that collapse: more than `threshold` same-class CIs reached from one parent, by `parent|class` key. */
export function collapsedGroups<N extends { id: string; class: string }>(
  nodes: Iterable<N>, parentOf: ReadonlyMap<string, string>, threshold: number, expanded: ReadonlySet<string> = new Set(),
): Map<string, N[]> {
  const buckets = new Map<string, N[]>();
  for (const n of nodes) {
    const parent = parentOf.get(n.id);
    if (parent === undefined) continue;
    const key = `${parent}|${n.class}`;
    if (expanded.has(key)) continue;
    const list = buckets.get(key);
    if (list) list.push(n); else buckets.set(key, [n]);
  }
  for (const [key, members] of buckets) if (members.length <= threshold) buckets.delete(key);
  return buckets;
}

/** The virtual node standing for `count` same-class CIs under one parent (`first` of them gives class, environment and layer). */
export function groupNode(key: string, count: number, first: Pick<GraphNode, 'class' | 'environment' | 'layer'>, minTier: number): GraphNode {
  return {
    id: 'group:' + key, class: first.class, name: `${count} ${ciClasses.get(first.class)?.plural ?? first.class}`, environment: first.environment,
    tier: minTier, owner: null, lifecycle: 'active', layer: first.layer, group: { count, key },
  };
}

/**
 * ServiceNow's virtual groups: more than `threshold` same-class neighbours reached from the same
 * parent collapse into one node showing a count, so a hub never ships its thousands of dependents.
 * `parentOf` says through which node each node was reached (BFS tree); roots are never grouped.
 */
export function groupNodes(
  nodes: GraphNode[], edges: GraphEdge[], parentOf: ReadonlyMap<string, string>, threshold: number, expanded: ReadonlySet<string>,
): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const memberOf = new Map<string, string>();
  const groupNodesOut: GraphNode[] = [];
  for (const [key, members] of collapsedGroups(nodes, parentOf, threshold, expanded)) {
    const gid = 'group:' + key;
    for (const m of members) memberOf.set(m.id, gid);
    groupNodesOut.push(groupNode(key, members.length, members[0], Math.min(...members.map((m) => m.tier ?? 4))));
  }
  if (!memberOf.size) return { nodes, edges };
  const keptNodes = nodes.filter((n) => !memberOf.has(n.id)).concat(groupNodesOut);
  const seen = new Set<string>();
  const keptEdges: GraphEdge[] = [];
  for (const e of edges) {
    const from = memberOf.get(e.from) ?? e.from;
    const to = memberOf.get(e.to) ?? e.to;
    if (from === to) continue;
    const id = from === e.from && to === e.to ? e.id : `${from}>${e.type}>${to}`;
    if (seen.has(id)) continue;
    seen.add(id);
    keptEdges.push(id === e.id ? e : { ...e, id, from, to });
  }
  return { nodes: keptNodes, edges: keptEdges };
}
