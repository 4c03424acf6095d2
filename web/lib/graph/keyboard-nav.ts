import type { Point } from './layered.ts';

export type ArrowKey = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight';
const DIRS: Record<ArrowKey, Point> = { ArrowUp: { x: 0, y: -1 }, ArrowDown: { x: 0, y: 1 }, ArrowLeft: { x: -1, y: 0 }, ArrowRight: { x: 1, y: 0 } };

/**
 * Keyboard selection on the map: from the selected CI, the nearest CI in the arrow's direction
 * (within 60° of it), distance weighted so that one straight ahead wins over a nearer one off to the
 * side. Without a selection, the top-left CI. Null when nothing lies that way.
 */
export function nextByArrow(positions: ReadonlyMap<string, Point>, from: string | null, key: ArrowKey): string | null {
  const start = from ? positions.get(from) : undefined;
  if (!start) {
    let best: string | null = null, bestScore = Infinity;
    for (const [id, p] of positions) { const s = p.y * 4 + p.x; if (s < bestScore) { bestScore = s; best = id; } }
    return best;
  }
  const d = DIRS[key];
  let best: string | null = null, bestScore = Infinity;
  for (const [id, p] of positions) {
    if (id === from) continue;
    const dx = p.x - start.x, dy = p.y - start.y;
    const along = dx * d.x + dy * d.y;
    if (along <= 0) continue;
    const across = Math.abs(dx * d.y - dy * d.x);
    if (across > along * Math.tan(Math.PI / 3)) continue;
    const score = along + 2 * across;
    if (score < bestScore) { bestScore = score; best = id; }
  }
  return best;
}
