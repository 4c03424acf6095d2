/**
 * Where one request's time went on the server, as a W3C `Server-Timing` header (browsers' developer tools and
 * clients read it): named stages in the order they happened, each the milliseconds since the one before (or a
 * duration measured elsewhere, such as on the writer thread), and `total` from arrival to the reply. What a
 * client measures beyond `total` was spent before the server saw the request or after its reply was written.
 */
export class ServerTiming {
  private readonly stages: [name: string, ms: number][] = [];
  private last: number;

  /** `arrived`: performance.now() when the request reached the app. */
  constructor(private readonly arrived: number) {
    this.last = arrived;
  }

  /** The stage `name` ended now: it lasted since the previous mark (or arrival). */
  mark(name: string): void {
    const now = performance.now();
    this.stages.push([name, now - this.last]);
    this.last = now;
  }

  /**
   * A stage ending now that had parts measured elsewhere: `parts` (their milliseconds) are listed as they are, and
   * what is left of the time since the previous mark is listed as `rest` (a hand-over's waits, say).
   */
  markWithin(rest: string, parts: Record<string, number>): void {
    const now = performance.now();
    let inside = 0;
    for (const [name, ms] of Object.entries(parts)) { this.stages.push([name, ms]); inside += ms; }
    this.stages.push([rest, Math.max(0, now - this.last - inside)]);
    this.last = now;
  }

  /** The header's value, with `total` up to now. */
  header(): string {
    const all = [...this.stages, ['total', performance.now() - this.arrived] as [string, number]];
    return all.map(([name, ms]) => `${name};dur=${ms.toFixed(2)}`).join(', ');
  }
}

/** A `Server-Timing` value as stage -> milliseconds (what the load benchmark reads); entries without `dur` are left out. */
export function parseServerTiming(value: string | null): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of (value ?? '').split(',')) {
    const [rawName, ...params] = entry.split(';');
    const name = rawName.trim();
    const dur = params.map((p) => /^\s*dur=([\d.]+)\s*$/.exec(p)?.[1]).find((d) => d !== undefined);
    if (name && dur !== undefined) out.set(name, (out.get(name) ?? 0) + Number(dur));
  }
  return out;
}
