import { grown } from './int-list.ts';
import { PackedStrings } from './packed-strings.ts';

/**
 * Ids by dense number, and the number of each id: what a `string[]` and a `Map<string, number>` did, in a few heap
 * objects (PackedStrings, and an open-addressing hash table in typed arrays). The map's 1M keys at 1M CIs were each a
 * string for every major GC to mark. Append only: an id keeps its number for life.
 */
export class IdIndex {
  private readonly ids = new PackedStrings();
  /** Each id's hash, so that growing the table reads no id. */
  private hashes = new Int32Array(1024);
  /** number + 1 per cell (0: empty), linear probing, at most half full. */
  private table = new Int32Array(2048);

  get size(): number { return this.ids.length; }

  /** The id of number `n`. */
  idOf(n: number): string { return this.ids.get(n); }

  /** The number of `id`, undefined when it has none. */
  get(id: string): number | undefined {
    const h = hash(id), table = this.table, mask = table.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = table[i];
      if (e === 0) return undefined;
      if (this.hashes[e - 1] === h && this.ids.is(e - 1, id)) return e - 1;
    }
  }

  /** Gives `id` (not yet known: check with get) the next number. */
  add(id: string): number {
    const n = this.ids.length, h = hash(id);
    this.ids.push(id);
    this.hashes = grown(this.hashes, n + 1);
    this.hashes[n] = h;
    if (2 * (n + 1) > this.table.length) this.rehash(this.table.length * 2);
    else place(this.table, h, n);
    return n;
  }

  private rehash(capacity: number): void {
    const table = new Int32Array(capacity);
    for (let n = 0; n < this.ids.length; n++) place(table, this.hashes[n], n);
    this.table = table;
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
