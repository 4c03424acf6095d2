import type { AlertRecord, GenericAlert } from '../../model/alerts.ts';

/**
 * How one delivered alert changes the record kept for its (source, fingerprint), design.md section 11:
 * - a delivery is idempotent: the same facts again change nothing (Alertmanager resends the whole group);
 * - an episode is identified by `startsAt`: a later start is a new episode and wins, an earlier one is stale;
 * - within an episode, resolved is final: a late firing copy of it changes nothing;
 * - a firing alert not re-sent past its `endsAt`, or past the timeout when it has none, expires (see `expireIfStale`).
 */
export type Verdict = 'new' | 'changed' | 'refreshed' | 'unchanged' | 'stale';

/** Fields of a record that come from the delivery (binding, expectation, situation are decided elsewhere). */
export type DeliveredFields = Pick<AlertRecord, 'status' | 'severity' | 'labels' | 'annotations' | 'startsAt' | 'endsAt' | 'generatorURL' | 'name'>;

export function deliveredFields(a: GenericAlert): DeliveredFields {
  return {
    status: a.status,
    severity: (a.severity ?? a.labels.severity ?? 'warning').toLowerCase(),
    labels: a.labels, annotations: a.annotations,
    startsAt: a.startsAt, endsAt: a.endsAt ?? null,
    generatorURL: a.generatorURL ?? null,
    name: a.labels.alertname ?? a.fingerprint,
  };
}

const sameMap = (a: Record<string, string>, b: Record<string, string>) => {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || a[k] !== b[k]) return false;
  return true;
};

function sameFacts(x: DeliveredFields, y: DeliveredFields): boolean {
  return x.status === y.status && x.severity === y.severity && x.startsAt === y.startsAt && x.endsAt === y.endsAt
    && x.generatorURL === y.generatorURL && sameMap(x.labels, y.labels) && sameMap(x.annotations, y.annotations);
}

/** What the delivery does to the existing record (undefined: first sighting). */
export function judgeDelivery(existing: AlertRecord | undefined, incoming: DeliveredFields): Verdict {
  if (!existing) return 'new';
  const tNew = Date.parse(incoming.startsAt), tOld = Date.parse(existing.startsAt);
  if (tNew < tOld) return 'stale';
  if (tNew > tOld) return 'changed';
  // Same episode.
  if (existing.status === 'resolved' && incoming.status === 'firing') return 'stale';
  if (existing.status === 'resolved' && incoming.status === 'resolved') {
    // Two resolutions of one episode: the earlier end is the true one (a later copy only repeats it).
    if (incoming.endsAt && existing.endsAt && Date.parse(incoming.endsAt) >= Date.parse(existing.endsAt)) return sameFacts(existing, { ...incoming, endsAt: existing.endsAt }) ? 'unchanged' : 'changed';
  }
  if (existing.status === 'expired' && incoming.status === 'firing') return 'changed';
  return sameFacts(existing, incoming) ? 'refreshed' : 'changed';
}

/**
 * When a firing alert counts as gone: its `endsAt` when the sender gave one (Prometheus' resend
 * horizon), else `timeoutMs` after it was last delivered.
 */
export function staleAt(r: Pick<AlertRecord, 'status' | 'endsAt' | 'lastReceivedAt'>, timeoutMs: number): number {
  if (r.status !== 'firing') return Infinity;
  return r.endsAt ? Date.parse(r.endsAt) : Date.parse(r.lastReceivedAt) + timeoutMs;
}

export function expireIfStale(r: AlertRecord, nowMs: number, timeoutMs: number): AlertRecord | null {
  const at = staleAt(r, timeoutMs);
  if (at > nowMs) return null;
  const now = new Date(nowMs).toISOString();
  return { ...r, status: 'expired', endsAt: r.endsAt ?? new Date(at).toISOString(), updatedAt: now };
}

/**
 * A refresh (the same facts again) is kept only in memory unless the last durable receipt is older
 * than a tenth of the timeout: an hourly resend of a thousand alerts must not rewrite them all, yet a
 * restart must not expire an alert that was being re-sent.
 */
export const refreshIsDurable = (r: Pick<AlertRecord, 'lastReceivedAt'>, nowMs: number, timeoutMs: number) =>
  nowMs - Date.parse(r.lastReceivedAt) > timeoutMs / 10;
