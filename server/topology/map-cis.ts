import { mapRelationOf, type MapCi, type NeighbourhoodSource } from '../domain/graph-view/neighbourhood.ts';
import type { GraphStore } from '../store/port.ts';
import type { Topology } from './topology.ts';

/**
 * The live CIs among `ids` as a map draws them, read from the projection (which keeps every live CI's
 * name, class, environment, tier and owner) instead of a store round trip per map level. Unknown and
 * retired ids are left out, as a live map leaves out retired CIs.
 */
export function liveMapCis(topo: Topology, ids: readonly string[]): MapCi[] {
  const out: MapCi[] = [];
  for (const id of ids) {
    const n = topo.nodeOf(id);
    if (n === undefined) continue;
    const { name, class: cls, environment, tier, owner } = topo.info(n);
    out.push({ id, class: cls, name, environment, tier, owner, lifecycle: 'active' });
  }
  return out;
}

function liveNodes(topo: Topology, ids: readonly string[]): number[] {
  const out: number[] = [];
  for (const id of ids) { const n = topo.nodeOf(id); if (n !== undefined) out.push(n); }
  return out;
}

/**
 * A live map read wholly from the projection: CIs, relations of every type and their edge state, with no
 * store round trip per level (under 50 readers those queries were most of a map's time on the event loop).
 */
export function liveMapSource(topo: Topology): NeighbourhoodSource {
  return {
    relationsOf: async (ids, limit) => topo.mapRelations.of(liveNodes(topo, ids), limit),
    relationsAmong: async (ids, limit) => topo.mapRelations.among(liveNodes(topo, ids), limit),
    getCis: async (ids) => liveMapCis(topo, ids),
  };
}

/** Where a map reads: the live projection when there is one and no `asOf`, else the store's history. */
export function mapSourceAt(store: GraphStore, live: Topology | null, asOf?: string): NeighbourhoodSource {
  if (live && !asOf) return liveMapSource(live);
  return {
    relationsOf: async (ids, limit) => (await store.relationsOf(ids, asOf, limit)).map(mapRelationOf),
    relationsAmong: async (ids, limit) => (await store.relationsAmong(ids, asOf, limit)).map(mapRelationOf),
    getCis: (ids) => store.getCis(ids, asOf),
  };
}
