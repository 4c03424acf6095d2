import cytoscape from 'cytoscape';
import { diffElements, type El } from './elements.ts';
import { fitRowsToViewport, layeredPositions, layerRank, type Point } from './layered.ts';
import { graphStyle } from './style.ts';
import { toSvg, type SvgEdge, type SvgNode } from './export.ts';
import { Overview } from './overview.ts';
import { LayerWarmer, SCREEN_TEXTURE_PIXEL_RATIO, setPixelRatio } from './warm-layers.ts';
import { nodeAt, type HitBox } from './hit-test.ts';
import { KeptLayouts, layoutKey } from './kept-layouts.ts';
import { labelRank, labelsToHide, type LabelBox } from './label-fit.ts';

/**
 * The only module that touches Cytoscape. It is created once per map, and every update is a keyed
 * patch inside `cy.batch` (react-cytoscapejs's approach): nodes keep their positions, the selection
 * and the viewport survive live updates. A layout runs only when its key changes (a new query, a
 * new layout choice); nodes that arrive in between are placed next to their neighbours.
 */
export type LayoutName = 'layered' | 'force';
export interface LayoutSpec { name: LayoutName; key: string }

export interface GraphHandlers {
  onSelect(id: string | null): void;
  onExpand(id: string): void;
  onHover?(id: string | null): void;
  /** An edge under the mouse (small maps: a large map's edges take no events). */
  onHoverEdge?(id: string | null): void;
  /** The map is hidden while its layout engine places `count` CIs (null: shown again), so the page can say so. */
  onVeil?(count: number | null): void;
}

export interface Timings { elements: number; patchMs: number; layoutMs: number; drawMs: number; layout: string }

/** Above this many elements the cheaper style (haystack edges, fewer labels) is used. */
export const LARGE_ELEMENTS = 1500;
/** ELK's layered algorithm is the nicest for small maps; above this it takes seconds (37 s for the demo's 200-CI default map on a loaded 2-core machine), so ours runs. */
export const ELK_MAX_NODES = 120;
const FCOSE_DRAFT_NODES = 1200;
const FIT_MAX_ZOOM = 1.5;
/** Below this zoom a 10 px label is drawn under 8 px: the names that matter are then drawn larger. */
const LEGIBLE_ZOOM = 0.8;
/** A style property as Cytoscape resolved it (`pstyle` is public API, missing from its typings). */
const parsedStyle = (n: cytoscape.NodeSingular, p: string) => (n as unknown as { pstyle(p: string): { pfValue: number; strValue: string } }).pstyle(p);
/** A node's label bounds alone, for label fitting. */
const LABEL_BOUNDS = { includeNodes: false, includeEdges: false, includeLabels: true, includeMainLabels: true, includeSourceLabels: false, includeTargetLabels: false, includeOverlays: false, includeUnderlays: false } as const;
/** One canvas pixel per CSS pixel even on HiDPI screens: four times fewer to draw there. */
const PIXEL_RATIO = 1;
/** Horizontal spacing of the layered layout where labels are drawn (their max width is 100 px). */
const LABELLED_SPACING_X = 110;

let elkReady: Promise<void> | null = null;
let fcoseReady: Promise<void> | null = null;
// Layout engines are loaded on first use: ELK alone is most of a 2 MB chunk.
// A chunk that failed to load (the network dropped, or the server was upgraded under an open tab and the old
// chunk's name is gone) is asked for again next time instead of failing for the tab's life.
function loadElk() {
  return (elkReady ??= import('cytoscape-elk').then((m) => { cytoscape.use(m.default); }, (e) => { elkReady = null; throw e; }));
}
function loadFcose() {
  return (fcoseReady ??= import('cytoscape-fcose').then((m) => { cytoscape.use(m.default); }, (e) => { fcoseReady = null; throw e; }));
}

