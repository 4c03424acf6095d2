import type { ManagedTransaction } from 'neo4j-driver';
import type { AlertRecord } from '../../model/alerts.ts';
import type { AlertQuery, AlertWrite } from '../port.ts';
import { docRow } from './write-rows.ts';
import { num } from './records.ts';
import { intParam, runQuery, runRows } from './run.ts';

/** Pure shaping of an alert write into `$rows` (tested without a server). */
export function alertRows(w: AlertWrite) {
  return {
    alerts: w.alerts.map((a) => ({ id: a.id, status: a.status, bound: a.binding.ci !== null, updatedAt: a.updatedAt, data: JSON.stringify(a) })),
    situations: w.situations.map((s) => docRow({ kind: 'situation', id: s.id, createdAt: s.openedAt, updatedAt: s.updatedAt, data: s })),
  };
}

/** Inside a write transaction that already holds the store-wide lock. Returns the event's sequence (0 without one). */
export async function writeAlerts(tx: ManagedTransaction, w: AlertWrite): Promise<number> {
  const rows = alertRows(w);
  await runRows(tx, 'upsert-alerts', rows.alerts, { now: w.now });
  await runRows(tx, 'put-docs', rows.situations);
  if (!w.event) return 0;
  const [r] = await runQuery<{ seq: unknown }>(tx, 'append-event', { at: w.event.at, source: w.event.source, changes: JSON.stringify(w.event.changes) });
  return num(r.seq);
}

export async function listAlerts(tx: ManagedTransaction, q: AlertQuery): Promise<AlertRecord[]> {
  const params = { status: q.status ?? null, bound: q.bound ?? null, ids: q.ids ?? null, limit: intParam(q.limit), ...(q.asOf ? { asOf: q.asOf } : {}) };
  const rows = await runQuery<{ data: string }>(tx, q.asOf ? 'list-alerts-as-of' : 'list-alerts', params);
  return rows.map((r) => JSON.parse(r.data) as AlertRecord);
}
