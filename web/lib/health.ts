import type { ChangeEvent, HealthSnapshot } from './types.ts';
import type { Overlay } from './graph/elements.ts';

/**
 * Live health on every map: CIs with firing alerts (`alert-down`, `alert-degraded`) and, drawn
 * differently, the dependents they take down or degrade (`health-down`, `health-degraded`). Pure.
 */
export function healthOverlay(snapshot: HealthSnapshot | null): Overlay {
  const out = new Map<string, string[]>();
  if (!snapshot) return out;
  for (const i of snapshot.impacted) if (i.state !== 'maintenance') out.set(i.ci, [`health-${i.state}`]);
  for (const a of snapshot.alerting) out.set(a.ci, [`alert-${a.state}`]);
  return out;
}

/** Whether a live event may have changed alerts or situations (the Now page then refetches). */
export function touchesAlerts(event: Pick<ChangeEvent, 'changes'>): boolean {
  return event.changes.some((c) => c.kind.startsWith('alert.') || c.kind.startsWith('situation.') || c.kind.startsWith('incident.'));
}
