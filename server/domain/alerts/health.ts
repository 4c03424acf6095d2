import type { AlertRecord } from '../../model/alerts.ts';

export type AlertingState = 'down' | 'degraded';

/** Whether an alert counts for its CI's health now: firing, bound, not expected, and of a severity that matters. */
export const counts = (a: Pick<AlertRecord, 'status' | 'binding' | 'expected' | 'health'>): boolean =>
  a.status === 'firing' && a.binding.ci !== null && a.expected === null && a.health !== 'none';

/** A CI's health is the worst among the alerts that count (design.md section 11). */
export function healthOf(alerts: Iterable<Pick<AlertRecord, 'status' | 'binding' | 'expected' | 'health'>>): Map<string, { state: AlertingState; alerts: number }> {
  const out = new Map<string, { state: AlertingState; alerts: number }>();
  for (const a of alerts) {
    if (!counts(a)) continue;
    const ci = a.binding.ci!;
    const h = out.get(ci);
    const state = a.health as AlertingState;
    if (!h) out.set(ci, { state, alerts: 1 });
    else { h.alerts++; if (state === 'down') h.state = 'down'; }
  }
  return out;
}

/** Urgency of a situation from its worst alert: a page (down) is urgent, a warning less so. */
export const urgencyOf = (states: Iterable<string>): 1 | 2 | 3 => {
  let u: 1 | 2 | 3 = 3;
  for (const s of states) { if (s === 'down') return 1; if (s === 'degraded') u = 2; }
  return u;
};
