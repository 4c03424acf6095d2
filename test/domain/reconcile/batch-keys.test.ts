import { describe, it, expect } from 'vitest';
import { IngestBatch, type IngestBatchInput } from '../../../server/model/ingest.ts';
import { batchKeys, identifierKeys } from '../../../server/domain/reconcile/identify.ts';
import { assertedValues, planCis } from '../../../server/domain/reconcile/plan-cis.ts';
import { mergeRelation, resolveRelationEnds } from '../../../server/domain/reconcile/plan-relations.ts';
import { assertionDigest, ciResightings } from '../../../server/domain/reconcile/sighting.ts';
import type { StoredAssertion } from '../../../server/domain/reconcile/types.ts';

const batchOf = (b: Partial<IngestBatchInput>) => IngestBatch.parse({ source: 'k8s', scope: 'prod', ...b });
const svc = (name: string) => ({ class: 'service' as const, name, environment: 'prod' });
const ctx = { now: '2026-01-01T00:00:00.000Z', runId: 'run-1', newId: (() => { let n = 0; return () => `ci-new-${n++}`; })() };

describe('a batch\'s identifier keys, computed once', () => {
  it('are each item\'s and each named relation end\'s keys; an end given by id has none', () => {
    const batch = batchOf({
      cis: [svc('a'), { class: 'host', name: 'h', identifiers: { fqdn: 'h.example.com' } }],
      relations: [{ type: 'DEPENDS_ON', from: svc('a'), to: { id: 'ci-9' } }],
    });
    const keys = batchKeys(batch);
    expect(keys.cis).toEqual(batch.cis.map((c) => identifierKeys(c)));
    expect(keys.refs).toEqual([{ from: identifierKeys(svc('a')), to: null }]);
  });

  it('are the keys CI planning identifies items by, not keys made again', () => {
    const batch = batchOf({ cis: [svc('a'), svc('b')] });
    const stored = new Map([[identifierKeys(svc('x'))[0].key, 'ci-x']]);
    // Item 1 handed x's keys: it is planned as CI x (known to the store), not as a new CI named b.
    const keys = [identifierKeys(svc('a')), identifierKeys(svc('x'))];
    const x = { record: { id: 'ci-x', class: 'service', name: 'x', environment: 'prod', tier: null, owner: null, lifecycle: 'active' as const, attributes: {}, identifiers: {}, version: 1, validFrom: ctx.now, validTo: null }, assertions: [] };
    const plan = planCis(batch, { keyIndex: stored, cis: new Map([['ci-x', x]]) }, ctx, new Map(), keys);
    expect(plan.byIndex[1]).toBe('ci-x');
    expect(plan.items.find((i) => i.index === 1)!.action).toBe('update');
  });

  it('are the keys relation ends resolve by', () => {
    const batch = batchOf({ relations: [{ type: 'DEPENDS_ON', from: svc('a'), to: svc('b') }] });
    const keyIndex = new Map([[identifierKeys(svc('a'))[0].key, 'ci-a'], [identifierKeys(svc('c'))[0].key, 'ci-c']]);
    const r = { localKeys: new Map<string, string>(), keyIndex, status: new Map(), batchIds: new Set<string>() };
    // Without keys the end named b is unknown; handed c's keys, it resolves to c.
    expect(resolveRelationEnds(batch, r).problems.map((p) => p.code)).toEqual(['unknown_ci']);
    const ends = resolveRelationEnds(batch, r, [{ from: identifierKeys(svc('a')), to: identifierKeys(svc('c')) }]);
    expect(ends).toEqual({ ends: [{ from: 'ci-a', to: 'ci-c' }], problems: [] });
  });

  it('are the keys re-sightings are recognised by', () => {
    const batch = batchOf({ cis: [svc('a')] });
    const keyIndex = new Map([[identifierKeys(svc('z'))[0].key, 'ci-z'], [identifierKeys(svc('z'))[1]?.key ?? '', 'ci-z']]);
    const digests = new Map([['ci-z', [{ source: 'k8s', scope: 'prod', active: true, digest: assertionDigest(assertedValues(batch.cis[0]) as Record<string, unknown>) }]]]);
    expect(ciResightings(batch, keyIndex, digests).size).toBe(0);
    expect([...ciResightings(batch, keyIndex, digests, [identifierKeys(svc('z'))])]).toEqual([[0, 'ci-z']]);
  });
});

describe('a relation with one source', () => {
  const sole = (values: Record<string, unknown>): StoredAssertion =>
    ({ targetId: 'r', source: 'k8s', scope: 'prod', runId: 'run', firstSeen: 'x', lastSeen: 'x', active: true, values });
  const retired = (values: Record<string, unknown>): StoredAssertion => ({ ...sole(values), source: 'old', active: false });

  it('merges exactly as the field-by-field merge of several assertions does', () => {
    const cases: Record<string, unknown>[] = [
      { provenance: 'declared' },
      { provenance: 'observed', attributes: { z: 1, a: { b: 2 } }, redundancy: { group: 'g', minUp: 1 }, observed: { calls: 3, errors: 1, lastSeen: 'y' } },
      { provenance: 'manual', attributes: {} },
    ];
    for (const values of cases) {
      const fast = mergeRelation([sole(values)]);
      // An inactive second assertion takes the general path and changes nothing.
      const general = mergeRelation([sole(values), retired({ provenance: 'declared', attributes: { q: 1 } })]);
      expect(fast).toEqual(general);
      expect(Object.keys(fast.attributes)).toEqual(Object.keys(general.attributes));
      expect(JSON.stringify(fast)).toBe(JSON.stringify(general));
    }
  });
});
