import { ciClasses } from '../../../server/model/classes.ts';
import type { GraphEdge, GraphNode, GraphResult } from '../types.ts';

/**
 * The map's elements as plain data, derived from a GraphResult plus overlays. Everything here is
 * pure so that the Cytoscape wrapper only has to apply a diff (keyed by element id) and the rules
 * (which classes a node carries, how groups collapse) are tested without a browser.
 */
export interface NodeData {
  id: string;
  label: string;
  ciClass: string;
  layer: string;
  tier: number | null;
  owner: string | null;
  environment: string;
  /** Members behind a server-side group node or a collapsed compound group. */
  count?: number;
  groupKey?: string;
  parent?: string;
}

export interface EdgeData {
  id: string;
  source: string;
  target: string;
  type: string;
  state: string;
  /** Edges merged into one when a collapsed group swallowed their ends. */
  count?: number;
}

export interface NodeEl { group: 'nodes'; data: NodeData; classes: string }
export interface EdgeEl { group: 'edges'; data: EdgeData; classes: string }
export type El = NodeEl | EdgeEl;

/** Extra classes per element id: impact state, diff marks, highlighted paths, blast radius... */
export type Overlay = ReadonlyMap<string, readonly string[]>;

export type Grouping = 'none' | 'namespace' | 'host' | 'system' | 'team';

export interface ElementOptions {
  overlay?: Overlay;
  grouping?: Grouping;
  /** Compound group ids (as made by `compoundId`) drawn as one node. */
  collapsed?: ReadonlySet<string>;
  /** CIs whose `lastSeen` is before this time (ms) are greyed as stale; absent: none are. */
  staleBefore?: number;
  /** The CIs the map is focused on (their names stay legible zoomed out). */
  focus?: ReadonlySet<string>;
}

export const compoundId = (grouping: Grouping, key: string) => `cg:${grouping}:${key}`;

/**
 * How a compound group finds its owner among the shown CIs: follow these relation types outwards
 * (a pod is PART_OF a workload that is PART_OF a namespace) until a CI of one of the classes.
 */
const groupRules: Record<Exclude<Grouping, 'none' | 'team'>, { via: string[]; classes: string[] }> = {
  namespace: { via: ['PART_OF'], classes: ['k8s_namespace'] },
  host: { via: ['RUNS_ON', 'PART_OF'], classes: ['host', 'vm'] },
  system: { via: ['PART_OF'], classes: ['application', 'application_service', 'business_service'] },
};
const MAX_HOPS = 4;

/** For each node, the key of its compound group under `grouping` (absent when it has none). */
export function groupKeys(graph: GraphResult, grouping: Grouping): Map<string, { key: string; label: string }> {
  const out = new Map<string, { key: string; label: string }>();
  if (grouping === 'none') return out;
  if (grouping === 'team') {
    for (const n of graph.nodes) if (n.owner && n.class !== 'team') out.set(n.id, { key: n.owner, label: n.owner });
    return out;
  }
  const rule = groupRules[grouping];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const up = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (!rule.via.includes(e.type)) continue;
    const list = up.get(e.from);
    if (list) list.push(e.to); else up.set(e.from, [e.to]);
  }
  for (const n of graph.nodes) {
    if (rule.classes.includes(n.class)) { out.set(n.id, { key: n.id, label: n.name }); continue; }
    // Breadth-first along the rule's relations: the nearest owner wins.
    let frontier = [n.id];
    const seen = new Set(frontier);
    for (let hop = 0; hop < MAX_HOPS && frontier.length; hop++) {
      const next: string[] = [];
      let found: GraphNode | undefined;
      for (const id of frontier) {
        for (const to of up.get(id) ?? []) {
          if (seen.has(to)) continue;
          seen.add(to);
          const t = byId.get(to);
          if (t && rule.classes.includes(t.class)) { found = t; break; }
          next.push(to);
        }
        if (found) break;
      }
      if (found) { out.set(n.id, { key: found.id, label: found.name }); break; }
      frontier = next;
    }
  }
  return out;
}

function nodeClasses(n: GraphNode, overlay: Overlay | undefined, staleBefore: number | undefined, focus: ReadonlySet<string> | undefined): string {
  const cls = [`layer-${n.layer}`, `cls-${n.class}`];
  if (focus?.has(n.id)) cls.push('focus');
  if (n.tier) cls.push(`tier-${n.tier}`);
  if (n.lifecycle === 'retired') cls.push('retired');
  if (staleBefore !== undefined && n.lastSeen && Date.parse(n.lastSeen) <= staleBefore) cls.push('stale');
  if (n.group) cls.push('server-group');
  for (const c of overlay?.get(n.id) ?? []) cls.push(c);
  return cls.join(' ');
}

function edgeClasses(e: GraphEdge, overlay: Overlay | undefined): string {
  const cls = [`edge-${e.state}`, `rel-${e.type}`];
  for (const c of overlay?.get(e.id) ?? []) cls.push(c);
  return cls.join(' ');
}

