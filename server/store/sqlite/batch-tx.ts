import type Database from 'better-sqlite3';
import type { BatchTx, RunRecord, WritePlan } from '../port.ts';
import type { ExistingCi, ExistingRelation, StoredAssertion } from '../../domain/reconcile/types.ts';
import type { ScopeAssertion } from '../../domain/reconcile/retire.ts';
import { assertionDigest, type AssertionDigest, type RelationDigest } from '../../domain/reconcile/sighting.ts';
import { relationKey } from '../../domain/reconcile/plan-relations.ts';
import type { CiRecord, RelationRecord } from '../../model/records.ts';
import {
  assertionFromRow, ciFromRow, ciJson, ciVersionData, relationFromRow, relationJson, relationVersionData,
  assertionColumns, effectiveSighting, SIGHTING_JOIN, type AssertionRow, type CiJson, type CiRow, type RelationJson, type RelationRow,
} from './rows.ts';
import { batchMetaTx, prepareSightings, type BatchMetaStatements } from './batch-meta.ts';
import { encodeChanges, encodeChangesAsync } from './event-codec.ts';
import { keyHash as defaultKeyHash } from './key-hash.ts';
import { ciAssertionVals, relationAssertionVals, type AssertionVals, encodeTargets, encodeTargetsAsync, msOf, msOrNull, registerLayoutFunctions } from './compact-layout.ts';

/** Sets are passed as one JSON array parameter and unpacked by json_each: one statement, any size. */
const IN = (col: string) => `${col} IN (SELECT value FROM json_each(?))`;

/**
 * `keyHash`: what identifier keys are found by (schema.sql, identifier_key_hashes). Always key-hash.ts's for a file;
 * tests pass one that collides to show that readers never take one key for another.
 */
