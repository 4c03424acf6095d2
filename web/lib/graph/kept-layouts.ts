import type { Point } from './layered.ts';

/**
 * ELK's places for the maps a person has laid out, kept for the tab (sessionStorage) so that the same map opened
 * again (Back, a reload, the Map link after the calendar) is drawn at once in the same places: ELK took 1–3 s for the
 * demo's 17-CI checkout map on a busy two-core machine, every visit. Keyed by what ELK lays out (the CIs with their
 * layers and the relations between them), so any other map, or this one with a CI more, is laid out afresh.
 */
const STORAGE_KEY = 'servicegraph.kept-layouts';
/** Maps kept, most recent last; ELK only lays out maps of up to 120 CIs, so each entry is small. */
export const KEPT_LAYOUTS = 30;

type Entry = [key: string, places: Record<string, [number, number]>];

/** What the layout depends on, as one string: the CIs (id and layer) and the relations (ends), sorted. */
export function layoutKey(nodes: { id: string; layer: string }[], edges: { from: string; to: string }[]): string {
  return JSON.stringify([nodes.map((n) => `${n.id}@${n.layer}`).sort(), edges.map((e) => `${e.from}>${e.to}`).sort()]);
}

export class KeptLayouts {
  constructor(private readonly storage: Pick<Storage, 'getItem' | 'setItem'> | null) {}

  private read(): Entry[] {
    try {
      const v = JSON.parse(this.storage?.getItem(STORAGE_KEY) ?? '[]');
      return Array.isArray(v) ? v.filter((e): e is Entry => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'object' && e[1] !== null) : [];
    } catch { return []; }
  }

  /** The places kept for this map, every CI of it placed; else null. */
  get(key: string, ids: readonly string[]): Map<string, Point> | null {
    const found = this.read().find((e) => e[0] === key)?.[1];
    if (!found || !ids.every((id) => Array.isArray(found[id]) && found[id].every(Number.isFinite))) return null;
    return new Map(ids.map((id) => [id, { x: found[id][0], y: found[id][1] }]));
  }

  put(key: string, places: Map<string, Point>): void {
    const entries = this.read().filter((e) => e[0] !== key);
    entries.push([key, Object.fromEntries([...places].map(([id, p]) => [id, [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10]]))]);
    // A full storage keeps the map without it: the layout is only a saving.
    try { this.storage?.setItem(STORAGE_KEY, JSON.stringify(entries.slice(-KEPT_LAYOUTS))); } catch { /* quota */ }
  }
}
