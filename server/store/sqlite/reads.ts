import type Database from 'better-sqlite3';
import type { CiDetail, CiRecord, CiVersion, RelationRecord, SourceAssertion } from '../../model/records.ts';
import type { CiQuery, TopologyCi, TopologyRelation } from '../port.ts';
import { ciRelations, relationsToRead } from '../../domain/graph-view/ci-relations.ts';
import { decodeCursor, encodeCursor } from '../../model/paging.ts';
import { InputError } from '../../domain/errors.ts';
import { nextTurn } from '../../live/turns.ts';
import { relationNote } from '../../domain/graph-view/neighbourhood.ts';
import { isoOf, isoOrNull, msOf, registerLayoutFunctions } from './compact-layout.ts';
import { compareNameKeys, type NameKey } from './name-order.ts';
import { assertionColumns, assertionFromRow, ciFromRow, effectiveSighting, relationFromRow, SIGHTING_JOIN, type AssertionRow, type CiRow, type RelationRow } from './rows.ts';

const IN = (col: string) => `${col} IN (SELECT value FROM json_each(?))`;
const CLOSED_AS_OF = (alias: string) => `${alias}.valid_to IS NOT NULL AND ${alias}.valid_from <= ? AND ${alias}.valid_to > ?`;

interface VersionRow { ci_id: string; version: number; valid_from: number; valid_to: number | null; data: string }
interface RelVersionRow { rel_id: string; version: number; type: string; from_id: string; to_id: string; valid_from: number; valid_to: number | null; data: string }

export function ciFromVersion(v: VersionRow): CiRecord {
  const d = JSON.parse(v.data);
  return { id: v.ci_id, ...d, version: v.version, validFrom: isoOf(v.valid_from), validTo: isoOrNull(v.valid_to) };
}

export function relationFromVersion(v: RelVersionRow): RelationRecord {
  const d = JSON.parse(v.data);
  return { id: v.rel_id, type: v.type, from: v.from_id, to: v.to_id, ...d, observed: null, version: v.version, validFrom: isoOf(v.valid_from), validTo: isoOrNull(v.valid_to) };
}

type RelationEnd = 'from' | 'to' | 'among';

/** Live, open-as-of and closed-as-of statements for one way of matching relation ends (`where` binds the id set). */
function relationStatements<E extends RelationEnd>(db: Database.Database, end: E, where: string) {
  return {
    [`live_${end}`]: db.prepare<unknown[], RelationRow>(`SELECT * FROM relations WHERE valid_to IS NULL AND ${where} LIMIT ?`),
    [`open_${end}`]: db.prepare<unknown[], RelationRow>(`SELECT * FROM relations WHERE valid_to IS NULL AND ${where} AND valid_from <= ? LIMIT ?`),
    [`closed_${end}`]: db.prepare<unknown[], RelVersionRow>(
      `SELECT * FROM relation_versions WHERE valid_to IS NOT NULL AND ${where} AND valid_from <= ? AND valid_to > ? LIMIT ?`),
  } as Record<`live_${E}` | `open_${E}`, Database.Statement<unknown[], RelationRow>> & Record<`closed_${E}`, Database.Statement<unknown[], RelVersionRow>>;
}

/** A relation's open version read from its row: what relation_versions holds for it, observations aside. */
const openVersion = (r: RelationRow): RelationRecord => ({ ...relationFromRow(r), observed: null });

