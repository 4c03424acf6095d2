import type { GraphStore, TopologyCi, TopologyRelation } from '../store/port.ts';
import { newEdgeBatch, Topology } from './topology.ts';

/**
 * Builds a projection from chunks of CIs and relations. Relations whose ends have not arrived yet
 * (a store may interleave) wait until the end; relations to CIs that never arrive are dropped.
 */
export class TopologyBuilder {
  private readonly topo = new Topology();
  private readonly edges = newEdgeBatch(1 << 16);
  private readonly pending: TopologyRelation[] = [];

  add(chunk: { cis: TopologyCi[]; relations: TopologyRelation[] }): void {
    for (const ci of chunk.cis) this.topo.upsertCi(ci);
    for (const rel of chunk.relations) if (this.topo.collectRelation(rel, this.edges) === 'unknown-end') this.pending.push(rel);
  }

  finish(): Topology {
    for (const rel of this.pending) this.topo.collectRelation(rel, this.edges);
    this.pending.length = 0;
    this.topo.setBase(this.edges);
    return this.topo;
  }
}

/** A projection from plain lists (tests, small estates). */
export function topologyFrom(cis: TopologyCi[], relations: TopologyRelation[]): Topology {
  const b = new TopologyBuilder();
  b.add({ cis, relations });
  return b.finish();
}

/** Stream the store's live (or as-of) topology into a projection. */
export async function loadTopology(store: GraphStore, asOf?: string): Promise<Topology> {
  const b = new TopologyBuilder();
  for await (const chunk of store.streamTopology(asOf)) b.add(chunk);
  return b.finish();
}
