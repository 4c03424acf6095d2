import type Database from 'better-sqlite3';
import type { BatchTx, IdempotencyRecord } from '../port.ts';

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
  };
}
export type BatchMetaStatements = ReturnType<typeof prepareBatchMeta>;

/** The BatchTx methods over those statements, inside the open write transaction. */
export function batchMetaTx(m: BatchMetaStatements): Pick<BatchTx, 'lastBatchAt' | 'recall' | 'remember'> {
  return {
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
