import { ciClassList } from '../../../server/model/classes.ts';
import { ApiError, type Api } from '../api.ts';
import { toElements, type El, type Grouping, type Overlay } from '../graph/elements.ts';
import { applyChangeEvent, mergeGraphs } from '../graph/live-patch.ts';
import type { LayoutName, LayoutSpec } from '../graph/graph-view.ts';
import type { ChangeEvent, ChangeRecord, FailedCi, GraphQuery, GraphResult, HealthSnapshot, ImpactMapRequest, IncidentListItem } from '../types.ts';
import { blastRadiusOverlay } from '../overlays.ts';
import { healthOverlay } from '../health.ts';
import { DAY_MS, incidentFailures, incidentHitOverlay, nextWindowEnd, touchesWork, workByCi, workOverlay, type CiWork } from '../work.ts';

export type Direction = 'upstream' | 'downstream' | 'both';
/** CIs a map may be focused on at once (server/api/routes/graph.ts caps `focus` at 100). */
export const MAX_FOCUS = 100;
const EMPTY: GraphResult = { nodes: [], edges: [], truncated: false };
const NO_WORK: ReadonlyMap<string, CiWork> = new Map();
/** Live events about incidents and changes come in bursts: one refetch for a burst. */
const WORK_REFRESH_MS = 300;
/** The clock behind staleness and change windows moves at least this often. */
const CLOCK_MS = 3_600_000;

/**
 * Which view owns which overlay: a view's colours are on the map while that view is open, and come
 * back when it is opened again (what-if colours never stay painted over the live map).
 */
