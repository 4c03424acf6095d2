import { describe, expect, it } from 'vitest';
import { ciJson, ciVersionData, ciVersionJson, relationJson, relationVersionData, relationVersionJson } from '../../server/store/sqlite/rows.ts';
import type { CiRecord, RelationRecord } from '../../server/model/records.ts';
import { ciAssertionVals, compactCiVals, compactRelationVals, relationAssertionVals } from '../../server/store/sqlite/compact-layout.ts';
import { mergeCi } from '../../server/domain/reconcile/merge.ts';
import { mergeRelation } from '../../server/domain/reconcile/plan-relations.ts';

// The write path splices pre-serialised columns into the version JSON instead of serialising the record
// again; the stored text must stay exactly what the Neo4j adapter and the history readers expect.
describe('SQLite row JSON', () => {
  const ci: CiRecord = {
    id: 'ci-1', class: 'service', name: 'checkout "v2"', environment: 'production', tier: null, owner: 'team-ü',
    lifecycle: 'active', attributes: { port: 8080, tags: ['a', 'b'], nested: { x: null } }, identifiers: { name: 'checkout', cluster: 'k8s' },
    version: 3, validFrom: '2026-01-01T00:00:00.000Z', validTo: null,
  };
  const rel: RelationRecord = {
    id: 'rel-1', type: 'DEPENDS_ON', from: 'ci-1', to: 'ci-2', attributes: { weight: 2 }, redundancy: { group: 'g', minUp: '50%' },
    provenance: ['declared', 'observed'], observed: { calls: 3, errors: 0, lastSeen: '2026-01-01T00:00:00.000Z' },
    version: 1, validFrom: '2026-01-01T00:00:00.000Z', validTo: null,
  };

  it('splices a CI version byte for byte like serialising it', () => {
    expect(ciVersionJson(ci, ciJson(ci))).toBe(ciVersionData(ci));
    const bare = { ...ci, tier: 2, owner: null, attributes: {}, identifiers: {} };
    expect(ciVersionJson(bare, ciJson(bare))).toBe(ciVersionData(bare));
  });

  it('splices a relation version byte for byte like serialising it, with and without redundancy', () => {
    expect(relationVersionJson(relationJson(rel))).toBe(relationVersionData(rel));
    const plain = { ...rel, redundancy: null, observed: null };
    expect(relationVersionJson(relationJson(plain))).toBe(relationVersionData(plain));
    expect(relationJson(plain).observed).toBeNull();
  });
});

// An assertion whose values are its record's own (a CI or relation only one source asserts) is written without
// serialising its values again: its text is the row's (compact-layout.ts, ciAssertionVals). It must be exactly what
// serialising them gives, and kept exactly as the text path keeps it, whatever the values hold.
describe('assertion values written from the row', () => {
  const ci = { id: 'ci-1', class: 'service', lifecycle: 'active' as const, version: 1, validFrom: '2026-01-01T00:00:00.000Z', validTo: null };
  const rel = { id: 'rel-1', type: 'DEPENDS_ON', from: 'ci-1', to: 'ci-2', version: 1, validFrom: '2026-01-01T00:00:00.000Z', validTo: null };
  const fallback = { name: 'f', environment: 'default', tier: null, owner: null, attributes: {}, identifiers: {} };
  const ciValues: Record<string, unknown>[] = [
    { name: 'a', environment: 'prod', attributes: { a: 1, b: [1, { c: null }] }, identifiers: { name: 'a' } },
    { name: 'a', attributes: { b: 1, a: 2 } }, // unsorted: the record's copy is sorted, so not the same text
    { name: 'a', tier: 2, owner: 'o "q"', identifiers: { z: 'z', a: 'a' } },
    { name: 'a', tier: undefined, environment: 'x' },
    { environment: 'x', name: 'a' }, // out of the row's key order
    { name: 'é\u2028', environment: 'e', tier: 0, owner: '', attributes: {}, identifiers: {} },
    { name: 'a', attributes: { ['__proto__']: 1, toString: 'x' } },
  ];
  it('gives a CI assertion the text and stored form the text path gives', () => {
    for (const values of ciValues) {
      const merged = mergeCi('service', [{ source: 's', lastSeen: 'x', active: true, values }], fallback);
      const ciRec = { ...merged, environment: merged.environment ?? 'default' };
      const j = ciJson({ ...ci, ...ciRec });
      const row = { name: ciRec.name, environment: ciRec.environment, tier: ciRec.tier, owner: ciRec.owner, attributes: j.attributes, identifiers: j.identifiers };
      const json = JSON.stringify(values);
      const got = ciAssertionVals(values, ciRec, row);
      expect(got.json).toBe(json);
      expect(got.stored).toEqual(compactCiVals(json, values, row));
      // Values that are not the record's own (read back from the store, or another source's) go the text way.
      const copy = JSON.parse(json) as Record<string, unknown>;
      expect(ciAssertionVals(copy, ciRec, row)).toEqual({ json, stored: compactCiVals(json, copy, row) });
    }
    const sole = ciAssertionVals(ciValues[0], mergeCi('service', [{ source: 's', lastSeen: 'x', active: true, values: ciValues[0] }], fallback), {
      name: 'a', environment: 'prod', tier: null, owner: null, attributes: JSON.stringify(ciValues[0].attributes), identifiers: '{"name":"a"}' });
    expect(typeof sole.stored).toBe('bigint');
  });

  it('gives a relation assertion the text and stored form the text path gives', () => {
    const relValues: Record<string, unknown>[] = [
      { provenance: 'declared' },
      { provenance: 'declared', attributes: { a: 1, b: { c: [2] } }, redundancy: { group: 'g', minUp: 1 } },
      { provenance: 'declared', attributes: { b: 1, a: 2 } },
      { provenance: 'observed', observed: { calls: 1, errors: 0, lastSeen: '2026-01-01T00:00:00.000Z' } },
      { attributes: {}, provenance: 'declared' },
    ];
    for (const values of relValues) {
      const merged = mergeRelation([{ targetId: 'r', source: 's', scope: 's', runId: 'r', firstSeen: 'x', lastSeen: 'x', active: true, values }]);
      const j = relationJson({ ...rel, ...merged });
      const json = JSON.stringify(values);
      const got = relationAssertionVals(values, merged, j);
      expect(got.json).toBe(json);
      expect(got.stored).toEqual(compactRelationVals(json, values, j));
    }
    const two = mergeRelation(['declared', 'observed'].map((p) => ({ targetId: 'r', source: p, scope: 's', runId: 'r', firstSeen: 'x', lastSeen: 'x', active: true, values: { provenance: p } })));
    const j = relationJson({ ...rel, ...two });
    expect(relationAssertionVals({ provenance: 'declared' }, two, j)).toEqual({ json: '{"provenance":"declared"}', stored: '{"provenance":"declared"}' });
  });
});
