import { exportTables, type ExportTable, type SqliteExport } from '../sqlite/export-rows.ts';
import type { Neo4jStore } from './neo4j-store.ts';
import { importBatch, markDone, readCheckpoints, targetCounts } from './import-rows.ts';
import { registeredRelTypes } from './write-rows.ts';
import { runQuery } from './run.ts';

export interface MigrationProgress { table: ExportTable; copied: number; total: number; done: boolean }
export interface CountCheck { table: ExportTable; source: number; target: number; ok: boolean }

export interface MigrateOptions {
  batchSize?: number;
  /** Copy into a database that already holds data and has no checkpoints (normally refused). */
  force?: boolean;
  onProgress?: (p: MigrationProgress) => void;
}

/**
 * Streams an embedded store into Neo4j, table by table in dependency order (CIs before the relationships
 * between them), in keyset-paged batches. Each batch commits with its checkpoint, so an interrupted run
 * resumes where it stopped. Ends with a count check of every table. Writers to the embedded store should be
 * stopped first: the copy is table by table, not one snapshot.
 */
export async function migrateSqliteToNeo4j(source: SqliteExport, target: Neo4jStore, opts: MigrateOptions = {}): Promise<{ counts: CountCheck[]; ok: boolean; resumed: boolean }> {
  const batchSize = opts.batchSize ?? 2000;
  const types = registeredRelTypes();
  const identity = source.identity();
  const checkpoints = await target.readTransaction(readCheckpoints);
  const resumed = checkpoints.size > 0;
  const foreign = [...checkpoints.values()].find((cp) => cp.source !== identity);
  if (foreign) {
    // Resuming from keys of another file (or of this one before new writes) would skip or mix rows and fail
    // its count check on every run: refuse, and say what the checkpoints were made from.
    throw new Error(`the migration checkpoints in Neo4j were made copying "${foreign.source ?? 'an unrecorded source'}", `
      + `but the embedded store is now "${identity}": another file, or one written to since. The copy cannot resume; `
      + 'empty the Neo4j database (or use a fresh one) and migrate again, with the API stopped');
  }
  if (!resumed && !opts.force) {
    const existing = await target.readTransaction((tx) => targetCounts(tx, types));
    const nonEmpty = Object.entries(existing).filter(([, n]) => n > 0);
    if (nonEmpty.length) {
      throw new Error(`the Neo4j database already holds data (${nonEmpty.map(([t, n]) => `${t} ${n}`).join(', ')}) and no migration checkpoint: refusing to mix stores (use --force to copy anyway)`);
    }
  }

  for (const { table } of exportTables) {
    const total = source.count(table);
    const cp = checkpoints.get(table);
    let copied = cp?.rows ?? 0;
    if (cp?.done) { opts.onProgress?.({ table, copied, total, done: true }); continue; }
    let after = cp?.after ? (JSON.parse(cp.after) as (string | number)[]) : null;
    for (;;) {
      const rows = source.page(table, after, batchSize);
      if (!rows.length) break;
      const next = source.keyOf(table, rows[rows.length - 1]);
      const n = copied + rows.length;
      await target.writeTransaction((tx) => importBatch(tx, table, rows, { after: JSON.stringify(next), rows: n, source: identity }));
      after = next; copied = n;
      opts.onProgress?.({ table, copied, total, done: false });
    }
    const last = after;
    await target.writeTransaction((tx) => markDone(tx, table, JSON.stringify(last), copied, identity));
    opts.onProgress?.({ table, copied, total, done: true });
  }

  if (source.identity() !== identity) {
    throw new Error(`the embedded store was written to during the copy ("${identity}" became "${source.identity()}"): `
      + 'stop the API, empty the Neo4j database and migrate again');
  }
  // The target's batch clock continues from the source's, so batches after the move keep time order.
  const lastBatchAt = source.lastBatchAt();
  if (lastBatchAt) await target.writeTransaction((tx) => runQuery(tx, 'set-last-batch-at', { now: lastBatchAt }));
  const got = await target.readTransaction((tx) => targetCounts(tx, types));
  const counts = exportTables.map(({ table }) => {
    const s = source.count(table);
    return { table, source: s, target: got[table], ok: s === got[table] };
  });
  return { counts, ok: counts.every((c) => c.ok), resumed };
}
