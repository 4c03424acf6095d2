import { ciClasses } from '../../../server/model/classes.ts';
import type { ChangeEvent, CiRecord, GraphEdge, GraphNode, GraphResult, RelationRecord } from '../types.ts';

/**
 * Applying a live change event to the graph on screen. The map patches itself in place (nodes
 * keep their positions, the selection and zoom stay) rather than refetching: a new CI appears when
 * it is connected to something shown, a retired one stays faded until the next query, and edges
 * take their new state.
 */
export const edgeThresholds = { activeMs: 30 * 60_000, idleMs: 24 * 3600_000 };

export function edgeState(r: Pick<RelationRecord, 'observed' | 'provenance'>, now: number): GraphEdge['state'] {
  if (!r.observed) return 'declared';
  const age = now - Date.parse(r.observed.lastSeen);
  if (age < edgeThresholds.activeMs) return 'active';
  if (age < edgeThresholds.idleMs) return 'idle';
  return 'inactive';
}

export function toGraphNode(ci: CiRecord): GraphNode {
  return {
    id: ci.id, class: ci.class, name: ci.name, environment: ci.environment, tier: ci.tier, owner: ci.owner,
    lifecycle: ci.lifecycle, layer: ciClasses.get(ci.class)?.layer ?? 'software',
  };
}

export function toGraphEdge(r: RelationRecord, now: number): GraphEdge {
  return { id: r.id, type: r.type, from: r.from, to: r.to, provenance: r.provenance, state: edgeState(r, now), redundancy: r.redundancy };
}

export interface PatchResult {
  graph: GraphResult;
  /** Ids of nodes that appeared, to mark them briefly. */
  added: string[];
  /** Ids (nodes and edges) retired by this event, to fade them. */
  retired: string[];
  /** Whether anything shown changed (when not, the same graph object is returned). */
  changed: boolean;
}

export function applyChangeEvent(graph: GraphResult, event: ChangeEvent, now = Date.now()): PatchResult {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const edges = new Map(graph.edges.map((e) => [e.id, e]));
  const added: string[] = [];
  const retired: string[] = [];
  let changed = false;

  const newCis = new Map<string, CiRecord>();
  for (const c of event.changes) if (c.ci && c.kind === 'ci.created') newCis.set(c.ci.id, c.ci);

  for (const c of event.changes) {
    if (c.ci && c.kind !== 'ci.created' && nodes.has(c.ci.id)) {
      const old = nodes.get(c.ci.id)!;
      // A server-side group node keeps its group marker; only the CI fields are refreshed. A source
      // asserting the CI just saw it; any other change keeps the sighting the map had.
      const lastSeen = event.source && c.kind !== 'ci.retired' ? event.at : old.lastSeen;
      nodes.set(c.ci.id, { ...toGraphNode(c.ci), ...(old.group ? { group: old.group } : {}), ...(lastSeen !== undefined ? { lastSeen } : {}) });
      if (c.kind === 'ci.retired') retired.push(c.ci.id);
      changed = true;
    }
    if (c.relation) {
      const r = c.relation;
      if (edges.has(r.id)) {
        if (c.kind === 'relation.retired') retired.push(r.id);
        edges.set(r.id, toGraphEdge(r, now));
        changed = true;
        continue;
      }
      if (c.kind !== 'relation.created' && c.kind !== 'relation.restored') continue;
      // A relation is drawn when both ends are shown, or one is and the other is new in this event.
      const fromShown = nodes.has(r.from), toShown = nodes.has(r.to);
      if (!fromShown && !toShown) continue;
      for (const [end, shown] of [[r.from, fromShown], [r.to, toShown]] as const) {
        if (shown) continue;
        const ci = newCis.get(end);
        if (!ci) break;
        nodes.set(ci.id, { ...toGraphNode(ci), lastSeen: event.source ? event.at : null });
        added.push(ci.id);
      }
      if (nodes.has(r.from) && nodes.has(r.to)) {
        edges.set(r.id, toGraphEdge(r, now));
        changed = true;
      }
    }
  }
  if (!changed) return { graph, added: [], retired: [], changed: false };
  return { graph: { nodes: [...nodes.values()], edges: [...edges.values()], truncated: graph.truncated }, added, retired, changed };
}

/** Union of two results (expanding a node or a group adds to what is shown). */
export function mergeGraphs(a: GraphResult, b: GraphResult, drop: readonly string[] = []): GraphResult {
  const nodes = new Map(a.nodes.map((n) => [n.id, n]));
  for (const id of drop) nodes.delete(id);
  for (const n of b.nodes) nodes.set(n.id, n);
  const edges = new Map<string, GraphEdge>();
  for (const e of [...a.edges, ...b.edges]) if (nodes.has(e.from) && nodes.has(e.to)) edges.set(e.id, e);
  return { nodes: [...nodes.values()], edges: [...edges.values()], truncated: a.truncated || b.truncated };
}
