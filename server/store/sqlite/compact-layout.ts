import type Database from 'better-sqlite3';
import { inflateRawSync } from 'node:zlib';
import { deflateText, deflateTextAsync } from './deflate-text.ts';

/**
 * How the hot tables keep what every CI repeats (schema.sql, "Compact layout"), and the SQL functions that turn it
 * back into what readers have always seen. Readers never see the compact forms: the row mappers' SQL
 * (rows.ts) calls these functions, so an assertion still reads as ISO instants and a JSON `vals`.
 *
 * - Instants (of versions, rows, assertions, batches) are epoch milliseconds (6 bytes, not 24 characters). Every
 *   instant the store writes comes from `Date.toISOString()`, which reads back exactly; an instant a query is asked
 *   about is compared as the time it names (so `…:00Z` and `…:00.000Z` are the same instant).
 * - An assertion's `vals` that is exactly what its CI's or relation's row says for the keys it asserts is kept as
 *   the set of those keys (an integer bit mask, `CI_KEYS` / `RELATION_KEYS`) and rebuilt from the row when read.
 *   Every source of a CI with one active source (most of an estate) is such a case. Whether it holds is checked on
 *   the text itself when the assertion is written (the rebuilt text equals the JSON written, byte for byte), and
 *   before a row changes, every assertion derived from it gets its text back (batch-tx.ts, `materialiseVals`).
 * - A batch's targets (schema.sql, scope_batches) are deflated JSON.
 */

export const CI_KEYS = ['name', 'environment', 'tier', 'owner', 'attributes', 'identifiers'] as const;
export const RELATION_KEYS = ['provenance', 'attributes', 'redundancy', 'observed'] as const;

/** The text columns of a CI row that asserted CI values are rebuilt from. */
export interface CiValsRow { name: string; environment: string; tier: number | null; owner: string | null; attributes: string; identifiers: string }
/** ... and of a relation row (provenance: the row's JSON array; a sole source's value is its only element). */
export interface RelationValsRow { provenance: string; attributes: string; redundancy: string | null; observed: string | null }

const member = (out: string, key: string, json: string) => (out.length > 1 ? out + ',"' : out + '"') + key + '":' + json;

export function ciValsText(mask: number, r: CiValsRow): string {
  let s = '{';
  if (mask & 1) s = member(s, 'name', JSON.stringify(r.name));
  if (mask & 2) s = member(s, 'environment', JSON.stringify(r.environment));
  if (mask & 4) s = member(s, 'tier', String(JSON.stringify(r.tier)));
  if (mask & 8) s = member(s, 'owner', String(JSON.stringify(r.owner)));
  if (mask & 16) s = member(s, 'attributes', r.attributes);
  if (mask & 32) s = member(s, 'identifiers', r.identifiers);
  return s + '}';
}

export function relationValsText(mask: number, r: RelationValsRow): string {
  let s = '{';
  if (mask & 1) s = member(s, 'provenance', r.provenance.slice(1, -1));
  if (mask & 2) s = member(s, 'attributes', r.attributes);
  if (mask & 4) s = member(s, 'redundancy', String(r.redundancy));
  if (mask & 8) s = member(s, 'observed', String(r.observed));
  return s + '}';
}

/** The bit mask of `keys` in `order`, or null when one is not there. */
function maskOf(keys: string[], order: readonly string[]): number | null {
  let mask = 0;
  for (const k of keys) {
    const i = order.indexOf(k);
    if (i < 0) return null;
    mask |= 1 << i;
  }
  return mask;
}

/**
 * What to store in `vals` for values whose JSON is `json`: their key mask when the row rebuilds `json` exactly.
 * A bigint, so that SQLite keeps an integer (a JS number binds as a REAL, 8 bytes, which `vals` would keep as such).
 */
export function compactCiVals(json: string, values: Record<string, unknown>, row: CiValsRow): string | bigint {
  const mask = maskOf(Object.keys(values), CI_KEYS);
  return mask !== null && mask !== 0 && ciValsText(mask, row) === json ? BigInt(mask) : json;
}

export function compactRelationVals(json: string, values: Record<string, unknown>, row: RelationValsRow): string | bigint {
  const mask = maskOf(Object.keys(values), RELATION_KEYS);
  return mask !== null && mask !== 0 && relationValsText(mask, row) === json ? BigInt(mask) : json;
}

/** What an assertion's `vals` column takes and the JSON text it stands for (the digest is of that text). */
export interface AssertionVals { json: string; stored: string | bigint }

/** Whether two objects serialise alike because they hold the same values under the same keys in the same order. */
function sameMembers(a: unknown, b: Record<string, unknown>): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return false;
  const o = a as Record<string, unknown>;
  const ka = Object.keys(o), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || o[ka[i]] !== b[kb[i]]) return false;
  return true;
}

/**
 * The key mask of CI values that say exactly what `record` says for each of their keys, in CI_KEYS order, holding
 * the record's very values (its attributes and identifiers members by reference): then their JSON is the row's
 * text (ciValsText), byte for byte, and need not be made again. Else null. A source's values on a CI it alone
 * asserts (every CI of a first load) are such: the merge copies them, member by member, into the record.
 */
function ciMaskFromRecord(values: Record<string, unknown>, record: CiValsRecord): number | null {
  let mask = 0, last = -1;
  for (const k in values) {
    const i = (CI_KEYS as readonly string[]).indexOf(k);
    if (i <= last) return null;
    last = i;
    const v = values[k];
    const same = i < 4 ? v === record[k as 'name'] : sameMembers(v, record[k as 'attributes']);
    if (!same) return null;
    mask |= 1 << i;
  }
  return mask === 0 ? null : mask;
}
export interface CiValsRecord { name: string; environment: string; tier: number | null; owner: string | null; attributes: Record<string, unknown>; identifiers: Record<string, unknown> }