export class GraphView {
  readonly cy: cytoscape.Core;
  private current = new Map<string, El>();
  private layoutKey: string | null = null;
  private large: boolean | null = null;
  /** A large map's node boxes for our own hit testing (see hit-test.ts); rebuilt when stale. */
  private boxes: HitBox[] | null = null;
  private hoverId: string | null = null;
  private readonly onLeave = () => { if (this.large) this.hover(null); };
  private layoutRun = 0;
  private overview: Overview | null = null;
  private readonly warmer: LayerWarmer;
  /** Until the user pans or zooms, a resized window refits the map. */
  private autoFit = false;
  private labelScale = 1;
  private labelTimer: ReturnType<typeof setTimeout> | undefined;
  lastTimings: Timings | null = null;
  /** ELK's places for maps laid out before in this tab (kept-layouts.ts). */
  private readonly kept = new KeptLayouts(typeof sessionStorage === 'undefined' ? null : sessionStorage);
  /** Resolves when the latest update (and its layout, if any) has been drawn. */
  settled: Promise<Timings | null> = Promise.resolve(null);

  constructor(container: HTMLElement, private readonly handlers: GraphHandlers, overviewCanvas?: HTMLCanvasElement) {
    this.cy = cytoscape({
      container,
      elements: [],
      style: graphStyle({ large: false }) as unknown as cytoscape.StylesheetJson,
      minZoom: 0.02,
      maxZoom: 4,
      // Pan and zoom move a cached bitmap of the graph instead of redrawing 20,000 elements a frame.
      textureOnViewport: true,
      motionBlur: false,
      pixelRatio: PIXEL_RATIO,
      boxSelectionEnabled: false,
      selectionType: 'single',
    });
    // Small maps: Cytoscape finds the node. Large maps: nodes take no events, every press lands on
    // the background, and the node under it is found from positions (hit-test.ts explains why).
    this.cy.on('tap', 'node', (e) => this.handlers.onSelect(e.target.id()));
    this.cy.on('tap', (e) => { if (e.target === this.cy) this.handlers.onSelect(this.large ? this.nodeAt(e.position) : null); });
    this.cy.on('dbltap', 'node', (e) => this.handlers.onExpand(e.target.id()));
    this.cy.on('dbltap', (e) => { const id = e.target === this.cy && this.large ? this.nodeAt(e.position) : null; if (id) this.handlers.onExpand(id); });
    // On a large map these can only come from a node hovered before the map grew: ignored.
    this.cy.on('mouseover', 'node', (e) => { if (!this.large) this.hover(e.target.id()); });
    this.cy.on('mouseout', 'node', () => { if (!this.large) this.hover(null); });
    this.cy.on('mouseover', 'edge', (e) => { if (!this.large) this.handlers.onHoverEdge?.(e.target.id()); });
    this.cy.on('mouseout', 'edge', () => this.handlers.onHoverEdge?.(null));
    this.cy.on('mousemove', (e) => {
      if (e.target !== this.cy || !this.large || (e.originalEvent as MouseEvent | undefined)?.buttons) return;
      this.hover(this.nodeAt(e.position));
    });
    container.addEventListener('mouseleave', this.onLeave);
    this.cy.on('add remove position style', () => { this.boxes = null; });
    this.cy.on('tapstart scrollzoom', () => { this.autoFit = false; });
    // A hover tip stands where the node was: once the view moves, it is dropped.
    this.cy.on('viewport', () => {
      this.hoverId = null; this.handlers.onHover?.(null); this.handlers.onHoverEdge?.(null);
      clearTimeout(this.labelTimer);
      this.labelTimer = setTimeout(() => this.rescaleLabels(), 150);
    });
    if (overviewCanvas) this.overview = new Overview(this.cy, overviewCanvas);
    this.warmer = new LayerWarmer(this.cy);
  }