/** Read-side statements over the read connection (WAL: readers see the last commit, never a half batch). */
export function prepareReads(db: Database.Database) {
  registerLayoutFunctions(db);
  const st = {
    ci: db.prepare<[string], CiRow>('SELECT * FROM cis WHERE id = ?'),
    cis: db.prepare<[string], CiRow>(`SELECT * FROM cis WHERE ${IN('id')}`),
    // A CI's open version is its row (valid_to NULL); ci_versions holds the closed ones (schema.sql). As of a time
    // it is one or the other, never both: the open version starts where the last closed one ended.
    openCiAsOf: db.prepare<[string, number], CiRow>('SELECT * FROM cis WHERE id = ? AND valid_to IS NULL AND valid_from <= ?'),
    closedCiAsOf: db.prepare<[string, number, number], VersionRow>(`SELECT * FROM ci_versions v WHERE ci_id = ? AND ${CLOSED_AS_OF('v')}`),
    openCisAsOf: db.prepare<[string, number], CiRow>(`SELECT * FROM cis WHERE ${IN('id')} AND valid_to IS NULL AND valid_from <= ?`),
    closedCisAsOf: db.prepare<[string, number, number], VersionRow>(`SELECT * FROM ci_versions v WHERE ${IN('ci_id')} AND ${CLOSED_AS_OF('v')}`),
    closedVersions: db.prepare<[string], VersionRow>('SELECT * FROM ci_versions WHERE ci_id = ? AND valid_to IS NOT NULL ORDER BY version DESC'),
    assertions: db.prepare<[string], AssertionRow>(
      `SELECT ${assertionColumns('a')} FROM assertions a ${SIGHTING_JOIN('a')} WHERE a.target_id = ? ORDER BY a.source, a.scope`),
    lastSeen: db.prepare<[string], { target_id: string; last_seen: string }>(
      `SELECT target_id, max(last_seen) AS last_seen FROM (SELECT a.target_id, ${effectiveSighting('a')} FROM assertions a ${SIGHTING_JOIN('a')}
       WHERE ${IN('a.target_id')} AND a.active = 1) GROUP BY target_id`),
    // Relations by end, live or as of a time, with a LIMIT (-1: none). As of a time, the open version of a
    // relation is its row in `relations` (indexed by both ends there) and only closed versions are looked up in
    // relation_versions, through partial indexes that a create never writes to.
    ...relationStatements(db, 'from', `${IN('from_id')}`),
    ...relationStatements(db, 'to', `${IN('to_id')}`),
    // Both ends in the set: seek by the source end (few outgoing edges per CI) and only filter on the target
    // (the unary + keeps SQLite from walking a hub's incoming edges through an index on to_id instead).
    ...relationStatements(db, 'among', `${IN('from_id')} AND ${IN('+to_id')}`),
    // Keyset-paged so no statement stays open across an await (one connection, one running statement).
    topoCis: db.prepare<[number, number], { rid: number; id: string; class: string; name: string; environment: string; tier: number | null; owner: string | null; attributes: string }>(
      "SELECT rowid AS rid, id, class, name, environment, tier, owner, attributes FROM cis WHERE rowid > ? AND lifecycle = 'active' ORDER BY rowid LIMIT ?"),
    topoRels: db.prepare<[number, number], { rid: number; id: string; type: string; from_id: string; to_id: string; redundancy: string | null; provenance: string; observed: string | null; note: unknown }>(
      "SELECT rowid AS rid, id, type, from_id, to_id, redundancy, provenance, observed, attributes ->> '$.note' AS note FROM relations WHERE rowid > ? AND valid_to IS NULL ORDER BY rowid LIMIT ?"),
    // As of a time: the open versions (rows) first, then the closed ones.
    topoOpenCisAsOf: db.prepare<[number, number, number], CiRow & { rid: number }>(
      'SELECT rowid AS rid, * FROM cis WHERE rowid > ? AND valid_to IS NULL AND +valid_from <= ? ORDER BY rowid LIMIT ?'),
    topoOpenRelsAsOf: db.prepare<[number, number, number], RelationRow & { rid: number }>(
      'SELECT rowid AS rid, * FROM relations WHERE rowid > ? AND valid_to IS NULL AND +valid_from <= ? ORDER BY rowid LIMIT ?'),
    topoCisAsOf: db.prepare<[string, string, number, number, number, number], VersionRow>(
      `SELECT * FROM ci_versions v WHERE (ci_id > ? OR (ci_id = ? AND version > ?)) AND ${CLOSED_AS_OF('v')} ORDER BY ci_id, version LIMIT ?`),
    topoRelsAsOf: db.prepare<[string, string, number, number, number, number], RelVersionRow>(
      `SELECT * FROM relation_versions v WHERE (rel_id > ? OR (rel_id = ? AND version > ?)) AND ${CLOSED_AS_OF('v')} ORDER BY rel_id, version LIMIT ?`),
  };
  return st;
}
export type ReadStatements = ReturnType<typeof prepareReads>;

