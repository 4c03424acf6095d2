import type { ChangeEvent, ChangeRecord, IncidentListItem } from './types.ts';
import type { Overlay } from './graph/elements.ts';

/**
 * Work in progress on the estate, as marks on the map (design section 10: "open incidents and
 * changes as badges on their CIs, staleness greyed"). Pure: which CI carries which badge is decided
 * here from the API's lists, so it is tested without a browser.
 */
export const DAY_MS = 86_400_000;
/** A change that may still happen (server/model/changes.ts OPEN_CHANGE_STATUSES; not imported, to keep zod out of the bundle). */
export const ACTIVE_CHANGE_STATUSES: readonly ChangeRecord['status'][] = ['planned', 'approved', 'in-progress'];
/** Incidents not yet resolved. */
export const OPEN_INCIDENT_STATUSES: readonly IncidentListItem['status'][] = ['open', 'investigating'];

/** Plain glyphs the map's label font has (the side panel and legend use the same). */
export const INCIDENT_GLYPH = '!';
export const CHANGE_GLYPH = 'Δ';

export interface CiIncident { id: string; title: string; priority: string; status: string; state: 'down' | 'degraded' }
export interface CiChange { id: string; title: string; status: string; window: { start: string; end: string } }
export interface CiWork {
  incidents: CiIncident[];
  changes: CiChange[];
  /** The worst state an open incident names this CI in (down over degraded), null without one. */
  worst: 'down' | 'degraded' | null;
}

export function isOpenIncident(i: Pick<IncidentListItem, 'status'>): boolean {
  return OPEN_INCIDENT_STATUSES.includes(i.status);
}

/** Planned, approved or in progress, and its window has not ended. */
export function isActiveChange(c: Pick<ChangeRecord, 'status' | 'window'>, now: number): boolean {
  return ACTIVE_CHANGE_STATUSES.includes(c.status) && Date.parse(c.window.end) > now;
}

/** Per CI: the open incidents naming it and the active changes touching it (each listed once per CI). */
export function workByCi(incidents: readonly IncidentListItem[], changes: readonly ChangeRecord[], now: number): Map<string, CiWork> {
  const out = new Map<string, CiWork>();
  const of = (id: string) => {
    let w = out.get(id);
    if (!w) out.set(id, (w = { incidents: [], changes: [], worst: null }));
    return w;
  };
  for (const i of incidents) {
    if (!isOpenIncident(i)) continue;
    for (const f of i.cis) {
      const w = of(f.ci);
      const state = f.state === 'degraded' ? 'degraded' : 'down';
      const had = w.incidents.find((x) => x.id === i.id);
      if (had) { if (state === 'down') had.state = 'down'; } else w.incidents.push({ id: i.id, title: i.title, priority: i.priority.priority, status: i.status, state });
      if (state === 'down' || !w.worst) w.worst = state;
    }
  }
  for (const c of changes) {
    if (!isActiveChange(c, now)) continue;
    for (const id of new Set(c.cis)) of(id).changes.push({ id: c.id, title: c.title, status: c.status, window: { start: c.window.start, end: c.window.end } });
  }
  // Most urgent first: P1 before P4; the change that starts soonest first.
  for (const w of out.values()) {
    w.incidents.sort((a, b) => a.priority.localeCompare(b.priority));
    w.changes.sort((a, b) => Date.parse(a.window.start) - Date.parse(b.window.start));
  }
  return out;
}

/** Classes for the map: `incident-down` / `incident-degraded` and `change-open`. */
export function workOverlay(work: ReadonlyMap<string, CiWork>): Overlay {
  const out = new Map<string, string[]>();
  for (const [id, w] of work) {
    const cls: string[] = [];
    if (w.worst) cls.push(`incident-${w.worst}`);
    if (w.changes.length) cls.push('change-open');
    if (cls.length) out.set(id, cls);
  }
  return out;
}

/** The CIs the open incidents name, each once, in its worst state: what takes their dependents down. */
export function incidentFailures(incidents: readonly IncidentListItem[]): { ci: string; state: 'down' | 'degraded' }[] {
  const worst = new Map<string, 'down' | 'degraded'>();
  for (const i of incidents) if (isOpenIncident(i)) for (const f of i.cis) {
    if (f.state !== 'degraded' || !worst.has(f.ci)) worst.set(f.ci, f.state === 'degraded' ? 'degraded' : 'down');
  }
  return [...worst].map(([ci, state]) => ({ ci, state }));
}

/** `hit-down` / `hit-degraded` on the dependents the open incidents take down or degrade (not on the incidents' own CIs). */
export function incidentHitOverlay(impacted: readonly { id: string; state: string }[], failed: readonly { ci: string }[]): Overlay {
  const own = new Set(failed.map((f) => f.ci));
  const out = new Map<string, string[]>();
  for (const i of impacted) if (!own.has(i.id) && (i.state === 'down' || i.state === 'degraded')) out.set(i.id, [`hit-${i.state}`]);
  return out;
}

/** When the next active change's window ends (its badge goes then), or null. */
export function nextWindowEnd(changes: readonly ChangeRecord[], now: number): number | null {
  let next: number | null = null;
  for (const c of changes) {
    if (!isActiveChange(c, now)) continue;
    const end = Date.parse(c.window.end);
    if (next === null || end < next) next = end;
  }
  return next;
}

/** Whether a live event may have changed the open incidents or changes (the map then refetches them). */
export function touchesWork(event: Pick<ChangeEvent, 'changes'>): boolean {
  return event.changes.some((c) => c.kind.startsWith('incident.') || c.kind.startsWith('change.'));
}

/**
 * Not seen by any source for `days` days or more. A CI no source has ever reported (null) or a map
 * of the past (no `lastSeen` at all) has no sighting to judge by, so it is not greyed.
 */
export function isStale(lastSeen: string | null | undefined, now: number, days: number): boolean {
  if (!lastSeen) return false;
  const t = Date.parse(lastSeen);
  return Number.isFinite(t) && now - t >= days * DAY_MS;
}

/** Whole days since `lastSeen`, for "last seen 9 days ago". */
export function daysSince(lastSeen: string, now: number): number {
  return Math.floor((now - Date.parse(lastSeen)) / DAY_MS);
}
