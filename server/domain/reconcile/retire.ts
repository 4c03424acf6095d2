import type { CiRecord, RelationRecord } from '../../model/records.ts';
import { canonicalJson, mergeCi, type AssertedCiValues } from './merge.ts';
import { mergeRelation } from './plan-relations.ts';
import type { BatchProblem, CiPlanItem, ExistingCi, ExistingRelation, RelationPlanItem, StoredAssertion } from './types.ts';

export interface ScopeAssertion { targetId: string; kind: 'ci' | 'relation'; runId: string; lastSeen: string }

/**
 * What a stale sweep drops: the assertions of a source that never completes a run (live traffic) whose
 * last sighting is older than `before`. They are retired as a completing run would retire them.
 */
export function selectStale(scopeActive: ScopeAssertion[], before: string): ScopeAssertion[] {
  return scopeActive.filter((a) => a.lastSeen < before);
}

/**
 * What a completing run drops: everything its source asserted in its scope under an earlier run
 * and did not assert again in this one (Cartography's update-tag cleanup, minus the deleting).
 */
export function selectLosing(scopeActive: ScopeAssertion[], assertedNow: ReadonlySet<string>, runId: string) {
  const losing = scopeActive.filter((a) => a.runId !== runId && !assertedNow.has(a.targetId));
  const total = new Set([...scopeActive.map((a) => a.targetId), ...assertedNow]).size;
  return { losing, total };
}

/**
 * Backstage's removal guard: a completing run that would drop more than `maxShare` of its scope,
 * or all of it, is refused unless forced. Partial syncs must never wipe an estate.
 */
export function guardRetirement(losing: number, total: number, maxShare: number, force: boolean): BatchProblem | null {
  if (force || losing === 0) return null;
  const share = total === 0 ? 1 : losing / total;
  if (share > maxShare || losing === total) {
    return {
      path: ['complete'], code: 'removal_guard',
      message: `completing this run would drop ${losing} of ${total} items (${Math.round(share * 100)}%) from the scope, more than the ${Math.round(maxShare * 100)}% allowed; resend with "force": true if that is intended`,
    };
  }
  return null;
}

function deactivate(assertions: StoredAssertion[], source: string, scope: string): StoredAssertion[] {
  return assertions.map((a) => (a.source === source && a.scope === scope && a.active ? { ...a, active: false } : a));
}

/** Drop this source's assertion from each CI; retire those no source asserts any more. */
export function retireCis(cis: ExistingCi[], source: string, scope: string, now: string): CiPlanItem[] {
  return cis.map((ci) => {
    const assertions = deactivate(ci.assertions, source, scope);
    const changedAssertions = assertions.filter((a, i) => a !== ci.assertions[i]);
    const prev = ci.record;
    if (!assertions.some((a) => a.active)) {
      const record: CiRecord = { ...prev, lifecycle: 'retired', validTo: now };
      return { index: -1, action: 'retire', matchedBy: null, record, previous: prev, assertions: changedAssertions, newKeys: [] };
    }
    const merged = mergeCi(prev.class, assertions.map((a) => ({ ...a, values: a.values as AssertedCiValues })), prev);
    const same = canonicalJson([prev.name, prev.environment, prev.tier, prev.owner, prev.attributes, prev.identifiers])
      === canonicalJson([merged.name, merged.environment, merged.tier, merged.owner, merged.attributes, merged.identifiers]);
    const record: CiRecord = same ? prev : { ...prev, ...merged, version: prev.version + 1, validFrom: now, validTo: null };
    return { index: -1, action: same ? 'unchanged' : 'update', matchedBy: null, record, previous: prev, assertions: changedAssertions, newKeys: [] };
  });
}

/**
 * Drop this source's assertion from each relation (when given) and retire relations that no source
 * asserts any more or that touch a retired CI: an edge to nothing is no edge.
 */
export function retireRelations(rels: ExistingRelation[], source: string | null, scope: string | null, retiredCis: ReadonlySet<string>, now: string): RelationPlanItem[] {
  return rels.map((rel) => {
    const prev = rel.record;
    const dangling = retiredCis.has(prev.from) || retiredCis.has(prev.to);
    let assertions = source !== null && scope !== null ? deactivate(rel.assertions, source, scope) : rel.assertions;
    if (dangling) assertions = assertions.map((a) => (a.active ? { ...a, active: false } : a));
    const changedAssertions = assertions.filter((a, i) => a !== rel.assertions[i]);
    if (!assertions.some((a) => a.active)) {
      const record: RelationRecord = { ...prev, validTo: now };
      return { index: -1, action: 'retire', record, previous: prev, assertions: changedAssertions, touchOnly: false };
    }
    const merged = mergeRelation(assertions);
    const same = canonicalJson([prev.attributes, prev.redundancy, prev.provenance]) === canonicalJson([merged.attributes, merged.redundancy, merged.provenance]);
    const record: RelationRecord = same ? { ...prev, observed: merged.observed } : { ...prev, ...merged, version: prev.version + 1, validFrom: now, validTo: null };
    return { index: -1, action: same ? 'unchanged' : 'update', record, previous: prev, assertions: changedAssertions, touchOnly: same };
  });
}
