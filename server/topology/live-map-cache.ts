import type { GraphEdge } from '../model/records.ts';
import { edgeState } from '../domain/graph-view/direction.ts';
import type { NeighbourhoodQuery } from '../domain/graph-view/neighbourhood.ts';
import { liveMap, liveMapInTurns, type LiveMap, type TurnsMap } from './live-map.ts';
import { ReadCache, type ReadCacheOptions } from './read-cache.ts';
import type { Topology } from './topology.ts';

/**
 * Live maps already answered, by query, reused while none of the CIs they read has changed (ReadCache).
 * What is not kept: last sightings (read from the store per request) and observed edges' states (recomputed
 * for the time of asking), so a reused answer says exactly what a fresh one would.
 */
export class LiveMapCache {
  private readonly cache: ReadCache<LiveMap>;
  private readonly turnMs: number;
  /** Maps being computed over several turns, by key: a request for the same map meanwhile waits for that answer. */
  private readonly computing = new Map<string, Promise<TurnsMap>>();

  /**
   * `turnMs`: a map that takes longer is computed over turns of the event loop of at most this long each
   * (liveMapInTurns; the read gate's slice, SERVICEGRAPH_READ_SLICE_MS); 0 or absent: in one turn, however long.
   */
  constructor(opts: ReadCacheOptions & { turnMs?: number } = {}) {
    this.cache = new ReadCache(opts);
    this.turnMs = opts.turnMs ?? 0;
  }

  get size(): number { return this.cache.size; }
  get stats(): { hits: number; misses: number } { return this.cache.stats; }

  /**
   * The live map for `q` at `q.now`: a kept answer when still valid, else computed and kept. Computed over several
   * turns (with `turnMs`), it is a promise.
   */
  map(topo: Topology, q: NeighbourhoodQuery): Answer | Promise<Answer> {
    // A focus CI that is not live yet would not be among the CIs read: its arrival could not be noticed.
    const key = q.focus.every((id) => topo.nodeOf(id) !== undefined) ? keyOf(q) : null;
    const kept = key === null ? undefined : this.cache.get(topo, key);
    if (kept) return answerAt(kept, q);
    const computing = key === null ? undefined : this.computing.get(key);
    if (computing) return computing.then((c) => answerAt(c.map, q));
    const keep = (c: TurnsMap) => {
      if (key !== null) this.cache.set(topo, key, c.version, c.map, c.map.read, c.map.nodes.length + c.map.edges.length + c.map.read.length / 4);
      return answerAt(c.map, q);
    };
    if (this.turnMs <= 0) {
      const version = topo.version;
      return keep({ map: liveMap(topo, q), version });
    }
    const computed = liveMapInTurns(topo, q, { turnMs: this.turnMs });
    if (!(computed instanceof Promise)) return keep(computed);
    if (key !== null) {
      this.computing.set(key, computed);
      const forget = () => { if (this.computing.get(key) === computed) this.computing.delete(key); };
      computed.then(forget, forget);
    }
    return computed.then(keep);
  }
}

/** What GET /graph answers of a live map (before last sightings). */
type Answer = Omit<LiveMap, 'read' | 'observed'>;

/** Everything that shapes an answer except `now` (edge states are recomputed: answerAt). */
function keyOf(q: NeighbourhoodQuery): string {
  return JSON.stringify([q.focus, q.depth, q.direction, q.classes ?? null, q.environment ?? null, q.owner ?? null, q.maxNodes, q.maxEdges,
    q.edgeThresholds.activeMinutes, q.edgeThresholds.idleMinutes, q.groupAbove ?? null]);
}

/** The answer as of `q.now`: an observed edge's state moves from active to idle to inactive with time alone. */
function answerAt(map: LiveMap, q: NeighbourhoodQuery): Answer {
  const { read: _read, observed, ...answer } = map;
  if (!observed) return answer;
  const restate = (e: GraphEdge): GraphEdge => {
    if (!e.observed) return e;
    const state = edgeState({ observed: e.observed }, q.now, q.edgeThresholds);
    return state === e.state ? e : { ...e, state };
  };
  return { ...answer, edges: answer.edges.map(restate) };
}
