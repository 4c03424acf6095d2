import type { Estate } from '../../server/demo/generate-estate.ts';
import type { CiRef, IngestCi } from '../../server/model/ingest.ts';
import { topologyFrom } from '../../server/topology/build.ts';
import type { Topology } from '../../server/topology/topology.ts';
import { propagateImpact, DOWN } from '../../server/domain/impact/propagate.ts';
import { seededRandom } from '../../server/demo/random.ts';

/**
 * The generated estate as a projection, without a store: a CI's id is its class, environment, name
 * and identifiers (what the generator identifies it by), so relations find their ends the same way.
 */
export type ClassRef = Exclude<CiRef, { id: string }>;
/** The generator names every end by class and identifiers, never by id. */
export function classRef(r: CiRef): ClassRef {
  if ('id' in r) throw new Error('the demo estate names relation ends by class');
  return r;
}
export const keyOf = (c: IngestCi | CiRef) => {
  const r = 'name' in c && !('id' in c) ? c : classRef(c);
  return JSON.stringify([r.class, r.environment ?? '', r.name ?? '', r.identifiers ?? {}]);
};

export function estateTopology(estate: Estate): Topology {
  const cis = estate.cis.map((c) => ({ id: keyOf(c), class: c.class, name: c.name, environment: c.environment ?? '', tier: c.tier ?? null, owner: c.owner ?? null, attributes: c.attributes ?? {} }));
  const relations = estate.relations.map((r, i) => ({ id: `r${i}`, type: r.type, from: keyOf(r.from), to: keyOf(r.to), redundancy: r.redundancy ?? null }));
  return topologyFrom(cis, relations);
}

export interface Spread { name: string; class: string; environment: string; services: number; down: number }

/** Services (class `service`) each CI takes down or degrades when it goes down. */
export function spreadOf(estate: Estate, cis: readonly IngestCi[], topo = estateTopology(estate)): Spread[] {
  return cis.map((ci) => {
    const node = topo.nodeOf(keyOf(ci))!;
    const r = propagateImpact(topo, [{ node, state: 'down' }]);
    let hit = 0, down = 0;
    for (let k = 0; k < r.total; k++) {
      if (topo.classOf(r.all[k]) !== 'service' || r.all[k] === node) continue;
      hit++;
      if (r.allStates[k] === DOWN) down++;
    }
    return { name: ci.name, class: ci.class, environment: ci.environment ?? '', services: hit, down };
  });
}

/** The spread of a random sample of CIs of `classes`, and how many services the estate has. */
export function sampleSpread(estate: Estate, opts: { classes: string[]; sample: number; seed: number }): { spreads: Spread[]; services: number } {
  const pool = estate.cis.filter((c) => opts.classes.includes(c.class));
  const rnd = seededRandom(opts.seed);
  const picked = Array.from({ length: opts.sample }, () => pool[Math.floor(rnd.next() * pool.length)]);
  return { spreads: spreadOf(estate, picked), services: estate.cis.filter((c) => c.class === 'service').length };
}
