import type { DiffResult } from '../../model/records.ts';

/** The longest pause inside one discovery: a collector's first sweep writes batch after batch, seconds apart. */
export const DISCOVERY_GAP_MS = 10 * 60_000;

/**
 * When a look-back window holds the estate's own discovery (more than half of the CIs known now first appeared
 * in it: a fresh install, a demo, a new collector taking over most of the estate), the instant that discovery
 * ended; else null. In such a window nearly every candidate "appeared", so appearances up to that instant say
 * nothing about what changed before an incident. The discovery is the burst of appearances around the median
 * CI's: it ends at the first pause longer than `gapMs` after it, and what appeared later is a change again.
 * The relations that appeared in the window are part of the burst: a sweep's last batches often carry only
 * relations (the demo's do, milliseconds after its last CI), and they are the discovery as much as the CIs.
 */
export function discoveryEnd(appearedAtMs: readonly number[], estateSize: number, gapMs = DISCOVERY_GAP_MS, relationsAppearedAtMs: readonly number[] = []): number | null {
  if (estateSize <= 0 || appearedAtMs.length * 2 <= estateSize) return null;
  const median = [...appearedAtMs].sort((a, b) => a - b)[appearedAtMs.length >> 1];
  const t = [...appearedAtMs, ...relationsAppearedAtMs].sort((a, b) => a - b);
  let i = t.lastIndexOf(median);
  while (i + 1 < t.length && t[i + 1] - t[i] <= gapMs) i++;
  return t[i];
}

/** `discoveryEnd` over what a diff of the window says appeared in it (CIs and relations), in an estate of this size. */
export function discoveryEndOf(diff: DiffResult, estateSize: number): number | null {
  return discoveryEnd(diff.cis.added.map((c) => Date.parse(c.validFrom)), estateSize, DISCOVERY_GAP_MS, diff.relations.added.map((r) => Date.parse(r.validFrom)));
}