export function getCi(st: ReadStatements, id: string, asOf?: string): CiRecord | null {
  if (asOf) {
    const t = msOf(asOf);
    const open = st.openCiAsOf.get(id, t);
    if (open) return ciFromRow(open);
    const v = st.closedCiAsOf.get(id, t, t);
    return v ? ciFromVersion(v) : null;
  }
  const r = st.ci.get(id);
  return r ? ciFromRow(r) : null;
}

export function getCis(st: ReadStatements, ids: string[], asOf?: string): CiRecord[] {
  if (!ids.length) return [];
  const json = JSON.stringify(ids);
  if (!asOf) return st.cis.all(json).map(ciFromRow);
  const t = msOf(asOf);
  return [...st.openCisAsOf.all(json, t).map(ciFromRow), ...st.closedCisAsOf.all(json, t, t).map(ciFromVersion)];
}

/** Relations matched by `end` over the id set `json` (bound once per IN), live or as of a time, at most `limit` (-1: all). */
function relationsBy(st: ReadStatements, end: RelationEnd, json: string, asOf: string | undefined, limit: number): RelationRecord[] {
  const ids = end === 'among' ? [json, json] : [json];
  if (!asOf) return st[`live_${end}`].all(...ids, limit).map(relationFromRow);
  const t = msOf(asOf);
  const open = st[`open_${end}`].all(...ids, t, limit).map(openVersion);
  const left = limit < 0 ? -1 : limit - open.length;
  return left === 0 ? open : [...open, ...st[`closed_${end}`].all(...ids, t, t, left).map(relationFromVersion)];
}

export function relationsOf(st: ReadStatements, ids: string[], asOf?: string, limit = -1): RelationRecord[] {
  if (!ids.length || limit === 0) return [];
  const json = JSON.stringify(ids);
  const out = new Map<string, RelationRecord>();
  // Each direction alone may fill the limit; together they are cut back to it.
  for (const end of ['from', 'to'] as const) {
    for (const r of relationsBy(st, end, json, asOf, limit)) if (limit < 0 || out.size < limit) out.set(r.id, r);
  }
  return [...out.values()];
}

export function relationsFrom(st: ReadStatements, ids: string[]): RelationRecord[] {
  return ids.length ? relationsBy(st, 'from', JSON.stringify(ids), undefined, -1) : [];
}

export function lastSeen(st: ReadStatements, ids: string[]): Map<string, string> {
  return new Map(ids.length ? st.lastSeen.all(JSON.stringify(ids)).map((r) => [r.target_id, r.last_seen]) : []);
}

export function relationsAmong(st: ReadStatements, ids: string[], asOf?: string, limit = -1): RelationRecord[] {
  if (!ids.length || limit === 0) return [];
  return relationsBy(st, 'among', JSON.stringify(ids), asOf, limit);
}

