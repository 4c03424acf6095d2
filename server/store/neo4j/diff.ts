import type { ManagedTransaction } from 'neo4j-driver';
import type { CiRecord, DiffResult, RelationRecord } from '../../model/records.ts';
import { classify, CI_BOOKKEEPING, RELATION_BOOKKEEPING } from '../../domain/history/diff.ts';
import { ciFromVersion, relationFromVersion } from './records.ts';
import { intParam, runQuery } from './run.ts';
import type { QueryName } from './queries.ts';

type Props = Record<string, unknown>;
interface Touched { id: string; before: Props[]; after: Props[] }

/**
 * Touched entities whose versions one round trip reads: the reply of a slice is decoded and classified
 * in a few milliseconds, then other requests get the event loop before the next slice is asked for.
 */
export const DIFF_SLICE_IDS = 500;

/** `items` in consecutive runs of at most `size` (size ≥ 1). */
export function slices<T>(items: readonly T[], size: number): T[][] {
  const n = Math.max(1, Math.floor(size));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/**
 * What appeared, vanished and changed between two instants; only entities with a boundary inside (from, to].
 * The touched ids come first (ids only, at most limit + 1 of each kind, to see truncation); their versions
 * at both ends are then read `sliceIds` at a time, like the embedded store's slices (sqlite/diff.ts), so a
 * window over a first load never decodes and classifies tens of thousands of entities in one turn. All
 * slices run in the one read transaction: the answer is one snapshot. The classification is the domain's
 * (server/domain/history/diff.ts), the one the SQLite store uses too.
 */
export async function diff(tx: ManagedTransaction, from: string, to: string, limit: number, sliceIds = DIFF_SLICE_IDS): Promise<DiffResult> {
  const touched = async (name: QueryName) =>
    (await runQuery<{ id: string }>(tx, name, { from, to, limit: intParam(limit + 1) })).map((r) => r.id);
  const ciIds = await touched('diff-ci-ids');
  const relIds = await touched('diff-relation-ids');
  const out: DiffResult = {
    from, to, truncated: ciIds.length > limit || relIds.length > limit,
    cis: { added: [], removed: [], changed: [] },
    relations: { added: [], removed: [], changed: [] },
  };
  let read = 0;
  const each = async (ids: string[], name: QueryName, take: (t: Touched) => void) => {
    for (const slice of slices(ids.slice(0, limit), sliceIds)) {
      if (read++) await nextTurn();
      for (const t of await runQuery<Touched>(tx, name, { from, to, ids: slice })) take(t);
    }
  };
  await each(ciIds, 'diff-cis', (t) => classify<CiRecord>(out.cis, t.before[0] ? ciFromVersion(t.before[0]) : null, t.after[0] ? ciFromVersion(t.after[0]) : null, CI_BOOKKEEPING));
  await each(relIds, 'diff-relations', (t) => classify<RelationRecord>(out.relations, t.before[0] ? relationFromVersion(t.before[0]) : null, t.after[0] ? relationFromVersion(t.after[0]) : null, RELATION_BOOKKEEPING));
  return out;
}
