import type Database from 'better-sqlite3';
import type { CiRecord, DiffResult, RelationRecord } from '../../model/records.ts';
import { ciFromVersion, relationFromVersion } from './reads.ts';
import { classify, CI_BOOKKEEPING, RELATION_BOOKKEEPING } from '../../domain/history/diff.ts';

const AS_OF = 'valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)';
const TOUCHED = '(valid_from > ? AND valid_from <= ?) OR (valid_to > ? AND valid_to <= ?)';

/**
 * What appeared, vanished and changed between two instants: only entities with a version boundary
 * inside (from, to] are looked at, so the cost follows the amount of change, not the estate size.
 */
export function diff(db: Database.Database, from: string, to: string, limit: number): DiffResult {
  const touchedCis = db.prepare<string[], { ci_id: string }>(`SELECT DISTINCT ci_id FROM ci_versions WHERE ${TOUCHED} LIMIT ?`)
    .all(from, to, from, to, String(limit + 1) as never);
  const touchedRels = db.prepare<string[], { rel_id: string }>(`SELECT DISTINCT rel_id FROM relation_versions WHERE ${TOUCHED} LIMIT ?`)
    .all(from, to, from, to, String(limit + 1) as never);
  const truncated = touchedCis.length > limit || touchedRels.length > limit;
  const ciAt = db.prepare<[string, string, string], any>(`SELECT * FROM ci_versions WHERE ci_id = ? AND ${AS_OF}`);
  const relAt = db.prepare<[string, string, string], any>(`SELECT * FROM relation_versions WHERE rel_id = ? AND ${AS_OF}`);
  const out: DiffResult = {
    from, to, truncated,
    cis: { added: [], removed: [], changed: [] },
    relations: { added: [], removed: [], changed: [] },
  };
  for (const { ci_id } of touchedCis.slice(0, limit)) {
    const a = ciAt.get(ci_id, from, from), b = ciAt.get(ci_id, to, to);
    classify<CiRecord>(out.cis, a ? ciFromVersion(a) : null, b ? ciFromVersion(b) : null, CI_BOOKKEEPING);
  }
  for (const { rel_id } of touchedRels.slice(0, limit)) {
    const a = relAt.get(rel_id, from, from), b = relAt.get(rel_id, to, to);
    classify<RelationRecord>(out.relations, a ? relationFromVersion(a) : null, b ? relationFromVersion(b) : null, RELATION_BOOKKEEPING);
  }
  return out;
}
