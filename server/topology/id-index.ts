import { grown } from './int-list.ts';
import { PackedStrings } from './packed-strings.ts';

/** Numbers moved from the old table to the new per add while a growth is under way (see IdIndex.add). */
const MOVES_PER_ADD = 4;
/** Numbers moved per step of a reservation (IdIndex.reserveSteps). */
const RESERVE_MOVES = 65_536;
/** Cells of a reserved table first written per step (2 MB). */
const PREFAULT_CELLS = 1 << 19;

/**
 * Ids by dense number, and the number of each id: what a `string[]` and a `Map<string, number>` did, in a few heap
 * objects (PackedStrings, and an open-addressing hash table in typed arrays). The map's 1M keys at 1M CIs were each a
 * string for every major GC to mark. Append only: an id keeps its number for life.
 *
 * The table grows in steps: rehashing 512k ids in one call held the loop for ~90 ms (a 1M-CI start, or an estate
 * passing a power of two while it runs), so a growth moves a few old numbers per add into the new table while lookups
 * read both, and the old one is dropped once every number it held has moved.
 */
export class IdIndex {
  private readonly ids = new PackedStrings();
  /** Each id's hash, so that growing the table reads no id. */
  private hashes = new Int32Array(1024);
  /** number + 1 per cell (0: empty), linear probing, at most half full (old and new together while growing). */
  private table = new Int32Array(2048);
  /** While growing: the previous table, holding the numbers below `moving` that have not moved yet. */
  private old: Int32Array | null = null;
  /** While growing: numbers below `moved` are in `table`; those from `moved` to `moving` are still only in `old`. */
  private moved = 0;
  private moving = 0;

  get size(): number { return this.ids.length; }

  /** The id of number `n`. */
  idOf(n: number): string { return this.ids.get(n); }

  /** The number of `id`, undefined when it has none. */
  get(id: string): number | undefined {
    const h = hash(id);
    const n = this.find(this.table, h, id);
    if (n !== undefined || this.old === null) return n;
    const was = this.find(this.old, h, id);
    return was !== undefined && was >= this.moved ? was : undefined;
  }

  /** Gives `id` (not yet known: check with get) the next number. */
  add(id: string): number {
    const n = this.ids.length, h = hash(id);
    this.ids.push(id);
    this.hashes = grown(this.hashes, n + 1);
    this.hashes[n] = h;
    if (this.old !== null) this.moveSome(MOVES_PER_ADD);
    // Old and new start a growth at most half full each: with 4 moves per add, the old empties before the new is.
    else if (2 * (n + 1) > this.table.length) this.grow(new Int32Array(this.table.length * 2), n); // n itself is placed below
    place(this.table, h, n);
    return n;
  }

  /** Room for `count` ids without growing (a load that knows about how many it will add). */
  reserve(count: number): void {
    for (const _ of this.reserveSteps(count)) { /* all in this call */ }
  }

  /**
   * The same in steps. A new table's memory is first written in steps of PREFAULT_CELLS, before it takes any number:
   * its pages are faulted in on first write (~4 ms of kernel time per MB here), and numbers placed at random hashes
   * first wrote all 16 MB of a 1M-CI load's table in one step (~55-75 ms). Then the numbers move RESERVE_MOVES a step.
   * Lookups and adds between steps read both tables, as during a growth.
   */
  *reserveSteps(count: number): Generator<void, void> {
    let capacity = this.table.length;
    while (capacity < 2 * count) capacity *= 2;
    this.hashes = grown(this.hashes, count);
    if (capacity === this.table.length) return;
    const fresh = new Int32Array(capacity);
    for (let at = 0; at < capacity; at += PREFAULT_CELLS) { fresh.fill(0, at, at + PREFAULT_CELLS); yield; }
    while (this.old !== null) { this.moveSome(RESERVE_MOVES); yield; }
    // Adds between the steps may have grown the table as far (a reservation smaller than what came meanwhile).
    if (capacity <= this.table.length) return;
    this.grow(fresh, this.ids.length);
    while (this.old !== null) { yield; this.moveSome(RESERVE_MOVES); }
  }

  /** `table` (empty) takes over; numbers below `held` are in the current one and move over in later steps. */
  private grow(table: Int32Array<ArrayBuffer>, held: number): void {
    this.old = this.table;
    this.table = table;
    this.moved = 0;
    this.moving = held;
    if (held === 0) this.old = null;
  }

  private moveSome(count: number): void {
    const end = Math.min(this.moving, this.moved + count);
    for (let n = this.moved; n < end; n++) place(this.table, this.hashes[n], n);
    this.moved = end;
    if (end === this.moving) this.old = null;
  }

  private finishGrowth(): void { if (this.old !== null) this.moveSome(this.moving - this.moved); }

  private find(table: Int32Array, h: number, id: string): number | undefined {
    const mask = table.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = table[i];
      if (e === 0) return undefined;
      if (this.hashes[e - 1] === h && this.ids.is(e - 1, id)) return e - 1;
    }
  }
}

function place(table: Int32Array, h: number, n: number): void {
  const mask = table.length - 1;
  let i = h & mask;
  while (table[i] !== 0) i = (i + 1) & mask;
  table[i] = n + 1;
}

/** FNV-1a over the UTF-16 code units, then mixed (linear probing wants the low bits spread). */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13;
  return h;
}
