import type { ManagedTransaction } from 'neo4j-driver';
import type { BatchTx, IdempotencyRecord, RunRecord, WritePlan } from '../port.ts';
import type { ExistingCi, ExistingRelation } from '../../domain/reconcile/types.ts';
import type { ScopeAssertion } from '../../domain/reconcile/retire.ts';
import { relationKey } from '../../domain/reconcile/plan-relations.ts';
import { assertionFromProps, ciFromProps, num, relationFromProps, runFromProps } from './records.ts';
import { registeredRelTypes, writeRows } from './write-rows.ts';
import { intParam, runQuery, runRows } from './run.ts';

/** Expired idempotency keys each write batch deletes at most (as the SQLite store). */
export const PURGE_PER_BATCH = 100;

type Props = Record<string, unknown>;
interface RelRow { rel: Props; assertions: Props[] }

type ScopeRow = { targetId: string; kind: ScopeAssertion['kind']; runId: string; lastSeen: string };
const scopeAssertionOf = (r: ScopeRow): ScopeAssertion => ({ targetId: r.targetId, kind: r.kind, runId: r.runId, lastSeen: r.lastSeen });

const existingRelation = (r: RelRow): ExistingRelation => ({ record: relationFromProps(r.rel), assertions: r.assertions.map(assertionFromProps) });

/**
 * Live relations touching `ids`, each once, with assertions (at most `limit` when given). Shared by BatchTx and
 * GraphStore.relationsOf.
 */
export async function relationsTouching(tx: ManagedTransaction, ids: string[], limit?: number): Promise<ExistingRelation[]> {
  if (!ids.length) return [];
  const types = registeredRelTypes();
  const rows = limit === undefined ? await runQuery<RelRow>(tx, 'relations-touching', { ids, types })
    : await runQuery<RelRow>(tx, 'relations-touching-limited', { ids, types, limit: intParam(limit) });
  return rows.map(existingRelation);
}

/**
 * The BatchTx port over one managed transaction. A new one is made for every attempt of the driver's
 * retry loop, and it holds no state between calls, so a retried transaction function starts clean.
 */
export function neo4jBatchTx(tx: ManagedTransaction, lock: { lastBatchAt: string | null } = { lastBatchAt: null }): BatchTx {
  return {
    // Read by lock-writes under the lock, at the start of this attempt.
    async lastBatchAt() { return lock.lastBatchAt; },
    async recall(key): Promise<IdempotencyRecord | null> {
      const [r] = await runQuery<{ rec: Props }>(tx, 'recall-idempotency', { key });
      if (!r) return null;
      const p = r.rec;
      return { key: String(p.key), fingerprint: String(p.fingerprint), result: String(p.result), createdAt: String(p.createdAt), expiresAt: String(p.expiresAt) };
    },
    async remember(rec) {
      await runQuery(tx, 'purge-idempotency', { now: rec.createdAt, limit: intParam(PURGE_PER_BATCH) });
      await runQuery(tx, 'remember-idempotency', { ...rec });
    },
    async lookupKeys(keys) {
      const out = new Map<string, string>();
      if (!keys.length) return out;
      for (const r of await runQuery<{ key: string; ciId: string }>(tx, 'lookup-keys', { keys })) out.set(r.key, r.ciId);
      return out;
    },
    async loadCis(ids) {
      const out = new Map<string, ExistingCi>();
      if (!ids.length) return out;
      for (const r of await runQuery<{ ci: Props; assertions: Props[] }>(tx, 'load-cis', { ids })) {
        const record = ciFromProps(r.ci);
        out.set(record.id, { record, assertions: r.assertions.map(assertionFromProps) });
      }
      return out;
    },
    async ciStatus(ids) {
      const out = new Map<string, { name: string; lifecycle: 'active' | 'retired' }>();
      if (!ids.length) return out;
      for (const r of await runQuery<{ id: string; name: string; lifecycle: 'active' | 'retired' }>(tx, 'ci-status', { ids })) {
        out.set(r.id, { name: r.name, lifecycle: r.lifecycle });
      }
      return out;
    },
    async loadRelations(triples) {
      const out = new Map<string, ExistingRelation>();
      if (!triples.length) return out;
      for (const r of await runQuery<RelRow>(tx, 'load-relations-by-triple', { triples })) {
        const rel = existingRelation(r);
        out.set(relationKey(rel.record.from, rel.record.type, rel.record.to), rel);
      }
      return out;
    },
    async scopeAssertions(source, scope): Promise<ScopeAssertion[]> {
      return (await runQuery<ScopeRow>(tx, 'scope-assertions', { source, scope })).map(scopeAssertionOf);
    },
    async scopeStale(source, scope, before, limit): Promise<ScopeAssertion[]> {
      return (await runQuery<ScopeRow>(tx, 'scope-stale', { source, scope, before, limit: intParam(limit) })).map(scopeAssertionOf);
    },
    async loadRelationsById(ids) {
      if (!ids.length) return [];
      return (await runQuery<RelRow>(tx, 'load-relations-by-id', { ids })).map(existingRelation);
    },
    relationsTouching: (ciIds, limit) => relationsTouching(tx, ciIds, limit),
    async getRun(runId): Promise<RunRecord | null> {
      const [r] = await runQuery<{ run: Props }>(tx, 'get-run', { runId });
      return r ? runFromProps(r.run) : null;
    },
    write: (plan) => writePlan(tx, plan),
  };
}