  /** Apply the next elements; returns when the result is drawn. */
  update(elements: readonly El[], layout: LayoutSpec, selected: string | null = null): Promise<Timings | null> {
    const t0 = performance.now();
    const cy = this.cy;
    const diff = diffElements(this.current, elements);
    const large = elements.length > LARGE_ELEMENTS;
    const relayout = layout.key !== this.layoutKey;
    if (!relayout && !diff.add.length && !diff.remove.length && !diff.update.length) {
      this.select(selected);
      return this.settled;
    }
    // The fast layered layout is computed from the element list itself, so new nodes are added
    // already in place: moving 5,000 nodes after adding them costs more than the layout.
    const nodeCount = elements.reduce((k, e) => k + (e.group === 'nodes' && !e.classes.startsWith('compound') ? 1 : 0), 0);
    const hasCompounds = elements.some((e) => e.group === 'nodes' && e.classes.startsWith('compound'));
    const fast = relayout && layout.name === 'layered' && (nodeCount > ELK_MAX_NODES || hasCompounds);
    const pos = fast ? layeredFromElements(elements) : null;
    cy.batch(() => {
      if (large !== this.large) {
        this.large = large;
        this.applyStyle();
        setPixelRatio(cy, large ? SCREEN_TEXTURE_PIXEL_RATIO : PIXEL_RATIO);
      }
      if (diff.remove.length) {
        // One collection, one removal: removing (or union-ing) element by element is quadratic.
        const gone = diff.remove.map((id) => cy.getElementById(id)).filter((e) => e.nonempty());
        cy.collection(gone as unknown as cytoscape.CollectionArgument).remove();
      }
      if (diff.add.length) cy.add(diff.add.map((e) => ({ group: e.group, data: { ...e.data }, classes: e.classes, ...(pos?.has(e.data.id) ? { position: { ...pos.get(e.data.id)! } } : {}) })) as cytoscape.ElementDefinition[]);
      for (const e of diff.update) {
        const ele = cy.getElementById(e.data.id);
        ele.data(e.data);
        ele.classes(e.classes);
      }
    });
    this.current = new Map(elements.map((e) => [e.data.id, e]));
    const patchMs = performance.now() - t0;
    if (relayout) {
      this.layoutKey = layout.key;
      this.settled = this.runLayout(layout.name, patchMs, elements.length, pos, diff.add, diff.add.length + diff.remove.length > 0).then((t) => { if (!this.destroyed) this.select(selected); return t; });
    } else {
      const added = diff.add.filter((e) => e.group === 'nodes').map((e) => e.data.id);
      if (added.length) this.placeNear(added);
      this.select(selected);
      // New CIs or overlays change which names matter most.
      this.fitLabels();
      this.overview?.refresh();
      this.settled = this.afterDraw().then(() => null);
    }
    return this.settled;
  }

  private applyStyle() {
    this.cy.style(graphStyle({ large: !!this.large, labelScale: this.labelScale }) as unknown as cytoscape.StylesheetJson);
  }

  /**
   * Zoomed out past legible text (labels under 7 px are left out), the names that matter are drawn
   * larger; the scale moves in steps, once the view rests, so a gesture restyles the map once at most.
   */
  private rescaleLabels() {
    if (this.large) return;
    const z = this.cy.zoom();
    const scale = z >= LEGIBLE_ZOOM ? 1 : Math.min(8, Math.ceil((LEGIBLE_ZOOM / z) * 4) / 4);
    if (scale !== this.labelScale) {
      this.labelScale = scale;
      this.applyStyle();
    }
    this.fitLabels();
  }

  /**
   * Labels drawn at this zoom never overlap: where two would, the less important one is left out
   * (label-fit.ts) until zooming in gives it room; hovering a CI still names it. Measured from
   * Cytoscape's own label bounds (a left-out label keeps them: it is only transparent).
   */
  private fitLabels() {
    if (this.large) return;
    const cy = this.cy;
    const z = cy.zoom();
    const boxes: LabelBox[] = [];
    cy.nodes().forEach((n) => {
      if (n.isParent() || !parsedStyle(n, 'label').strValue) return;
      // A label too small to draw at this zoom is left out by Cytoscape already: it takes no room.
      if (parsedStyle(n, 'font-size').pfValue * z < parsedStyle(n, 'min-zoomed-font-size').pfValue) return;
      const bb = n.boundingBox(LABEL_BOUNDS);
      if (!(bb.w > 0)) return;
      boxes.push({ id: n.id(), x1: bb.x1, y1: bb.y1, x2: bb.x2, y2: bb.y2, rank: labelRank(n.classes() as unknown as string[], n.selected(), n.degree(false)) });
    });
    // Two screen pixels between labels, whatever the zoom.
    const hide = labelsToHide(boxes, 2 / z);
    cy.batch(() => cy.nodes().forEach((n) => {
      const h = hide.has(n.id());
      if (n.hasClass('label-fit-out') !== h) n.toggleClass('label-fit-out', h);
    }));
  }

