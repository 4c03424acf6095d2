import type { CiRef, IngestBatch, IngestRelation } from '../../model/ingest.ts';
import type { Provenance } from '../../model/relations.ts';
import type { RelationRecord } from '../../model/records.ts';
import { identifierKeys, matchByRules, type BatchKeys, type IdentifierKey } from './identify.ts';
import { canonicalJson, winner } from './merge.ts';
import type { BatchProblem, ExistingRelation, RelationPlanItem, StoredAssertion } from './types.ts';
import type { PlanContext } from './plan-cis.ts';

export interface CiStatus { name: string; lifecycle: 'active' | 'retired' }

export const relationKey = (from: string, type: string, to: string) => `${from}|${type}|${to}`;

export interface RefResolver {
  /** CIs of the batch (by identifier key) and of the store. */
  localKeys: ReadonlyMap<string, string>;
  keyIndex: ReadonlyMap<string, string>;
  /** Name and lifecycle of every stored CI the references may point at. */
  status: ReadonlyMap<string, CiStatus>;
  /** Ids the batch itself creates or updates (always live). */
  batchIds: ReadonlySet<string>;
  /** Identifier keys of the batch's refused CIs, with each one's place (`cis.3`): a reference to one is refused too. */
  refused?: ReadonlyMap<string, string>;
}

/** Marks a match on a refused CI's key: no id starts so. */
const REFUSED = '\u0000refused:';

/** `known`: the reference's identifier keys, when the caller has them (identify.ts, batchKeys). */
export function resolveRef(ref: CiRef, r: RefResolver, known?: IdentifierKey[] | null): { id: string } | { problem: string; code: string } {
  if ('id' in ref) {
    const ci = r.status.get(ref.id);
    if (!ci && !r.batchIds.has(ref.id)) return { code: 'unknown_ci', problem: `no CI with id ${ref.id}` };
    if (ci && ci.lifecycle === 'retired' && !r.batchIds.has(ref.id)) return { code: 'retired_ci', problem: `CI ${ref.id} (${ci.name}) is retired` };
    return { id: ref.id };
  }
  const keys = known ?? identifierKeys(ref);
  if (keys.length === 0) return { code: 'unidentifiable', problem: `a ${ref.class} reference needs the values of one of its identifier rules` };
  // A refused CI of this batch stands before the store: its older self there is not what the sender meant.
  const refused = r.refused;
  const m = matchByRules(keys, refused?.size
    ? (k) => r.localKeys.get(k) ?? (refused.has(k) ? REFUSED + refused.get(k) : r.keyIndex.get(k))
    : (k) => r.localKeys.get(k) ?? r.keyIndex.get(k));
  if (m?.ciId.startsWith(REFUSED)) {
    return { code: 'refused_end', problem: `the ${ref.class} it names is ${m.ciId.slice(REFUSED.length)} of this batch, which was refused` };
  }
  if (!m) {
    const what = canonicalJson({ name: ref.name, environment: ref.environment, ...ref.identifiers });
    return { code: 'unknown_ci', problem: `no ${ref.class} identified by ${what} in this batch or the store` };
  }
  const ci = r.status.get(m.ciId);
  if (ci && ci.lifecycle === 'retired' && !r.batchIds.has(m.ciId)) return { code: 'retired_ci', problem: `${ref.class} ${ci.name} is retired` };
  return { id: m.ciId };
}

/** Resolve both ends of every relation; every unresolvable end is reported, none is guessed. */
export function resolveRelationEnds(batch: IngestBatch, r: RefResolver, keys?: BatchKeys['refs']): { ends: { from: string; to: string }[]; problems: BatchProblem[] } {
  const ends: { from: string; to: string }[] = [];
  const problems: BatchProblem[] = [];
  batch.relations.forEach((rel, i) => {
    const from = resolveRef(rel.from, r, keys?.[i].from);
    const to = resolveRef(rel.to, r, keys?.[i].to);
    if ('problem' in from) problems.push({ path: ['relations', i, 'from'], code: from.code, message: from.problem });
    if ('problem' in to) problems.push({ path: ['relations', i, 'to'], code: to.code, message: to.problem });
    if ('id' in from && 'id' in to) {
      if (from.id === to.id) problems.push({ path: ['relations', i], code: 'self_relation', message: 'a CI cannot relate to itself' });
      ends.push({ from: from.id, to: to.id });
    } else ends.push({ from: '', to: '' });
  });
  return { ends, problems };
}

export interface RelationValues {
  attributes?: Record<string, unknown>;
  redundancy?: { group: string; minUp: number | string };
  provenance: Provenance;
  observed?: { calls: number; errors: number; lastSeen: string };
}

function defaultProvenance(source: string, rel: IngestRelation): Provenance {
  if (rel.provenance) return rel.provenance;
  if (rel.observed) return 'observed';
  return source === 'manual' ? 'manual' : 'declared';
}

/** What a source asserts about a relation (observed traffic aside): exactly what its assertion stores. */
export function relationValues(source: string, rel: IngestRelation): RelationValues {
  const values: RelationValues = { provenance: defaultProvenance(source, rel) };
  if (rel.attributes) values.attributes = rel.attributes;
  if (rel.redundancy) values.redundancy = rel.redundancy;
  return values;
}

const versioned = (r: Pick<RelationRecord, 'attributes' | 'redundancy' | 'provenance'>) =>
  canonicalJson([r.attributes, r.redundancy, [...r.provenance].sort()]);

