import type { ManagedTransaction } from 'neo4j-driver';
import type { CiDetail, CiRecord, CiVersion, RelationRecord } from '../../model/records.ts';
import type { CiQuery } from '../port.ts';
import { assertionFromProps, ciFromProps, ciFromVersion, relationFromProps, relationFromVersion, sourceFromAssertion } from './records.ts';
import { registeredRelTypes } from './write-rows.ts';
import { relationsTouching } from './batch-tx.ts';
import { ciRelations, relationsToRead } from '../../domain/graph-view/ci-relations.ts';
import { decodeCursor, encodeCursor } from '../../model/paging.ts';
import { InputError } from '../../domain/errors.ts';
import { intParam, runQuery } from './run.ts';

type Props = Record<string, unknown>;

export async function getCis(tx: ManagedTransaction, ids: string[], asOf?: string): Promise<CiRecord[]> {
  if (!ids.length) return [];
  // Each CI once however often asked for (the queries say DISTINCT too), as SQLite's IN.
  const distinct = [...new Set(ids)];
  if (asOf) return (await runQuery<{ v: Props }>(tx, 'get-cis-as-of', { ids: distinct, asOf })).map((r) => ciFromVersion(r.v));
  return (await runQuery<{ ci: Props }>(tx, 'get-cis', { ids: distinct })).map((r) => ciFromProps(r.ci));
}

/** No limit given is no limit: Cypher's LIMIT needs a number, and this one is above any estate. */
const UNLIMITED = 2 ** 31 - 1;

export async function relationsOf(tx: ManagedTransaction, ids: string[], asOf?: string, limit?: number): Promise<RelationRecord[]> {
  if (!ids.length || limit === 0) return [];
  if (asOf) return (await runQuery<{ v: Props }>(tx, 'relations-as-of', { ids, asOf, limit: intParam(limit ?? UNLIMITED) })).map((r) => relationFromVersion(r.v));
  if (limit !== undefined) {
    return (await runQuery<{ rel: Props }>(tx, 'relations-of-limited', { ids, types: registeredRelTypes(), limit: intParam(limit) })).map((r) => relationFromProps(r.rel));
  }
  return (await relationsTouching(tx, ids)).map((r) => r.record);
}

export async function relationsFrom(tx: ManagedTransaction, ids: string[]): Promise<RelationRecord[]> {
  if (!ids.length) return [];
  return (await runQuery<{ rel: Props }>(tx, 'relations-from', { ids: [...new Set(ids)], types: registeredRelTypes() })).map((r) => relationFromProps(r.rel));
}

export async function lastSeen(tx: ManagedTransaction, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await runQuery<{ id: string; lastSeen: string }>(tx, 'last-seen', { ids: [...new Set(ids)] });
  return new Map(rows.map((r) => [r.id, String(r.lastSeen)]));
}

export async function relationsAmong(tx: ManagedTransaction, ids: string[], asOf?: string, limit = UNLIMITED): Promise<RelationRecord[]> {
  if (!ids.length) return [];
  const distinct = [...new Set(ids)];
  if (asOf) return (await runQuery<{ v: Props }>(tx, 'relations-among-as-of', { ids: distinct, asOf, limit: intParam(limit) })).map((r) => relationFromVersion(r.v));
  return (await runQuery<{ rel: Props }>(tx, 'relations-among', { ids: distinct, types: registeredRelTypes(), limit: intParam(limit) })).map((r) => relationFromProps(r.rel));
}

const byKey = <T>(key: (x: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export async function getCiDetail(tx: ManagedTransaction, id: string, relationLimit?: number): Promise<CiDetail | null> {
  const [row] = await runQuery<{ ci: Props; sources: Props[]; history: Props[] }>(tx, 'ci-detail', { id });
  if (!row) return null;
  const ci = ciFromProps(row.ci);
  // Ordered here rather than inside COLLECT {}: the order of a collected list is the one guarantee we need.
  const sources = row.sources.map(assertionFromProps).sort(byKey((a) => `${a.source}\u0000${a.scope}`)).map(sourceFromAssertion);
  const history: CiVersion[] = row.history.map(ciFromVersion).sort((a, b) => b.version - a.version).map((v) => {
    const { id: _id, version, validFrom, validTo, ...data } = v;
    return { version, validFrom, validTo, data };
  });
  const read = await relationsOf(tx, [id], undefined, relationsToRead(relationLimit));
  return {
    ...ci, sources,
    relations: ciRelations(id, read, relationLimit),
    history,
  };
}

/** Keyset pagination on (name, id), with the SQLite store's cursor format so cursors mean the same. */
export async function listCis(tx: ManagedTransaction, q: CiQuery): Promise<{ items: CiRecord[]; nextCursor: string | null }> {
  const lifecycle = q.lifecycle ?? 'active';
  const after = q.cursor ? decodeCursor(q.cursor, 2) : null;
  if (q.cursor && !after) throw new InputError('cursor is not one this server issued; start again without one', undefined, 'invalid_cursor');
  // The first page starts after ('', ''): every CI passes, and the predicate stays an index seek (see list-cis.cypher).
  const [afterName, afterId] = after ?? ['', ''];
  const rows = await runQuery<{ ci: Props }>(tx, 'list-cis', {
    lifecycle: lifecycle === 'any' ? null : lifecycle,
    classes: q.class?.length ? q.class : null,
    environment: q.environment || null,
    owner: q.owner || null,
    q: q.q ? q.q.toLowerCase() : null,
    afterName, afterId,
    limit: intParam(q.limit + 1),
  });
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit).map((r) => ciFromProps(r.ci));
  const last = items[items.length - 1];
  return { items, nextCursor: more && last ? encodeCursor([last.name, last.id]) : null };
}
