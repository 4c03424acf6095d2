import type { ManagedTransaction } from 'neo4j-driver';
import type { CiRecord, DiffResult, RelationRecord } from '../../model/records.ts';
import { canonicalJson } from '../../domain/reconcile/merge.ts';
import { ciFromVersion, relationFromVersion } from './records.ts';
import { intParam, runQuery } from './run.ts';

type Props = Record<string, unknown>;
interface Touched { id: string; before: Props[]; after: Props[] }

function changedFields(a: Record<string, unknown>, b: Record<string, unknown>, skip: string[]): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !skip.includes(k) && canonicalJson(a[k]) !== canonicalJson(b[k])).sort();
}

/** Sorts one entity's version at `from` and at `to` into added / removed / changed (pure; same rules as SQLite's diff). */
export function classify<T extends CiRecord | RelationRecord>(
  before: T | null, after: T | null, skip: string[], into: { added: T[]; removed: T[]; changed: { before: T; after: T; fields: string[] }[] },
): void {
  if (!before && after) into.added.push(after);
  else if (before && !after) into.removed.push(before);
  else if (before && after && before.version !== after.version) {
    const fields = changedFields(before as Record<string, unknown>, after as Record<string, unknown>, skip);
    if (fields.length) into.changed.push({ before, after, fields });
  }
}

/** What appeared, vanished and changed between two instants; only entities with a boundary inside (from, to]. */
export async function diff(tx: ManagedTransaction, from: string, to: string, limit: number): Promise<DiffResult> {
  const params = { from, to, limit: intParam(limit + 1) };
  const cis = await runQuery<Touched>(tx, 'diff-cis', params);
  const rels = await runQuery<Touched>(tx, 'diff-relations', params);
  const out: DiffResult = {
    from, to, truncated: cis.length > limit || rels.length > limit,
    cis: { added: [], removed: [], changed: [] },
    relations: { added: [], removed: [], changed: [] },
  };
  for (const t of cis.slice(0, limit)) {
    classify(t.before[0] ? ciFromVersion(t.before[0]) : null, t.after[0] ? ciFromVersion(t.after[0]) : null,
      ['version', 'validFrom', 'validTo'], out.cis);
  }
  for (const t of rels.slice(0, limit)) {
    classify(t.before[0] ? relationFromVersion(t.before[0]) : null, t.after[0] ? relationFromVersion(t.after[0]) : null,
      ['version', 'validFrom', 'validTo', 'observed'], out.relations);
  }
  return out;
}