  /** The node under a model position on a large map (its CIs first, then compound groups). */
  private nodeAt(p: Point): string | null {
    this.boxes ??= this.cy.nodes().map((n): HitBox => {
      if (n.isParent()) {
        const bb = n.boundingBox({ includeLabels: false, includeOverlays: false });
        return { id: n.id(), x1: bb.x1, y1: bb.y1, x2: bb.x2, y2: bb.y2, compound: true };
      }
      const q = n.position(), hw = n.outerWidth() / 2, hh = n.outerHeight() / 2;
      return { id: n.id(), x1: q.x - hw, y1: q.y - hh, x2: q.x + hw, y2: q.y + hh, compound: false };
    });
    return nodeAt(this.boxes, p);
  }

  private hover(id: string | null) {
    if (id === this.hoverId) return;
    this.hoverId = id;
    this.handlers.onHover?.(id);
  }

  private select(id: string | null) {
    const cy = this.cy;
    const cur = cy.$(':selected');
    if (id && cur.length === 1 && cur.id() === id) return;
    cur.unselect();
    if (id) cy.getElementById(id).select();
    // The selected CI's name always shows (it ranks first).
    if (id && cy.getElementById(id).hasClass('label-fit-out')) this.fitLabels();
  }

  private async runLayout(name: LayoutName, patchMs: number, count: number, pos: Map<string, Point> | null, added: El[], contentChanged: boolean): Promise<Timings> {
    const run = ++this.layoutRun;
    const t1 = performance.now();
    const cy = this.cy;
    const nodes = cy.nodes().not('.compound') as cytoscape.NodeCollection;
    const hasCompounds = cy.nodes('.compound').nonempty();
    let used: string = name;
    const superseded = (): Timings => ({ elements: count, patchMs, layoutMs: 0, drawMs: 0, layout: 'superseded' });
    // ELK and fcose answer asynchronously: meanwhile a new map (another focus, a change's blast radius) would be
    // drawn with its CIs where Cytoscape added them and the ones kept where the old map had them, in the old
    // viewport: a jumble that jumps into place once the layout returns. It is veiled until then. Another layout
    // asked for over the same map keeps it in view.
    const asynchronous = name === 'force' || (nodes.length > 0 && nodes.length <= ELK_MAX_NODES && !hasCompounds);
    if (asynchronous && contentChanged) this.veil(true, nodes.length);
    if (asynchronous) {
      try {
        const engine = await this.asynchronousLayout(name === 'force' ? 'force' : 'elk', nodes, run);
        if (engine === null) return superseded();
        used = engine;
        this.layoutFailure = null;
      } catch (e) {
        // The engine could not load or threw: a veiled map would stay blank, so the CIs take the built-in
        // layered places instead (every node: those just added have none yet).
        console.warn('servicegraph: the layout engine failed, the map is laid out in layers instead', e);
        if (run !== this.layoutRun) return superseded();
        await this.presetLayout(null, []);
        used = 'layered-fast';
        this.layoutFailure = e instanceof Error ? e.message : String(e);
      }
    } else {
      await this.presetLayout(pos, added);
      used = 'layered-fast';
    }
    if (run !== this.layoutRun) return superseded();
    cy.resize();
    this.fit();
    this.veil(false);
    this.rescaleLabels();
    this.autoFit = true;
    this.warmer.buildOnNextDraw();
    const t2 = performance.now();
    await this.afterDraw();
    this.overview?.refresh();
    const timings = { elements: count, patchMs: round(patchMs), layoutMs: round(t2 - t1), drawMs: round(performance.now() - t2), layout: used };
    this.lastTimings = timings;
    return timings;
  }

