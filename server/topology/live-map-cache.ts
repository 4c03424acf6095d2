import type { GraphEdge } from '../model/records.ts';
import { edgeState } from '../domain/graph-view/direction.ts';
import type { NeighbourhoodQuery } from '../domain/graph-view/neighbourhood.ts';
import { liveMap, type LiveMap } from './live-map.ts';
import type { Topology } from './topology.ts';

export interface LiveMapCacheOptions {
  /** Answers kept (least recently used dropped first). */
  maxEntries?: number;
  /** Nodes and edges held by all answers together: bounds the memory whatever the maps' sizes. */
  maxElements?: number;
}

interface Entry { topo: Topology; version: number; map: LiveMap; elements: number }

/**
 * Live maps already computed, by query, each valid while none of the CIs it read has changed since: a batch
 * elsewhere in the estate (a collector re-asserting its corner, a load client adding services) leaves every
 * other map's answer in place, where dropping all on each projection change would keep nothing under a
 * steady ingest. Freshness is exact, not a time-to-live: the projection stamps each CI a change touches
 * (Topology.unchangedSince), and an answer is checked against the CIs it read before it is reused.
 * Reads are synchronous, so concurrent identical requests never compute twice: the second finds the first's.
 * What is not kept: last sightings (read from the store per request) and observed edges' states (recomputed
 * for the time of asking), so a reused answer says exactly what a fresh one would.
 */
export class LiveMapCache {
  private readonly entries = new Map<string, Entry>();
  private elements = 0;
  private readonly maxEntries: number;
  private readonly maxElements: number;
  readonly stats = { hits: 0, misses: 0 };

  constructor(opts: LiveMapCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 1_000;
    this.maxElements = opts.maxElements ?? 1_000_000;
  }

  get size(): number { return this.entries.size; }

  /** The live map for `q` at `now`: a kept answer when still valid, else computed and kept. */
  map(topo: Topology, q: NeighbourhoodQuery): Omit<LiveMap, 'read' | 'observed'> {
    // A focus CI that is not live yet would not be among the CIs read: its arrival could not be noticed.
    const cacheable = q.focus.every((id) => topo.nodeOf(id) !== undefined);
    const key = cacheable ? keyOf(q) : null;
    const kept = key === null ? undefined : this.entries.get(key);
    if (kept && kept.topo === topo && topo.unchangedSince(kept.map.read, kept.version)) {
      this.stats.hits++;
      this.entries.delete(key!);
      this.entries.set(key!, kept);
      return answerAt(kept.map, q);
    }
    this.stats.misses++;
    if (kept) this.drop(key!, kept);
    const version = topo.version;
    const map = liveMap(topo, q);
    if (key !== null) this.keep(key, { topo, version, map, elements: map.nodes.length + map.edges.length + map.read.length / 4 });
    return answerAt(map, q);
  }

  private keep(key: string, e: Entry): void {
    if (e.elements > this.maxElements / 4) return; // one answer never crowds out the rest
    this.entries.set(key, e);
    this.elements += e.elements;
    for (const [k, old] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.elements <= this.maxElements) break;
      this.drop(k, old);
    }
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    this.elements -= e.elements;
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