/**
 * `vals` of a CI assertion: when its values are the record's own (ciMaskFromRecord), their text is rebuilt from the
 * row's already serialised columns and kept as the mask; else they are serialised and compacted as ever.
 */
export function ciAssertionVals(values: Record<string, unknown>, record: CiValsRecord, row: CiValsRow): AssertionVals {
  const mask = ciMaskFromRecord(values, record);
  if (mask !== null) return { json: ciValsText(mask, row), stored: BigInt(mask) };
  const json = JSON.stringify(values);
  return { json, stored: compactCiVals(json, values, row) };
}

/** The same for a relation: its sole provenance, attributes and redundancy the record's own (observed is always copied). */
export function relationAssertionVals(values: Record<string, unknown>, record: RelationValsRecord, row: RelationValsRow): AssertionVals {
  let mask = 0, last = -1, same = true;
  for (const k in values) {
    const i = (RELATION_KEYS as readonly string[]).indexOf(k);
    if (i <= last || i === 3) { same = false; break; }
    last = i;
    const v = values[k];
    if (i === 0 ? !(record.provenance.length === 1 && record.provenance[0] === v) : i === 1 ? !sameMembers(v, record.attributes) : v !== record.redundancy) { same = false; break; }
    mask |= 1 << i;
  }
  if (same && mask !== 0) return { json: relationValsText(mask, row), stored: BigInt(mask) };
  const json = JSON.stringify(values);
  return { json, stored: compactRelationVals(json, values, row) };
}
export interface RelationValsRecord { provenance: readonly unknown[]; attributes: Record<string, unknown>; redundancy: unknown }

/**
 * Epoch milliseconds of an ISO instant as the store keeps it. A batch writes the same instant (its `now`) into every
 * row, version and assertion: the last one parsed is kept, so a 1,000-CI batch parses it once, not ~5,000 times.
 */
let lastIso = '';
let lastMs = 0;
export function msOf(iso: string): number {
  if (iso === lastIso) return lastMs;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an instant: ${iso}`);
  lastIso = iso;
  lastMs = ms;
  return ms;
}
/** The ISO text of a stored instant (text from a file not yet converted reads as it is). */
export const isoOf = (v: number | string): string => (typeof v === 'number' ? new Date(v).toISOString() : v);
export const isoOrNull = (v: number | string | null): string | null => (v === null ? null : isoOf(v));
export const msOrNull = (iso: string | null): number | null => (iso === null ? null : msOf(iso));

export const encodeTargets = (json: string): Buffer => deflateText(json);
/** The same on the thread pool (a 1,000-CI batch's targets take a few ms to deflate). */
export const encodeTargetsAsync = (json: string): Promise<Buffer> => deflateTextAsync(json);
export const decodeTargets = (v: Buffer | string): string => (typeof v === 'string' ? v : inflateRawSync(v).toString('utf8'));

/**
 * The functions the store's SQL calls, on every connection that reads or writes the hot tables (the store's two,
 * the migration export's). All deterministic: SQLite may call them once per distinct input.
 */
export function registerLayoutFunctions(db: Database.Database): void {
  const opts = { deterministic: true };
  db.function('sg_iso', opts, (v: unknown) => (v === null ? null : isoOf(v as number | string)));
  db.function('sg_ci_vals', opts, (mask: unknown, name: unknown, environment: unknown, tier: unknown, owner: unknown, attributes: unknown, identifiers: unknown) =>
    ciValsText(Number(mask), { name, environment, tier, owner, attributes, identifiers } as CiValsRow));
  db.function('sg_relation_vals', opts, (mask: unknown, provenance: unknown, attributes: unknown, redundancy: unknown, observed: unknown) =>
    relationValsText(Number(mask), { provenance, attributes, redundancy, observed } as RelationValsRow));
  // For converting files of the layout before (sqlite-store.ts, compactLayout).
  db.function('sg_ms', opts, (v: unknown) => (typeof v === 'string' ? msOf(v) : v));
  db.function('sg_deflate', opts, (v: unknown) => (typeof v === 'string' ? encodeTargets(v) : v));
  db.function('sg_compact_ci_vals', opts, (vals: unknown, name: unknown, environment: unknown, tier: unknown, owner: unknown, attributes: unknown, identifiers: unknown) =>
    typeof vals === 'string' ? compactCiVals(vals, JSON.parse(vals), { name, environment, tier, owner, attributes, identifiers } as CiValsRow) : vals);
  db.function('sg_compact_relation_vals', opts, (vals: unknown, provenance: unknown, attributes: unknown, redundancy: unknown, observed: unknown) =>
    typeof vals === 'string' ? compactRelationVals(vals, JSON.parse(vals), { provenance, attributes, redundancy, observed } as RelationValsRow) : vals);
}

/** An assertion's `vals` as JSON text, whichever way it is kept (`a`: the assertions table's alias). */
export const valsColumn = (a: string) => `CASE WHEN typeof(${a}.vals) <> 'integer' THEN ${a}.vals
  WHEN ${a}.kind = 'ci' THEN (SELECT sg_ci_vals(${a}.vals, c.name, c.environment, c.tier, c.owner, c.attributes, c.identifiers) FROM cis c WHERE c.id = ${a}.target_id)
  ELSE (SELECT sg_relation_vals(${a}.vals, r.provenance, r.attributes, r.redundancy, r.observed) FROM relations r WHERE r.id = ${a}.target_id) END`;
