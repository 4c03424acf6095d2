import type { Topology } from './topology.ts';

export interface ReadCacheOptions {
  /** Answers kept (least recently used dropped first). */
  maxEntries?: number;
  /** Elements (nodes, edges, CIs read: the caller's measure) held by all answers together: bounds the memory. */
  maxElements?: number;
}

interface Entry<T> { topo: Topology; version: number; read: ArrayLike<number>; value: T; elements: number }

/**
 * Answers computed from the live projection, by key, each valid while none of the CIs it read has changed since:
 * the projection stamps every CI a mutation touches (Topology.unchangedSince), and an answer is checked against the
 * CIs it read before it is reused. A batch elsewhere in the estate (a collector re-asserting its corner, a load
 * client adding services) leaves every other answer in place, where dropping all on each projection change would
 * keep nothing under a steady ingest. Freshness is exact, not a time-to-live. Computations over the projection are
 * synchronous, so concurrent identical requests never compute twice: the second finds the first's answer.
 */
export class ReadCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private elements = 0;
  private readonly maxEntries: number;
  private readonly maxElements: number;
  readonly stats = { hits: 0, misses: 0 };

  constructor(opts: ReadCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 1_000;
    this.maxElements = opts.maxElements ?? 1_000_000;
  }

  get size(): number { return this.entries.size; }

  /** The answer kept under `key` when nothing it read has changed since on `topo`; counts a hit or a miss. */
  get(topo: Topology, key: string): T | undefined {
    const kept = this.entries.get(key);
    if (kept && kept.topo === topo && topo.unchangedSince(kept.read, kept.version)) {
      this.stats.hits++;
      this.entries.delete(key);
      this.entries.set(key, kept);
      return kept.value;
    }
    this.stats.misses++;
    if (kept) this.drop(key, kept);
    return undefined;
  }

  /** Keep `value`, computed at `version` (read it before computing) from the CIs in `read`. */
  set(topo: Topology, key: string, version: number, value: T, read: ArrayLike<number>, elements: number): void {
    if (elements > this.maxElements / 4) return; // one answer never crowds out the rest
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    this.entries.set(key, { topo, version, read, value, elements });
    this.elements += elements;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.elements <= this.maxElements) break;
      this.drop(k, e);
    }
  }

  private drop(key: string, e: Entry<T>): void {
    this.entries.delete(key);
    this.elements -= e.elements;
  }
}
