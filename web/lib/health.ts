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

/**
 * A CI's live health: alerting itself, taken down or degraded by alerting CIs it needs (named by the one a shortest
 * path starts at), or quiet. Quiet says
 * whether any alert has reached this server at all (else quiet means unmonitored, not healthy) and whether the
 * impacted list was capped (a CI beyond the cap may be affected). Null: no snapshot yet.
 */
export type CiHealth =
  | { kind: 'alerting'; state: 'down' | 'degraded'; alerts: number }
  | { kind: 'impacted'; state: 'down' | 'degraded' | 'maintenance'; via: { ci: string; name: string | null } | null }
  | { kind: 'quiet'; monitored: boolean; capped: boolean };

export function healthOf(snapshot: HealthSnapshot | null, ci: string): CiHealth | null {
  if (!snapshot) return null;
  const a = snapshot.alerting.find((x) => x.ci === ci);
  if (a) return { kind: 'alerting', state: a.state, alerts: a.alerts };
  const i = snapshot.impacted.find((x) => x.ci === ci);
  if (i) {
    const v = snapshot.alerting[i.via];
    return { kind: 'impacted', state: i.state, via: v ? { ci: v.ci, name: v.name } : null };
  }
  return { kind: 'quiet', monitored: snapshot.noise.alerts > 0 || snapshot.alerting.length > 0, capped: snapshot.truncated };
}

/** How many of the CIs shown are alerting, and how many are down or degraded because of them. */
export function healthCounts(snapshot: HealthSnapshot | null, shown: ReadonlySet<string>): { alerting: number; impacted: number } {
  if (!snapshot) return { alerting: 0, impacted: 0 };
  return {
    alerting: snapshot.alerting.filter((a) => shown.has(a.ci)).length,
    impacted: snapshot.impacted.filter((i) => i.state !== 'maintenance' && shown.has(i.ci)).length,
  };
}

/** Whether a live event may have changed alerts or situations (the Now page then refetches). */
export function touchesAlerts(event: Pick<ChangeEvent, 'changes'>): boolean {
  return event.changes.some((c) => c.kind.startsWith('alert.') || c.kind.startsWith('situation.') || c.kind.startsWith('incident.'));
}
