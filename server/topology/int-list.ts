/** An append-only list of 32-bit integers in one typed array: no boxing, a quarter of a JS array's memory. */
export class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) { this.data = new Int32Array(capacity); }
  /** Room for `capacity` values without growing. */
  reserve(capacity: number): void { this.data = grown(this.data, capacity); }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** A copy of `a` with room for at least `n` elements (amortised doubling). */
export function grown<T extends Uint8Array | Int32Array>(a: T, n: number): T {
  if (a.length >= n) return a;
  const next = new (a.constructor as new (len: number) => T)(Math.max(n, a.length * 2, 1024));
  next.set(a);
  return next;
}