export function prepareBatchStatements(db: Database.Database, keyHash: (key: string) => number = defaultKeyHash) {
  registerLayoutFunctions(db);
  return {
    keyHash,
    // Every key row of the hashes asked for: the caller keeps those whose text it asked for.
    lookupKeys: db.prepare<[string], { id: number; key: string; ci_id: string }>(
      `SELECT k.id, k.key, k.ci_id FROM identifier_key_hashes h JOIN identifier_keys k ON k.id = h.key_id WHERE ${IN('h.hash')}`),
    // The keys of a file written before (schema.sql, ci_keys), asked for only when it has some.
    hasKeysBefore: db.prepare<[], { one: number }>('SELECT 1 AS one FROM ci_keys LIMIT 1'),
    lookupKeysBefore: db.prepare<[string], { key: string; ci_id: string }>(`SELECT key, ci_id FROM ci_keys WHERE ${IN('key')}`),
    loadCis: db.prepare<[string], CiRow>(`SELECT * FROM cis WHERE ${IN('id')}`),
    ciStatus: db.prepare<[string], { id: string; name: string; lifecycle: 'active' | 'retired' }>(`SELECT id, name, lifecycle FROM cis WHERE ${IN('id')}`),
    loadAssertions: db.prepare<[string], AssertionRow>(`SELECT ${assertionColumns('a')} FROM assertions a ${SIGHTING_JOIN('a')} WHERE ${IN('a.target_id')}`),
    assertionDigests: db.prepare<[string], DigestRow>(`SELECT target_id, source, scope, active, digest FROM assertions WHERE ${IN('target_id')}`),
    // The narrow twin of loadRelationsFrom, joined to the assertions' digests (one row per assertion).
    relationDigestsFrom: db.prepare<[string], DigestRow & { id: string; type: string; from_id: string; to_id: string; valid_to: number | null }>(
      `SELECT r.id, r.type, r.from_id, r.to_id, r.valid_to, a.target_id, a.source, a.scope, a.active, a.digest
       FROM relations r LEFT JOIN assertions a ON a.target_id = r.id WHERE ${IN('r.from_id')}`),
    // A batch remembered now (its row's id) becomes these rows' batch; otherwise they have none.
    resight: db.prepare<[string, number, number | null, string, string, string]>(
      `UPDATE assertions SET run_id = ?, last_seen = ?, sighting = ? WHERE source = ? AND scope = ? AND ${IN('target_id')}`),
    // By source end through the (from_id, type, to_id) index; the exact triples are picked in JS.
    loadRelationsFrom: db.prepare<[string], RelationRow>(`SELECT * FROM relations WHERE ${IN('from_id')}`),
    loadRelationsById: db.prepare<[string], RelationRow>(`SELECT * FROM relations WHERE ${IN('id')}`),
    // Live relations by either end, at most ? from each (-1: all). By target through relations_live_to, a direct range
    // of live rows; by source through the triple index, which steps over the source's retired ones (few: hubs are targets).
    relationsFrom: db.prepare<[string, number], RelationRow>(`SELECT * FROM relations WHERE valid_to IS NULL AND ${IN('from_id')} LIMIT ?`),
    relationsTo: db.prepare<[string, number], RelationRow>(`SELECT * FROM relations WHERE valid_to IS NULL AND ${IN('to_id')} LIMIT ?`),
    scopeAssertions: db.prepare<[string, string], { target_id: string; kind: string; run_id: string; last_seen: string }>(
      `SELECT a.target_id, a.kind, ${effectiveSighting('a')} FROM assertions a ${SIGHTING_JOIN('a')} WHERE a.source = ? AND a.scope = ? AND a.active = 1`),
    // selectStale in SQL (port.ts, scopeStale), by last sighting: rows of no batch through their partial index, rows
    // of a batch through the scope's batches sighted before (an index walk), then theirs through the scope index.
    scopeStale: db.prepare<[{ source: string; scope: string; before: number; limit: number }], { target_id: string; kind: string; run_id: string; last_seen: string }>(
      `SELECT a.target_id, a.kind, a.run_id, sg_iso(a.last_seen) AS last_seen FROM assertions a INDEXED BY assertions_unbatched_seen
       WHERE a.source = @source AND a.scope = @scope AND a.active = 1 AND a.sighting IS NULL AND a.last_seen < @before
       UNION ALL
       SELECT a.target_id, a.kind, sb.run_id, sg_iso(sb.last_seen) FROM scope_batches sb INDEXED BY scope_batches_seen
       CROSS JOIN assertions a INDEXED BY assertions_scope_sighting ON a.source = @source AND a.scope = @scope AND a.active = 1 AND a.sighting = sb.id
       WHERE sb.source = @source AND sb.scope = @scope AND sb.last_seen < @before
       LIMIT @limit`),
    // selectLosing in SQL (port.ts, scopeLosing). Rows pointing at a batch of this run have this run (rows.ts): only
    // the others are sought, through the scope index (those of no batch, and of the scope's batches of other runs).
    scopeTotal: db.prepare<[string, string], { active: number }>('SELECT active FROM scope_counts WHERE source = ? AND scope = ?'),
    // What a write of an existing assertion changes the scope's count by (schema.sql, scope_counts).
    wasActive: db.prepare<[string, string, string], { active: number }>('SELECT active FROM assertions WHERE target_id = ? AND source = ? AND scope = ?'),
    countScope: db.prepare<[string, string, number]>(`INSERT INTO scope_counts (source, scope, active) VALUES (?, ?, ?)
      ON CONFLICT (source, scope) DO UPDATE SET active = active + excluded.active`),
    newToScope: db.prepare<[string, string, string], { n: number }>(`SELECT count(*) AS n FROM json_each(?) j
      WHERE NOT EXISTS (SELECT 1 FROM assertions a WHERE a.target_id = j.value AND a.source = ? AND a.scope = ? AND a.active = 1)`),
    scopeLosing: db.prepare<[{ source: string; scope: string; run: string; now: string }], { target_id: string; kind: string; run_id: string; last_seen: string }>(
      `SELECT a.target_id, a.kind, a.run_id, sg_iso(a.last_seen) AS last_seen FROM assertions a
       WHERE a.source = @source AND a.scope = @scope AND a.active = 1 AND a.sighting IS NULL AND a.run_id <> @run
         AND a.target_id NOT IN (SELECT value FROM json_each(@now))
       UNION ALL
       SELECT a.target_id, a.kind, sb.run_id, sg_iso(sb.last_seen) FROM scope_batches sb
       CROSS JOIN assertions a ON a.source = @source AND a.scope = @scope AND a.active = 1 AND a.sighting = sb.id
       WHERE sb.source = @source AND sb.scope = @scope AND sb.run_id <> @run
         AND a.target_id NOT IN (SELECT value FROM json_each(@now))
       ORDER BY 1`),
    getRun: db.prepare<[string], { run_id: string; source: string; scope: string; started_at: string; last_batch_at: string; completed_at: string | null; batches: number }>(
      'SELECT * FROM runs WHERE run_id = ?'),
    // Writes bind positionally (named binding looks every name up per row, ~15% of a row's cost here),
    // and creates are plain INSERTs: a created id is new by construction, so the conflict path is dead weight.
    insertCi: db.prepare(`INSERT INTO cis (id, class, name, environment, tier, owner, lifecycle, attributes, identifiers, version, valid_from, valid_to)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    // Every other action starts from a record read in this transaction, so the row exists; write() checks it did.
    updateCi: db.prepare(`UPDATE cis SET class = ?, name = ?, environment = ?, tier = ?, owner = ?, lifecycle = ?, attributes = ?,
      identifiers = ?, version = ?, valid_from = ?, valid_to = ? WHERE id = ?`),
    // The open version of a CI or relation is its row; a version is written here only once it closes (layout: schema.sql).
    insertClosedCiVersion: db.prepare('INSERT INTO ci_versions (ci_id, version, valid_from, valid_to, data) VALUES (?, ?, ?, ?, ?)'),
    // A key is new by construction (the plan looked it up in this transaction): appended, then found by its hash.
    insertKey: db.prepare<[string, string]>('INSERT INTO identifier_keys (key, ci_id) VALUES (?, ?)'),
    insertKeyHash: db.prepare<[number, number | bigint]>('INSERT INTO identifier_key_hashes (hash, key_id) VALUES (?, ?)'),
    insertRelation: db.prepare(`INSERT INTO relations (id, type, from_id, to_id, attributes, redundancy, provenance, observed, version, valid_from, valid_to)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    updateRelation: db.prepare(`UPDATE relations SET attributes = ?, redundancy = ?, provenance = ?, observed = ?, version = ?, valid_from = ?, valid_to = ?
      WHERE id = ?`),
    // Before a row changes, the assertions whose values are rebuilt from it (compact-layout.ts) get their text back.
    materialiseCiVals: db.prepare<[string]>(`UPDATE assertions SET vals = (SELECT sg_ci_vals(assertions.vals, c.name, c.environment, c.tier, c.owner,
      c.attributes, c.identifiers) FROM cis c WHERE c.id = assertions.target_id) WHERE target_id = ? AND typeof(vals) = 'integer'`),
    materialiseRelationVals: db.prepare<[string]>(`UPDATE assertions SET vals = (SELECT sg_relation_vals(assertions.vals, r.provenance, r.attributes,
      r.redundancy, r.observed) FROM relations r WHERE r.id = assertions.target_id) WHERE target_id = ? AND typeof(vals) = 'integer'`),
    insertClosedRelationVersion: db.prepare('INSERT INTO relation_versions (rel_id, version, type, from_id, to_id, valid_from, valid_to, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    // An assertion is written with the run and last sighting it was read with (effective: its batch's folded in),
    // so it points at a batch only when the plan remembers one that asserts it; then it keeps neither ('' and 0).
    insertAssertion: db.prepare(`INSERT INTO assertions (target_id, source, scope, kind, run_id, first_seen, last_seen, active, vals, digest, sighting)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    upsertAssertion: db.prepare(`INSERT INTO assertions (target_id, source, scope, kind, run_id, first_seen, last_seen, active, vals, digest, sighting)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (target_id, source, scope) DO UPDATE SET run_id = excluded.run_id, last_seen = excluded.last_seen,
        active = excluded.active, vals = excluded.vals, digest = excluded.digest, sighting = excluded.sighting`),
    upsertRun: db.prepare(`INSERT INTO runs (run_id, source, scope, started_at, last_batch_at, completed_at, batches) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (run_id) DO UPDATE SET last_batch_at = excluded.last_batch_at, completed_at = excluded.completed_at, batches = excluded.batches`),
    insertEvent: db.prepare('INSERT INTO events (at, source, changes) VALUES (?, ?, ?)'),
  };
}
export type BatchStatements = ReturnType<typeof prepareBatchStatements>;

const scopeAssertionOf = (r: { target_id: string; kind: string; run_id: string; last_seen: string }): ScopeAssertion =>
  ({ targetId: r.target_id, kind: r.kind as ScopeAssertion['kind'], runId: r.run_id, lastSeen: r.last_seen });

interface DigestRow { target_id: string; source: string; scope: string; active: number; digest: string | null }
const digestOf = (r: DigestRow): AssertionDigest => ({ source: r.source, scope: r.scope, active: r.active === 1, digest: r.digest });

function groupAssertions(rows: AssertionRow[]): Map<string, StoredAssertion[]> {
  const out = new Map<string, StoredAssertion[]>();
  for (const r of rows) {
    const list = out.get(r.target_id);
    if (list) list.push(assertionFromRow(r)); else out.set(r.target_id, [assertionFromRow(r)]);
  }
  return out;
}

/**
 * The BatchTx port over one open SQLite transaction; every statement is synchronous underneath. `offload`: the
 * batch's event may be deflated off the event loop while its statements run (the store's reads then go on over
 * their own connection; a memory store reads over this one, which must not be seen mid-transaction).
 */
export function sqliteBatchTx(s: BatchStatements, meta: BatchMetaStatements, offload = false): BatchTx {
  const withAssertions = (rows: RelationRow[]): ExistingRelation[] => {
    if (!rows.length) return [];
    const a = groupAssertions(s.loadAssertions.all(JSON.stringify(rows.map((r) => r.id))));
    return rows.map((r) => ({ record: relationFromRow(r), assertions: a.get(r.id) ?? [] }));
  };
  return {
    ...batchMetaTx(meta),
    async lookupKeys(keys) {
      const out = new Map<string, string>();
      if (!keys.length) return out;
      if (s.hasKeysBefore.get()) for (const r of s.lookupKeysBefore.all(JSON.stringify(keys))) out.set(r.key, r.ci_id);
      // A hash is shared by other keys now and then: only rows of a key asked for count. Were a key written twice,
      // the first write would hold it (as INSERT OR IGNORE into a table keyed by the text did), and one of the
      // file's layout before holds it first.
      const wanted = new Set(keys);
      const first = new Map<string, number>();
      for (const r of s.lookupKeys.all(JSON.stringify(keys.map(s.keyHash)))) {
        if (!wanted.has(r.key) || (out.has(r.key) && !first.has(r.key)) || r.id > (first.get(r.key) ?? Infinity)) continue;
        first.set(r.key, r.id);
        out.set(r.key, r.ci_id);
      }
      return out;
    },
    async loadCis(ids) {
      const out = new Map<string, ExistingCi>();
      if (!ids.length) return out;
      const json = JSON.stringify(ids);
      const a = groupAssertions(s.loadAssertions.all(json));
      for (const r of s.loadCis.all(json)) out.set(r.id, { record: ciFromRow(r), assertions: a.get(r.id) ?? [] });
      return out;
    },
    async ciStatus(ids) {
      const out = new Map<string, { name: string; lifecycle: 'active' | 'retired' }>();
      if (ids.length) for (const r of s.ciStatus.all(JSON.stringify(ids))) out.set(r.id, { name: r.name, lifecycle: r.lifecycle });
      return out;
    },
    async loadRelations(triples) {
      const out = new Map<string, ExistingRelation>();
      if (!triples.length) return out;
      const wanted = new Set(triples.map((t) => relationKey(t.from, t.type, t.to)));
      const rows = s.loadRelationsFrom.all(JSON.stringify([...new Set(triples.map((t) => t.from))]))
        .filter((r) => wanted.has(relationKey(r.from_id, r.type, r.to_id)));
      for (const rel of withAssertions(rows)) out.set(relationKey(rel.record.from, rel.record.type, rel.record.to), rel);
      return out;
    },
    async scopeAssertions(source, scope): Promise<ScopeAssertion[]> {
      return s.scopeAssertions.all(source, scope).map(scopeAssertionOf);
    },
    async scopeStale(source, scope, before, limit) {
      return s.scopeStale.all({ source, scope, before: msOf(before), limit }).map(scopeAssertionOf);
    },
    async scopeLosing(source, scope, runId, assertedNow) {
      const now = JSON.stringify(assertedNow);
      const losing = s.scopeLosing.all({ source, scope, run: runId, now }).map(scopeAssertionOf);
      return { losing, total: (s.scopeTotal.get(source, scope)?.active ?? 0) + s.newToScope.get(now, source, scope)!.n };
    },
    async loadRelationsById(ids) {
      return ids.length ? withAssertions(s.loadRelationsById.all(JSON.stringify(ids))) : [];
    },
    async relationsTouching(ciIds, limit) {
      if (!ciIds.length) return [];
      const json = JSON.stringify(ciIds);
      const rows = new Map<string, RelationRow>();
      for (const r of s.relationsFrom.all(json, limit ?? -1)) rows.set(r.id, r);
      for (const r of s.relationsTo.all(json, limit ?? -1)) rows.set(r.id, r);
      return withAssertions([...rows.values()]);
    },
    async assertionDigests(ciIds) {
      const out = new Map<string, AssertionDigest[]>();
      if (!ciIds.length) return out;
      for (const r of s.assertionDigests.all(JSON.stringify(ciIds))) {
        const list = out.get(r.target_id);
        if (list) list.push(digestOf(r)); else out.set(r.target_id, [digestOf(r)]);
      }
      return out;
    },
    async relationDigests(triples) {
      const out = new Map<string, RelationDigest>();
      if (!triples.length) return out;
      const wanted = new Set(triples.map((t) => relationKey(t.from, t.type, t.to)));
      for (const r of s.relationDigestsFrom.all(JSON.stringify([...new Set(triples.map((t) => t.from))]))) {
        const key = relationKey(r.from_id, r.type, r.to_id);
        if (!wanted.has(key)) continue;
        let rel = out.get(key);
        if (!rel) out.set(key, rel = { id: r.id, live: r.valid_to === null, assertions: [] });
        if (r.target_id !== null) rel.assertions.push(digestOf(r));
      }
      return out;
    },
    async getRun(runId): Promise<RunRecord | null> {
      const r = s.getRun.get(runId);
      return r ? { runId: r.run_id, source: r.source, scope: r.scope, startedAt: r.started_at, lastBatchAt: r.last_batch_at, completedAt: r.completed_at, batches: r.batches } : null;
    },
    async write(plan: WritePlan) {
      const event = plan.event && offload ? encodeChangesAsync(plan.event.changes) : null;
      // Awaited below; marked handled now so that a statement failing first leaves no unhandled rejection behind.
      event?.catch(() => undefined);
      // A batch remembered anew: its targets are deflated off the event loop as well, and stored once they are.
      const applied = plan.batch && !plan.batch.recalled ? JSON.stringify(plan.batch.targets) : null;
      const targets = applied === null ? null : offload ? encodeTargetsAsync(applied) : Promise.resolve(encodeTargets(applied));
      targets?.catch(() => undefined);
      meta.setLastBatchAt.run(plan.now);
      const sighting = prepareSightings(meta, plan, touchedTargets(plan));
      // The row id the assertions of a batch applied in full point at (a recalled batch writes no assertion of its own).
      const remembered = sighting !== null && !plan.batch!.recalled ? new Set([...plan.batch!.targets.cis, ...plan.batch!.targets.relations]) : null;
      const pointer = (a: StoredAssertion) => (remembered && a.source === plan.source && a.scope === plan.run.scope && remembered.has(a.targetId) ? sighting : null);
      const counts = new ScopeCounts();
      const digests = new Digests();
      for (const item of plan.cis) {
        const rec = item.record;
        const j = ciJson(rec);
        if (item.action === 'create') insertCi(s, rec, j);
        else if (item.action !== 'unchanged') {
          // update, restore, retire: the version the row held closes now (a retired row's last version closed with it).
          s.materialiseCiVals.run(rec.id);
          updateCi(s, rec, j);
          closeCiVersion(s, rec.id, item.previous, plan.now);
        }
        const row = { name: rec.name, environment: rec.environment, tier: rec.tier, owner: rec.owner, attributes: j.attributes, identifiers: j.identifiers };
        for (const a of item.assertions) writeAssertion(s, counts, digests, a, 'ci', item.action === 'create', pointer(a), ciAssertionVals(a.values, rec, row));
      }
      for (const k of plan.keys) s.insertKeyHash.run(s.keyHash(k.key), s.insertKey.run(k.key, k.ciId).lastInsertRowid);
      for (const item of plan.relations) {
        const rec = item.record;
        const j = relationJson(rec);
        if (item.action === 'create') insertRelation(s, rec, j);
        else if (item.action !== 'unchanged' || item.touchOnly) {
          s.materialiseRelationVals.run(rec.id);
          updateRelation(s, rec, j);
          if (item.action !== 'unchanged') closeRelationVersion(s, rec.id, item.previous, plan.now);
        }
        for (const a of item.assertions) writeAssertion(s, counts, digests, a, 'relation', item.action === 'create', pointer(a), relationAssertionVals(a.values, rec, j));
      }
      counts.write(s);
      const r = plan.run;
      if (plan.resighted) {
        for (const ids of [plan.resighted.cis, plan.resighted.relations]) {
          if (!ids.length) continue;
          if (remembered) s.resight.run('', 0, sighting, plan.source, r.scope, JSON.stringify(ids));
          else s.resight.run(r.runId, msOf(plan.now), null, plan.source, r.scope, JSON.stringify(ids));
        }
      }
      s.upsertRun.run(r.runId, r.source, r.scope, r.startedAt, r.lastBatchAt, r.completedAt, r.batches);
      if (targets) meta.setTargets.run(await targets, sighting!);
      if (!plan.event) return 0;
      const changes = event ? await event : encodeChanges(plan.event.changes);
      return Number(s.insertEvent.run(plan.event.at, plan.event.source, changes).lastInsertRowid);
    },
  };
}

function insertCi(s: BatchStatements, c: CiRecord, j: CiJson) {
  s.insertCi.run(c.id, c.class, c.name, c.environment, c.tier, c.owner, c.lifecycle, j.attributes, j.identifiers, c.version, msOf(c.validFrom), msOrNull(c.validTo));
}

function updateCi(s: BatchStatements, c: CiRecord, j: CiJson) {
  const done = s.updateCi.run(c.class, c.name, c.environment, c.tier, c.owner, c.lifecycle, j.attributes, j.identifiers, c.version, msOf(c.validFrom), msOrNull(c.validTo), c.id);
  if (done.changes !== 1) throw new Error(`CI ${c.id} to update is not in the store`);
}

/**
 * The row's version as a closed one, from the record being replaced (exactly the row as read in this transaction).
 * A row already closed (a retired CI being restored) has its last version in ci_versions since it closed.
 */
function closeCiVersion(s: BatchStatements, id: string, prev: CiRecord | null, now: string) {
  if (prev?.id !== id) throw new Error(`CI ${id} to update, restore or retire comes without the record it replaces`);
  if (prev.validTo === null) s.insertClosedCiVersion.run(prev.id, prev.version, msOf(prev.validFrom), msOf(now), ciVersionData(prev));
}

function closeRelationVersion(s: BatchStatements, id: string, prev: RelationRecord | null, now: string) {
  if (prev?.id !== id) throw new Error(`relation ${id} to update, restore or retire comes without the record it replaces`);
  if (prev.validTo === null) s.insertClosedRelationVersion.run(prev.id, prev.version, prev.type, prev.from, prev.to, msOf(prev.validFrom), msOf(now), relationVersionData(prev));
}

function insertRelation(s: BatchStatements, r: RelationRecord, j: RelationJson) {
  s.insertRelation.run(r.id, r.type, r.from, r.to, j.attributes, j.redundancy, j.provenance, j.observed, r.version, msOf(r.validFrom), msOrNull(r.validTo));
}

function updateRelation(s: BatchStatements, r: RelationRecord, j: RelationJson) {
  const done = s.updateRelation.run(j.attributes, j.redundancy, j.provenance, j.observed, r.version, msOf(r.validFrom), msOrNull(r.validTo), r.id);
  if (done.changes !== 1) throw new Error(`relation ${r.id} to update is not in the store`);
}

/**
 * A created CI or relation has no assertion yet; any other may have this source's from an earlier run. `vals`: the
 * values' JSON and what to keep of it given the row as this plan leaves it (compact-layout.ts, ciAssertionVals).
 */
function writeAssertion(s: BatchStatements, counts: ScopeCounts, digests: Digests, a: StoredAssertion, kind: 'ci' | 'relation', created: boolean, sighting: number | null,
  vals: AssertionVals) {
  const [run, seen] = sighting === null ? [a.runId, msOf(a.lastSeen)] : ['', 0];
  const was = created ? 0 : (s.wasActive.get(a.targetId, a.source, a.scope)?.active ?? 0);
  counts.add(a.source, a.scope, (a.active ? 1 : 0) - was);
  (created ? s.insertAssertion : s.upsertAssertion).run(a.targetId, a.source, a.scope, kind, run, msOf(a.firstSeen), seen, a.active ? 1 : 0,
    vals.stored, digests.of(a.values, vals.json), sighting);
}

/**
 * The digests of one plan's assertions. Short values repeat across a batch (most of a first load's relations say
 * just `{"provenance":"declared"}`): each such text is hashed once per batch, not once per assertion.
 */
class Digests {
  private readonly short = new Map<string, string>();
  of(values: Record<string, unknown>, json: string): string {
    // Observations are left out of a digest (assertionDigest): there the digest is not a function of `json` alone.
    if (json.length > SHORT_VALUES || 'observed' in values) return assertionDigest(values, json);
    let d = this.short.get(json);
    if (d === undefined) this.short.set(json, d = assertionDigest(values, json));
    return d;
  }
}
const SHORT_VALUES = 160;

/**
 * What a plan changes each scope's active count by (schema.sql, scope_counts), written once per scope it changed: a
 * first load adds its count in one statement, not one per assertion.
 */
class ScopeCounts {
  private readonly deltas = new Map<string, { source: string; scope: string; n: number }>();
  add(source: string, scope: string, n: number) {
    if (n === 0) return;
    const key = `${source}\u0000${scope}`;
    const d = this.deltas.get(key);
    if (d) d.n += n; else this.deltas.set(key, { source, scope, n });
  }
  write(s: BatchStatements) {
    for (const d of this.deltas.values()) if (d.n !== 0) s.countScope.run(d.source, d.scope, d.n);
  }
}

/**
 * The targets whose stored assertions a plan rewrites or re-points: every CI and relation it writes an assertion
 * of that existed before, those it re-sights item by item, and the existing targets of a batch it remembers. The
 * batches they pointed at can no longer be recognised without looking (batch-meta.ts, forgetBatchesOf).
 */
function touchedTargets(plan: WritePlan): string[] {
  const out = new Set<string>(plan.resighted ? [...plan.resighted.cis, ...plan.resighted.relations] : []);
  const created = new Set<string>();
  for (const item of [...plan.cis, ...plan.relations]) {
    if (item.action === 'create') { created.add(item.record.id); continue; }
    for (const a of item.assertions) out.add(a.targetId);
  }
  const b = plan.batch;
  if (b && !b.recalled) for (const id of [...b.targets.cis, ...b.targets.relations]) if (!created.has(id)) out.add(id);
  return [...out];
}
