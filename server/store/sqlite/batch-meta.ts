import type Database from 'better-sqlite3';
import type { BatchTx, IdempotencyRecord, WritePlan } from '../port.ts';
import type { BatchTargets } from '../../domain/reconcile/sighting.ts';
import { decodeTargets, msOf } from './compact-layout.ts';

const NO_TARGETS = Buffer.alloc(0);

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
    // Batch-level sightings (schema.sql, scope_batches).
    // Instants as epoch ms, targets deflated (compact-layout.ts; text in a file not yet converted).
    batch: db.prepare<[string, string, string], { id: number; digest: string | null; targets: Buffer | string; run_id: string; last_seen: number }>(
      'SELECT id, digest, targets, run_id, last_seen FROM scope_batches WHERE source = ? AND scope = ? AND anchor = ?'),
    insertBatch: db.prepare<[string, string, string, string, Buffer, string, number]>(
      'INSERT INTO scope_batches (source, scope, anchor, digest, targets, run_id, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    // Remembered anew with the run and instant of the application that wrote every target.
    replaceBatch: db.prepare<[string, Buffer, string, number, number]>('UPDATE scope_batches SET digest = ?, targets = ?, run_id = ?, last_seen = ? WHERE id = ?'),
    // Targets are written as a placeholder first, then deflated (batch-tx.ts, write).
    setTargets: db.prepare<[Buffer, number]>('UPDATE scope_batches SET targets = ? WHERE id = ?'),
    sightBatch: db.prepare<[string, number, number]>('UPDATE scope_batches SET run_id = ?, last_seen = ? WHERE id = ?'),
    // Any write to a target's assertions makes every batch that one of them points at unrecognisable.
    forgetBatchesOf: db.prepare<[string]>(`UPDATE scope_batches SET digest = NULL WHERE digest IS NOT NULL AND id IN
      (SELECT sighting FROM assertions WHERE target_id IN (SELECT value FROM json_each(?)) AND sighting IS NOT NULL)`),
    // Targets a batch no longer asserts take its run and sighting as their own and stop pointing at it.
    foldBatch: db.prepare<[{ run: string; seen: number; source: string; scope: string; id: number; targets: string }]>(`UPDATE assertions
      SET run_id = @run, last_seen = @seen, sighting = NULL
      WHERE source = @source AND scope = @scope AND sighting = @id AND target_id IN (SELECT value FROM json_each(@targets))`),
  };
}
export type BatchMetaStatements = ReturnType<typeof prepareBatchMeta>;

/** The BatchTx methods over those statements, inside the open write transaction. */
export function batchMetaTx(m: BatchMetaStatements): Pick<BatchTx, 'lastBatchAt' | 'recall' | 'remember' | 'recallBatch'> {
  return {
    async recallBatch(key) {
      // Valid until a write touches one of its targets' assertions (forgetBatchesOf): nothing to re-check here.
      const row = m.batch.get(key.source, key.scope, key.anchor);
      return row && row.digest === key.digest ? JSON.parse(decodeTargets(row.targets)) as BatchTargets : null;
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

/**
 * Before a plan's rows are written: forget the batches pointing at the targets it touches (`touched`, targets
 * that existed before), and when the plan applies a batch in full (`batch`, not recalled), fold that batch's
 * sighting into the targets it leaves and (re)make its row. Returns the row's id, which the rows of the
 * targets it asserts point at, or null.
 */
export function prepareSightings(m: BatchMetaStatements, plan: WritePlan, touched: readonly string[]): number | null {
  if (touched.length) m.forgetBatchesOf.run(JSON.stringify(touched));
  const b = plan.batch;
  if (!b) return null;
  const { key, targets } = b;
  const row = m.batch.get(key.source, key.scope, key.anchor);
  const run = plan.run.runId;
  if (b.recalled) {
    if (!row) throw new Error(`recalled batch ${key.anchor} of ${key.source}/${key.scope} is not in the store`);
    m.sightBatch.run(run, msOf(plan.now), row.id);
    return row.id;
  }
  // The caller stores the deflated targets before the transaction ends (setTargets).
  if (!row) return Number(m.insertBatch.run(key.source, key.scope, key.anchor, key.digest, NO_TARGETS, run, msOf(plan.now)).lastInsertRowid);
  const now = new Set([...targets.cis, ...targets.relations]);
  const old = JSON.parse(decodeTargets(row.targets)) as BatchTargets;
  const left = [...old.cis, ...old.relations].filter((id) => !now.has(id));
  if (left.length) m.foldBatch.run({ run: row.run_id, seen: row.last_seen, source: key.source, scope: key.scope, id: row.id, targets: JSON.stringify(left) });
  m.replaceBatch.run(key.digest, NO_TARGETS, run, msOf(plan.now), row.id);
  return row.id;
}
