import type { TopologyCi, TopologyRelation } from '../../server/store/port.ts';
import type { Redundancy } from '../../server/model/relations.ts';
import { topologyFrom } from '../../server/topology/build.ts';
import type { Topology } from '../../server/topology/topology.ts';

export interface CiOpts { class?: string; tier?: number; owner?: string; attributes?: Record<string, unknown> }

/**
 * Hand-built estates for tests, read like the design's sentences: `.ci('checkout').dependsOn('checkout', 'payments')`.
 * CI ids are their names, so expectations read plainly.
 */
export class EstateBuilder {
  readonly cis: TopologyCi[] = [];
  readonly relations: TopologyRelation[] = [];

  ci(name: string, opts: CiOpts = {}): this {
    this.cis.push({ id: name, name, class: opts.class ?? 'service', environment: 'prod', tier: opts.tier ?? null, owner: opts.owner ?? null, attributes: opts.attributes ?? {} });
    return this;
  }
  cisNamed(...names: string[]): this { for (const n of names) this.ci(n); return this; }

  relate(type: string, from: string, to: string, redundancy: Redundancy | null = null): this {
    this.relations.push({ id: `${from}-${type}-${to}`, type, from, to, redundancy });
    return this;
  }
  dependsOn(from: string, to: string, redundancy?: Redundancy): this { return this.relate('DEPENDS_ON', from, to, redundancy); }
  runsOn(from: string, to: string): this { return this.relate('RUNS_ON', from, to); }
  partOf(from: string, to: string): this { return this.relate('PART_OF', from, to); }

  build(): Topology { return topologyFrom(this.cis, this.relations); }
}

export const estate = () => new EstateBuilder();
