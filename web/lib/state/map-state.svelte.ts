import { ciClassList } from '../../../server/model/classes.ts';
import { ApiError, type Api } from '../api.ts';
import { toElements, type El, type Grouping, type Overlay } from '../graph/elements.ts';
import { applyChangeEvent, mergeGraphs } from '../graph/live-patch.ts';
import type { LayoutName, LayoutSpec } from '../graph/graph-view.ts';
import type { ChangeEvent, GraphQuery, GraphResult } from '../types.ts';

export type Direction = 'upstream' | 'downstream' | 'both';
const EMPTY: GraphResult = { nodes: [], edges: [], truncated: false };

/** Merge named overlay layers (impact, change, root cause, diff, hover, live) into one. */
export function mergeOverlays(layers: Iterable<Overlay>): Overlay {
  const out = new Map<string, string[]>();
  for (const layer of layers) for (const [id, cls] of layer) {
    const cur = out.get(id);
    if (cur) cur.push(...cls); else out.set(id, [...cls]);
  }
  return out;
}

/** Classes of the chosen layers, for the `classes` filter of the graph query. */
export function classesOfLayers(layers: readonly string[]): string[] {
  return ciClassList.filter((c) => layers.includes(c.layer)).map((c) => c.name);
}

/**
 * What the map shows and how: the query, the graph it returned, overlays the views put on it.
 * Shared by every view (the map is one, the views are panels that overlay it).
 */
export class MapState {
  focus = $state<string[]>([]);
  depth = $state(2);
  direction = $state<Direction>('both');
  layers = $state<string[]>([]);
  classes = $state<string[]>([]);
  environment = $state('');
  owner = $state('');
  asOf = $state<string | null>(null);

  layout = $state<LayoutName>('layered');
  grouping = $state<Grouping>('none');
  collapsed = $state.raw<ReadonlySet<string>>(new Set());

  /** Big payloads are replaced whole, never mutated: no deep proxies over 20,000 objects. */
  graph = $state.raw<GraphResult>(EMPTY);
  overlays = $state.raw<Record<string, Overlay>>({});
  selected = $state<string | null>(null);
  hovered = $state<string | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  /** Bumped by every load or expand: a new layout runs then, and only then. */
  epoch = $state(0);

  overlay = $derived(mergeOverlays(Object.values(this.overlays)));
  elements: El[] = $derived(toElements(this.graph, { overlay: this.overlay, grouping: this.grouping, collapsed: this.collapsed }));
  layoutSpec: LayoutSpec = $derived({ name: this.layout, key: `${this.layout}|${this.grouping}|${this.epoch}|${[...this.collapsed].join(',')}` });
  nodeById = $derived(new Map(this.graph.nodes.map((n) => [n.id, n])));

  private loadSeq = 0;

  constructor(private readonly api: Api) {}

  query(extra: Partial<GraphQuery> = {}): GraphQuery {
    const classes = [...new Set([...this.classes, ...classesOfLayers(this.layers)])];
    return {
      focus: this.focus.length ? this.focus : undefined,
      depth: this.focus.length ? this.depth : undefined,
      direction: this.focus.length ? this.direction : undefined,
      classes: classes.length ? classes : undefined,
      environment: this.environment || undefined,
      owner: this.owner || undefined,
      asOf: this.asOf ?? undefined,
      group: 'auto',
      ...extra,
    };
  }

  async load(): Promise<void> {
    const seq = ++this.loadSeq;
    this.loading = true;
    this.error = null;
    try {
      const g = await this.api.graph(this.query());
      if (seq !== this.loadSeq) return;
      this.graph = g;
      this.collapsed = new Set();
      this.epoch++;
      if (this.selected && !g.nodes.some((n) => n.id === this.selected)) this.selected = null;
    } catch (e) {
      if (seq === this.loadSeq) this.error = errorText(e);
    } finally {
      if (seq === this.loadSeq) this.loading = false;
    }
  }

  focusOn(ids: string[]) {
    this.focus = ids;
    this.selected = ids[0] ?? null;
    return this.load();
  }

  /** Double-click: a server group opens into its members; a collapsed compound opens; a CI grows by one hop. */
  async expand(id: string): Promise<void> {
    if (id.startsWith('cg:')) { this.toggleGroup(id); return; }
    const node = this.nodeById.get(id);
    if (!node) return;
    this.loading = true;
    this.error = null;
    try {
      if (node.group) {
        const g = await this.api.graph(this.query({ expand: node.group.key, focus: undefined, depth: undefined, direction: undefined }));
        this.graph = mergeGraphs(this.graph, g, [id]);
      } else {
        const g = await this.api.graph(this.query({ focus: [id], depth: 1, direction: this.direction }));
        this.graph = mergeGraphs(this.graph, g);
      }
      this.epoch++;
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.loading = false;
    }
  }

  toggleGroup(cid: string) {
    const next = new Set(this.collapsed);
    if (next.has(cid)) next.delete(cid); else next.add(cid);
    this.collapsed = next;
  }

  collapseAll() {
    this.collapsed = new Set(this.elements.filter((e) => e.group === 'nodes' && e.data.id.startsWith('cg:')).map((e) => e.data.id));
  }

  setOverlay(name: string, overlay: Overlay | null) {
    const next = { ...this.overlays };
    if (overlay && overlay.size) next[name] = overlay; else delete next[name];
    this.overlays = next;
  }

  /** A live event patches the graph in place, unless the map is pinned to a past time. */
  applyLive(event: ChangeEvent) {
    if (this.asOf) return;
    const r = applyChangeEvent(this.graph, event);
    if (!r.changed) return;
    this.graph = r.graph;
    if (r.added.length || r.retired.length) {
      const marks = new Map<string, string[]>([...(this.overlays.live ?? new Map())].map(([k, v]) => [k, [...v]]));
      for (const id of r.added) marks.set(id, ['new']);
      for (const id of r.retired) marks.set(id, ['retired']);
      this.setOverlay('live', marks);
      if (r.added.length) setTimeout(() => this.unmarkNew(r.added), 8000);
    }
  }

  private unmarkNew(ids: string[]) {
    const cur = this.overlays.live;
    if (!cur) return;
    const next = new Map(cur);
    for (const id of ids) if (next.get(id)?.includes('new')) next.delete(id);
    this.setOverlay('live', next);
  }
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return `${e.message} (${e.code})`;
  return e instanceof Error ? e.message : String(e);
}
