import Database from 'better-sqlite3';
import { changesText } from './event-codec.ts';
import { isoOf, isoOrNull, registerLayoutFunctions } from './compact-layout.ts';
import { assertionColumns, ciVersionJson, relationVersionJson, SIGHTING_JOIN, type CiRow, type RelationRow } from './rows.ts';
import type { CiRecord } from '../../model/records.ts';

/**
 * Read-all access to an embedded store's file, table by table in key order, for the migration to Neo4j.
 * Kept apart from the GraphStore port (which has no "everything" reads) and from SqliteStore (whose
 * connections are private): it opens its own read-only connection.
 */
export const exportTables = [
  { table: 'cis', key: ['id'] },
  { table: 'ci_versions', key: ['ci_id', 'version'] },
  { table: 'ci_keys', key: ['key'] },
  { table: 'relations', key: ['id'] },
  { table: 'relation_versions', key: ['rel_id', 'version'] },
  { table: 'assertions', key: ['target_id', 'source', 'scope'] },
  { table: 'runs', key: ['run_id'] },
  { table: 'events', key: ['seq'] },
  { table: 'tokens', key: ['id'] },
  { table: 'docs', key: ['kind', 'id'] },
  { table: 'entries', key: ['record_id', 'at', 'id'] },
] as const;
export type ExportTable = (typeof exportTables)[number]['table'];
export type ExportKey = (string | number)[];

export interface SqliteExport {
  count(table: ExportTable): number;
  /** Up to `limit` rows after `after` (null: from the start), in key order. Keyset paging: no OFFSET rescans. */
  page(table: ExportTable, after: ExportKey | null, limit: number): Record<string, unknown>[];
  keyOf(table: ExportTable, row: Record<string, unknown>): ExportKey;
  /**
   * Which store file this is and how far its writes have got: its store id (made once by SqliteStore.init),
   * the last event seq, the last batch instant and every table's row count. Another file, or the same one
   * after a write, has another identity, so a migration's checkpoints can tell whether they still apply.
   */
  identity(): string;
  /** The instant of the last committed write batch (null when none), for the target's own batch clock. */
  lastBatchAt(): string | null;
  close(): void;
}

/**
 * The version tables as exported: every version, closed ones from the table and the open one of each live CI or
 * relation from its row (schema.sql keeps it there), merged in key order. A file of the layout before (open
 * copies still in the version table, not yet opened by this release) exports the same: only closed versions are
 * taken from the table.
 */
interface VersionArm { select: string; key: [string, string] }
function versionSource<R>(closed: VersionArm, open: VersionArm, row: (r: R) => Record<string, unknown>) {
  const after = (arm: VersionArm) => `${arm.select} AND (${arm.key.join(', ')}) > (?, ?)`;
  return {
    count: `SELECT (SELECT count(*) FROM (${closed.select})) + (SELECT count(*) FROM (${open.select})) AS n`,
    // A compound ORDER BY merges the two arms, each read in its key's index order: a page costs its rows, not the table.
    first: `${closed.select} UNION ALL ${open.select} ORDER BY 1, 2 LIMIT ?`,
    after: `${after(closed)} UNION ALL ${after(open)} ORDER BY 1, 2 LIMIT ?`,
    row,
  };
}

type CiVersionExport = { ci_id: string; version: number; valid_from: number; valid_to: number | null; data: string | null } & Omit<CiRow, 'id' | 'version' | 'valid_from' | 'valid_to'>;
type RelationVersionExport = { rel_id: string; version: number; type: string; from_id: string; to_id: string; valid_from: number; valid_to: number | null; data: string | null }
  & Pick<RelationRow, 'attributes' | 'redundancy' | 'provenance'>;

const versionSources = {
  ci_versions: versionSource<CiVersionExport>(
    { select: `SELECT ci_id, version, valid_from, valid_to, data, NULL AS class, NULL AS name, NULL AS environment, NULL AS tier, NULL AS owner,
        NULL AS lifecycle, NULL AS attributes, NULL AS identifiers FROM ci_versions WHERE valid_to IS NOT NULL`, key: ['ci_id', 'version'] },
    { select: `SELECT id, version, valid_from, NULL, NULL, class, name, environment, tier, owner, lifecycle, attributes, identifiers
        FROM cis WHERE valid_to IS NULL`, key: ['id', 'version'] },
    (r) => ({ ci_id: r.ci_id, version: r.version, valid_from: isoOf(r.valid_from), valid_to: isoOrNull(r.valid_to),
      data: r.data ?? ciVersionJson(r as unknown as CiRecord, { attributes: r.attributes, identifiers: r.identifiers }) }),
  ),
  relation_versions: versionSource<RelationVersionExport>(
    { select: `SELECT rel_id, version, type, from_id, to_id, valid_from, valid_to, data, NULL AS attributes, NULL AS redundancy, NULL AS provenance
        FROM relation_versions WHERE valid_to IS NOT NULL`, key: ['rel_id', 'version'] },
    { select: 'SELECT id, version, type, from_id, to_id, valid_from, NULL, NULL, attributes, redundancy, provenance FROM relations WHERE valid_to IS NULL', key: ['id', 'version'] },
    (r) => ({ rel_id: r.rel_id, version: r.version, type: r.type, from_id: r.from_id, to_id: r.to_id, valid_from: isoOf(r.valid_from), valid_to: isoOrNull(r.valid_to),
      data: r.data ?? relationVersionJson({ attributes: r.attributes, redundancy: r.redundancy, provenance: r.provenance, observed: null }) }),
  ),
};

