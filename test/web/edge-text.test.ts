import { describe, expect, it } from 'vitest';
import { edgeText } from '../../web/lib/graph/edge-text.ts';
import type { GraphEdge } from '../../web/lib/types.ts';

const edge = (extra: Partial<GraphEdge> = {}): GraphEdge => ({ id: 'e', type: 'DEPENDS_ON', from: 'a', to: 'b', provenance: ['declared'], state: 'declared', redundancy: null, ...extra });

describe('an edge in words', () => {
  it('reads the relation from source to target and says how it is known', () => {
    expect(edgeText(edge(), 'checkout-api', 'checkout-db')).toEqual({ sentence: 'checkout-api depends on checkout-db', details: ['declared', 'declared only: never seen in traffic'] });
  });

  it('gives an observed relation its last sighting and counts, and an optional one its consequence', () => {
    const now = Date.parse('2026-12-05T10:00:00Z');
    const t = edgeText(edge({ provenance: ['declared', 'observed'], state: 'active', observed: { calls: 12000, errors: 3, lastSeen: '2026-12-05T09:55:00Z' }, redundancy: { group: 'checkout-api: checkout-cache', minUp: 0 } }), 'checkout-api', 'checkout-cache', now);
    expect(t.details).toEqual([
      'declared and observed', 'active: seen in traffic recently', 'last seen 5 min ago, 12,000 calls, 3 errors',
      'optional (checkout-api: checkout-cache): without it checkout-api is degraded, not down',
    ]);
  });

  it('repeats what the relation notes about itself', () => {
    expect(edgeText(edge({ type: 'RUNS_ON', note: 'deliberate cycle' }), 'a', 'b').details).toContain('deliberate cycle');
  });

  it('isolates a name that sets or holds right-to-left text, so the rest of the sentence reads in order', () => {
    expect(edgeText(edge(), 'invoice\u202Egnp.exe', 'orders-db').sentence).toBe('\u2068invoice\u202Egnp.exe\u2069 depends on orders-db');
    expect(edgeText(edge(), 'checkout', 'שירות-תשלומים').sentence).toBe('checkout depends on \u2068שירות-תשלומים\u2069');
    expect(edgeText(edge(), 'checkout-api', 'Zürich-db').sentence).toBe('checkout-api depends on Zürich-db');
  });
});
