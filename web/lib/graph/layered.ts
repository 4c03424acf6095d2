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
