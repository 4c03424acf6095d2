import { createHash, hash } from 'node:crypto';
import type { IngestBatch } from '../../model/ingest.ts';
import { identifierKeys, type IdentifierKey } from './identify.ts';
import { assertedValues } from './plan-cis.ts';
import { relationKey, relationValues } from './plan-relations.ts';

/**
 * A collector's steady state is re-asserting the same estate every few minutes. An item it asserts exactly as
 * its last assertion said, on a CI or relation that no other source asserts, cannot change anything but that
 * assertion's run and last sighting: the merged record is a function of the active assertions' values (and,
 * between sources of equal precedence, of which was seen last, which is why a second active source rules it
 * out). Such re-sightings skip loading and merging, and write only the sighting.
 */

/** One stored assertion as the re-sighting check reads it: no values, only their digest. */
export interface AssertionDigest { source: string; scope: string; active: boolean; digest: string | null }

/**
 * Digest of what a source asserted, as stored beside the assertion. Observed traffic counters are left out:
 * they accumulate, and a batch that carries them is never a plain re-sighting. `valuesJson`: `values` already
 * serialised, when the caller has it.
 */
export function assertionDigest(values: Record<string, unknown>, valuesJson?: string): string {
  let json: string;
  if ('observed' in values) {
    const { observed: _observed, ...rest } = values;
    json = JSON.stringify(rest);
  } else json = valuesJson ?? JSON.stringify(values);
  // One-shot: a Hash object per assertion cost twice as much (a first load digests every assertion it writes).
  return hash('sha1', json, 'base64url').slice(0, 16);
}

/** Whether `source`/`scope`'s assertion is the only active one and says exactly `digest`. */
function soleAndSame(assertions: readonly AssertionDigest[] | undefined, source: string, scope: string, digest: string): boolean {
  if (!assertions) return false;
  let mine = false;
  for (const a of assertions) {
    if (!a.active) continue;
    if (a.source !== source || a.scope !== scope || a.digest !== digest) return false;
    mine = true;
  }
  return mine;
}

/**
 * Batch CIs that are re-sightings: batch index → CI id. Only items that identify with a stored CI by their
 * strongest key, all of whose keys are already indexed, and that no other item of the batch can reach
 * through any of its keys (two items of one CI merge, which is not a re-sighting).
 */
export function ciResightings(
  batch: IngestBatch, keyIndex: ReadonlyMap<string, string>, stored: ReadonlyMap<string, readonly AssertionDigest[]>,
  /** Each item's identifier keys, when the caller has them (identify.ts, batchKeys). */
  keysOf?: readonly IdentifierKey[][],
): Map<number, string> {
  // Only a CI with stored assertions can be re-sighted: none at all (a first load) settles every item at once.
  if (stored.size === 0) return new Map();
  const reachedBy = new Map<string, number>();
  const candidate: (string | undefined)[] = [];
  batch.cis.forEach((ci, i) => {
    const keys = keysOf ? keysOf[i] : identifierKeys(ci);
    const hit = new Set<string>();
    let allKnown = keys.length > 0;
    for (const k of keys) {
      const id = keyIndex.get(k.key);
      if (id === undefined) allKnown = false; else hit.add(id);
    }
    for (const id of hit) reachedBy.set(id, (reachedBy.get(id) ?? 0) + 1);
    // The first key decides the match whatever else the batch creates (a key the index knows is never a batch-local one).
    if (allKnown) candidate[i] = keyIndex.get(keys[0].key);
  });
  const out = new Map<number, string>();
  batch.cis.forEach((ci, i) => {
    const id = candidate[i];
    if (id === undefined || reachedBy.get(id) !== 1) return;
    if (soleAndSame(stored.get(id), batch.source, batch.scope, assertionDigest(assertedValues(ci) as Record<string, unknown>))) out.set(i, id);
  });
  return out;
}

/** A stored relation as the re-sighting check reads it. */
export interface RelationDigest { id: string; live: boolean; assertions: AssertionDigest[] }

