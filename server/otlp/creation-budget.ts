/**
 * How many CIs live traces may still create: a token bucket holding at most `perHour`, refilled
 * continuously. Nodes the store already holds never spend from it; `known` remembers them (bounded:
 * past its cap it starts afresh, and the store is asked again).
 */
export class CreationBudget {
  private tokens: number;
  private at: number;
  private readonly known = new Set<string>();

  constructor(readonly perHour: number, private readonly knownCap: number, now: number) {
    this.tokens = perHour;
    this.at = now;
  }

  isKnown(key: string): boolean { return this.known.has(key); }

  remember(key: string): void {
    if (this.known.size >= this.knownCap) this.known.clear();
    this.known.add(key);
  }

  /** Spend one creation; false when the bucket is empty. */
  take(now: number): boolean {
    this.tokens = Math.min(this.perHour, this.tokens + ((now - this.at) / 3_600_000) * this.perHour);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  get available(): number { return Math.floor(this.tokens); }
}