  /** fcose or ELK over `nodes`; null when a newer layout started meanwhile (that one wins). */
  private async asynchronousLayout(engine: 'force' | 'elk', nodes: cytoscape.NodeCollection, run: number): Promise<string | null> {
    const cy = this.cy;
    if (engine === 'force') {
      await loadFcose();
      // Another update may have started its own layout while the engine loaded: that one wins.
      if (run !== this.layoutRun) return null;
      const n = nodes.length;
      await this.play({
        name: 'fcose', animate: false, randomize: true, quality: n > FCOSE_DRAFT_NODES ? 'draft' : 'default',
        numIter: n > FCOSE_DRAFT_NODES ? 800 : 2500, nodeRepulsion: () => 6000, idealEdgeLength: () => 60, nodeSeparation: 60, packComponents: true,
      });
      return n > FCOSE_DRAFT_NODES ? 'fcose-draft' : 'fcose';
    }
    const key = layoutKey(nodes.map((n) => ({ id: n.id(), layer: String(n.data('layer')) })), cy.edges().map((e) => ({ from: e.source().id(), to: e.target().id() })));
    const kept = this.kept.get(key, nodes.map((n) => n.id()));
    if (kept) cy.batch(() => nodes.forEach((n) => { (n as cytoscape.NodeSingular).position({ ...kept.get(n.id())! }); }));
    else {
      await loadElk();
      if (run !== this.layoutRun) return null;
      await this.play({
        name: 'elk', fit: false, animate: false,
        nodeDimensionsIncludeLabels: true,
        elk: {
          algorithm: 'layered', 'elk.direction': 'DOWN', 'elk.partitioning.activate': true,
          'elk.layered.spacing.nodeNodeBetweenLayers': 50, 'elk.spacing.nodeNode': 25,
          'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
        },
        // Partitions keep the class registry's layers in order: business on top, infrastructure below.
        nodeLayoutOptions: (n: cytoscape.NodeSingular) => ({ 'elk.partitioning.partition': layerRank(n.data('layer')) }),
      });
      if (run !== this.layoutRun) return null;
      this.kept.put(key, new Map(nodes.map((n) => [n.id(), { ...(n as cytoscape.NodeSingular).position() }] as const)));
    }
    // ELK's rows run as wide as a layer has CIs: reshaped to the viewport, the fitted zoom keeps labels legible.
    const { w, h } = this.fitArea();
    const fitted = fitRowsToViewport(new Map(nodes.map((n) => [n.id(), { ...(n as cytoscape.NodeSingular).position() }] as const)), { width: w, height: h, spacingX: LABELLED_SPACING_X + 15, spacingY: 62, rowGap: 26 }, (id) => layerRank(cy.getElementById(id).data('layer')));
    cy.batch(() => nodes.forEach((n) => { (n as cytoscape.NodeSingular).position(fitted.get(n.id())!); }));
    return kept ? 'elk-kept' : 'elk';
  }

  /** The built-in layered places (`pos`, else computed): nodes just `added` already stand in them; the others move. */
  private async presetLayout(pos: Map<string, Point> | null, added: El[]): Promise<void> {
    const fresh = new Set(added.map((e) => e.data.id));
    const positions = pos ?? layeredFromElements([...this.current.values()]);
    const movers = this.cy.nodes().not('.compound').filter((n) => !fresh.has(n.id()) && positions.has(n.id()));
    if (movers.empty()) return;
    await new Promise<void>((resolve) => {
      const l = movers.layout({ name: 'preset', positions: (n: cytoscape.NodeSingular) => positions.get(n.id())!, fit: false, animate: false } as cytoscape.LayoutOptions);
      l.one('layoutstop', () => resolve());
      l.run();
    });
  }

  /** Why the last asynchronous layout fell back to the layered one (null when it did not); for tests. */
  layoutFailure: string | null = null;

  /** Whether the map is drawn but not shown (see runLayout); `veiled` says so to tests. */
  private veil(on: boolean, count = 0): void {
    const c = this.cy.container();
    if (c) c.style.opacity = on ? '0' : '';
    if (on !== this.veiled || on) this.handlers.onVeil?.(on ? count : null);
    this.veiled = on;
  }
  veiled = false;

  /** The asynchronous layout computing now (ELK or fcose), if any: destroy() leaves it a headless instance to answer into. */
  private playing: Promise<void> | null = null;

  private play(options: Record<string, unknown>): Promise<void> {
    const cy = this.cy;
    const playing = new Promise<void>((resolve) => {
      const layout = cy.elements().layout(options as unknown as cytoscape.LayoutOptions);
      layout.one('layoutstop', () => resolve());
      layout.run();
    });
    this.playing = playing;
    void playing.then(() => { if (this.playing === playing) this.playing = null; });
    return playing;
  }

