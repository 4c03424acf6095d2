/** Interns repeated strings (owners, environments) so each CI holds a small integer instead. */
export class StringTable {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  /** -1 for null. */
  intern(value: string | null): number {
    if (value === null) return -1;
    let i = this.index.get(value);
    if (i === undefined) { i = this.values.length; this.values.push(value); this.index.set(value, i); }
    return i;
  }

  value(i: number): string | null { return i < 0 ? null : this.values[i]; }
}