/** Merge the active assertions of one relation into its record fields. */
export function mergeRelation(assertions: StoredAssertion[]): Pick<RelationRecord, 'attributes' | 'redundancy' | 'provenance' | 'observed'> {
  // One source (every relation of a first load): its values as they are, without ranking candidates field by field.
  if (assertions.length === 1 && assertions[0].active) return mergeSole(assertions[0].values as unknown as RelationValues);
  const active = assertions.filter((a) => a.active).map((a) => ({ ...a, values: a.values as unknown as RelationValues }));
  const attributes: Record<string, unknown> = Object.create(null);
  const keys = new Set<string>();
  for (const a of active) for (const k of Object.keys(a.values.attributes ?? {})) keys.add(k);
  for (const k of [...keys].sort()) {
    attributes[k] = winner(active.filter((a) => a.values.attributes && Object.hasOwn(a.values.attributes, k)), 'relation', k)!.values.attributes![k];
  }
  const red = winner(active.filter((a) => a.values.redundancy), 'relation', 'redundancy')?.values.redundancy ?? null;
  const provenance = [...new Set(active.map((a) => a.values.provenance))].sort() as Provenance[];
  let observed: { calls: number; errors: number; lastSeen: string } | null = null;
  for (const a of active) {
    const o = a.values.observed;
    if (!o) continue;
    if (!observed) { observed = { ...o }; continue; }
    observed = { calls: observed.calls + o.calls, errors: observed.errors + o.errors, lastSeen: o.lastSeen > observed.lastSeen ? o.lastSeen : observed.lastSeen };
  }
  return { attributes: attributes as RelationRecord['attributes'], redundancy: red as RelationRecord['redundancy'], provenance, observed };
}

/** What mergeRelation makes of a sole active assertion (the only candidate wins every field). */
function mergeSole(v: RelationValues): Pick<RelationRecord, 'attributes' | 'redundancy' | 'provenance' | 'observed'> {
  const attributes: Record<string, unknown> = Object.create(null);
  if (v.attributes) for (const k of Object.keys(v.attributes).sort()) attributes[k] = v.attributes[k];
  return {
    attributes: attributes as RelationRecord['attributes'], redundancy: (v.redundancy || null) as RelationRecord['redundancy'],
    provenance: [v.provenance], observed: v.observed ? { ...v.observed } : null,
  };
}

export function planRelations(
  batch: IngestBatch,
  ends: { from: string; to: string }[],
  existing: ReadonlyMap<string, ExistingRelation>,
  ctx: PlanContext,
  /** Batch indexes already settled as re-sightings (see sighting.ts): nothing to plan for them. */
  resighted: ReadonlyMap<number, string> = new Map(),
): RelationPlanItem[] {
  const items = new Map<string, RelationPlanItem>();
  batch.relations.forEach((rel, index) => {
    if (resighted.has(index)) return;
    const { from, to } = ends[index];
    const key = relationKey(from, rel.type, to);
    const values = relationValues(batch.source, rel);
    let item = items.get(key);
    const prev = existing.get(key);
    if (!item) {
      const id = prev?.record.id ?? ctx.newId();
      const prior = prev?.assertions.find((a) => a.source === batch.source && a.scope === batch.scope);
      const mine: StoredAssertion = {
        targetId: id, source: batch.source, scope: batch.scope, runId: ctx.runId,
        firstSeen: prior?.firstSeen ?? ctx.now, lastSeen: ctx.now, active: true,
        values: { ...values, ...(prior?.active && (prior.values as unknown as RelationValues).observed ? { observed: (prior.values as unknown as RelationValues).observed } : {}) },
      };
      item = {
        index, action: prev ? 'unchanged' : 'create',
        record: prev?.record ?? ({ id, type: rel.type, from, to } as RelationRecord), previous: prev?.record ?? null,
        assertions: [mine, ...(prev?.assertions.filter((a) => a !== prior) ?? [])], touchOnly: false,
      };
      items.set(key, item);
    } else {
      const mine = item.assertions[0];
      mine.values = { ...mine.values, ...values };
    }
    if (rel.observed) {
      const mine = item.assertions[0];
      const o = (mine.values as unknown as RelationValues).observed;
      const seen: string = rel.observed.lastSeen ? new Date(rel.observed.lastSeen).toISOString() : ctx.now;
      mine.values.observed = o
        ? { calls: o.calls + rel.observed.calls, errors: o.errors + rel.observed.errors, lastSeen: seen > o.lastSeen ? seen : o.lastSeen }
        : { calls: rel.observed.calls, errors: rel.observed.errors, lastSeen: seen };
    }
  });

  for (const item of items.values()) {
    const merged = mergeRelation(item.assertions);
    const prev = item.previous;
    const wasRetired = !!prev && prev.validTo !== null;
    const changed = !prev || wasRetired || versioned(prev) !== versioned(merged);
    if (!changed) {
      item.touchOnly = canonicalJson(prev!.observed) !== canonicalJson(merged.observed);
      if (item.touchOnly) item.record = { ...prev!, observed: merged.observed };
      continue;
    }
    if (prev) item.action = wasRetired ? 'restore' : 'update';
    item.record = {
      id: item.record.id, type: item.record.type, from: item.record.from, to: item.record.to,
      ...merged, version: (prev?.version ?? 0) + 1, validFrom: ctx.now, validTo: null,
    };
  }
  return [...items.values()];
}
