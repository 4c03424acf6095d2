import type cytoscape from 'cytoscape';

/**
 * Keeps Cytoscape's layered texture cache (one bitmap of the whole graph per zoom level) built, so
 * that panning and zooming a large map blits that bitmap instead of drawing 20,000 elements.
 *
 * Why this is needed (cytoscape 3.34, canvas renderer, layered-texture-cache.mjs): the layers are
 * only queued for building from inside a draw, and a draw within 250 ms of any element change
 * skips them and draws every element directly. After a load, a restyle or a selection the last
 * draw falls in that window and nothing draws again until the user moves the map, so the first
 * frames of the next pan or zoom each draw the whole graph (150-550 ms a frame on our machines).
 * Once the changes have rested we ask the cache for the current level, and for the level the
 * bitmap moved during a gesture is drawn from (`textureOnViewport` draws it at twice the pixel
 * ratio): that only queues the layers, which the renderer then fills in idle frames.
 *
 * It reaches into the renderer's private fields (so does setPixelRatio below); if a Cytoscape
 * upgrade renames them this does nothing, and the map falls back on Cytoscape's own behaviour.
 */
interface LayerCache {
  skipping: boolean;
  firstGet: boolean;
  getLayers(eles: unknown[], pxRatio: number, lvl?: number): unknown;
  levelIsComplete(lvl: number, eles: unknown[]): boolean;
}
interface CanvasRenderer {
  destroyed?: boolean;
  /** The `pixelRatio` option; the renderer resizes its canvases on the next draw when it changes. */
  forcedPixelRatio?: number | null;
  /** How much finer than the screen the viewport texture is drawn (2 at pixel ratio 1). */
  textureMult?: number;
  data?: { lyrTxrCache?: LayerCache };
  getCachedZSortedEles?(): { nondrag: unknown[] };
  getPixelRatio?(): number;
}

/** The renderer's own quiet period after an element change (invalidThreshold), plus a margin. */
const REST_MS = 300;
/** Layers are only kept at these levels and below this zoom (layered-texture-cache.mjs). */
const MIN_LVL = -4, MAX_LVL = 2, MAX_ZOOM = 3.99;

/**
 * At pixel ratio 1 the renderer draws the bitmap moved during a gesture at twice the screen's
 * resolution (`textureMult`, only when the ratio is <= 1): four times the pixels to draw at the
 * start of every pan or zoom, from layers of the next level up, which are four times as big to
 * build. Just above 1 it draws at screen resolution from the layers the resting view already
 * uses; the map is then resampled by 0.1 %, which softens labels a little, so only large maps
 * (no labels but a few, and the cost matters) get it.
 */
export const SCREEN_TEXTURE_PIXEL_RATIO = 1.001;

/** Sets the renderer's pixel ratio (it resizes its canvases on its next draw); false if it could not. */
export function setPixelRatio(cy: cytoscape.Core, ratio: number): boolean {
  const r = canvasRenderer(cy);
  if (!r || !('forcedPixelRatio' in r) || r.forcedPixelRatio === ratio) return false;
  r.forcedPixelRatio = ratio;
  return true;
}

function canvasRenderer(cy: cytoscape.Core): CanvasRenderer | undefined {
  const r = (cy as unknown as { renderer?(): CanvasRenderer }).renderer?.();
  return r && !r.destroyed ? r : undefined;
}

export class LayerWarmer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onRender = () => this.schedule();

  constructor(private readonly cy: cytoscape.Core) {
    cy.on('render', this.onRender);
  }

  /** Called after every draw: once draws stop for REST_MS, make sure the current level is queued. */
  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.warm(), REST_MS);
  }

  /**
   * The next draw builds the layers of its level at once instead of drawing every element
   * directly and leaving the layers for later: the renderer does so for its very first draw, and
   * we ask for it on the first draw of a new layout, where the cost is about the same (the
   * elements are drawn once either way) and the first gesture then finds them ready.
   */
  buildOnNextDraw(): boolean {
    const cache = canvasRenderer(this.cy)?.data?.lyrTxrCache;
    if (!cache || typeof cache.firstGet !== 'boolean') return false;
    cache.firstGet = true;
    return true;
  }

  /** Queues the missing layers of the levels the next draws and gestures use; returns how many levels. */
  warm(): number {
    const r = canvasRenderer(this.cy);
    const cache = r?.data?.lyrTxrCache;
    if (!r || !cache || typeof cache.getLayers !== 'function' || typeof cache.levelIsComplete !== 'function' || !r.getCachedZSortedEles || !r.getPixelRatio) return 0;
    const zoom = this.cy.zoom();
    if (zoom >= MAX_ZOOM) return 0;
    const pxRatio = r.getPixelRatio();
    const levels = new Set([1, r.textureMult ?? 1].map((m) => Math.max(MIN_LVL, Math.ceil(Math.log2(zoom * pxRatio * m)))));
    const eles = r.getCachedZSortedEles().nondrag;
    const missing = [...levels].filter((l) => l <= MAX_LVL && eles.length > 0 && !cache.levelIsComplete(l, eles));
    if (!missing.length) return 0;
    // Still inside the renderer's quiet period (a change landed meanwhile): try again later.
    if (cache.skipping) { this.schedule(); return 0; }
    for (const l of missing) cache.getLayers(eles, pxRatio, l);
    return missing.length;
  }

  destroy() {
    clearTimeout(this.timer);
    this.cy.off('render', this.onRender);
  }
}
