/**
 * How long the projection has been behind the store: zero while it has applied the store's latest
 * change event, else the time since it was first seen behind (a projection that keeps up with a busy
 * store is briefly behind at every check, and that is not lag).
 */
export class LagTracker {
  private behindSince: number | null = null;
  private target = 0;

  observe(latestSeq: number, appliedSeq: number, now = Date.now()): number {
    if (appliedSeq >= latestSeq) { this.behindSince = null; return 0; }
    // Behind the same or a newer target: the clock keeps running from the first sighting,
    // unless the projection passed the target seen then (it is moving, only not caught up yet).
    if (this.behindSince === null || appliedSeq >= this.target) { this.behindSince = now; this.target = latestSeq; }
    return now - this.behindSince;
  }
}

export interface ReadinessDeps {
  latestSeq: () => Promise<number>;
  /** The projection's applied sequence, or null while it is not built. */
  projectionSeq: () => number | null;
  lag: LagTracker;
  maxLagMs: number;
  timeoutMs?: number;
}

export interface Readiness {
  ready: boolean;
  store: { ok: boolean; latestSeq?: number; error?: string };
  projection: { ok: boolean; built: boolean; seq?: number; behindEvents?: number; behindMs?: number; maxLagMs: number };
}

/** Ready: the store answers (within `timeoutMs`), the projection is built and not behind for longer than `maxLagMs`. */
export async function readiness(deps: ReadinessDeps): Promise<Readiness> {
  const timeoutMs = deps.timeoutMs ?? 2_000;
  let latest: number | undefined;
  let error: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    latest = await Promise.race([
      deps.latestSeq(),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs); }),
    ]);
  } catch (e) {
    error = (e as Error).message;
  } finally {
    clearTimeout(timer);
  }
  const seq = deps.projectionSeq();
  const store = latest === undefined ? { ok: false, error } : { ok: true, latestSeq: latest };
  if (seq === null) return { ready: false, store, projection: { ok: false, built: false, maxLagMs: deps.maxLagMs } };
  const behindMs = latest === undefined ? undefined : deps.lag.observe(latest, seq);
  const projection = {
    ok: behindMs !== undefined && behindMs <= deps.maxLagMs, built: true, seq,
    ...(latest !== undefined ? { behindEvents: Math.max(0, latest - seq), behindMs } : {}), maxLagMs: deps.maxLagMs,
  };
  return { ready: store.ok && projection.ok, store, projection };
}