/**
 * Batch relations that are re-sightings: batch index → relation id. A relation carrying observed traffic is
 * never one (its counters add up), nor one the batch names twice.
 */
export function relationResightings(
  batch: IngestBatch, ends: readonly { from: string; to: string }[], stored: ReadonlyMap<string, RelationDigest>,
): Map<number, string> {
  if (stored.size === 0) return new Map();
  const count = new Map<string, number>();
  const keys = batch.relations.map((r, i) => {
    const key = relationKey(ends[i].from, r.type, ends[i].to);
    count.set(key, (count.get(key) ?? 0) + 1);
    return key;
  });
  const out = new Map<number, string>();
  batch.relations.forEach((rel, i) => {
    if (rel.observed || count.get(keys[i]) !== 1) return;
    const s = stored.get(keys[i]);
    if (!s || !s.live) return;
    if (soleAndSame(s.assertions, batch.source, batch.scope, assertionDigest(relationValues(batch.source, rel) as unknown as Record<string, unknown>))) out.set(i, s.id);
  });
  return out;
}

/**
 * Batch-level re-sightings. A collector re-asserting its estate sends the same batches run after run. When a
 * batch's content (everything but its run, completion and force flags) is exactly what this source sent in
 * this scope before, and nothing has written any assertion of the CIs and relations that batch asserted since
 * (each carried this source's sole active assertion then), applying it again changes nothing but those
 * assertions' run and last sighting: identifier keys are never remapped, so its items identify with the same
 * targets, and the merged records are functions of the unchanged sole assertions. Such a batch is recognised by
 * one lookup, without identifying or digesting its items one by one, and its sighting is kept once for the
 * batch: a store remembers, per batch, the run and instant it was last recognised, and every assertion it made
 * reads them as its own until something else writes it (the embedded store: scope_batches, store/sqlite/README.md).
 */
export interface BatchSightingKey {
  source: string;
  scope: string;
  /** Which batch of the scope this is: its first item's strongest identity (collectors keep their batches in order). */
  anchor: string;
  /** Digest of the batch's content. */
  digest: string;
}

/** The targets a batch asserted, each once. */
export interface BatchTargets { cis: string[]; relations: string[] }

/**
 * The key a batch is remembered under, or null for one that never qualifies (empty, observed traffic, unidentifiable
 * first item). `contentDigest`: its content's digest from the bytes its sender encoded (rawContentDigest), when the
 * caller has them; else one is made from the parsed content. The two never coincide (each names its kind), so
 * either way equal digests mean equal content.
 */
export function batchSightingKey(batch: IngestBatch, contentDigest?: string): BatchSightingKey | null {
  if (batch.relations.some((r) => r.observed)) return null;
  const end = (ref: IngestBatch['relations'][number]['from']) => ('id' in ref ? ref.id : identifierKeys(ref)[0]?.key);
  let anchor: string | undefined;
  if (batch.cis.length) anchor = identifierKeys(batch.cis[0])[0]?.key;
  else if (batch.relations.length) {
    const r = batch.relations[0];
    const from = end(r.from), to = end(r.to);
    anchor = from !== undefined && to !== undefined ? relationKey(from, r.type, to) : undefined;
  }
  if (anchor === undefined) return null;
  const digest = contentDigest ?? 'v:' + createHash('sha1').update(JSON.stringify([batch.cis, batch.relations])).digest('base64url');
  return { source: batch.source, scope: batch.scope, anchor, digest };
}

/**
 * Digest of a batch's content as sent: the bytes of its `cis` and `relations` values in the request (null: the
 * member is absent). The same bytes parse to the same batch, so content recognised by this digest was validated
 * when first seen; it names its kind ('b:') apart from the parsed-content digest of batchSightingKey.
 */
export function rawContentDigest(cis: Uint8Array | null, relations: Uint8Array | null): string {
  const h = createHash('sha1');
  // Each part prefixed by its length (-1: absent), so no two pairs of parts hash the same bytes.
  for (const part of [cis, relations]) {
    h.update(`${part ? part.length : -1}:`);
    if (part) h.update(part);
  }
  return 'b:' + h.digest('base64url');
}
