import neo4j, { type ManagedTransaction } from 'neo4j-driver';
import type { ExportTable } from '../sqlite/export-rows.ts';
import { ciFromRow, relationFromRow, type AssertionRow as SqliteAssertionRow, type CiRow as SqliteCiRow, type RelationRow as SqliteRelationRow } from '../sqlite/rows.ts';
import { ciRow, relationRow, relTypeOf } from './write-rows.ts';
import { num } from './records.ts';
import { runQuery } from './run.ts';
import type { QueryName } from './queries.ts';

type Row = Record<string, unknown>;
const int = (v: unknown) => neo4j.int(Number(v));
const strOrNull = (v: unknown) => (v === null || v === undefined ? null : String(v));

/**
 * How each embedded-store table becomes Neo4j parameter rows (pure), and which write query takes them:
 * mostly the ones ingest uses. CIs, relations and events are created, never merged, so a copy into a
 * database that holds other data fails on a taken id or seq instead of overwriting it; no batch is ever
 * sent twice (see importBatch).
 */
export const importers: Record<ExportTable, { query: QueryName; rows: (rows: Row[]) => unknown[] }> = {
  cis: { query: 'create-cis', rows: (rows) => rows.map((r) => ciRow(ciFromRow(r as unknown as SqliteCiRow))) },
  ci_versions: {
    query: 'merge-ci-versions',
    rows: (rows) => rows.map((r) => ({ ciId: String(r.ci_id), version: int(r.version), validFrom: String(r.valid_from), validTo: strOrNull(r.valid_to), data: String(r.data) })),
  },
  ci_keys: { query: 'merge-keys', rows: (rows) => rows.map((r) => ({ key: String(r.key), ciId: String(r.ci_id) })) },
  relations: { query: 'create-relations', rows: (rows) => rows.map((r) => relationRow(relationFromRow(r as unknown as SqliteRelationRow))) },
  relation_versions: {
    query: 'merge-relation-versions',
    rows: (rows) => rows.map((r) => ({
      relId: String(r.rel_id), version: int(r.version), type: relTypeOf(String(r.type)), fromId: String(r.from_id), toId: String(r.to_id),
      validFrom: String(r.valid_from), validTo: strOrNull(r.valid_to), data: String(r.data),
    })),
  },
  assertions: {
    query: 'upsert-assertions',
    rows: (rows) => rows.map((x) => {
      const r = x as unknown as SqliteAssertionRow;
      return { targetId: r.target_id, source: r.source, scope: r.scope, kind: r.kind, runId: r.run_id, firstSeen: r.first_seen, lastSeen: r.last_seen, active: r.active === 1, vals: r.vals };
    }),
  },
  runs: {
    query: 'upsert-runs',
    rows: (rows) => rows.map((r) => ({
      runId: String(r.run_id), source: String(r.source), scope: String(r.scope), startedAt: String(r.started_at),
      lastBatchAt: String(r.last_batch_at), completedAt: strOrNull(r.completed_at), batches: int(r.batches),
    })),
  },
  events: {
    query: 'import-events',
    rows: (rows) => rows.map((r) => ({ seq: int(r.seq), at: String(r.at), source: strOrNull(r.source), changes: String(r.changes) })),
  },
  tokens: {
    query: 'merge-tokens',
    rows: (rows) => rows.map((r) => ({ id: String(r.id), hash: String(r.hash), name: String(r.name), role: String(r.role), createdAt: String(r.created_at), team: strOrNull(r.team), expiresAt: strOrNull(r.expires_at), lastUsedAt: strOrNull(r.last_used_at) })),
  },
  docs: {
    query: 'put-docs',
    rows: (rows) => rows.map((r) => ({ kind: String(r.kind), id: String(r.id), createdAt: String(r.created_at), updatedAt: String(r.updated_at), data: String(r.data) })),
  },
  entries: {
    query: 'append-entries',
    rows: (rows) => rows.map((r) => ({ recordId: String(r.record_id), id: String(r.id), at: String(r.at), kind: String(r.kind), data: String(r.data) })),
  },
};

/**
 * Writes one batch of a table and its checkpoint in the same transaction: a resume neither skips nor repeats.
 * The transaction function may run again after a COMMIT that did succeed (the driver retries when the answer
 * is lost): it then finds its own checkpoint and writes nothing.
 */
export async function importBatch(tx: ManagedTransaction, table: ExportTable, rows: Row[], checkpoint: { after: string; rows: number; source: string }): Promise<void> {
  const done = (await readCheckpoints(tx)).get(table);
  if (done && done.after === checkpoint.after && done.rows === checkpoint.rows) return;
  const imp = importers[table];
  const params = imp.rows(rows);
  if (table === 'events') {
    const taken = await runQuery<{ seq: unknown }>(tx, 'events-taken', { seqs: params.map((p) => (p as { seq: unknown }).seq) });
    if (taken.length) {
      throw new Error(`events: the Neo4j database already holds events with seq ${taken.map((t) => num(t.seq)).join(', ')}; refusing to overwrite them (it holds another store's change-event log)`);
    }
  }
  const out = await runQuery<{ written?: unknown }>(tx, imp.query, { rows: params });
  if (table === 'relations' && num(out[0]?.written ?? 0) !== params.length) {
    throw new Error(`relations: ${num(out[0]?.written ?? 0)} of ${params.length} found both CIs; were the cis copied?`);
  }
  await runQuery(tx, 'save-checkpoint', { table, after: checkpoint.after, rows: neo4j.int(checkpoint.rows), done: false, source: checkpoint.source });
}

export async function markDone(tx: ManagedTransaction, table: ExportTable, after: string, rows: number, source: string): Promise<void> {
  await runQuery(tx, 'save-checkpoint', { table, after, rows: neo4j.int(rows), done: true, source });
}

export interface Checkpoint { table: string; after: string | null; rows: number; done: boolean; source: string | null }

export async function readCheckpoints(tx: ManagedTransaction): Promise<Map<string, Checkpoint>> {
  const rows = await runQuery<{ table: string; after: string | null; rows: unknown; done: boolean; source?: string | null }>(tx, 'get-checkpoints');
  return new Map(rows.map((r) => [r.table, { table: r.table, after: r.after ?? null, rows: num(r.rows ?? 0), done: r.done === true, source: r.source ?? null }]));
}

/** Neo4j-side counts under the embedded store's table names. */
export async function targetCounts(tx: ManagedTransaction, types: string[]): Promise<Record<ExportTable, number>> {
  const [r] = await runQuery<Record<string, unknown>>(tx, 'count-all', { types });
  return {
    cis: num(r.cis), ci_versions: num(r.ciVersions), ci_keys: num(r.ciKeys), relations: num(r.relations),
    relation_versions: num(r.relationVersions), assertions: num(r.assertions), runs: num(r.runs), events: num(r.events),
    tokens: num(r.tokens), docs: num(r.docs), entries: num(r.entries),
  };
}
