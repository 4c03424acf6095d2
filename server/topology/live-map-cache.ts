import type { GraphEdge } from '../model/records.ts';
import { edgeState } from '../domain/graph-view/direction.ts';
import type { NeighbourhoodQuery } from '../domain/graph-view/neighbourhood.ts';
import { liveMap, type LiveMap } from './live-map.ts';
import { ReadCache, type ReadCacheOptions } from './read-cache.ts';
import type { Topology } from './topology.ts';

/**
 * Live maps already answered, by query, reused while none of the CIs they read has changed (ReadCache).
 * What is not kept: last sightings (read from the store per request) and observed edges' states (recomputed
 * for the time of asking), so a reused answer says exactly what a fresh one would.
 */
export class LiveMapCache {
  private readonly cache: ReadCache<LiveMap>;

  constructor(opts: ReadCacheOptions = {}) { this.cache = new ReadCache(opts); }

  get size(): number { return this.cache.size; }
  get stats(): { hits: number; misses: number } { return this.cache.stats; }

  /** The live map for `q` at `q.now`: a kept answer when still valid, else computed and kept. */
  map(topo: Topology, q: NeighbourhoodQuery): Omit<LiveMap, 'read' | 'observed'> {
    // A focus CI that is not live yet would not be among the CIs read: its arrival could not be noticed.
    const key = q.focus.every((id) => topo.nodeOf(id) !== undefined) ? keyOf(q) : null;
    const kept = key === null ? undefined : this.cache.get(topo, key);
    if (kept) return answerAt(kept, q);
    const version = topo.version;
    const map = liveMap(topo, q);
    if (key !== null) this.cache.set(topo, key, version, map, map.read, map.nodes.length + map.edges.length + map.read.length / 4);
    return answerAt(map, q);
  }
}

/** Everything that shapes an answer except `now` (edge states are recomputed: answerAt). */
function keyOf(q: NeighbourhoodQuery): string {
  return JSON.stringify([q.focus, q.depth, q.direction, q.classes ?? null, q.environment ?? null, q.owner ?? null, q.maxNodes, q.maxEdges,
    q.edgeThresholds.activeMinutes, q.edgeThresholds.idleMinutes, q.groupAbove ?? null]);
}

/** The answer as of `q.now`: an observed edge's state moves from active to idle to inactive with time alone. */
function answerAt(map: LiveMap, q: NeighbourhoodQuery): Omit<LiveMap, 'read' | 'observed'> {
  const { read: _read, observed, ...answer } = map;
  if (!observed) return answer;
  const restate = (e: GraphEdge): GraphEdge => {
    if (!e.observed) return e;
    const state = edgeState({ observed: e.observed }, q.now, q.edgeThresholds);
    return state === e.state ? e : { ...e, state };
  };
  return { ...answer, edges: answer.edges.map(restate) };
}
