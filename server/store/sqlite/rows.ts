import type { CiRecord, RelationRecord } from '../../model/records.ts';
import type { StoredAssertion } from '../../domain/reconcile/types.ts';
import { isoOf, isoOrNull, valsColumn } from './compact-layout.ts';

export interface CiRow {
  id: string; class: string; name: string; environment: string; tier: number | null; owner: string | null;
  lifecycle: string; attributes: string; identifiers: string; version: number; valid_from: number; valid_to: number | null;
}
export interface RelationRow {
  id: string; type: string; from_id: string; to_id: string; attributes: string; redundancy: string | null;
  provenance: string; observed: string | null; version: number; valid_from: number; valid_to: number | null;
}
export interface AssertionRow {
  target_id: string; source: string; scope: string; kind: string; run_id: string;
  first_seen: string; last_seen: string; active: number; vals: string;
}

/**
 * An assertion's run and last sighting as every reader must see them: those of the batch it points at
 * (scope_batches, through `sighting`), else its own. `a`: the assertions table's alias; the batch is joined as
 * `sb` by SIGHTING_JOIN. Yields the columns `run_id` and `last_seen` (ISO text). A row pointing at a batch keeps
 * no run or sighting of its own ('' and 0: no bytes), since none is read.
 */
export const effectiveSighting = (a: string) =>
  `CASE WHEN sb.id IS NULL THEN ${a}.run_id ELSE sb.run_id END AS run_id, sg_iso(CASE WHEN sb.id IS NULL THEN ${a}.last_seen ELSE sb.last_seen END) AS last_seen`;
export const SIGHTING_JOIN = (a: string) => `LEFT JOIN scope_batches sb ON sb.id = ${a}.sighting`;
/**
 * Every column of an assertion as AssertionRow has it, run and last sighting effective, instants and values as text
 * however they are kept (compact-layout.ts).
 */
export const assertionColumns = (a: string) =>
  `${a}.target_id, ${a}.source, ${a}.scope, ${a}.kind, ${effectiveSighting(a)}, sg_iso(${a}.first_seen) AS first_seen, ${a}.active, ${valsColumn(a)} AS vals`;

export const ciFromRow = (r: CiRow): CiRecord => ({
  id: r.id, class: r.class, name: r.name, environment: r.environment, tier: r.tier, owner: r.owner,
  lifecycle: r.lifecycle as CiRecord['lifecycle'], attributes: JSON.parse(r.attributes), identifiers: JSON.parse(r.identifiers),
  version: r.version, validFrom: isoOf(r.valid_from), validTo: isoOrNull(r.valid_to),
});

export const relationFromRow = (r: RelationRow): RelationRecord => ({
  id: r.id, type: r.type, from: r.from_id, to: r.to_id, attributes: JSON.parse(r.attributes),
  redundancy: r.redundancy ? JSON.parse(r.redundancy) : null, provenance: JSON.parse(r.provenance),
  observed: r.observed ? JSON.parse(r.observed) : null, version: r.version, validFrom: isoOf(r.valid_from), validTo: isoOrNull(r.valid_to),
});

export const assertionFromRow = (r: AssertionRow): StoredAssertion => ({
  targetId: r.target_id, source: r.source, scope: r.scope, runId: r.run_id, firstSeen: r.first_seen,
  lastSeen: r.last_seen, active: r.active === 1, values: JSON.parse(r.vals),
});

/**
 * The JSON columns of a record, serialised once: the row and its version carry the same attributes
 * and identifiers, and stringifying them twice was a visible share of writing a batch.
 */
export interface CiJson { attributes: string; identifiers: string }
export const ciJson = (c: CiRecord): CiJson => ({ attributes: JSON.stringify(c.attributes), identifiers: JSON.stringify(c.identifiers) });

/** Exactly `ciVersionData(c)`, reusing the serialised attributes and identifiers. */
export const ciVersionJson = (c: CiRecord, j: CiJson) =>
  JSON.stringify({ class: c.class, name: c.name, environment: c.environment, tier: c.tier, owner: c.owner, lifecycle: c.lifecycle }).slice(0, -1)
  + ',"attributes":' + j.attributes + ',"identifiers":' + j.identifiers + '}';

export interface RelationJson { attributes: string; redundancy: string | null; provenance: string; observed: string | null }
export const relationJson = (r: RelationRecord): RelationJson => ({
  attributes: JSON.stringify(r.attributes), redundancy: r.redundancy ? JSON.stringify(r.redundancy) : null,
  provenance: JSON.stringify(r.provenance), observed: r.observed ? JSON.stringify(r.observed) : null,
});

/** Exactly `relationVersionData(r)`, from the serialised columns. */
export const relationVersionJson = (j: RelationJson) =>
  '{"attributes":' + j.attributes + ',"redundancy":' + (j.redundancy ?? 'null') + ',"provenance":' + j.provenance + '}';

/** The versioned part of a CI, as kept in ci_versions.data. */
export const ciVersionData = (c: CiRecord) => JSON.stringify({
  class: c.class, name: c.name, environment: c.environment, tier: c.tier, owner: c.owner,
  lifecycle: c.lifecycle, attributes: c.attributes, identifiers: c.identifiers,
});

export const relationVersionData = (r: RelationRecord) => JSON.stringify({
  attributes: r.attributes, redundancy: r.redundancy, provenance: r.provenance,
});

/** Split into chunks that stay under SQLite's bound-parameter limit. */
export function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const placeholders = (n: number) => new Array(n).fill('?').join(',');
