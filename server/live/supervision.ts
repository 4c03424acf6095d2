/** What /healthz (and /readyz, metrics) report of one background loop. */
export interface LoopStatus {
  name: string;
  ok: boolean;
  /** Consecutive failures since the last success. */
  failures: number;
  lastError: string | null;
  lastErrorAt: string | null;
  lastOkAt: string | null;
}

/**
 * The state of one supervised loop: counts consecutive failures, says when to try again (doubling from
 * `baseMs` up to `maxMs`) and logs one line per failure streak, not one per attempt.
 */
export class Backoff {
  private failures = 0;
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private lastOkAt: number | null = null;

  constructor(readonly name: string, private readonly opts: { baseMs: number; maxMs: number; now?: () => number; log?: (line: string) => void }) {}

  get failing(): boolean { return this.failures > 0; }

  failed(message: string): void {
    this.failures++;
    this.lastError = message;
    this.lastErrorAt = this.now();
    if (this.failures === 1 || this.failures % 20 === 0) (this.opts.log ?? console.error)(`${this.name}: ${message} (attempt ${this.failures}; retrying in ${Math.round(this.delayMs() / 100) / 10} s)`);
  }

  succeeded(): void {
    if (this.failures > 0) (this.opts.log ?? console.error)(`${this.name}: recovered after ${this.failures} failed attempt${this.failures > 1 ? 's' : ''}`);
    this.failures = 0;
    this.lastOkAt = this.now();
  }

  /** Delay before the next attempt: the base while healthy, doubling with each failure. */
  delayMs(): number {
    return Math.min(this.opts.maxMs, this.opts.baseMs * 2 ** Math.max(0, Math.min(this.failures - 1, 20)));
  }

  status(): LoopStatus {
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    return { name: this.name, ok: this.failures === 0, failures: this.failures, lastError: this.lastError, lastErrorAt: iso(this.lastErrorAt), lastOkAt: iso(this.lastOkAt) };
  }

  private now(): number { return (this.opts.now ?? Date.now)(); }
}