/** A server group's label names its count and class in words ("12 Kubernetes workloads"). */
function groupLabel(n: GraphNode): string {
  return /^\d+ /.test(n.name) ? n.name : `${n.name} (${n.group!.count})`;
}

/** The name, and where other CIs shown share it, its class (or its environment, when the class is shared too). */
export function sameNameLabel(n: GraphNode, sharing: readonly GraphNode[]): string {
  if (sharing.length < 2) return n.name;
  const sameClass = sharing.filter((m) => m.class === n.class).length > 1;
  return `${n.name} · ${sameClass ? n.environment : ciClasses.get(n.class)?.title ?? n.class}`;
}

export function toElements(graph: GraphResult, opts: ElementOptions = {}): El[] {
  const { overlay, grouping = 'none', collapsed = new Set<string>(), staleBefore, focus } = opts;
  const keys = groupKeys(graph, grouping);
  // A compound of one is noise: only groups with two or more members are drawn.
  const members = new Map<string, { label: string; ids: string[] }>();
  for (const [id, g] of keys) {
    const cid = compoundId(grouping, g.key);
    const m = members.get(cid);
    if (m) m.ids.push(id); else members.set(cid, { label: g.label, ids: [id] });
  }
  for (const [cid, m] of members) if (m.ids.length < 2) members.delete(cid);

  const parentOf = new Map<string, string>();
  for (const [cid, m] of members) for (const id of m.ids) parentOf.set(id, cid);
  const isCollapsed = (cid: string | undefined) => cid !== undefined && collapsed.has(cid);

  const out: El[] = [];
  for (const [cid, m] of members) {
    const cls = isCollapsed(cid) ? 'compound collapsed' : 'compound';
    out.push({ group: 'nodes', data: { id: cid, label: `${m.label} (${m.ids.length})`, ciClass: 'group', layer: 'group', tier: null, owner: null, environment: '', count: m.ids.length, groupKey: cid }, classes: [cls, ...(overlay?.get(cid) ?? [])].join(' ') });
  }
  // Where each CI is drawn: itself, or the collapsed group that swallowed it.
  const drawnAs = (id: string) => { const p = parentOf.get(id); return isCollapsed(p) ? p! : id; };
  // Same name, different CIs (a Service and its Kubernetes workload, prod and staging): the label says which.
  const named = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) if (!n.group) (named.get(n.name) ?? named.set(n.name, []).get(n.name)!).push(n);
  for (const n of graph.nodes) {
    const p = parentOf.get(n.id);
    if (isCollapsed(p)) continue;
    const name = n.group ? groupLabel(n) : sameNameLabel(n, named.get(n.name)!);
    const data: NodeData = { id: n.id, label: name, ciClass: n.class, layer: n.layer, tier: n.tier, owner: n.owner, environment: n.environment };
    if (n.group) { data.count = n.group.count; data.groupKey = n.group.key; }
    if (p) data.parent = p;
    out.push({ group: 'nodes', data, classes: nodeClasses(n, overlay, staleBefore, focus) });
  }
  const merged = new Map<string, EdgeEl>();
  for (const e of graph.edges) {
    const source = drawnAs(e.from);
    const target = drawnAs(e.to);
    if (source === e.from && target === e.to) {
      out.push({ group: 'edges', data: { id: e.id, source, target, type: e.type, state: e.state }, classes: edgeClasses(e, overlay) });
      continue;
    }
    if (source === target) continue; // inside one collapsed group
    const id = `me:${source}>${target}:${e.type}`;
    const m = merged.get(id);
    if (m) { m.data.count = (m.data.count ?? 1) + 1; continue; }
    merged.set(id, { group: 'edges', data: { id, source, target, type: e.type, state: e.state, count: 1 }, classes: `${edgeClasses(e, undefined)} merged` });
  }
  out.push(...merged.values());
  return out;
}

export interface ElementDiff {
  add: El[];
  remove: string[];
  /** Same id, same ends and parent: patch data and classes in place (keeps position and selection). */
  update: El[];
}

function sameData(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) return false;
  return true;
}

/**
 * Keyed reconciliation: what to add, remove and patch to turn `prev` into `next`. An element whose
 * ends or parent changed is removed and added again, since Cytoscape cannot re-point an edge.
 */
export function diffElements(prev: ReadonlyMap<string, El>, next: readonly El[]): ElementDiff {
  const add: El[] = [];
  const update: El[] = [];
  const nextIds = new Set<string>();
  const remove: string[] = [];
  for (const el of next) {
    nextIds.add(el.data.id);
    const old = prev.get(el.data.id);
    if (!old) { add.push(el); continue; }
    if (old === el) continue;
    const moved = old.group !== el.group
      || (el.group === 'edges' && ((old.data as EdgeData).source !== el.data.source || (old.data as EdgeData).target !== el.data.target))
      || (el.group === 'nodes' && (old.data as NodeData).parent !== el.data.parent);
    if (moved) { remove.push(el.data.id); add.push(el); continue; }
    if (old.classes !== el.classes || !sameData(old.data, el.data)) update.push(el);
  }
  for (const id of prev.keys()) if (!nextIds.has(id)) remove.push(id);
  return { add, remove, update };
}
