import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IngestBatch, fastIngestBatch, parseIngestBatch } from '../../server/model/ingest.ts';
import { generateEstate } from '../../server/demo/generate-estate.ts';

// The API route validates batches with a hand-written fast path and leaves everything it declines to zod.
// Its one obligation: never accept what IngestBatch refuses, and yield the very data zod would.

// Mostly valid values with the edges (empty, at and past each limit) now and then, so that whole batches
// pass often enough while every rule still gets broken somewhere in the run.
const str = (max: number) => fc.oneof({ weight: 40, arbitrary: fc.string({ minLength: 1, maxLength: 6 }) }, fc.constant(''), fc.string({ minLength: max, maxLength: max + 1 }));
const junk = fc.oneof(fc.constant(null), fc.constant(undefined), fc.boolean(), fc.integer(), fc.double(), fc.constant([]), fc.constant({}), fc.string({ maxLength: 3 }));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.oneof({ weight: 40, arbitrary: a }, { weight: 1, arbitrary: junk });
const className = fc.oneof({ weight: 20, arbitrary: fc.constantFrom('service', 'host', 'team', 'database', 'pod') }, fc.constantFrom('nonsense', 'Service'));
const identifiers = fc.oneof(
  { weight: 30, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('fqdn', 'serialNumber', 'cluster', 'namespace', 'name'), str(100)), fc.oneof({ weight: 20, arbitrary: str(1000) }, fc.integer(), fc.double(), junk), { maxKeys: 3 }) },
  fc.constant({ __proto__: null }), fc.constant(JSON.parse('{"__proto__": "x"}')), junk,
);
const attributes = fc.oneof(
  { weight: 30, arbitrary: fc.dictionary(fc.oneof(fc.string({ maxLength: 5 }), str(200)), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) },
  fc.constant(JSON.parse('{"__proto__": {"a": 1}}')), junk,
);
const extra = fc.oneof({ weight: 30, arbitrary: fc.constant({}) }, fc.record({ surprise: fc.integer() }));

const ci = fc.tuple(fc.record({
  class: maybe(className), name: maybe(str(500)), identifiers, environment: maybe(str(100)),
  tier: maybe(fc.oneof({ weight: 10, arbitrary: fc.constantFrom(1, 2, 4) }, fc.constantFrom(0, 5, 2.5))), owner: maybe(str(200)), attributes,
}, { requiredKeys: [] }), extra).map(([a, b]) => ({ ...a, ...b }));
const ref = fc.oneof(
  { weight: 10, arbitrary: fc.record({ class: className, name: str(500), environment: str(100) }, { requiredKeys: ['class'] }) },
  fc.tuple(fc.record({ id: maybe(str(100)) }), extra).map(([a, b]) => ({ ...a, ...b })),
  fc.record({ class: maybe(className), name: maybe(str(500)), environment: maybe(str(100)), identifiers, id: fc.constant('both') }, { requiredKeys: [] }),
  junk,
);
const relation = fc.tuple(fc.record({
  type: maybe(fc.constantFrom('DEPENDS_ON', 'RUNS_ON', 'PART_OF', 'OWNED_BY', 'depends_on')), from: ref, to: ref, attributes,
  redundancy: fc.oneof(fc.constant(undefined), fc.record({ group: str(200), minUp: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.constantFrom('50%', '100%', '101%', 'x')) }), junk),
  provenance: maybe(fc.constantFrom('declared', 'observed', 'manual', 'guessed')),
  observed: fc.oneof(fc.constant(undefined), fc.record({ calls: fc.integer({ min: -1, max: 5 }), lastSeen: fc.constantFrom('2026-01-01T00:00:00Z', 'yesterday') }, { requiredKeys: [] }), junk),
}, { requiredKeys: [] }), extra).map(([a, b]) => ({ ...a, ...b }));
const batch = fc.tuple(fc.record({
  source: maybe(fc.constantFrom('bench', 'k8s.prod-1', 'Bench', '', 'a'.repeat(65))), scope: maybe(str(300)), runId: maybe(str(100)),
  complete: maybe(fc.boolean()), force: maybe(fc.boolean()),
  cis: fc.oneof({ weight: 5, arbitrary: fc.array(ci, { maxLength: 3 }) }, { weight: 1, arbitrary: junk }),
  relations: fc.oneof({ weight: 5, arbitrary: fc.array(relation, { maxLength: 3 }) }, { weight: 1, arbitrary: junk }),
}, { requiredKeys: [] }), extra).map(([a, b]) => ({ ...a, ...b }))
  // What the route sees is JSON.parse output (own "__proto__" keys included); fast-check's own objects may have null prototypes.
  .map((raw) => JSON.parse(JSON.stringify(raw)) as unknown);

describe('fast ingest batch parsing', () => {
  it('accepts only what zod accepts, with the data zod yields', () => {
    let fastAccepted = 0;
    fc.assert(fc.property(batch, (raw) => {
      const fast = fastIngestBatch(raw);
      const slow = IngestBatch.safeParse(raw);
      if (fast) {
        fastAccepted++;
        expect(slow.success).toBe(true);
        expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
        expect(fast).toEqual(slow.data);
      }
      expect(parseIngestBatch(raw).success).toBe(slow.success);
    }), { numRuns: 3000, seed: 20261123 });
    // The generator must also reach the accepting side, or the property above proves nothing.
    expect(fastAccepted).toBeGreaterThan(100);
  });

  it('takes the fast path for a realistic estate, numbers in identifiers included', () => {
    const estate = generateEstate({ cis: 2000, seed: 3 });
    const raw = JSON.parse(JSON.stringify({ source: 'bench', cis: estate.cis, relations: estate.relations }));
    raw.cis[0].identifiers = { serialNumber: 12345 };
    const fast = fastIngestBatch(raw);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(IngestBatch.parse(raw));
    expect(fast!.cis[0].identifiers).toEqual({ serialNumber: '12345' });
  });

  it('leaves a bad body to zod, which names the field', () => {
    const r = parseIngestBatch({ source: 'bench', cis: [{ class: 'service', name: 'a', tier: 9 }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual(['cis', 0, 'tier']);
  });
});
