import neo4j, { type Integer } from 'neo4j-driver';
import { ciClasses } from '../../model/classes.ts';
import { relationTypes } from '../../model/relations.ts';
import type { CiRecord, RelationRecord } from '../../model/records.ts';
import type { StoredAssertion } from '../../domain/reconcile/types.ts';
import type { RunRecord, StoredDoc, StoredEntry, WritePlan } from '../port.ts';
import { ciVersionData, relationVersionData } from '../sqlite/rows.ts';

/**
 * Pure shaping of a write plan into the `$rows` parameters of the write queries. Nothing here talks to
 * Neo4j; test/store/neo4j-write-rows.test.ts covers it without a server.
 *
 * Integers go out as driver Integers: a plain JS number is sent as a Cypher FLOAT, and version, tier,
 * batches and seq must stay INTEGER so that equality with stored values and LIMIT work.
 */
const int = (n: number): Integer => neo4j.int(n);
const intOrNull = (n: number | null): Integer | null => (n === null ? null : neo4j.int(n));

const LABEL = /^[A-Z][A-Za-z0-9]*$/;
const REL_TYPE = /^[A-Z][A-Z0-9_]*$/;

/** The Neo4j label of a CI class, from the registry only; anything else is refused before Cypher sees it. */
export function labelOf(ciClass: string): string {
  const def = ciClasses.get(ciClass);
  if (!def || !LABEL.test(def.label)) throw new Error(`no Neo4j label for CI class ${JSON.stringify(ciClass)}`);
  return def.label;
}

/** The relationship type of a relation type, from the registry only. */
export function relTypeOf(type: string): string {
  const def = relationTypes.get(type);
  if (!def || !REL_TYPE.test(def.name)) throw new Error(`unknown relation type ${JSON.stringify(type)}`);
  return def.name;
}

/** The registered relation types, for reads that must ignore any other relationship. */
export const registeredRelTypes = (): string[] => [...relationTypes.keys()].map(relTypeOf);

export interface CiRow { id: string; label: string; props: Record<string, unknown> }
export interface CiVersionRow { ciId: string; version: Integer; validFrom: string; validTo: string | null; data: string }
export interface RelationRow { id: string; type: string; from: string; to: string; props: Record<string, unknown> }
export interface RelationVersionRow {
  relId: string; version: Integer; type: string; fromId: string; toId: string; validFrom: string; validTo: string | null; data: string;
}
export interface AssertionRow {
  targetId: string; source: string; scope: string; kind: 'ci' | 'relation'; runId: string;
  firstSeen: string; lastSeen: string; active: boolean; vals: string;
}
export interface RunRow { runId: string; source: string; scope: string; startedAt: string; lastBatchAt: string; completedAt: string | null; batches: Integer }

export function ciRow(c: CiRecord): CiRow {
  return {
    id: c.id, label: labelOf(c.class),
    props: {
      id: c.id, class: c.class, name: c.name, environment: c.environment, tier: intOrNull(c.tier), owner: c.owner,
      lifecycle: c.lifecycle, attributes: JSON.stringify(c.attributes), identifiers: JSON.stringify(c.identifiers),
      version: int(c.version), validFrom: c.validFrom, validTo: c.validTo,
    },
  };
}

/** `data` is the same JSON as the SQLite store's ci_versions.data, so migrated and written history agree. */
export function ciVersionRow(c: CiRecord): CiVersionRow {
  return { ciId: c.id, version: int(c.version), validFrom: c.validFrom, validTo: c.validTo, data: ciVersionData(c) };
}

export function relationRow(r: RelationRecord): RelationRow {
  return {
    id: r.id, type: relTypeOf(r.type), from: r.from, to: r.to,
    props: {
      id: r.id, attributes: JSON.stringify(r.attributes), redundancy: r.redundancy ? JSON.stringify(r.redundancy) : null,
      provenance: JSON.stringify(r.provenance), observed: r.observed ? JSON.stringify(r.observed) : null,
      version: int(r.version), validFrom: r.validFrom, validTo: r.validTo,
    },
  };
}