export function openSqliteExport(file: string): SqliteExport {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  registerLayoutFunctions(db);
  const spec = new Map(exportTables.map((t) => [t.table as ExportTable, t.key as readonly string[]]));
  const keyCols = (table: ExportTable) => {
    const k = spec.get(table);
    if (!k) throw new Error(`not an exported table: ${table}`);
    return k;
  };
  // Statement text comes from the fixed table list above, never from input.
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string) => {
    let st = statements.get(sql);
    if (!st) { st = db.prepare(sql); statements.set(sql, st); }
    return st;
  };
  const sourceOf = (table: ExportTable) => versionSources[table as keyof typeof versionSources];
  // A file not opened by this release since (read only here) has no table of appended keys yet.
  const appended = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'identifier_keys'").get() !== undefined;
  const keysFrom = appended ? '(SELECT key, ci_id FROM ci_keys UNION ALL SELECT key, ci_id FROM identifier_keys)' : 'ci_keys';
  // The appended keys have no index by their text (schema.sql): sorted once, into a temporary table of this
  // connection, when the first page is asked for, rather than scanned and sorted by every page (1M CIs: ~700 pages).
  let keysSorted = !appended;
  const keysInOrder = () => {
    if (!keysSorted) {
      db.exec(`CREATE TEMP TABLE export_keys (key TEXT PRIMARY KEY, ci_id TEXT NOT NULL) WITHOUT ROWID;
        INSERT INTO temp.export_keys SELECT key, ci_id FROM main.ci_keys UNION ALL SELECT key, ci_id FROM main.identifier_keys ORDER BY key`);
      keysSorted = true;
    }
    return appended ? 'temp.export_keys' : 'ci_keys';
  };
  const meta = (key: string) => (prepared('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  return {
    count(table) {
      keyCols(table);
      const v = sourceOf(table);
      if (v) return (prepared(v.count).get() as { n: number }).n;
      return (prepared(`SELECT count(*) AS n FROM ${table === 'ci_keys' ? keysFrom : table}`).get() as { n: number }).n;
    },
    page(table, after, limit) {
      const cols = keyCols(table);
      const v = sourceOf(table);
      if (v) return (after ? prepared(v.after).all(...after, ...after, limit) : prepared(v.first).all(limit)).map((r) => v.row(r as never));
      const order = cols.join(', ');
      // Row-value comparison: (a, b) > (?, ?) is the composite keyset predicate.
      // Assertions leave with the run and last sighting they read as (their batch's) and without the store-internal
      // pointer to that batch.
      const from = table === 'assertions' ? `(SELECT ${assertionColumns('a')}, a.digest FROM assertions a ${SIGHTING_JOIN('a')})`
        // Identifier keys leave as (key, ci_id) by key, from both layouts (schema.sql).
        : table === 'ci_keys' ? keysInOrder() : table;
      const rows = (after
        ? prepared(`SELECT * FROM ${from} WHERE (${order}) > (${cols.map(() => '?').join(', ')}) ORDER BY ${order} LIMIT ?`).all(...after, limit)
        : prepared(`SELECT * FROM ${from} ORDER BY ${order} LIMIT ?`).all(limit)) as Record<string, unknown>[];
      // Events leave as their JSON text, however this file keeps them (event-codec.ts); instants as ISO text (compact-layout.ts).
      if (table === 'events') return rows.map((r) => ({ ...r, changes: changesText(r.changes as string | Buffer) }));
      if (table === 'cis' || table === 'relations') {
        return rows.map((r) => ({ ...r, valid_from: isoOf(r.valid_from as number), valid_to: isoOrNull(r.valid_to as number | null) }));
      }
      return rows;
    },
    keyOf(table, row) {
      return keyCols(table).map((c) => row[c] as string | number);
    },
    identity() {
      // A file written before store ids existed is named by its path (until the API next starts on it).
      const id = meta('store_id') ?? `file:${file}`;
      const seq = (prepared('SELECT max(seq) AS s FROM events').get() as { s: number | null }).s ?? 0;
      const counts = exportTables.map(({ table }) => this.count(table)).join('/');
      return `${id} seq ${seq} last batch ${meta('last_batch_at') ?? 'none'} rows ${counts}`;
    },
    lastBatchAt() { return meta('last_batch_at') ?? null; },
    close() { db.close(); },
  };
}
