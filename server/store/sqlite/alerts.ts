import type Database from 'better-sqlite3';
import type { AlertRecord } from '../../model/alerts.ts';
import type { AlertQuery, AlertWrite } from '../port.ts';
import { encodeChanges } from './event-codec.ts';

/** Alert records in SQLite: current rows plus versions (see schema.sql). Called inside the store's writer mutex. */
export function writeAlerts(db: Database.Database, w: AlertWrite): number {
  const upsert = db.prepare(`INSERT INTO alerts (id, status, bound, updated_at, data) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET status = excluded.status, bound = excluded.bound, updated_at = excluded.updated_at, data = excluded.data`);
  const close = db.prepare('UPDATE alert_versions SET valid_to = ? WHERE id = ? AND valid_to IS NULL AND valid_from < ?');
  // Two writes of one alert in the same millisecond share a version: the later one's data wins.
  const open = db.prepare(`INSERT INTO alert_versions (id, valid_from, valid_to, status, data) VALUES (?, ?, NULL, ?, ?)
    ON CONFLICT (id, valid_from) DO UPDATE SET status = excluded.status, data = excluded.data, valid_to = NULL`);
  const doc = db.prepare(`INSERT INTO docs (kind, id, created_at, updated_at, data) VALUES ('situation', ?, ?, ?, ?)
    ON CONFLICT (kind, id) DO UPDATE SET updated_at = excluded.updated_at, data = excluded.data`);
  const event = db.prepare('INSERT INTO events (at, source, changes) VALUES (?, ?, ?)');
  return db.transaction(() => {
    for (const a of w.alerts) {
      const data = JSON.stringify(a);
      upsert.run(a.id, a.status, a.binding.ci ? 1 : 0, a.updatedAt, data);
      close.run(w.now, a.id, w.now);
      open.run(a.id, w.now, a.status, data);
    }
    for (const s of w.situations) doc.run(s.id, s.openedAt, s.updatedAt, JSON.stringify(s));
    return w.event ? Number(event.run(w.event.at, w.event.source, encodeChanges(w.event.changes)).lastInsertRowid) : 0;
  }).immediate();
}

export function listAlerts(db: Database.Database, q: AlertQuery): AlertRecord[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.asOf) {
    where.push('valid_from <= ?', '(valid_to IS NULL OR valid_to > ?)');
    params.push(q.asOf, q.asOf);
  }
  if (q.ids) { where.push('id IN (SELECT value FROM json_each(?))'); params.push(JSON.stringify(q.ids)); }
  if (q.status) { where.push('status = ?'); params.push(q.status); }
  const table = q.asOf ? 'alert_versions' : 'alerts';
  const order = q.asOf ? 'valid_from DESC' : 'updated_at DESC';
  // `bound` is a column of the current rows; as of a time it is read from the version's data.
  if (q.bound !== undefined) where.push(q.asOf ? `(json_extract(data, '$.binding.ci') IS NOT NULL) = ${q.bound ? 1 : 0}` : `bound = ${q.bound ? 1 : 0}`);
  params.push(q.limit);
  return db.prepare(`SELECT data FROM ${table}${where.length ? ' WHERE ' + where.join(' AND ') : ''} ORDER BY ${order}, id LIMIT ?`)
    .all(...params).map((r) => JSON.parse((r as { data: string }).data) as AlertRecord);
}