export function relationVersionRow(r: RelationRecord): RelationVersionRow {
  return {
    relId: r.id, version: int(r.version), type: relTypeOf(r.type), fromId: r.from, toId: r.to,
    validFrom: r.validFrom, validTo: r.validTo, data: relationVersionData(r),
  };
}

export function assertionRow(a: StoredAssertion, kind: 'ci' | 'relation'): AssertionRow {
  return {
    targetId: a.targetId, source: a.source, scope: a.scope, kind, runId: a.runId,
    firstSeen: a.firstSeen, lastSeen: a.lastSeen, active: a.active, vals: JSON.stringify(a.values),
  };
}

export function runRow(r: RunRecord): RunRow {
  return { ...r, batches: int(r.batches) };
}

export function docRow(d: StoredDoc): Record<string, unknown> {
  return { kind: d.kind, id: d.id, createdAt: d.createdAt, updatedAt: d.updatedAt, data: JSON.stringify(d.data) };
}

export function entryRow(e: StoredEntry): Record<string, unknown> {
  return { recordId: e.recordId, id: e.id, at: e.at, kind: e.kind, data: JSON.stringify(e.data) };
}

/** Every statement's parameters for one plan, in the order they must run (versions close before new ones open). */
export interface WriteRows {
  closeCiVersions: string[];
  /** CIs the plan creates (CREATE) and the ones it says exist (MATCH, refused when missing), as SQLite's INSERT and UPDATE. */
  createCis: CiRow[];
  updateCis: CiRow[];
  ciVersions: CiVersionRow[];
  keys: { key: string; ciId: string }[];
  closeRelationVersions: string[];
  createRelations: RelationRow[];
  updateRelations: RelationRow[];
  relationVersions: RelationVersionRow[];
  assertions: AssertionRow[];
  run: RunRow;
  event: { at: string; source: string | null; changes: string } | null;
}

/** Mirrors the SQLite adapter's write loop action by action (server/store/sqlite/batch-tx.ts). */
export function writeRows(plan: WritePlan): WriteRows {
  const out: WriteRows = {
    closeCiVersions: [], createCis: [], updateCis: [], ciVersions: [], keys: plan.keys, closeRelationVersions: [], createRelations: [], updateRelations: [],
    relationVersions: [], assertions: [], run: runRow(plan.run),
    event: plan.event ? { at: plan.event.at, source: plan.event.source, changes: JSON.stringify(plan.event.changes) } : null,
  };
  for (const item of plan.cis) {
    const rec = item.record;
    if (item.action === 'create') {
      out.createCis.push(ciRow(rec));
      out.ciVersions.push(ciVersionRow(rec));
    } else if (item.action === 'update' || item.action === 'restore') {
      out.closeCiVersions.push(rec.id);
      out.updateCis.push(ciRow(rec));
      out.ciVersions.push(ciVersionRow(rec));
    } else if (item.action === 'retire') {
      out.closeCiVersions.push(rec.id);
      out.updateCis.push(ciRow(rec));
    }
    for (const a of item.assertions) out.assertions.push(assertionRow(a, 'ci'));
  }
  for (const item of plan.relations) {
    const rec = item.record;
    if (item.action === 'create') {
      out.createRelations.push(relationRow(rec));
      out.relationVersions.push(relationVersionRow(rec));
    } else if (item.action === 'update' || item.action === 'restore') {
      out.closeRelationVersions.push(rec.id);
      out.updateRelations.push(relationRow(rec));
      out.relationVersions.push(relationVersionRow(rec));
    } else if (item.action === 'retire') {
      out.closeRelationVersions.push(rec.id);
      out.updateRelations.push(relationRow(rec));
    } else if (item.touchOnly) {
      out.updateRelations.push(relationRow(rec));
    }
    for (const a of item.assertions) out.assertions.push(assertionRow(a, 'relation'));
  }
  return out;
}