export function getCiDetail(st: ReadStatements, id: string, relationLimit?: number): CiDetail | null {
  const ci = getCi(st, id);
  if (!ci) return null;
  const sources: SourceAssertion[] = st.assertions.all(id).map(assertionFromRow).map((a) => ({
    source: a.source, scope: a.scope, runId: a.runId, firstSeen: a.firstSeen, lastSeen: a.lastSeen, active: a.active,
    values: a.values as SourceAssertion['values'],
  }));
  const read = relationsOf(st, [id], undefined, relationsToRead(relationLimit));
  // Newest first: the open version (the row, unless the CI is retired), then the closed ones.
  const history: CiVersion[] = [...(ci.validTo === null ? [ci] : []), ...st.closedVersions.all(id).map(ciFromVersion)].map((v) => {
    const { id: _id, version, validFrom, validTo, ...data } = v;
    return { version, validFrom, validTo, data };
  });
  return {
    ...ci, sources,
    relations: ciRelations(id, read, relationLimit),
    history,
  };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

/** Index entries a filtered list looks at per statement: a few ms of work (a search reads each row's name, identifiers, owner). */
export const LIST_WINDOW = 2000;
/** The longest a filtered list holds the event loop before it lets other requests in. */
export const LIST_SLICE_MS = 15;

/**
 * The classes the store holds, in order: one seek of cis_by_class each (the model's few dozen classes, classes.ts),
 * not a scan of the index.
 */
const PRESENT_CLASSES = `WITH RECURSIVE c(class) AS (SELECT (SELECT min(class) FROM cis)
  UNION ALL SELECT (SELECT min(class) FROM cis WHERE class > c.class) FROM c WHERE c.class IS NOT NULL)
  SELECT class FROM c WHERE class IS NOT NULL`;

/**
 * CIs in (name, id) order over several classes: each class's range of cis_by_class, in order already, merged by
 * SQLite (a compound SELECT ordered by the index's own columns is a merge of its arms, read no further than its
 * LIMIT: no sort, no temporary B-tree). There is no index on (name, id) alone: a first load would write it at random
 * positions, one more B-tree in every batch (schema.sql). `cond`: the rest of each arm's WHERE, its parameters bound
 * once per arm.
 */
function inNameOrder(columns: string, classes: readonly string[], cond: string, condParams: readonly unknown[]) {
  const arm = `SELECT ${columns} FROM cis INDEXED BY cis_by_class WHERE class = ?${cond ? ` AND ${cond}` : ''}`;
  return {
    sql: `${classes.map(() => arm).join(' UNION ALL ')} ORDER BY name, id`,
    params: classes.flatMap((c) => [c, ...condParams]),
  };
}

/**
 * Keyset pagination on (name, id): stable under concurrent inserts, unlike OFFSET.
 *
 * The order is read from each class's range of cis_by_class, merged (inNameOrder): the classes asked for, else every
 * class the store holds. A filter no index serves (a text search, environment, owner, a lifecycle other than active)
 * may find its few matches anywhere in the name order: one statement would read the whole table in one go (2.6 s for
 * a search that matches nothing at 1M CIs, the event loop held all along). So such a list walks the order in windows
 * of `LIST_WINDOW` index entries, one statement each, and lets other requests in every `sliceMs`. Class filters
 * alone, or nothing, read one statement: the merge finds the page's rows in order and stops at the page's end.
 */
export async function listCis(db: Database.Database, q: CiQuery, sliceMs = LIST_SLICE_MS, window = LIST_WINDOW, signal?: AbortSignal): Promise<{ items: CiRecord[]; nextCursor: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const lifecycle = q.lifecycle ?? 'active';
  if (lifecycle !== 'any') { where.push('lifecycle = ?'); params.push(lifecycle); }
  if (q.environment) { where.push('environment = ?'); params.push(q.environment); }
  if (q.owner) { where.push('owner = ?'); params.push(q.owner); }
  if (q.q) {
    where.push("(name LIKE ? ESCAPE '\\' OR identifiers LIKE ? ESCAPE '\\' OR owner LIKE ? ESCAPE '\\')");
    const pat = `%${escapeLike(q.q)}%`;
    params.push(pat, pat, pat);
  }
  let after: [string, string] | null = null;
  if (q.cursor) {
    const decoded = decodeCursor(q.cursor, 2);
    if (!decoded) throw new InputError('cursor is not one this server issued; start again without one', undefined, 'invalid_cursor');
    after = [decoded[0], decoded[1]];
  }
  const classes = q.class?.length ? [...new Set(q.class)] : db.prepare<[], { class: string }>(PRESENT_CLASSES).all().map((r) => r.class);
  const windowed = !!(q.q || q.environment || q.owner) || (lifecycle !== 'active' && lifecycle !== 'any');
  const page = (rows: CiRow[]) => {
    const more = rows.length > q.limit;
    const items = rows.slice(0, q.limit).map(ciFromRow);
    const last = items[items.length - 1];
    return { items, nextCursor: more && last ? encodeCursor([last.name, last.id]) : null };
  };
  if (!classes.length) return page([]);
  const read = (cond: string[], condParams: unknown[], limit: number) => {
    // Statement text depends only on which filters are present and how many classes, never on their values.
    const m = inNameOrder('*', classes, cond.join(' AND '), condParams);
    return db.prepare<unknown[], CiRow>(`${m.sql} LIMIT ?`).all(...m.params, limit);
  };
  if (!windowed) return page(read([...where, ...(after ? ['(name, id) > (?, ?)'] : [])], [...params, ...(after ?? [])], q.limit + 1));
  return page(await walkClasses(db, classes, after, where, params, q.limit + 1, sliceMs, window, signal));
}

/**
 * The first `want` rows matching `where` after `after` in (name, id) order, over several classes, each walked in its
 * own range of cis_by_class in windows (a window's end found from index entries alone, then its rows filtered), as one
 * class alone is. Every row up to the least point any class's walk has reached is found: the walk goes on with the
 * class furthest behind until `want` rows are that far, so it reads about as many entries as one walk over a single
 * name order would (a merge in SQL of every class, per window, cost 2-3 times that: two merges a window). A class's
 * windows start at its share of `window` and double up to it: the first rows of a list come without a whole window
 * of every class read first.
 */
async function walkClasses(db: Database.Database, classes: readonly string[], after: NameKey | null, where: readonly string[], params: readonly unknown[],
  want: number, sliceMs: number, window: number, signal?: AbortSignal): Promise<CiRow[]> {
  const from = (a: NameKey | null) => (a ? ' AND (name, id) > (?, ?)' : '');
  // Prepared once a call for each shape (from the start or not, to a window's end or to the class's end).
  const statements = new Map<string, Database.Statement<unknown[], unknown>>();
  const prepared = <R>(sql: string) => (statements.get(sql) ?? statements.set(sql, db.prepare(sql)).get(sql)!) as Database.Statement<unknown[], R>;
  const windowEnd = (cls: string, a: NameKey | null, size: number) => prepared<{ name: string; id: string }>(
    `SELECT name, id FROM cis INDEXED BY cis_by_class WHERE class = ?${from(a)} ORDER BY name, id LIMIT 1 OFFSET ?`).get(cls, ...(a ?? []), size - 1);
  const read = (cls: string, a: NameKey | null, end: NameKey | null) => prepared<CiRow>(
    `SELECT * FROM cis INDEXED BY cis_by_class WHERE class = ?${from(a)}${end ? ' AND (name, id) <= (?, ?)' : ''}${where.map((w) => ` AND ${w}`).join('')}
     ORDER BY name, id LIMIT ?`).all(cls, ...(a ?? []), ...(end ?? []), ...params, want);
  // `reached`: every row of the class up to it is in `found` (null: none read yet); gone once the class is read to its end.
  const walks = classes.map((cls) => ({ cls, reached: after, size: Math.min(window, Math.ceil(window / classes.length)) }));
  const found: CiRow[] = [];
  const keyOf = (r: CiRow): NameKey => [r.name, r.id];
  // Not yet read (null) is before anything read.
  const isBefore = (x: NameKey | null, y: NameKey | null) => (x === null ? y !== null : y !== null && compareNameKeys(x, y) < 0);
  let since = performance.now();
  for (;;) {
    let behind: (typeof walks)[number] | undefined;
    for (const w of walks) if (!behind || isBefore(w.reached, behind.reached)) behind = w;
    if (!behind) break;
    const reached = behind.reached;
    if (reached && found.reduce((n, r) => n + (compareNameKeys(keyOf(r), reached) <= 0 ? 1 : 0), 0) >= want) break;
    const e = windowEnd(behind.cls, reached, behind.size);
    const end: NameKey | null = e ? [e.name, e.id] : null;
    const rows = read(behind.cls, reached, end);
    found.push(...rows);
    // Cut at `want` rows: the class is found only up to the last of them.
    if (rows.length === want) behind.reached = keyOf(rows[rows.length - 1]);
    else if (end) behind.reached = end;
    else walks.splice(walks.indexOf(behind), 1);
    behind.size = Math.min(window, behind.size * 2);
    if (performance.now() - since >= sliceMs) {
      await nextTurn();
      // A search matching nothing walks the whole order (~1 s of CPU at 1M CIs): not for a client that left.
      signal?.throwIfAborted();
      since = performance.now();
    }
  }
  return found.sort((a, b) => compareNameKeys(keyOf(a), keyOf(b))).slice(0, want);
}

/**
 * Loading a 1M-CI projection parsed 2.5M provenance lists (a few distinct texts: '["declared"]', ...) and 1M
 * attribute objects, most of them '{}', each a new object for the collector to sweep while the heap grows: the
 * garbage behind the start's GC pauses. Those texts are parsed once per load and the values shared (frozen: the
 * projection only reads them, and interns them anyway).
 */
const NO_ATTRIBUTES: Record<string, unknown> = Object.freeze({});
class SharedParse {
  private readonly seen = new Map<string, unknown>();
  parse<T>(text: string): T {
    let v = this.seen.get(text);
    if (v === undefined) {
      v = deepFreeze(JSON.parse(text));
      // A bound on what varies (redundancy groups are named per dependent): past it, values are parsed each time.
      if (this.seen.size < 4_096) this.seen.set(text, v);
    }
    return v as T;
  }
}
function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') { for (const x of Object.values(v)) deepFreeze(x); Object.freeze(v); }
  return v;
}

