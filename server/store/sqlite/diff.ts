import type Database from 'better-sqlite3';
import type { CiRecord, DiffResult, RelationRecord } from '../../model/records.ts';
import { getCi, relationFromVersion, type ReadStatements } from './reads.ts';
import { relationFromRow } from './rows.ts';
import { msOf } from './compact-layout.ts';
import { classify, CI_BOOKKEEPING, RELATION_BOOKKEEPING } from '../../domain/history/diff.ts';

const CLOSED_AS_OF = 'valid_to IS NOT NULL AND valid_from <= ? AND valid_to > ?';
/** A closed version with a boundary inside (from, to], or an open one (a row) that began inside it. */
const TOUCHED_CLOSED = 'valid_to IS NOT NULL AND ((valid_from > ? AND valid_from <= ?) OR (valid_to > ? AND valid_to <= ?))';
const OPENED = 'valid_to IS NULL AND valid_from > ? AND valid_from <= ?';

/**
 * What appeared, vanished and changed between two instants: only entities with a version boundary
 * inside (from, to] are looked at, so the cost follows the amount of change, not the estate size.
 * Open versions are the rows of `cis` and `relations`; closed ones are in the version tables.
 * Each entity is read as of `from` and as of `to` in slices of about `sliceMs`: thousands of them
 * (a window over a first load) never hold the event loop. Both instants are in the past of any batch
 * committed in between (a batch's instant follows the last committed one), so the slices agree.
 */
/** The longest one turn of the diff holds the event loop before it lets other requests in. */
export const DIFF_SLICE_MS = 15;

export async function diff(db: Database.Database, st: ReadStatements, from: string, to: string, limit: number, sliceMs = DIFF_SLICE_MS): Promise<DiffResult> {
  // Each query stops at limit + 1 (a UNION would sort every touched id before its LIMIT: the whole estate for a
  // window over a first load); an id found by both is counted once.
  // Table and column names are literals of this function, never input.
  // Instants are kept as epoch ms (compact-layout.ts).
  const [fromMs, toMs] = [msOf(from), msOf(to)];
  const touched = (versions: 'ci_versions' | 'relation_versions', idColumn: 'ci_id' | 'rel_id', table: 'cis' | 'relations') => {
    const ids = new Set(db.prepare<unknown[], { id: string }>(`SELECT DISTINCT ${idColumn} AS id FROM ${versions} WHERE ${TOUCHED_CLOSED} LIMIT ?`)
      .all(fromMs, toMs, fromMs, toMs, limit + 1).map((r) => r.id));
    for (const r of db.prepare<unknown[], { id: string }>(`SELECT id FROM ${table} WHERE ${OPENED} LIMIT ?`).all(fromMs, toMs, limit + 1)) ids.add(r.id);
    return [...ids].slice(0, limit + 1).map((id) => ({ id }));
  };
  const touchedCis = touched('ci_versions', 'ci_id', 'cis');
  const touchedRels = touched('relation_versions', 'rel_id', 'relations');
  const truncated = touchedCis.length > limit || touchedRels.length > limit;
  const openRel = db.prepare<[string, number], any>('SELECT * FROM relations WHERE id = ? AND valid_to IS NULL AND valid_from <= ?');
  const closedRel = db.prepare<[string, number, number], any>(`SELECT * FROM relation_versions WHERE rel_id = ? AND ${CLOSED_AS_OF}`);
  const relAt = (id: string, iso: string): RelationRecord | null => {
    const at = msOf(iso);
    const open = openRel.get(id, at);
    if (open) return { ...relationFromRow(open), observed: null };
    const v = closedRel.get(id, at, at);
    return v ? relationFromVersion(v) : null;
  };
  const out: DiffResult = {
    from, to, truncated,
    cis: { added: [], removed: [], changed: [] },
    relations: { added: [], removed: [], changed: [] },
  };
  let since = performance.now();
  const turn = async () => {
    if (performance.now() - since < sliceMs) return;
    await new Promise((r) => setImmediate(r));
    since = performance.now();
  };
  for (const { id } of touchedCis.slice(0, limit)) {
    classify<CiRecord>(out.cis, getCi(st, id, from), getCi(st, id, to), CI_BOOKKEEPING);
    await turn();
  }
  for (const { id } of touchedRels.slice(0, limit)) {
    classify<RelationRecord>(out.relations, relAt(id, from), relAt(id, to), RELATION_BOOKKEEPING);
    await turn();
  }
  return out;
}