/**
 * Runs a write whose rows must each find what they write to (`RETURN count(…) AS written`), and refuses the
 * whole batch when one did not: the plan said it exists, as SQLite's UPDATE that changes no row throws.
 */
async function writeAll(tx: ManagedTransaction, name: 'update-cis' | 'create-relations' | 'update-relations', rows: { id: string }[], what: string): Promise<void> {
  if (!rows.length) return;
  const [r] = await runQuery<{ written: unknown }>(tx, name, { rows });
  const written = num(r?.written ?? 0);
  if (written !== rows.length) {
    throw new Error(`${what}: found ${written} of ${rows.length} in the store (first ids: ${rows.slice(0, 3).map((x) => x.id).join(', ')}); refusing a partial batch`);
  }
}

/** A handful of UNWIND statements, in the order the SQLite adapter writes (close a version, then open one). */
export async function writePlan(tx: ManagedTransaction, plan: WritePlan): Promise<number> {
  const rows = writeRows(plan);
  await runQuery(tx, 'set-last-batch-at', { now: plan.now });
  if (rows.closeCiVersions.length) await runQuery(tx, 'close-ci-versions', { ids: rows.closeCiVersions, now: plan.now });
  await runRows(tx, 'create-cis', rows.createCis);
  await writeAll(tx, 'update-cis', rows.updateCis, 'CIs to update');
  await runRows(tx, 'merge-ci-versions', rows.ciVersions);
  await runRows(tx, 'merge-keys', rows.keys);
  if (rows.closeRelationVersions.length) await runQuery(tx, 'close-relation-versions', { ids: rows.closeRelationVersions, now: plan.now });
  // MATCH drops a row silently when an end (or the relationship) is missing; the plan guarantees them, so say so loudly.
  await writeAll(tx, 'create-relations', rows.createRelations, 'relations to create (both ends)');
  await writeAll(tx, 'update-relations', rows.updateRelations, 'relations to update');
  await runRows(tx, 'merge-relation-versions', rows.relationVersions);
  await runRows(tx, 'upsert-assertions', rows.assertions);
  await runRows(tx, 'upsert-runs', [rows.run]);
  if (!rows.event) return 0;
  const [e] = await runQuery<{ seq: unknown }>(tx, 'append-event', rows.event);
  return num(e.seq);
}
