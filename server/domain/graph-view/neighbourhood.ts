import type { CiRecord, GraphEdge, GraphNode, RelationRecord, Truncation } from '../../model/records.ts';
import { ciClasses } from '../../model/classes.ts';
import { neighbourVia, edgeState, type Direction } from './direction.ts';
import { collapsedGroups } from './group-nodes.ts';

/** What a map shows of a CI: a live map reads it from the projection, a map of the past from history. */
export type MapCi = Pick<CiRecord, 'id' | 'class' | 'name' | 'environment' | 'tier' | 'owner' | 'lifecycle'>;
/** What a map shows of a relation: of its attributes only the note (why it is there; required, so a full record must go through mapRelationOf). */
export type MapRelation = Pick<RelationRecord, 'id' | 'type' | 'from' | 'to' | 'provenance' | 'redundancy' | 'observed'> & { note: string | null };

/** A relation's `note` attribute when it is text. */
export const relationNote = (attributes: Record<string, unknown>): string | undefined =>
  (typeof attributes.note === 'string' ? attributes.note : undefined);

export const mapRelationOf = (r: RelationRecord): MapRelation => ({
  id: r.id, type: r.type, from: r.from, to: r.to, provenance: r.provenance, redundancy: r.redundancy, observed: r.observed, note: relationNote(r.attributes) ?? null,
});

export interface NeighbourhoodSource {
  /** Relations with an end among `ids`, at most `limit`. */
  relationsOf(ids: string[], limit: number): Promise<MapRelation[]>;
  /** Relations with both ends among `ids`, at most `limit`. */
  relationsAmong(ids: string[], limit: number): Promise<MapRelation[]>;
  getCis(ids: string[]): Promise<MapCi[]>;
}

export interface NeighbourhoodQuery {
  focus: string[];
  depth: number;
  direction: Direction;
  classes?: string[];
  environment?: string;
  owner?: string;
  maxNodes: number;
  maxEdges: number;
  now: number;
  edgeThresholds: { activeMinutes: number; idleMinutes: number };
  /**
   * When the answer will be grouped above this many same-class CIs per parent: the closing edges are read
   * only among the CIs that stay visible, since a collapsed member already has its edge to its parent and
   * its edges to its siblings vanish inside the group (on a hub that was most of a map's reading).
   */
  groupAbove?: number;
}

export const toGraphNode = (c: MapCi): GraphNode => ({
  id: c.id, class: c.class, name: c.name, environment: c.environment, tier: c.tier, owner: c.owner,
  lifecycle: c.lifecycle, layer: ciClasses.get(c.class)?.layer ?? 'software',
});

export const toGraphEdge = (r: MapRelation, now: number, t: NeighbourhoodQuery['edgeThresholds']): GraphEdge => ({
  id: r.id, type: r.type, from: r.from, to: r.to, provenance: r.provenance, state: edgeState(r, now, t), redundancy: r.redundancy,
  observed: r.observed, ...(r.note !== null ? { note: r.note } : {}),
});

/** Whether a CI reached (not a focus CI: those are always shown) passes the map's class, environment and owner filters. */
export const passesFilters = (q: Pick<NeighbourhoodQuery, 'classes' | 'environment' | 'owner'>, cls: string, environment: string, owner: string | null): boolean =>
  (!q.classes?.length || q.classes.includes(cls)) && (!q.environment || environment === q.environment) && (!q.owner || owner === q.owner);

/** The order in which a level's new CIs are taken (and cut at the node cap): nearest first, then by name. */
export const byNameThenId = (aName: string, aId: string, bName: string, bId: string): number => aName.localeCompare(bName) || aId.localeCompare(bId);

export const hubCut = (budget: number, depth: number): Truncation => ({ reason: 'hub', limit: budget, message: `At depth ${depth} the CIs reached have more than ${budget} relations, more than one map reads: the first ones are shown. Lower the depth, filter by class or layer, or focus on a CI further out.` });
export const nodesCut = (maxNodes: number, depth: number): Truncation => ({ reason: 'nodes', limit: maxNodes, message: `The map reached its cap of ${maxNodes} CIs at depth ${depth} (nearest first, by name). Lower the depth, filter by class or layer, or focus on fewer CIs.` });
export const edgesCut = (maxEdges: number): Truncation => ({ reason: 'edges', limit: maxEdges, message: `The CIs shown have more than ${maxEdges} relations among them; the first ${maxEdges} are drawn. Filter by class or layer to see the rest.` });

