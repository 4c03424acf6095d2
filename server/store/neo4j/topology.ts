import type { ManagedTransaction } from 'neo4j-driver';
import type { TopologyCi, TopologyRelation } from '../port.ts';
import { num, topologyCiFromRow, topologyCiFromVersion, topologyRelationFromRow, topologyRelationFromVersion } from './records.ts';
import { registeredRelTypes } from './write-rows.ts';
import { intParam, runQuery } from './run.ts';

type Props = Record<string, unknown>;
type Chunk = { cis: TopologyCi[]; relations: TopologyRelation[] };
/** Runs one page's query in its own read transaction (the store supplies it: no transaction stays open across a yield). */
export type ReadPage = <T>(fn: (tx: ManagedTransaction) => Promise<T>) => Promise<T>;

/**
 * The live or as-of topology in keyset-paged chunks: all CIs first, then all relations, as the SQLite
 * store streams them, so a consumer never sees a relation before both its ends.
 */
export async function* topology(read: ReadPage, asOf: string | undefined, chunkSize: number): AsyncGenerator<Chunk> {
  const limit = intParam(chunkSize);
  if (!asOf) {
    for (let after = ''; ;) {
      const rows = await read((tx) => runQuery<Props>(tx, 'topology-cis', { after, limit }));
      if (!rows.length) break;
      after = String(rows[rows.length - 1].id);
      yield { cis: rows.map(topologyCiFromRow), relations: [] };
    }
    const types = registeredRelTypes();
    for (let after = ''; ;) {
      const rows = await read((tx) => runQuery<{ id: string; rels: Props[] }>(tx, 'topology-relations', { after, limit, types }));
      if (!rows.length) break;
      after = rows[rows.length - 1].id;
      const relations = rows.flatMap((r) => r.rels.map((rel) => topologyRelationFromRow(r.id, rel)));
      if (relations.length) yield { cis: [], relations };
    }
    return;
  }
  for (let afterId = '', afterVersion = 0; ;) {
    const rows = await read((tx) => runQuery<{ v: Props }>(tx, 'topology-cis-as-of', { asOf, afterId, afterVersion: intParam(afterVersion), limit }));
    if (!rows.length) break;
    const last = rows[rows.length - 1].v;
    afterId = String(last.ciId); afterVersion = num(last.version);
    yield { cis: rows.map((r) => topologyCiFromVersion(r.v)).filter((c): c is TopologyCi => c !== null), relations: [] };
  }
  for (let afterId = '', afterVersion = 0; ;) {
    const rows = await read((tx) => runQuery<{ v: Props }>(tx, 'topology-relations-as-of', { asOf, afterId, afterVersion: intParam(afterVersion), limit }));
    if (!rows.length) break;
    const last = rows[rows.length - 1].v;
    afterId = String(last.relId); afterVersion = num(last.version);
    yield { cis: [], relations: rows.map((r) => topologyRelationFromVersion(r.v)) };
  }
}
