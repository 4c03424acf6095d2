/**
 * While the server starts it listens before its projection is loaded: /healthz answers 503 `{status: "starting",
 * loadedCis, totalCis}` and every API call 503 `{error: {code: "starting"}}` (server/ops/startup.ts). The app then
 * says so, with the progress, instead of failing, and carries on once the server has started.
 */
export interface StartingHealth { status: 'starting'; loadedCis: number; totalCis: number | null; phase?: string }

const n = (x: number) => x.toLocaleString('en-US');

/** What the app says while the server starts, from /healthz's body; null when the server is not starting. */
export function startingNotice(health: unknown): string | null {
  const h = health as Partial<StartingHealth> | null;
  if (!h || h.status !== 'starting') return null;
  if (h.phase && h.phase !== 'loading the projection') return `servicegraph is starting — ${h.phase}`;
  const loaded = typeof h.loadedCis === 'number' ? h.loadedCis : 0;
  return typeof h.totalCis === 'number'
    ? `servicegraph is starting — loading ${n(loaded)} of ${n(h.totalCis)} CIs`
    : `servicegraph is starting — loading CIs (${n(loaded)} so far)`;
}

/**
 * Polls /healthz every `everyMs` while the server starts, telling `notice` what to show (null once started, or
 * when /healthz says anything but `starting`: the app's own error handling takes over from there).
 */
export async function followStart(notice: (text: string | null) => void, opts: { fetcher?: typeof fetch; everyMs?: number; signal?: AbortSignal } = {}): Promise<void> {
  const fetcher = opts.fetcher ?? ((...a) => fetch(...a));
  for (;;) {
    if (opts.signal?.aborted) return;
    let text: string | null = null;
    try {
      const res = await fetcher('/healthz', { signal: opts.signal });
      text = res.status === 503 ? startingNotice(await res.json().catch(() => null)) : null;
    } catch {
      // Not answering at all (restarting): keep what is shown and ask again.
      text = 'servicegraph is not answering — retrying';
    }
    notice(text);
    if (text === null) return;
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 1_000));
  }
}
