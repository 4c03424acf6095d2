/**
 * Which node is under a point, found by us rather than by Cytoscape on a large map. There nodes
 * take no events (style `events: no`): a press Cytoscape sees on a node marks it `:active`, a
 * style change that throws away the cached bitmap of the whole map, so the pan it starts draws
 * 20,000 elements one by one for its first frames. With the press going to the background, the
 * pan moves the cached bitmap, and taps, double-taps and hovers are resolved here from positions.
 */
export interface HitBox { id: string; x1: number; y1: number; x2: number; y2: number; compound: boolean }

/**
 * The CI node containing `p` (model coordinates), the one whose centre is nearest where they
 * overlap; failing that the innermost (smallest) compound group containing it; else null.
 */
export function nodeAt(boxes: readonly HitBox[], p: { x: number; y: number }): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  let group: string | null = null;
  let groupArea = Infinity;
  for (const b of boxes) {
    if (p.x < b.x1 || p.x > b.x2 || p.y < b.y1 || p.y > b.y2) continue;
    if (b.compound) {
      const area = (b.x2 - b.x1) * (b.y2 - b.y1);
      if (area < groupArea) { groupArea = area; group = b.id; }
      continue;
    }
    const dx = p.x - (b.x1 + b.x2) / 2, dy = p.y - (b.y1 + b.y2) / 2;
    const d = dx * dx + dy * dy;
    if (d < bestD) { bestD = d; best = b.id; }
  }
  return best ?? group;
}
