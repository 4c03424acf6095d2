import { grown } from './int-list.ts';

const BITS = 12;
/** Strings per chunk: one heap string of ~90 KB for ids of ~22 characters. */
const CHUNK = 1 << BITS;
const MASK = CHUNK - 1;
/** A sealed chunk is written again once this many of its strings were changed since (each change is a Map entry until then). */
const RESEAL = 256;

/**
 * Strings by dense slot, 4,096 to a heap object: the projection's ids (1M CIs, 1.7M relations at the bench estate) as one
 * string each were millions of objects that every major GC marked (a 1M-CI start: two pauses of 82-83 ms). A chunk's
 * strings are joined into one string when it is full, with the end of each in a typed array; a read is a slice of it
 * (V8 makes a slice of 13 characters or more a view of its parent, no copy). Strings set over a sealed chunk's are
 * kept apart until the chunk has enough of them to be joined again.
 */
export class PackedStrings {
  private readonly texts: string[] = [];
  private readonly ends: Int32Array[] = [];
  /** The last chunk's strings, until it is full. */
  private open: string[] = [];
  /** Sealed chunks' strings changed since they were joined, by slot; and how many per chunk. */
  private readonly changed = new Map<number, string>();
  private changedIn = new Int32Array(16);

  get length(): number { return this.texts.length * CHUNK + this.open.length; }

  push(s: string): void {
    this.open.push(s);
    if (this.open.length === CHUNK) { this.seal(this.open); this.open = []; }
  }

  get(slot: number): string {
    const c = slot >>> BITS;
    if (c === this.texts.length) return this.open[slot & MASK];
    if (this.changedIn[c]) { const s = this.changed.get(slot); if (s !== undefined) return s; }
    const ends = this.ends[c], i = slot & MASK;
    return this.texts[c].slice(i ? ends[i - 1] : 0, ends[i]);
  }

  set(slot: number, s: string): void {
    const c = slot >>> BITS;
    if (c === this.texts.length) { this.open[slot & MASK] = s; return; }
    if (this.sealedIs(c, slot & MASK, s)) {
      if (this.changedIn[c] && this.changed.delete(slot)) this.changedIn[c]--;
      return;
    }
    if (!this.changed.has(slot)) this.changedIn[c]++;
    this.changed.set(slot, s);
    if (this.changedIn[c] >= RESEAL) this.reseal(c);
  }

  /** Whether the string at `slot` is `s`, without making it. */
  is(slot: number, s: string): boolean {
    const c = slot >>> BITS;
    if (c === this.texts.length) return this.open[slot & MASK] === s;
    if (this.changedIn[c]) { const x = this.changed.get(slot); if (x !== undefined) return x === s; }
    return this.sealedIs(c, slot & MASK, s);
  }

  private sealedIs(c: number, i: number, s: string): boolean {
    const ends = this.ends[c], start = i ? ends[i - 1] : 0;
    return ends[i] - start === s.length && this.texts[c].startsWith(s, start);
  }

  private seal(strings: string[], at = this.texts.length): void {
    const ends = new Int32Array(CHUNK);
    for (let i = 0, end = 0; i < strings.length; i++) ends[i] = end += strings[i].length;
    this.texts[at] = strings.join('');
    this.ends[at] = ends;
    this.changedIn = grown(this.changedIn, at + 1);
  }

  private reseal(c: number): void {
    const strings: string[] = [];
    for (let i = 0; i < CHUNK; i++) strings.push(this.get(c * CHUNK + i));
    for (let i = 0; i < CHUNK; i++) this.changed.delete(c * CHUNK + i);
    this.changedIn[c] = 0;
    this.seal(strings, c);
  }
}
