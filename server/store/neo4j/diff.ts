import type { ManagedTransaction } from 'neo4j-driver';
import type { CiRecord, DiffResult, RelationRecord } from '../../model/records.ts';
import { classify, CI_BOOKKEEPING, RELATION_BOOKKEEPING } from '../../domain/history/diff.ts';
import { ciFromVersion, relationFromVersion } from './records.ts';
import { intParam, runQuery } from './run.ts';

type Props = Record<string, unknown>;
interface Touched { id: string; before: Props[]; after: Props[] }

/**
 * What appeared, vanished and changed between two instants; only entities with a boundary inside (from, to].
 * The classification is the domain's (server/domain/history/diff.ts), the one the SQLite store uses too.
 */
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
    classify<CiRecord>(out.cis, t.before[0] ? ciFromVersion(t.before[0]) : null, t.after[0] ? ciFromVersion(t.after[0]) : null, CI_BOOKKEEPING);
  }
  for (const t of rels.slice(0, limit)) {
    classify<RelationRecord>(out.relations, t.before[0] ? relationFromVersion(t.before[0]) : null, t.after[0] ? relationFromVersion(t.after[0]) : null, RELATION_BOOKKEEPING);
  }
  return out;
}
