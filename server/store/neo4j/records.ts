import neo4j from 'neo4j-driver';
import type { CiRecord, RelationRecord, SourceAssertion } from '../../model/records.ts';
import type { StoredAssertion } from '../../domain/reconcile/types.ts';
import type { RunRecord, StoredDoc, StoredEntry, TopologyCi, TopologyRelation } from '../port.ts';
import { relationNote } from '../../domain/graph-view/neighbourhood.ts';

/**
 * Node and relationship property maps back to the port's records. Neo4j has no null properties and no
 * map properties: an absent property reads as null, and nested values are stored as JSON strings.
 */
type Props = Record<string, unknown>;

/** The driver is configured with disableLosslessIntegers, but a stray Integer must never leak out. */
export const num = (v: unknown): number => (neo4j.isInt(v) ? (v as { toNumber(): number }).toNumber() : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const json = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : fallback);

export function ciFromProps(p: Props): CiRecord {
  return {
    id: str(p.id), class: str(p.class), name: str(p.name), environment: str(p.environment),
    tier: numOrNull(p.tier), owner: strOrNull(p.owner), lifecycle: str(p.lifecycle) as CiRecord['lifecycle'],
    attributes: json(p.attributes, {}), identifiers: json(p.identifiers, {}),
    version: num(p.version), validFrom: str(p.validFrom), validTo: strOrNull(p.validTo),
  };
}

/** A CIVersion node: the versioned fields are its `data` JSON, as in the SQLite store's ci_versions. */
export function ciFromVersion(p: Props): CiRecord {
  const d = json<Omit<CiRecord, 'id' | 'version' | 'validFrom' | 'validTo'>>(p.data, {} as never);
  return { id: str(p.ciId), ...d, version: num(p.version), validFrom: str(p.validFrom), validTo: strOrNull(p.validTo) };
}

/** A relationship projected as `r {.*, type, from, to}`. */
export function relationFromProps(p: Props): RelationRecord {
  return {
    id: str(p.id), type: str(p.type), from: str(p.from), to: str(p.to),
    attributes: json(p.attributes, {}), redundancy: json(p.redundancy, null), provenance: json(p.provenance, []),
    observed: json(p.observed, null), version: num(p.version), validFrom: str(p.validFrom), validTo: strOrNull(p.validTo),
  };
}

/** A RelationVersion node; observed counters are not versioned (as in the SQLite store). */
export function relationFromVersion(p: Props): RelationRecord {
  const d = json<Pick<RelationRecord, 'attributes' | 'redundancy' | 'provenance'>>(p.data, {} as never);
  return {
    id: str(p.relId), type: str(p.type), from: str(p.fromId), to: str(p.toId), ...d, observed: null,
    version: num(p.version), validFrom: str(p.validFrom), validTo: strOrNull(p.validTo),
  };
}

export function assertionFromProps(p: Props): StoredAssertion {
  return {
    targetId: str(p.targetId), source: str(p.source), scope: str(p.scope), runId: str(p.runId),
    firstSeen: str(p.firstSeen), lastSeen: str(p.lastSeen), active: p.active === true, values: json(p.vals, {}),
  };
}

export function sourceFromAssertion(a: StoredAssertion): SourceAssertion {
  return {
    source: a.source, scope: a.scope, runId: a.runId, firstSeen: a.firstSeen, lastSeen: a.lastSeen, active: a.active,
    values: a.values as SourceAssertion['values'],
  };
}

export function runFromProps(p: Props): RunRecord {
  return {
    runId: str(p.runId), source: str(p.source), scope: str(p.scope), startedAt: str(p.startedAt),
    lastBatchAt: str(p.lastBatchAt), completedAt: strOrNull(p.completedAt), batches: num(p.batches),
  };
}

export function docFromProps<T>(p: Props): StoredDoc<T> {
  return { kind: str(p.kind), id: str(p.id), createdAt: str(p.createdAt), updatedAt: str(p.updatedAt), data: json(p.data, null as T) };
}

export function entryFromProps<T>(p: Props): StoredEntry<T> {
  return { recordId: str(p.recordId), id: str(p.id), at: str(p.at), kind: str(p.kind), data: json(p.data, null as T) };
}

export function topologyCiFromRow(r: Props): TopologyCi {
  return {
    id: str(r.id), class: str(r.class), name: str(r.name), environment: str(r.environment), tier: numOrNull(r.tier),
    owner: strOrNull(r.owner), attributes: json(r.attributes, {}),
  };
}

export function topologyCiFromVersion(p: Props): TopologyCi | null {
  const c = ciFromVersion(p);
  if (c.lifecycle !== 'active') return null;
  return { id: c.id, class: c.class, name: c.name, environment: c.environment, tier: c.tier, owner: c.owner, attributes: c.attributes };
}

export function topologyRelationFromRow(from: string, r: Props): TopologyRelation {
  const note = relationNote(json<Record<string, unknown>>(r.attributes, {}));
  return {
    id: str(r.id), type: str(r.type), from, to: str(r.to), redundancy: json(r.redundancy, null), provenance: json(r.provenance, []),
    observed: json(r.observed, null), ...(note !== undefined ? { note } : {}),
  };
}

export function topologyRelationFromVersion(p: Props): TopologyRelation {
  const rel = relationFromVersion(p);
  const note = relationNote(rel.attributes);
  return { id: rel.id, type: rel.type, from: rel.from, to: rel.to, redundancy: rel.redundancy ?? null, provenance: rel.provenance, observed: null, ...(note !== undefined ? { note } : {}) };
}
