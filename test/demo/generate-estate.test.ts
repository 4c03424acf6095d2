import { describe, expect, it } from 'vitest';
import { generateEstate, type Estate } from '../../server/demo/generate-estate.ts';
import { classRef, keyOf as key, sampleSpread, spreadOf } from './estate-impact.ts';

/**
 * The demo estate looks like a company: dependencies flow one way but for one labelled cycle, replicas
 * sit in redundancy groups, and a failure takes down a handful of services, a shared hub hundreds.
 */
const estate = generateEstate({ cis: 3000, seed: 7 });

/** The DEPENDS_ON edges that lie on a cycle: edges are pruned while their source has no caller or their target no callee left. */
function cyclicEdges(e: Estate, keep: (r: Estate['relations'][number]) => boolean) {
  let edges = e.relations.filter((r) => r.type === 'DEPENDS_ON' && keep(r)).map((r) => ({ r, from: key(r.from), to: key(r.to) }));
  for (let before = -1; before !== edges.length;) {
    before = edges.length;
    const hasIn = new Set(edges.map((x) => x.to)), hasOut = new Set(edges.map((x) => x.from));
    edges = edges.filter((x) => hasIn.has(x.from) && hasOut.has(x.to));
  }
  return edges.map((x) => x.r);
}

describe('the demo estate', () => {
  it('keeps the names other views and tests look for', () => {
    const names = new Set(estate.cis.filter((c) => c.environment === 'production').map((c) => c.name));
    for (const n of ['checkout', 'checkout-api', 'payments-db', 'checkout-db', 'checkout-cache', 'search-gateway', 'search-worker', 'dns-resolver', 'auth', 'edge-lb']) expect(names, n).toContain(n);
  });

  it('has dependencies that flow one way, but for one cycle that says it is deliberate', () => {
    const cycle = cyclicEdges(estate, () => true);
    expect(cycle.map((r) => `${classRef(r.from).name} -> ${classRef(r.to).name}`).sort()).toEqual(['search-gateway -> search-worker', 'search-worker -> search-gateway']);
    expect(cycle.every((r) => String(r.attributes?.note).startsWith('deliberate cycle'))).toBe(true);
    expect(cyclicEdges(estate, (r) => !r.attributes?.note)).toEqual([]);
  });

  it('puts replicas in redundancy groups: databases need 2 of 3 hosts, caches any of 3, pods half', () => {
    const groups = new Map<string, { minUp: unknown; size: number }>();
    for (const r of estate.relations) if (r.redundancy && classRef(r.from).environment === 'production') {
      const g = groups.get(r.redundancy.group);
      if (g) g.size++; else groups.set(r.redundancy.group, { minUp: r.redundancy.minUp, size: 1 });
    }
    expect(groups.get('payments-db-hosts')).toEqual({ minUp: 2, size: 3 });
    expect(groups.get('checkout-cache-hosts')).toEqual({ minUp: 1, size: 3 });
    expect(groups.get('dns-resolver-hosts')).toEqual({ minUp: 1, size: 2 });
    expect(groups.get('checkout-api-pods')).toMatchObject({ minUp: '50%' });
  });

  it('spreads failures as in a company: most hit a handful of services, a few hubs hundreds', () => {
    for (const seed of [1, 2, 3]) {
      const { spreads, services } = sampleSpread(estate, { classes: ['database', 'cache', 'queue', 'service', 'host'], sample: 30, seed });
      const hit = spreads.map((s) => s.services).sort((a, b) => a - b);
      expect(hit[15], `median of sample ${seed}`).toBeLessThanOrEqual(services / 10);
      expect(hit.filter((h) => h > services / 2).length, `above half in sample ${seed}`).toBeLessThanOrEqual(3);
    }
    const prod = estate.cis.filter((c) => c.environment === 'production');
    const services = prod.filter((c) => c.class === 'service').length;
    const hubs = spreadOf(estate, ['dns-resolver', 'auth', 'payments-db'].map((n) => prod.find((c) => c.name === n)!));
    // The hubs rightly reach (nearly) every production service; a domain's database a few dozen.
    expect(hubs[0].services).toBeGreaterThan(0.95 * services);
    expect(hubs[1].services).toBeGreaterThan(services / 3);
    expect(hubs[2].services).toBeGreaterThan(5);
    expect(hubs[2].services).toBeLessThan(services / 10);
  });
});
