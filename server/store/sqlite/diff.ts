import type Database from 'better-sqlite3';
import type { CiRecord, DiffResult, RelationRecord } from '../../model/records.ts';
import { ciFromVersion, relationFromVersion } from './reads.ts';
import { canonicalJson } from '../../domain/reconcile/merge.ts';

const AS_OF = 'valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)';
const TOUCHED = '(valid_from > ? AND valid_from <= ?) OR (valid_to > ? AND valid_to <= ?)';

function changedFields(a: Record<string, unknown>, b: Record<string, unknown>, skip: string[]): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !skip.includes(k) && canonicalJson(a[k]) !== canonicalJson(b[k])).sort();
}

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
    const a = ciAt.get(ci_id, from, from);
    const b = ciAt.get(ci_id, to, to);
    const before: CiRecord | null = a ? ciFromVersion(a) : null;
    const after: CiRecord | null = b ? ciFromVersion(b) : null;
    if (!before && after) out.cis.added.push(after);
    else if (before && !after) out.cis.removed.push(before);
    else if (before && after && before.version !== after.version) {
      const fields = changedFields(before, after, ['version', 'validFrom', 'validTo']);
      if (fields.length) out.cis.changed.push({ before, after, fields });
    }
  }
  for (const { rel_id } of touchedRels.slice(0, limit)) {
    const a = relAt.get(rel_id, from, from);
    const b = relAt.get(rel_id, to, to);
    const before: RelationRecord | null = a ? relationFromVersion(a) : null;
    const after: RelationRecord | null = b ? relationFromVersion(b) : null;
    if (!before && after) out.relations.added.push(after);
    else if (before && !after) out.relations.removed.push(before);
    else if (before && after && before.version !== after.version) {
      const fields = changedFields(before, after, ['version', 'validFrom', 'validTo', 'observed']);
      if (fields.length) out.relations.changed.push({ before, after, fields });
    }
  }
  return out;
}
