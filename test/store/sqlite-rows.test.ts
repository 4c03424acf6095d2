import { describe, expect, it } from 'vitest';
import { ciJson, ciVersionData, ciVersionJson, relationJson, relationVersionData, relationVersionJson } from '../../server/store/sqlite/rows.ts';
import type { CiRecord, RelationRecord } from '../../server/model/records.ts';

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
