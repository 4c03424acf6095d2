import type { Topology } from './topology.ts';

export interface ReadCacheOptions {
  /** Answers kept in all (the window's included). */
  maxEntries?: number;
  /** Elements (nodes, edges, CIs read: the caller's measure) held by all answers together: bounds the memory. */
  maxElements?: number;
  /**
   * Answers the window keeps: the newest, in LRU order, whatever their frequency (W-TinyLFU's window; default 1% of
   * maxEntries, at least 1; 0: none, every new answer weighed for admission at once, as plain TinyLFU).
   */
  windowEntries?: number;
}

interface Entry<T> { topo: Topology; version: number; read: ArrayLike<number>; value: T; elements: number }

/**
 * Answers computed from the live projection, by key, each valid while none of the CIs it read has changed since:
 * the projection stamps every CI a mutation touches (Topology.unchangedSince), and an answer is checked against the
 * CIs it read before it is reused. A batch elsewhere in the estate (a collector re-asserting its corner, a load
 * client adding services) leaves every other answer in place, where dropping all on each projection change would
 * keep nothing under a steady ingest. Freshness is exact, not a time-to-live. Computations over the projection are
 * synchronous, so concurrent identical requests never compute twice: the second finds the first's answer.
 *
 * What is kept when full is W-TinyLFU's choice (Einziger, Friedman and Manes; Caffeine's policy): a new answer enters
 * a small LRU window; the one the window lets go takes the place of the main part's least recently used answer only if
 * its key has been asked for more often lately (the admission). Readers cycling over more distinct maps than are kept
 * (the load bench's 2,000 focus CIs, a wall of dashboards) would under plain LRU evict most answers before they are
 * asked for again, each computed, kept, promoted to the old generation and dropped in turn: few hits (24% in a
 * simulation of the 1M load bench's order over two workers, `npm run bench -- read-cache`), and that churn marked by
 * every major GC; admitted so, the kept share stays and is hit (49%). The window is for the other case: a map that many
 * readers open at once (an incident's service, just linked) is new, so its frequency is low; weighed at once, it
 * would be refused until its asks outnumber those of what is kept, and computed afresh for each of them meanwhile.
 */
export class ReadCache<T> {
  /** The newest answers, least recently used first (Map order). */
  private readonly window = new Map<string, Entry<T>>();
  /** Answers the admission let in, least recently used first. */
  private readonly main = new Map<string, Entry<T>>();
  private elements = 0;
  private readonly maxEntries: number;
  private readonly maxElements: number;
  private readonly windowEntries: number;
  readonly stats = { hits: 0, misses: 0 };
  /** How often each key was asked for lately (hits and misses alike): what admission weighs. */
  private readonly asked = new FrequencySketch();

  constructor(opts: ReadCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 1_000;
    this.maxElements = opts.maxElements ?? 1_000_000;
    this.windowEntries = Math.min(this.maxEntries, opts.windowEntries ?? Math.max(1, Math.floor(this.maxEntries / 100)));
  }

  get size(): number { return this.window.size + this.main.size; }

  /** The answer kept under `key` when nothing it read has changed since on `topo`; counts a hit or a miss. */
  get(topo: Topology, key: string): T | undefined {
    this.asked.add(key);
    const region = this.window.has(key) ? this.window : this.main;
    const kept = region.get(key);
    if (kept && kept.topo === topo && topo.unchangedSince(kept.read, kept.version)) {
      this.stats.hits++;
      region.delete(key);
      region.set(key, kept);
      return kept.value;
    }
    this.stats.misses++;
    if (kept) this.drop(region, key, kept);
    return undefined;
  }

  /**
   * Keep `value`, computed at `version` (read it before computing) from the CIs in `read`: in the window, or where the
   * key's former answer was. When full, the window's least recently used answer goes to the main part if admitted
   * (see the class comment), else is dropped.
   */
  set(topo: Topology, key: string, version: number, value: T, read: ArrayLike<number>, elements: number): void {
    if (elements > this.maxElements / 4) return; // one answer never crowds out the rest
    const entry = { topo, version, read, value, elements };
    const old = this.window.get(key) ?? this.main.get(key);
    const region = old && this.main.get(key) === old ? this.main : this.window;
    if (old) this.drop(region, key, old);
    region.set(key, entry);
    this.elements += elements;
    while (this.window.size > this.windowEntries) this.leaveWindow();
    // Over the element bound (an answer larger than the one it replaced): the least recently used go, main's first.
    while (this.elements > this.maxElements && this.size > 0) {
      const from = this.main.size ? this.main : this.window;
      const [k, e] = from.entries().next().value!;
      this.drop(from, k, e);
    }
  }

  /** The window's least recently used answer, to the main part if it is asked for more often than what it would evict. */
  private leaveWindow(): void {
    const [key, candidate] = this.window.entries().next().value!;
    this.window.delete(key);
    const mainMax = this.maxEntries - this.windowEntries;
    while (this.main.size > 0 && (this.main.size >= mainMax || this.elements > this.maxElements)) {
      const [victimKey, victim] = this.main.entries().next().value!;
      if (this.asked.estimate(key) <= this.asked.estimate(victimKey)) { this.elements -= candidate.elements; return; }
      this.drop(this.main, victimKey, victim);
    }
    if (mainMax > 0) this.main.set(key, candidate); else this.elements -= candidate.elements;
  }

  private drop(region: Map<string, Entry<T>>, key: string, e: Entry<T>): void {
    region.delete(key);
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
