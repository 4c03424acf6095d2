/**
 * Where a start is while the server already listens: the store is open, the in-memory projection is loading.
 * Until `finish()`, /healthz answers 503 `starting` with this progress and every API route 503 `starting`
 * with Retry-After (server/api/app.ts), so a person or a probe sees "starting, N of M CIs loaded" rather
 * than a refused connection (at 1M CIs the load takes tens of seconds, minutes under load).
 */
export interface StartingReport {
  status: 'starting';
  ok: false;
  reasons: string[];
  /** What the start is doing now. */
  phase: string;
  /** CIs in the projection so far, and how many there are (null when the store cannot say cheaply). */
  loadedCis: number;
  totalCis: number | null;
  elapsedMs: number;
  store: string;
  pid: number;
}

/** Seconds a client is told to wait before asking again (Retry-After). */
export const STARTING_RETRY_AFTER_S = 2;

export class Startup {
  private loaded = 0;
  private total: number | null = null;
  private phase = 'opening the store';
  private done = false;
  private readonly began = performance.now();

  /** The projection holds `loaded` CIs of `total`. */
  progress(loaded: number, total?: number | null): void {
    this.loaded = loaded;
    if (total !== undefined) this.total = total;
    this.phase = 'loading the projection';
  }

  /** How many CIs the projection will hold, once the store has counted them (meanwhile null). */
  expect(total: number): void { this.total = total; }

  /** Some other step of the start (background loops, the writer thread). */
  step(phase: string): void { this.phase = phase; }

  finish(): void { this.done = true; }

  get starting(): boolean { return !this.done; }

  /** One sentence for a person: what is loading and how far it got. */
  message(): string {
    const n = (x: number) => x.toLocaleString('en-US');
    const of = this.total !== null ? ` of ${n(this.total)}` : '';
    return this.phase === 'loading the projection'
      ? `servicegraph is starting: loading ${n(this.loaded)}${of} CIs into memory; try again in a few seconds`
      : `servicegraph is starting: ${this.phase}; try again in a few seconds`;
  }

  report(store: string): StartingReport {
    return {
      status: 'starting', ok: false, reasons: [this.message()], phase: this.phase, loadedCis: this.loaded, totalCis: this.total,
      elapsedMs: Math.round(performance.now() - this.began), store, pid: process.pid,
    };
  }
}
