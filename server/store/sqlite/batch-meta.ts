import type Database from 'better-sqlite3';
import type { BatchTx, IdempotencyRecord } from '../port.ts';
import { targetsState, type BatchTargets } from '../../domain/reconcile/sighting.ts';

/** Expired idempotency keys each write batch deletes at most: bounded work, and more than the one key a batch adds. */
export const PURGE_PER_BATCH = 100;

/**
 * What a write batch keeps besides the graph: the instant of the last committed batch (meta row
 * `last_batch_at`, read under the write lock so the next batch's instant is never earlier) and the
 * replies kept under idempotency keys.
 */
export function prepareBatchMeta(db: Database.Database) {
  return {
    lastBatchAt: db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'last_batch_at'"),
    setLastBatchAt: db.prepare<[string]>(`INSERT INTO meta (key, value) VALUES ('last_batch_at', ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE excluded.value > meta.value`),
    recall: db.prepare<[string], { key: string; fingerprint: string; result: string; created_at: string; expires_at: string }>(
      'SELECT * FROM idempotency WHERE key = ?'),
    remember: db.prepare<[string, string, string, string, string]>(`INSERT INTO idempotency (key, fingerprint, result, created_at, expires_at)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, result = excluded.result,
        created_at = excluded.created_at, expires_at = excluded.expires_at`),
    purge: db.prepare<[string, number]>(
      'DELETE FROM idempotency WHERE key IN (SELECT key FROM idempotency WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)'),
    batchSighting: db.prepare<[string, string, string], { digest: string; targets: string; state: string }>(
      'SELECT digest, targets, state FROM batch_sightings WHERE source = ? AND scope = ? AND anchor = ?'),
    putBatchSighting: db.prepare<[string, string, string, string, string, string]>(`INSERT INTO batch_sightings (source, scope, anchor, digest, targets, state)
      VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (source, scope, anchor) DO UPDATE SET digest = excluded.digest, targets = excluded.targets, state = excluded.state`),
    // Per target in the given order: this source's active assertion's digest, and how many active assertions it has in all.
    targetDigests: db.prepare<[string, string, string], { digest: string | null; actives: number }>(
      `SELECT a.digest, (SELECT count(*) FROM assertions o WHERE o.target_id = j.value AND o.active = 1) AS actives
       FROM json_each(?) j LEFT JOIN assertions a ON a.target_id = j.value AND a.source = ? AND a.scope = ? AND a.active = 1
       ORDER BY j.key`),
    // The same without the count: what a batch just wrote (others' assertions are checked when it is recalled).
    ownDigests: db.prepare<[string, string, string], { digest: string | null }>(
      `SELECT a.digest FROM json_each(?) j LEFT JOIN assertions a ON a.target_id = j.value AND a.source = ? AND a.scope = ? AND a.active = 1
       ORDER BY j.key`),
  };
}
export type BatchMetaStatements = ReturnType<typeof prepareBatchMeta>;

/** The BatchTx methods over those statements, inside the open write transaction. */
export function batchMetaTx(m: BatchMetaStatements): Pick<BatchTx, 'lastBatchAt' | 'recall' | 'remember' | 'recallBatch' | 'rememberBatch'> {
  const ids = (t: BatchTargets) => JSON.stringify([...t.cis, ...t.relations]);
  return {
    async recallBatch(key) {
      const row = m.batchSighting.get(key.source, key.scope, key.anchor);
      if (!row || row.digest !== key.digest) return null;
      const targets = JSON.parse(row.targets) as BatchTargets;
      // Every target still this source's alone (one active assertion) and as the batch left it.
      const rows = m.targetDigests.all(ids(targets), key.source, key.scope);
      return rows.every((r) => r.actives === 1) && targetsState(rows.map((r) => r.digest)) === row.state ? targets : null;
    },
    async rememberBatch(key, targets) {
      const state = targetsState(m.ownDigests.all(ids(targets), key.source, key.scope).map((r) => r.digest));
      if (state !== null) m.putBatchSighting.run(key.source, key.scope, key.anchor, key.digest, JSON.stringify(targets), state);
    },
    async lastBatchAt() { return m.lastBatchAt.get()?.value ?? null; },
    async recall(key): Promise<IdempotencyRecord | null> {
      const r = m.recall.get(key);
      return r ? { key: r.key, fingerprint: r.fingerprint, result: r.result, createdAt: r.created_at, expiresAt: r.expires_at } : null;
    },
    async remember(rec) {
      m.purge.run(rec.createdAt, PURGE_PER_BATCH);
      m.remember.run(rec.key, rec.fingerprint, rec.result, rec.createdAt, rec.expiresAt);
    },
  };
}