export function* topology(st: ReadStatements, asOfIso: string | undefined, chunkSize: number): Generator<{ cis: TopologyCi[]; relations: TopologyRelation[] }> {
  const shared = new SharedParse();
  if (!asOfIso) {
    for (let after = 0; ;) {
      const rows = st.topoCis.all(after, chunkSize);
      if (!rows.length) break;
      after = rows[rows.length - 1].rid;
      yield { cis: rows.map((r) => ({ id: r.id, class: r.class, name: r.name, environment: r.environment, tier: r.tier, owner: r.owner, attributes: r.attributes === '{}' ? NO_ATTRIBUTES : JSON.parse(r.attributes) })), relations: [] };
    }
    for (let after = 0; ;) {
      const rows = st.topoRels.all(after, chunkSize);
      if (!rows.length) break;
      after = rows[rows.length - 1].rid;
      yield { cis: [], relations: rows.map((r) => ({
        id: r.id, type: r.type, from: r.from_id, to: r.to_id, redundancy: r.redundancy ? shared.parse(r.redundancy) : null,
        provenance: shared.parse(r.provenance), observed: r.observed ? JSON.parse(r.observed) : null,
        ...(typeof r.note === 'string' ? { note: r.note } : {}),
      })) };
    }
    return;
  }
  const asOf = msOf(asOfIso);
  for (let after = 0; ;) {
    const rows = st.topoOpenCisAsOf.all(after, asOf, chunkSize);
    if (!rows.length) break;
    after = rows[rows.length - 1].rid;
    yield { cis: rows.map((r) => topologyCi(ciFromRow(r))), relations: [] };
  }
  for (let id = '', ver = 0; ;) {
    const rows = st.topoCisAsOf.all(id, id, ver, asOf, asOf, chunkSize);
    if (!rows.length) break;
    id = rows[rows.length - 1].ci_id; ver = rows[rows.length - 1].version;
    yield { cis: rows.map(ciFromVersion).filter((c) => c.lifecycle === 'active').map(topologyCi), relations: [] };
  }
  for (let after = 0; ;) {
    const rows = st.topoOpenRelsAsOf.all(after, asOf, chunkSize);
    if (!rows.length) break;
    after = rows[rows.length - 1].rid;
    yield { cis: [], relations: rows.map((r) => topologyRelationAsOf(r, { attributes: JSON.parse(r.attributes), redundancy: r.redundancy ? JSON.parse(r.redundancy) : null, provenance: JSON.parse(r.provenance) })) };
  }
  for (let id = '', ver = 0; ;) {
    const rows = st.topoRelsAsOf.all(id, id, ver, asOf, asOf, chunkSize);
    if (!rows.length) break;
    id = rows[rows.length - 1].rel_id; ver = rows[rows.length - 1].version;
    yield { cis: [], relations: rows.map((r) => topologyRelationAsOf(r, JSON.parse(r.data) as VersionedRelation)) };
  }
}

const topologyCi = (c: CiRecord): TopologyCi =>
  ({ id: c.id, class: c.class, name: c.name, environment: c.environment, tier: c.tier, owner: c.owner, attributes: c.attributes });

type VersionedRelation = Pick<RelationRecord, 'redundancy' | 'provenance' | 'attributes'>;

/** A relation of a map of the past: versions keep no observations (as relationFromVersion), so no live edge state. */
function topologyRelationAsOf(r: { type: string; from_id: string; to_id: string } & ({ rel_id: string } | { id: string }), d: VersionedRelation): TopologyRelation {
  const note = relationNote(d.attributes ?? {});
  return { id: 'rel_id' in r ? r.rel_id : r.id, type: r.type, from: r.from_id, to: r.to_id, redundancy: d.redundancy ?? null, provenance: d.provenance ?? [], observed: null, ...(note !== undefined ? { note } : {}) };
}
