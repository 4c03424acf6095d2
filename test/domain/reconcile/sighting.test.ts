import { describe, it, expect } from 'vitest';
import { IngestBatch, type IngestBatchInput } from '../../../server/model/ingest.ts';
import { identifierKeys } from '../../../server/domain/reconcile/identify.ts';
import { assertedValues } from '../../../server/domain/reconcile/plan-cis.ts';
import { relationKey, relationValues } from '../../../server/domain/reconcile/plan-relations.ts';
import { assertionDigest, ciResightings, relationResightings, type AssertionDigest } from '../../../server/domain/reconcile/sighting.ts';

const batchOf = (b: Partial<IngestBatchInput>) => IngestBatch.parse({ source: 'k8s', scope: 'prod', ...b });
const svc = (name: string, extra: object = {}) => ({ class: 'service' as const, name, environment: 'prod', ...extra });
const ref = (name: string) => ({ class: 'service' as const, name, environment: 'prod' });

/** The index and stored digests of a store that holds exactly what `stored` asserted, one CI id per item. */
function storeOf(stored: ReturnType<typeof batchOf>, extra: Record<string, AssertionDigest[]> = {}) {
  const keyIndex = new Map<string, string>();
  const digests = new Map<string, AssertionDigest[]>();
  stored.cis.forEach((ci, i) => {
    for (const k of identifierKeys(ci)) keyIndex.set(k.key, `ci-${i}`);
    digests.set(`ci-${i}`, [{ source: stored.source, scope: stored.scope, active: true, digest: assertionDigest(assertedValues(ci) as Record<string, unknown>) }, ...(extra[`ci-${i}`] ?? [])]);
  });
  return { keyIndex, digests };
}

describe('re-sightings', () => {
  it('digests what was asserted, ignoring observed traffic counters', () => {
    expect(assertionDigest({ provenance: 'observed', observed: { calls: 1 } })).toBe(assertionDigest({ provenance: 'observed', observed: { calls: 9 } }));
    expect(assertionDigest({ name: 'a', tier: 1 })).not.toBe(assertionDigest({ name: 'a', tier: 2 }));
  });

  it('recognises CIs this source alone asserts exactly as before', () => {
    const first = batchOf({ cis: [svc('a'), svc('b', { tier: 1 }), svc('c')] });
    const { keyIndex, digests } = storeOf(first);
    const again = batchOf({ cis: [svc('a'), svc('b', { tier: 2 }), svc('c'), svc('new')] });
    expect([...ciResightings(again, keyIndex, digests)]).toEqual([[0, 'ci-0'], [2, 'ci-2']]);
  });

  it('leaves to the full path a CI another source also asserts, one asserted twice, and another scope\'s', () => {
    const first = batchOf({ cis: [svc('a'), svc('b'), svc('c')] });
    const { keyIndex, digests } = storeOf(first, { 'ci-0': [{ source: 'backstage', scope: 'default', active: true, digest: 'x' }] });
    expect([...ciResightings(batchOf({ cis: [svc('a'), svc('b'), svc('b'), svc('c')] }), keyIndex, digests)]).toEqual([[3, 'ci-2']]);
    expect(ciResightings(batchOf({ scope: 'staging', cis: [svc('c')] }), keyIndex, digests).size).toBe(0);
  });

  it('recognises relations by their ends, never one carrying observed traffic', () => {
    const batch = batchOf({
      cis: [svc('a'), svc('b'), svc('c')],
      relations: [{ type: 'DEPENDS_ON', from: ref('a'), to: ref('b') }, { type: 'DEPENDS_ON', from: ref('a'), to: ref('c'), observed: { calls: 3, errors: 0 } }],
    });
    const ends = [{ from: 'ci-0', to: 'ci-1' }, { from: 'ci-0', to: 'ci-2' }];
    const stored = new Map(batch.relations.map((r, i) => [relationKey(ends[i].from, r.type, ends[i].to), {
      id: `rel-${i}`, live: true, assertions: [{ source: 'k8s', scope: 'prod', active: true, digest: assertionDigest(relationValues('k8s', r) as unknown as Record<string, unknown>) }],
    }]));
    expect([...relationResightings(batch, ends, stored)]).toEqual([[0, 'rel-0']]);
    stored.get(relationKey('ci-0', 'DEPENDS_ON', 'ci-1'))!.live = false;
    expect(relationResightings(batch, ends, stored).size).toBe(0);
  });
});