/** The edge budget of one level: every new node costs at least one relation, and some lead back or are filtered out, so twice the node budget left fills the map without reading a hub's every edge. */
export const levelBudget = (q: Pick<NeighbourhoodQuery, 'maxNodes' | 'maxEdges'>, shown: number): number => Math.min(q.maxEdges, 2 * (q.maxNodes - shown));

/**
 * Breadth-first from the focus, one store round trip per level, keeping the BFS tree (for grouping)
 * and stopping at the node cap with `truncated` rather than failing.
 * Reads are bounded by the caps, not by the estate: a level reads a bounded number of relations
 * (a hub's 100,000 dependents cannot be drawn anyway, and reading them all made one map take seconds),
 * and the closing edges come from relations with both ends shown, not from every relation of every node.
 */
export async function neighbourhood(src: NeighbourhoodSource, q: NeighbourhoodQuery) {
  const cis = new Map<string, MapCi>();
  for (const c of await src.getCis(q.focus)) cis.set(c.id, c);
  const parentOf = new Map<string, string>();
  const depthOf = new Map<string, number>(q.focus.filter((id) => cis.has(id)).map((id) => [id, 0]));
  const rels = new Map<string, MapRelation>();
  let frontier = [...depthOf.keys()];
  let truncated = false;
  let truncation: Truncation | undefined;
  const cut = (t: Truncation) => { truncated = true; truncation ??= t; };
  const passes = (c: MapCi) => passesFilters(q, c.class, c.environment, c.owner);

  for (let d = 1; d <= q.depth && frontier.length && !truncated; d++) {
    const budget = levelBudget(q, cis.size);
    const levelRels = await src.relationsOf(frontier, budget + 1);
    if (levelRels.length > budget) cut(hubCut(budget, d));
    const inFrontier = new Set(frontier);
    const candidates = new Map<string, { via: string; rel: MapRelation }[]>();
    for (const rel of levelRels) {
      for (const end of [rel.from, rel.to]) {
        if (!inFrontier.has(end)) continue;
        const other = neighbourVia(rel, end, q.direction);
        if (other === null) continue;
        if (depthOf.has(other)) { rels.set(rel.id, rel); continue; }
        const list = candidates.get(other);
        if (list) list.push({ via: end, rel }); else candidates.set(other, [{ via: end, rel }]);
      }
    }
    const fetched = await src.getCis([...candidates.keys()]);
    const next: string[] = [];
    for (const c of fetched.sort((a, b) => byNameThenId(a.name, a.id, b.name, b.id))) {
      if (c.lifecycle !== 'active' || !passes(c)) continue;
      if (cis.size >= q.maxNodes) { cut(nodesCut(q.maxNodes, d)); break; }
      cis.set(c.id, c);
      depthOf.set(c.id, d);
      const via = candidates.get(c.id)!;
      parentOf.set(c.id, via[0].via);
      for (const v of via) rels.set(v.rel.id, v.rel);
      next.push(c.id);
    }
    frontier = next;
  }
  // The induced subgraph: edges among everything shown, also those between nodes of the last level.
  const collapsed = new Set<string>();
  if (q.groupAbove !== undefined) for (const members of collapsedGroups(cis.values(), parentOf, q.groupAbove).values()) for (const m of members) collapsed.add(m.id);
  const shown = collapsed.size ? [...cis.keys()].filter((id) => !collapsed.has(id)) : [...cis.keys()];
  for (const rel of await src.relationsAmong(shown, q.maxEdges + 1)) rels.set(rel.id, rel);
  let edges = [...rels.values()].filter((r) => cis.has(r.from) && cis.has(r.to));
  if (edges.length > q.maxEdges) { edges = edges.slice(0, q.maxEdges); cut(edgesCut(q.maxEdges)); }
  return {
    nodes: [...cis.values()].map(toGraphNode),
    edges: edges.map((r) => toGraphEdge(r, q.now, q.edgeThresholds)),
    parentOf, depthOf, truncated, ...(truncation ? { truncation } : {}),
  };
}
