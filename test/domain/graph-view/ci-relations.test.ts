import { describe, expect, it } from 'vitest';
import { ciRelations, relationsToRead } from '../../../server/domain/graph-view/ci-relations.ts';
import type { RelationRecord } from '../../../server/model/records.ts';

const rel = (from: string, to: string): RelationRecord => ({
  id: `${from}>${to}`, type: 'DEPENDS_ON', from, to, attributes: {}, redundancy: null, provenance: ['declared'],
  observed: null, version: 1, validFrom: '2026-01-01T00:00:00.000Z', validTo: null,
});

describe("a CI's relations as its detail lists them", () => {
  it('reads one more than it lists, and says there are more only when that one came back', () => {
    expect(relationsToRead(2)).toBe(3);
    expect(relationsToRead(undefined)).toBeUndefined();
    const read = [rel('dns', 'host'), rel('a', 'dns'), rel('b', 'dns')];
    const capped = ciRelations('dns', read, 2);
    expect([capped.outgoing.map((r) => r.to), capped.incoming.map((r) => r.from), capped.truncated]).toEqual([['host'], ['a'], true]);
    const whole = ciRelations('dns', read, 3);
    expect([whole.outgoing.length + whole.incoming.length, whole.truncated]).toEqual([3, false]);
    expect(ciRelations('dns', read, undefined).truncated).toBe(false);
  });
});
