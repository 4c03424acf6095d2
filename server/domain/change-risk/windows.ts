import { OPEN_CHANGE_STATUSES, type BlackoutHit, type ChangeRecord, type WindowRecord } from '../../model/changes.ts';

interface Span { start: string; end: string }
const ms = Date.parse;

/** Half-open spans [start, end) overlap. */
export const overlaps = (a: Span, b: Span) => ms(a.start) < ms(b.end) && ms(b.start) < ms(a.end);
const covers = (outer: Span, inner: Span) => ms(outer.start) <= ms(inner.start) && ms(inner.end) <= ms(outer.end);
const contains = (w: Span, at: string) => ms(w.start) <= ms(at) && ms(at) < ms(w.end);

/**
 * CIs in maintenance at `at`: those an approved or running change touches inside its window, and
 * those named by a maintenance window open then. A global maintenance window suppresses nothing:
 * it only says when changes may run (hiding the whole estate would hide real outages).
 */
export function ciIdsInMaintenance(at: string, changes: ChangeRecord[], windows: WindowRecord[]): Set<string> {
  const out = new Set<string>();
  for (const c of changes) {
    if ((c.status === 'approved' || c.status === 'in-progress') && contains(c.window, at)) for (const id of c.cis) out.add(id);
  }
  for (const w of windows) if (w.kind === 'maintenance' && contains(w, at)) for (const id of w.services) out.add(id);
  return out;
}

/** Whether the change's whole window lies inside one maintenance window that is global or names every touched CI. */
export function insideMaintenanceWindow(change: Pick<ChangeRecord, 'window' | 'cis'>, windows: WindowRecord[]): boolean {
  return windows.some((w) => w.kind === 'maintenance' && covers(w, change.window)
    && (w.services.length === 0 || change.cis.every((id) => w.services.includes(id))));
}

/** Blackout windows the change runs into: global ones, and per-service ones covering a CI it touches or impacts. */
export function blackoutHits(change: Pick<ChangeRecord, 'window'>, windows: WindowRecord[], hitIds: ReadonlySet<string>): BlackoutHit[] {
  const out: BlackoutHit[] = [];
  for (const w of windows) {
    if (w.kind !== 'blackout' || !overlaps(w, change.window)) continue;
    if (w.services.length === 0) { out.push({ window: w, services: [] }); continue; }
    const services = w.services.filter((id) => hitIds.has(id));
    if (services.length) out.push({ window: w, services });
  }
  return out;
}

export const isOpenChange = (c: ChangeRecord) => OPEN_CHANGE_STATUSES.includes(c.status);
