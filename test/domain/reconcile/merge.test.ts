import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { mergeCi, type AssertedCiValues, type RankedAssertion } from '../../../server/domain/reconcile/merge.ts';

const fallback = { name: 'fallback', environment: 'default', tier: null, owner: null, attributes: {}, identifiers: {} };
const text = fc.string({ minLength: 1, maxLength: 8 });
const values: fc.Arbitrary<AssertedCiValues> = fc.record({
  name: text, environment: text, tier: fc.integer({ min: 1, max: 4 }), owner: text,
  attributes: fc.dictionary(fc.oneof(text, fc.constantFrom('toString', '__proto__', 'b', 'a')), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  identifiers: fc.dictionary(text, text, { maxKeys: 3 }),
}, { requiredKeys: [] });
const asserted = (source: string, v: AssertedCiValues, active = true): RankedAssertion<AssertedCiValues> => ({ source, lastSeen: '2026-01-01T00:00:00.000Z', active, values: v });

describe('merging a CI asserted by one active source', () => {
  it('takes its values exactly as the field-by-field ranking does, key order and null prototypes included', () => {
    fc.assert(fc.property(values, fc.boolean(), (v, withInactive) => {
      const sole = mergeCi('service', [asserted('k8s', v), ...(withInactive ? [asserted('csv', { name: 'old', attributes: { a: 1 } }, false)] : [])], fallback);
      // A second active source that asserts nothing takes the ranked path and must change nothing.
      const ranked = mergeCi('service', [asserted('k8s', v), asserted('silent', {})], fallback);
      expect(sole).toEqual(ranked);
      expect(JSON.stringify(sole)).toBe(JSON.stringify(ranked));
      expect([Object.getPrototypeOf(sole.attributes), Object.getPrototypeOf(sole.identifiers)]).toEqual([null, null]);
    }), { numRuns: 300 });
  });
});
