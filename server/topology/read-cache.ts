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
  /** How often each key was asked for lately (hits and misses alike): what admission weighs. */
  private readonly asked = new FrequencySketch();

  constructor(opts: ReadCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 1_000;
    this.maxElements = opts.maxElements ?? 1_000_000;
  }

  get size(): number { return this.entries.size; }

  /** The answer kept under `key` when nothing it read has changed since on `topo`; counts a hit or a miss. */
  get(topo: Topology, key: string): T | undefined {
    this.asked.add(key);
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

  /**
   * Keep `value`, computed at `version` (read it before computing) from the CIs in `read`. When full, the new answer
   * only takes the place of the least recently used one if its key has been asked for more often lately (TinyLFU's
   * admission): readers cycling over more distinct maps than are kept (the load bench's 2,000 focus CIs, a wall of
   * dashboards) would otherwise evict most answers before they are asked for again, and each would be computed, kept,
   * promoted to the old generation and dropped in turn: few hits (24% in a simulation of the 1M load bench's order
   * over two workers), and that churn marked by every major GC. Admitted so, the kept share stays and is hit (49%).
   */
  set(topo: Topology, key: string, version: number, value: T, read: ArrayLike<number>, elements: number): void {
    if (elements > this.maxElements / 4) return; // one answer never crowds out the rest
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    else if (this.entries.size >= this.maxEntries || this.elements + elements > this.maxElements) {
      const [lruKey] = this.entries.keys();
      if (lruKey !== undefined && this.asked.estimate(key) <= this.asked.estimate(lruKey)) return;
    }
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

/**
 * Approximate counts of recently seen keys in fixed memory (a count-min sketch: 4 rows of 4-bit-range counters in
 * bytes, each key counted in one cell per row, its estimate the smallest of them), halved every `10 × width`
 * additions so that what was asked for long ago weighs less than what is asked for now.
 */
export class FrequencySketch {
  private readonly rows: Uint8Array[];
  private readonly mask: number;
  private additions = 0;

  constructor(private readonly width = 8192) {
    if (width & (width - 1)) throw new Error('the sketch width must be a power of two');
    this.mask = width - 1;
    this.rows = Array.from({ length: 4 }, () => new Uint8Array(width));
  }

  add(key: string): void {
    const h = hash(key);
    for (let r = 0; r < 4; r++) { const row = this.rows[r], i = cell(h, r) & this.mask; if (row[i] < 15) row[i]++; }
    if (++this.additions >= 10 * this.width) {
      for (const row of this.rows) for (let i = 0; i < row.length; i++) row[i] >>= 1;
      this.additions = 0;
    }
  }

  estimate(key: string): number {
    const h = hash(key);
    let min = 15;
    for (let r = 0; r < 4; r++) min = Math.min(min, this.rows[r][cell(h, r) & this.mask]);
    return min;
  }
}

/** FNV-1a over the key's UTF-16 code units. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
/** Row r's cell for hash h: h remixed with a per-row odd multiplier (rows independent enough for a sketch). */
const SEEDS = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f];
const cell = (h: number, r: number) => { const x = Math.imul(h ^ (h >>> 15), SEEDS[r]); return (x ^ (x >>> 13)) >>> 0; };
