import { layerOrder } from '../../../server/model/classes.ts';

/**
 * A layered placement that needs no layout engine: the row of a CI is its layer in the class
 * registry (business on top, infrastructure at the bottom, teams last), and within a row nodes are
 * ordered by a few barycentre sweeps so that edges between rows cross less. It runs in tens of
 * milliseconds at 5,000 nodes, where ELK's layered algorithm takes many seconds; ELK is used for
 * small maps only (see layout.ts).
 */
export interface LayeredNode { id: string; layer: string; sortKey?: string }
export interface LayeredEdge { source: string; target: string }
export interface Point { x: number; y: number }

export interface LayeredOptions {
  /** Horizontal distance between neighbours in a row. */
  spacingX?: number;
  /** Vertical distance between layers. */
  spacingY?: number;
  /** A layer wider than this wraps onto sub-rows, so a 3,000-pod layer is not a 200 km line. */
  maxPerRow?: number;
  sweeps?: number;
}

export function layerRank(layer: string): number {
  return layer in layerOrder ? layerOrder[layer as keyof typeof layerOrder] : 2;
}

export function layeredPositions(nodes: readonly LayeredNode[], edges: readonly LayeredEdge[], opts: LayeredOptions = {}): Map<string, Point> {
  const { spacingX = 70, spacingY = 90, maxPerRow = 80, sweeps = 4 } = opts;
  const ranks = new Map<number, LayeredNode[]>();
  for (const n of nodes) {
    const r = layerRank(n.layer);
    const list = ranks.get(r);
    if (list) list.push(n); else ranks.set(r, [n]);
  }
  const order = [...ranks.keys()].sort((a, b) => a - b);
  for (const r of order) ranks.get(r)!.sort((a, b) => (a.sortKey ?? a.id).localeCompare(b.sortKey ?? b.id));

  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string) => { const l = neighbours.get(a); if (l) l.push(b); else neighbours.set(a, [b]); };
  for (const e of edges) if (e.source !== e.target) { link(e.source, e.target); link(e.target, e.source); }

  // Relative position (0..1) within its row, so rows of different widths compare.
  const rel = new Map<string, number>();
  const setRel = (list: LayeredNode[]) => list.forEach((n, i) => rel.set(n.id, list.length > 1 ? i / (list.length - 1) : 0.5));
  for (const r of order) setRel(ranks.get(r)!);

  const rankOf = new Map<string, number>();
  for (const r of order) for (const n of ranks.get(r)!) rankOf.set(n.id, r);
  for (let s = 0; s < sweeps; s++) {
    const seq = s % 2 === 0 ? order : [...order].reverse();
    for (const r of seq) {
      const list = ranks.get(r)!;
      const bary = new Map<string, number>();
      for (const n of list) {
        let sum = 0, k = 0;
        for (const m of neighbours.get(n.id) ?? []) {
          if (rankOf.get(m) === r) continue;
          const v = rel.get(m);
          if (v !== undefined) { sum += v; k++; }
        }
        bary.set(n.id, k ? sum / k : rel.get(n.id)!);
      }
      list.sort((a, b) => bary.get(a.id)! - bary.get(b.id)!);
      setRel(list);
    }
  }

  const out = new Map<string, Point>();
  let y = 0;
  const widest = Math.min(maxPerRow, Math.max(1, ...order.map((r) => ranks.get(r)!.length)));
  const width = (widest - 1) * spacingX;
  for (const r of order) {
    const list = ranks.get(r)!;
    const rows = Math.ceil(list.length / maxPerRow);
    const perRow = Math.ceil(list.length / rows);
    for (let i = 0; i < list.length; i++) {
      const row = Math.floor(i / perRow);
      const inRow = Math.min(perRow, list.length - row * perRow);
      const col = i - row * perRow;
      // A narrow row spreads under the widest one (up to 3x the spacing) so its edges fan out less;
      // wrapped sub-rows are staggered so their nodes do not sit on each other's edges.
      const step = inRow > 1 ? Math.min(spacingX * 3, Math.max(spacingX, width / (inRow - 1))) : 0;
      const x = (col - (inRow - 1) / 2) * step + (row % 2) * step * 0.5;
      out.set(list[i].id, { x, y: y + row * spacingY * 0.6 });
    }
    // Layers are set further apart than wrapped sub-rows, so the bands read as layers.
    y += spacingY * 1.4 + (rows - 1) * spacingY * 0.6;
  }
  return out;
}

