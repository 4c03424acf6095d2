import { classDef } from '../../model/classes.ts';
import type { IngestBatch, IngestCi } from '../../model/ingest.ts';
import type { CiRecord } from '../../model/records.ts';
import { canonicalJson, mergeCi, type AssertedCiValues, type MergedCi } from './merge.ts';
import { DEFAULT_ENVIRONMENT, identifierKeys, matchByRules, type IdentifierKey } from './identify.ts';
import type { CiPlanItem, ExistingCi, StoredAssertion } from './types.ts';

export interface CiLookup {
  /** Identifier key → CI id, for every key of the batch that the store knows. */
  keyIndex: ReadonlyMap<string, string>;
  /** Current state of every CI the batch's keys or id references point at. */
  cis: ReadonlyMap<string, ExistingCi>;
}

/** Batch item `index` identified as the same CI as the earlier item `sameAs`: merged into it. */
export interface BatchDuplicate { index: number; sameAs: number }

export interface PlanContext {
  now: string;
  runId: string;
  newId: () => string;
}

export function assertedValues(ci: IngestCi): AssertedCiValues {
  const v: AssertedCiValues = { name: ci.name };
  if (ci.environment !== undefined) v.environment = ci.environment;
  if (ci.tier !== undefined) v.tier = ci.tier;
  if (ci.owner !== undefined) v.owner = ci.owner;
  if (ci.attributes !== undefined) v.attributes = ci.attributes;
  if (ci.identifiers !== undefined) v.identifiers = ci.identifiers;
  return v;
}

const versionedFields = (r: CiRecord | MergedCi & { lifecycle?: string }) =>
  canonicalJson([r.name, r.environment, r.tier, r.owner, r.attributes, r.identifiers]);

/**
 * Whether the item and a CI it would match by some rule hold different values for one of its class's distinct
 * rules (a cloud instance id): then they are two things that share an address or a name, not one.
 */
export function distinctFrom(item: IngestCi, candidate: Readonly<Record<string, string>> | undefined): boolean {
  if (!candidate) return false;
  for (const rule of classDef(item.class).distinctRules) {
    if (rule.every((f) => item.identifiers?.[f] && candidate[f]) && rule.some((f) => item.identifiers![f] !== candidate[f])) return true;
  }
  return false;
}

/** Resolve every batch CI to an existing or new CI and compute its merged record. */
export function planCis(
  batch: IngestBatch, lookup: CiLookup, ctx: PlanContext,
  /** Batch indexes already settled as re-sightings of these CIs (see sighting.ts): nothing to plan for them. */
  resighted: ReadonlyMap<number, string> = new Map(),
  /** Each item's identifier keys, when the caller has them (identify.ts, batchKeys). */
  keysOf: readonly IdentifierKey[][] = batch.cis.map(identifierKeys),
): { items: CiPlanItem[]; byIndex: string[]; localKeys: Map<string, string>; duplicates: BatchDuplicate[] } {
  const items = new Map<string, CiPlanItem>();
  const localKeys = new Map<string, string>();
  const byIndex: string[] = [];
  const duplicates: BatchDuplicate[] = [];
  const resightedAt = new Map<string, number>();
  const find = (key: string) => localKeys.get(key) ?? lookup.keyIndex.get(key);
  // What a candidate CI is known by: this batch's statement of it, else the store's record.
  const identifiersOf = (id: string) =>
    (items.get(id)?.assertions[0].values.identifiers as Record<string, string> | undefined) ?? lookup.cis.get(id)?.record.identifiers;

  batch.cis.forEach((ci, index) => {
    const seen = resighted.get(index);
    if (seen !== undefined) {
      const first = resightedAt.get(seen);
      if (first !== undefined) duplicates.push({ index, sameAs: first }); else resightedAt.set(seen, index);
      byIndex[index] = seen;
      return;
    }
    const keys = keysOf[index];
    const match = matchByRules(keys, (key) => {
      const id = find(key);
      return id !== undefined && !distinctFrom(ci, identifiersOf(id)) ? id : undefined;
    });
    const values = assertedValues(ci);
    let item = match ? items.get(match.ciId) : undefined;
    if (item) {
      // The same CI twice in one batch: the later statement of this source wins, and the reply says so.
      duplicates.push({ index, sameAs: item.index });
      const mine = item.assertions[0];
      mine.values = { ...mine.values, ...values, attributes: { ...(mine.values.attributes as object), ...(values.attributes ?? {}) } };
    } else if (match && lookup.cis.has(match.ciId)) {
      const existing = lookup.cis.get(match.ciId)!;
      const prior = existing.assertions.find((a) => a.source === batch.source && a.scope === batch.scope);
      const mine: StoredAssertion = {
        targetId: existing.record.id, source: batch.source, scope: batch.scope, runId: ctx.runId,
        firstSeen: prior?.firstSeen ?? ctx.now, lastSeen: ctx.now, active: true, values: { ...values },
      };
      item = {
        index, action: 'unchanged', matchedBy: match.rule, record: existing.record, previous: existing.record,
        assertions: [mine, ...existing.assertions.filter((a) => a !== prior)], newKeys: [],
      };
      items.set(existing.record.id, item);
    } else {
      const id = ctx.newId();
      const mine: StoredAssertion = {
        targetId: id, source: batch.source, scope: batch.scope, runId: ctx.runId,
        firstSeen: ctx.now, lastSeen: ctx.now, active: true, values: { ...values },
      };
      item = { index, action: 'create', matchedBy: null, record: null as unknown as CiRecord, previous: null, assertions: [mine], newKeys: [] };
      items.set(id, item);
    }
    const id = item.assertions[0].targetId;
    byIndex[index] = id;
    for (const k of keys) {
      // A key already owned by another CI stays with it: identifiers never silently move between CIs.
      if (find(k.key) === undefined) { localKeys.set(k.key, id); item.newKeys.push(k.key); }
    }
  });

  for (const [id, item] of items) {
    const cls = item.previous?.class ?? batch.cis[item.index].class;
    const fallback: MergedCi = item.previous
      ? { name: item.previous.name, environment: item.previous.environment, tier: item.previous.tier, owner: item.previous.owner, attributes: item.previous.attributes, identifiers: item.previous.identifiers }
      : { name: batch.cis[item.index].name, environment: DEFAULT_ENVIRONMENT, tier: null, owner: null, attributes: {}, identifiers: {} };
    const merged = mergeCi(cls, item.assertions.map((a) => ({ ...a, values: a.values as AssertedCiValues })), fallback);
    if (merged.environment === undefined) merged.environment = DEFAULT_ENVIRONMENT;
    const prev = item.previous;
    const wasRetired = prev?.lifecycle === 'retired';
    const changed = !prev || wasRetired || versionedFields(prev) !== versionedFields(merged);
    if (prev && !changed) { item.action = 'unchanged'; continue; }
    if (prev) item.action = wasRetired ? 'restore' : 'update';
    item.record = {
      id, class: cls, ...merged, lifecycle: 'active',
      version: (prev?.version ?? 0) + 1, validFrom: ctx.now, validTo: null,
    };
  }
  return { items: [...items.values()], byIndex, localKeys, duplicates };
}