  /** Resolves after the renderer has drawn the current state (the frame after the next render). */
  private afterDraw(): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => { if (!done) { done = true; requestAnimationFrame(() => resolve()); } };
      this.cy.one('render', finish);
      // A patch that changed nothing visible may not render; do not wait forever.
      setTimeout(finish, 500);
    });
  }

  /** New nodes between layouts: next to the mean of their placed neighbours, else at their layer's row end. */
  private placeNear(ids: string[]) {
    const cy = this.cy;
    const fresh = new Set(ids);
    cy.batch(() => {
      for (const id of ids) {
        const n = cy.getElementById(id);
        const placed = n.neighborhood().nodes().filter((m) => !fresh.has(m.id()));
        let p: Point;
        if (placed.nonempty()) {
          let sx = 0, sy = 0;
          placed.forEach((m) => { const q = m.position(); sx += q.x; sy += q.y; });
          const sum = { x: sx, y: sy };
          p = { x: sum.x / placed.length + (Math.random() - 0.5) * 60, y: sum.y / placed.length + 40 + Math.random() * 20 };
        } else {
          const bb = cy.nodes().not(n).boundingBox();
          p = { x: bb.x2 + 60, y: bb.y1 + layerRank(n.data('layer')) * 90 };
        }
        // Never on top of another CI (a click there would pick the other one): step aside until clear.
        for (let k = 0; k < 12 && this.occupied(p, n.id()); k++) p = { x: p.x + (k % 2 ? -1 : 1) * 36 * (k + 1), y: p.y + (k % 3 === 2 ? 30 : 0) };
        n.position(p);
        fresh.delete(id);
      }
    });
  }

  /** Whether another CI stands within a node's width of `p`. */
  private occupied(p: Point, self: string): boolean {
    return this.cy.nodes().some((ele) => {
      const m = ele as cytoscape.NodeSingular;
      if (m.id() === self || m.isParent()) return false;
      const q = m.position();
      return Math.abs(q.x - p.x) < 34 && Math.abs(q.y - p.y) < 30;
    });
  }

  /**
   * Fit the map, but never blow a handful of nodes up to poster size, and keep it clear of the
   * toolbar above and the overview in the bottom corner (drawn over the map).
   */
  fit() {
    const cy = this.cy;
    const eles = cy.elements();
    if (eles.empty()) return;
    const bb = eles.boundingBox();
    const { pad, w, h } = this.fitArea();
    const zoom = Math.max(cy.minZoom(), Math.min(FIT_MAX_ZOOM, w / Math.max(bb.w, 1), h / Math.max(bb.h, 1)));
    cy.viewport({ zoom, pan: { x: pad.left + (w - bb.w * zoom) / 2 - bb.x1 * zoom, y: pad.top + (h - bb.h * zoom) / 2 - bb.y1 * zoom } });
  }
  /** The part of the canvas a fitted map uses: clear of the toolbar above and the overview below. */
  private fitArea() {
    const cy = this.cy;
    const pad = { top: 56, right: 30, bottom: this.overview ? 140 : 40, left: 30 };
    return { pad, w: Math.max(40, cy.width() - pad.left - pad.right), h: Math.max(40, cy.height() - pad.top - pad.bottom) };
  }
  zoomBy(factor: number) {
    const cy = this.cy;
    cy.zoom({ level: cy.zoom() * factor, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  }
  center(id: string) {
    const n = this.cy.getElementById(id);
    if (n.nonempty()) this.cy.animate({ center: { eles: n }, duration: 250 });
  }
  /** Rendered (screen) position of a node, for tests and tooltips. */
  renderedPosition(id: string): Point | null {
    const n = this.cy.getElementById(id);
    return n.nonempty() ? n.renderedPosition() : null;
  }
  /** Model positions of the CIs shown (groups' members aside), for keyboard selection. */
  positions(): Map<string, Point> {
    const out = new Map<string, Point>();
    this.cy.nodes().forEach((n) => { if (!n.isParent()) out.set(n.id(), { ...n.position() }); });
    return out;
  }
  /** Rendered (screen) midpoint of an edge, for its tooltip. */
  edgeMidpoint(id: string): Point | null {
    const e = this.cy.getElementById(id);
    return e.nonempty() && e.isEdge() ? e.renderedMidpoint() : null;
  }
  resize() {
    this.cy.resize();
    if (this.autoFit) this.fit();
    this.overview?.refresh();
  }

  png(): Promise<Blob> {
    const big = this.cy.elements().length > LARGE_ELEMENTS;
    return this.cy.png({ output: 'blob-promise', full: true, bg: '#ffffff', scale: big ? 1 : 2, maxWidth: 8000, maxHeight: 8000 });
  }

  svg(): string {
    const cy = this.cy;
    const nodes: SvgNode[] = cy.nodes().map((n) => {
      const bb = n.boundingBox({ includeLabels: false, includeOverlays: false });
      const ringWidth = parseFloat(n.style('outline-width')) || 0;
      return {
        id: n.id(), x: (bb.x1 + bb.x2) / 2, y: (bb.y1 + bb.y2) / 2, w: bb.w, h: bb.h,
        fill: n.style('background-color'), stroke: n.style('border-color'), label: String(n.data('label') ?? ''),
        shape: n.style('shape'), opacity: Number(n.style('opacity')), compound: n.isParent(),
        strokeWidth: parseFloat(n.style('border-width')) || 0, double: n.style('border-style') === 'double',
        ring: ringWidth > 0 ? { color: n.style('outline-color'), width: ringWidth, offset: parseFloat(n.style('outline-offset')) || 0, dash: n.style('outline-style') === 'dashed' ? '4 3' : '' } : null,
      };
    });
    const edges: SvgEdge[] = cy.edges().map((e) => {
      const s = e.sourceEndpoint(), t = e.targetEndpoint();
      const line = e.style('line-style');
      // Every relation reads from source to target, so the export draws its arrowhead even where a large map's cheap edges leave it out.
      return { x1: s.x, y1: s.y, x2: t.x, y2: t.y, stroke: e.style('line-color'), width: parseFloat(e.style('width')), dash: line === 'dashed' ? '6 4' : line === 'dotted' ? '1 3' : '', opacity: Number(e.style('opacity')), arrow: true };
    });
    return toSvg(nodes, edges);
  }

  destroy() {
    clearTimeout(this.labelTimer);
    this.layoutRun++;
    this.destroyed = true;
    this.warmer.destroy();
    this.cy.container()?.removeEventListener('mouseleave', this.onLeave);
    this.overview?.destroy();
    // The element may take the next view at once: it is left unveiled, whatever layout was under way.
    this.veil(false);
    if (!this.playing) { this.cy.destroy(); return; }
    // A layout engine still computing (someone left the view before its map was laid out) writes its positions
    // when it answers, through the renderer Cytoscape's destroy() takes away: it would throw inside the engine's
    // promise. unmount() takes the canvases out of the element now and leaves a headless renderer for the engine
    // to write through; the inert instance is dropped with the engine's promise. Not destroyed later: Cytoscape's
    // destroy() empties the element it was given, by then the next view's.
    this.cy.removeAllListeners();
    this.cy.unmount();
  }
  private destroyed = false;
}

const round = (v: number) => Math.round(v);

/** Layered positions for the non-compound nodes of an element list (members of a group kept together). */
function layeredFromElements(elements: readonly El[], labelled = elements.length <= LARGE_ELEMENTS): Map<string, Point> {
  const nodes = [];
  const edges = [];
  for (const e of elements) {
    if (e.group === 'edges') edges.push({ source: e.data.source, target: e.data.target });
    else if (!e.classes.startsWith('compound')) nodes.push({ id: e.data.id, layer: e.data.layer, sortKey: `${e.data.parent ?? ''}|${e.data.ciClass}|${e.data.label}` });
  }
  // Where labels are drawn, neighbours stand a label's width apart so that zooming in never shows
  // them on top of each other; rows stay about as wide as the whole map is tall either way.
  const spacingX = labelled ? LABELLED_SPACING_X : 70;
  return layeredPositions(nodes, edges, { spacingX, maxPerRow: Math.max(8, Math.round(Math.sqrt(nodes.length) * 1.4 * Math.sqrt(70 / spacingX))) });
}