export interface FitOptions {
  /** The viewport the map is fitted into, in screen pixels. */
  width: number;
  height: number;
  /** Horizontal distance between neighbours (a label's width) and vertical distance between rows. */
  spacingX: number;
  spacingY: number;
  /** Extra height between the layout's own rows than between the sub-rows a row wraps onto. */
  rowGap: number;
}

/**
 * Reshapes a layered layout (e.g. ELK's) to the viewport's proportions: its rows (nodes at about the
 * same height) keep their order, and a row too wide is wrapped onto staggered sub-rows, as many per
 * row as makes the fitted zoom largest. A layered layout of 40 CIs is otherwise ten times wider than
 * tall, and fitted to a screen its labels come out too small to draw.
 */
export function fitRowsToViewport(pos: ReadonlyMap<string, Point>, o: FitOptions, bandOf?: (id: string) => number): Map<string, Point> {
  const sorted = [...pos].sort((a, b) => a[1].y - b[1].y || a[1].x - b[1].x);
  const layoutRows: string[][] = [];
  let lastY = -Infinity;
  for (const [id, p] of sorted) {
    if (p.y - lastY > o.spacingY / 3 || !layoutRows.length) layoutRows.push([]);
    layoutRows[layoutRows.length - 1].push(id);
    lastY = p.y;
  }
  for (const r of layoutRows) r.sort((a, b) => pos.get(a)!.x - pos.get(b)!.x);
  // A layout may also run too tall (ELK puts a chain of services on as many rows): rows of one band
  // (a layer of the class registry) may then share rows, in their order, when that fits better.
  const merged: string[][] = [];
  if (bandOf) for (const r of layoutRows) {
    const last = merged[merged.length - 1];
    if (last && bandOf(last[0]) === bandOf(r[0])) last.push(...r); else merged.push([...r]);
  }
  const asIs = wrapRows(layoutRows, o);
  const pick = bandOf && merged.length < layoutRows.length && wrapRows(merged, o).zoom > asIs.zoom * 1.1 ? wrapRows(merged, o) : asIs;
  return pick.positions;
}

function wrapRows(rows: string[][], o: FitOptions): { zoom: number; positions: Map<string, Point> } {
  const widest = Math.max(0, ...rows.map((r) => r.length));
  const dims = (k: number) => {
    let h = 0;
    for (const r of rows) h += Math.ceil(r.length / k) * o.spacingY;
    h += (rows.length - 1) * o.rowGap;
    return { w: Math.max(1, (Math.min(k, widest) - 1) * o.spacingX + o.spacingX * 0.5 + o.spacingX), h };
  };
  let best = widest, bestZoom = 0;
  for (let k = widest; k >= 1; k--) {
    const d = dims(k);
    const zoom = Math.min(o.width / d.w, o.height / d.h);
    if (zoom > bestZoom) { bestZoom = zoom; best = k; }
  }
  const out = new Map<string, Point>();
  let y = 0;
  for (const r of rows) {
    const subRows = Math.ceil(r.length / best);
    const perRow = Math.ceil(r.length / subRows);
    for (let i = 0; i < r.length; i++) {
      const sub = Math.floor(i / perRow), col = i % perRow;
      const inRow = Math.min(perRow, r.length - sub * perRow);
      // Staggered: a sub-row's nodes stand between the ones above, so edges pass between labels.
      out.set(r[i], { x: (col - (inRow - 1) / 2) * o.spacingX + (sub % 2) * o.spacingX * 0.5, y: y + sub * o.spacingY });
    }
    y += subRows * o.spacingY + o.rowGap;
  }
  return { zoom: bestZoom, positions: out };
}
