import type { ChangeRecord, Collision } from '../../model/changes.ts';
import { overlaps } from './windows.ts';

export interface ChangeFootprint {
  change: ChangeRecord;
  /** Ids of impacted services of tier 1-2 in its blast radius. */
  criticalServices: ReadonlySet<string>;
}

/**
 * Other open changes that collide with this one: their windows overlap and they either share an
 * impacted tier 1-2 service or touch a same CI. Sorted by window start, then id.
 */
export function findCollisions(mine: ChangeFootprint, others: ChangeFootprint[]): Collision[] {
  const out: Collision[] = [];
  const touched = new Set(mine.change.cis);
  for (const o of others) {
    if (o.change.id === mine.change.id || !overlaps(mine.change.window, o.change.window)) continue;
    const sharedServices = [...o.criticalServices].filter((id) => mine.criticalServices.has(id)).sort();
    const sharedCis = o.change.cis.filter((id) => touched.has(id)).sort();
    if (!sharedServices.length && !sharedCis.length) continue;
    const { id, title, status, window, createdBy } = o.change;
    out.push({ change: { id, title, status, window, createdBy }, sharedServices, sharedCis });
  }
  return out.sort((a, b) => Date.parse(a.change.window.start) - Date.parse(b.change.window.start) || (a.change.id < b.change.id ? -1 : 1));
}