export const overlayView: Readonly<Record<string, string>> = { blast: 'map', impact: 'impact', change: 'change', rca: 'rca', diff: 'history', now: 'now', incident: 'incidents' };

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
  hoveredEdge = $state<string | null>(null);
  /** The map as tables instead of a canvas (same CIs and relations). */
  listMode = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  /** Bumped by every load or expand: a new layout runs then, and only then. */
  epoch = $state(0);

  /** Open incidents and active changes (refetched on their live events), and the clock they are judged by. */
  incidents = $state.raw<IncidentListItem[]>([]);
  changes = $state.raw<ChangeRecord[]>([]);
  workError = $state<string | null>(null);
  /** Bumped by every live event about incidents, changes or windows: record pages reload on it. */
  recordsVersion = $state(0);
  clock = $state(Date.now());
  /** Grey CIs no source has seen for this many days. */
  staleDays = $state(7);

  /** Work per CI, shown on the live map only: a map of the past is not where today's incidents are. */
  work: ReadonlyMap<string, CiWork> = $derived(this.asOf ? NO_WORK : workByCi(this.incidents, this.changes, this.clock));
  private workMarks = $derived({ overlay: workOverlay(this.work) });
  staleBefore = $derived(this.clock - Math.max(0, Number(this.staleDays) || 0) * DAY_MS);
  /** Live health from alerts (pushed on the ws after every change); drawn on the live map only. */
  health = $state.raw<HealthSnapshot | null>(null);
  private healthMarks = $derived({ overlay: this.asOf ? new Map<string, string[]>() : healthOverlay(this.health) });
  /** The view open now (its overlays are drawn; other views' wait). */
  activeView = $state('map');
  /** The dependents the open incidents take down or degrade (live map only). */
  incidentHits = $state.raw<Overlay>(new Map());
  /** A blast-radius map shown instead of a query (cleared by the next focus). */
  blastRadius = $state.raw<ImpactMapRequest | null>(null);
  overlay = $derived(mergeOverlays([
    this.healthMarks.overlay,
    ...Object.entries(this.overlays).filter(([k]) => this.shownHere(k)).map(([, o]) => o),
    ...(this.asOf ? [] : [this.incidentHits]),
    this.workMarks.overlay,
  ]));
  elements: El[] = $derived(toElements(this.graph, {
    overlay: this.overlay, grouping: this.grouping, collapsed: this.collapsed, staleBefore: this.staleBefore, focus: new Set(this.focus),
  }));
  layoutSpec: LayoutSpec = $derived({ name: this.layout, key: `${this.layout}|${this.grouping}|${this.epoch}|${[...this.collapsed].join(',')}` });
  nodeById = $derived(new Map(this.graph.nodes.map((n) => [n.id, n])));
  edgeById = $derived(new Map(this.graph.edges.map((e) => [e.id, e])));

  private loadSeq = 0;
  private workSeq = 0;
  private workTimer: ReturnType<typeof setTimeout> | null = null;
  private clockTimer: ReturnType<typeof setTimeout> | null = null;

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
      const blast = this.blastRadius;
      const g = blast ? await this.api.impactMap(blast) : await this.api.graph(this.query());
      if (seq !== this.loadSeq) return;
      this.graph = g;
      // A blast-radius map keeps its colours on the Map view, whichever view showed it (and after a reload).
      this.setOverlay('blast', blast ? blastRadiusOverlay(blast, g.states ?? {}, this.focus) : null);
      this.collapsed = new Set();
      this.epoch++;
      if (this.selected && !g.nodes.some((n) => n.id === this.selected)) this.selected = null;
    } catch (e) {
      if (seq === this.loadSeq) this.error = errorText(e);
    } finally {
      if (seq === this.loadSeq) this.loading = false;
    }
  }

  async refreshHealth(): Promise<void> {
    try { this.health = await this.api.alertHealth(); } catch { /* the next live snapshot brings it */ }
  }

  /** Focus on some CIs: the first MAX_FOCUS of them (the graph API's cap on `focus`; a larger set goes through showBlastRadius). */
  focusOn(ids: string[]) {
    ids = ids.slice(0, MAX_FOCUS);
    this.blastRadius = null;
    this.focus = ids;
    this.selected = ids[0] ?? null;
    return this.load();
  }

  /**
   * Moves the map in time (null: live). A blast radius of failed CIs is computed again at that instant; a change's
   * is of the change as it will be implemented, not of a past instant, so the map leaves it for its focus then.
   */
  moveTo(asOf: string | null): Promise<void> {
    this.asOf = asOf;
    const b = this.blastRadius;
    if (b && 'failed' in b) this.blastRadius = { ...b, asOf: asOf ?? undefined };
    else if (b) this.blastRadius = null;
    return this.load();
  }

  /** Show a blast radius of any size: the server computes it and groups it; the map keeps it until the next focus. */
  showBlastRadius(req: ImpactMapRequest, focus: string[]) {
    this.blastRadius = req;
    this.focus = focus;
    // Nothing is selected: the view that asked (an incident, a change, the Impact view) is the details.
    this.selected = null;
    return this.load();
  }

  /**
   * What failing these CIs takes down, on the map and coloured by each node's impact state, as the
   * named view's overlay (Impact view, an incident's page). Any size: see showBlastRadius.
   */
  async showFailures(failed: readonly FailedCi[], overlayName: string): Promise<void> {
    const plain = failed.map(({ ci, state }) => ({ ci, state }));
    await this.showBlastRadius(this.asOf ? { failed: plain, asOf: this.asOf } : { failed: plain }, plain.map((f) => f.ci));
    this.setOverlay(overlayName, this.overlays.blast ?? null);
  }

  /** A change's worst case (every touched CI down) on the map: the blast radius filled, the touched CIs ringed. */
  async showChange(changeId: string, touched: readonly string[]): Promise<void> {
    await this.showBlastRadius({ change: changeId }, [...touched]);
    this.setOverlay('change', this.overlays.blast ?? null);
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

  /** The overlays a view put on the map and the user may clear, by their titles (hover and live marks are not). */
  static readonly clearable: Readonly<Record<string, string>> = { impact: 'impact', change: 'change', rca: 'root cause', diff: 'diff', now: 'situation', incident: 'incident' };
  /** Whether a named overlay is drawn in the view open now (a view's own overlays only while it is open). */
  shownHere(name: string): boolean {
    return !(name in overlayView) || overlayView[name] === this.activeView;
  }
  shownOverlays = $derived(Object.keys(this.overlays).filter((k) => k in MapState.clearable && this.shownHere(k)).map((k) => MapState.clearable[k]));

  clearOverlays() {
    this.overlays = Object.fromEntries(Object.entries(this.overlays).filter(([k]) => !(k in MapState.clearable && this.shownHere(k))));
  }

  setOverlay(name: string, overlay: Overlay | null) {
    const next = { ...this.overlays };
    if (overlay && overlay.size) next[name] = overlay; else delete next[name];
    this.overlays = next;
  }

  /** Fetch the open incidents and active changes; the map's classes change only where the answer does. */
  async refreshWork(): Promise<void> {
    const seq = ++this.workSeq;
    try {
      const [incidents, changes] = await Promise.all([this.api.listUnresolvedIncidents(), this.api.listActiveChanges()]);
      if (seq !== this.workSeq) return;
      this.incidents = incidents;
      this.changes = changes;
      this.workError = null;
      // The dependents the open incidents take down, ringed on the live map like their CIs.
      const failed = incidentFailures(incidents);
      // A CI retired since its incident opened is not in the projection (404): the rings still show, the spread not.
      const hits = failed.length ? await this.api.impact(failed.slice(0, 1000)).then((r) => r.impacted, () => []) : [];
      if (seq !== this.workSeq) return;
      this.incidentHits = incidentHitOverlay(hits, failed);
      this.tick();
    } catch (e) {
      if (seq === this.workSeq) this.workError = errorText(e);
    }
  }

  /** Moves the clock now, and again when the next change window ends (its badge goes) or in an hour. */
  private tick() {
    this.clock = Date.now();
    if (this.clockTimer) clearTimeout(this.clockTimer);
    const end = nextWindowEnd(this.changes, this.clock);
    const wait = Math.min(CLOCK_MS, end === null ? CLOCK_MS : end - this.clock + 50);
    this.clockTimer = setTimeout(() => this.tick(), Math.max(1000, wait));
  }

  private scheduleWorkRefresh() {
    if (this.workTimer) return;
    this.workTimer = setTimeout(() => { this.workTimer = null; void this.refreshWork(); }, WORK_REFRESH_MS);
  }

  dispose() {
    if (this.workTimer) clearTimeout(this.workTimer);
    if (this.clockTimer) clearTimeout(this.clockTimer);
    this.workSeq++;
  }

  /** A live event patches the graph in place, unless the map is pinned to a past time. */
  applyLive(event: ChangeEvent) {
    // Incidents and changes are today's whatever time the map shows (they reappear back at live).
    if (touchesWork(event)) { this.scheduleWorkRefresh(); this.recordsVersion++; }
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
