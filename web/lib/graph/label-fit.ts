/**
 * Which labels a map leaves out so that the ones it draws never overlap: the most important first
 * (selected, focus, failed or impacted, with work on them, tier 1-2, the upper layers, then the most
 * connected), each kept when its box touches no label kept before it. Pure: boxes in, ids out; the
 * view measures the boxes (Cytoscape's own label bounds) and hides the rest until the user zooms in,
 * where the same names need less room than the space between their CIs.
 */
export interface LabelBox { id: string; x1: number; y1: number; x2: number; y2: number; rank: number }

/** Class marks that raise a label's rank, highest first (a node takes its best). */
const RANKS: readonly [string, number][] = [
  ['focus', 90], ['failed-down', 85], ['failed-degraded', 85], ['candidate', 85], ['path', 80],
  ['incident-down', 80], ['incident-degraded', 80], ['change-open', 75], ['touched', 75],
  ['impact-down', 70], ['impact-degraded', 70], ['hit-down', 65], ['hit-degraded', 65], ['new', 65],
  ['server-group', 60], ['tier-1', 55], ['tier-2', 50], ['layer-business', 45], ['layer-application', 40],
];

/** A node's rank from its classes, whether it is selected and how many relations it has on the map. */
export function labelRank(classes: readonly string[], selected: boolean, degree: number): number {
  if (selected) return 1000;
  let best = 0;
  for (const [cls, r] of RANKS) if (r > best && classes.includes(cls)) best = r;
  // Among equals, the better connected CI (a hub) keeps its name.
  return best + Math.min(degree, 99) / 100;
}

/** The ids of the labels to leave out; `pad` is the gap kept between two labels (model units). */
export function labelsToHide(boxes: readonly LabelBox[], pad = 2): Set<string> {
  const hide = new Set<string>();
  if (boxes.length < 2) return hide;
  const order = boxes.map((b, i) => ({ b, i })).sort((p, q) => q.b.rank - p.b.rank || p.i - q.i);
  // A grid of cells as large as a typical label: each box is checked only against its cells' kept labels.
  const widths = boxes.map((b) => b.x2 - b.x1).sort((a, b) => a - b);
  const cell = Math.max(8, widths[widths.length >> 1] + pad);
  const grid = new Map<string, LabelBox[]>();
  const cells = (b: LabelBox, f: (key: string) => boolean | void): boolean => {
    for (let cx = Math.floor((b.x1 - pad) / cell); cx <= Math.floor((b.x2 + pad) / cell); cx++) {
      for (let cy = Math.floor((b.y1 - pad) / cell); cy <= Math.floor((b.y2 + pad) / cell); cy++) if (f(`${cx}:${cy}`)) return true;
    }
    return false;
  };
  const overlaps = (a: LabelBox, b: LabelBox) => a.x1 < b.x2 + pad && b.x1 < a.x2 + pad && a.y1 < b.y2 + pad && b.y1 < a.y2 + pad;
  for (const { b } of order) {
    if (cells(b, (k) => grid.get(k)?.some((o) => overlaps(b, o)))) { hide.add(b.id); continue; }
    cells(b, (k) => { const l = grid.get(k); if (l) l.push(b); else grid.set(k, [b]); });
  }
  return hide;
}
