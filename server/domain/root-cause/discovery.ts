import type { DiffResult } from '../../model/records.ts';

/** The longest pause inside one discovery: a collector's first sweep writes batch after batch, seconds apart. */
export const DISCOVERY_GAP_MS = 10 * 60_000;

/** What a look-back window says appeared in it. */
export interface Appearances {
  /** How many of today's CIs first appeared in the window, edited since or not. */
  cis: number;
  /**
   * When CIs first appeared, for those still at their first version. A CI edited since carries its edit's
   * instant, not its first sighting's: an edit is not an appearance, and as one it would stretch the burst
   * over every later change within the gap (a collector re-syncing an attribute every few minutes kept the
   * discovery going for hours, hiding the services and dependencies that did appear meanwhile).
   */
  ciFirstSightings: readonly number[];
  /** When relations first appeared, for those still at their first version (same reason). */
  relationFirstSightings?: readonly number[];
}

/**
 * When a look-back window holds the estate's own discovery (more than half of the CIs known now first appeared
 * in it: a fresh install, a demo, a new collector taking over most of the estate), the instant that discovery
 * ended; else null. In such a window nearly every candidate "appeared", so appearances up to that instant say
 * nothing about what changed before an incident. The discovery is the burst of first sightings around the median
 * CI's: it ends at the first pause longer than `gapMs` after it, and what appeared later is a change again.
 * The relations that appeared in the window are part of the burst: a sweep's last batches often carry only
 * relations (the demo's do, milliseconds after its last CI), and they are the discovery as much as the CIs.
 */
export function discoveryEnd(seen: Appearances, estateSize: number, gapMs = DISCOVERY_GAP_MS): number | null {
  if (estateSize <= 0 || seen.cis * 2 <= estateSize || !seen.ciFirstSightings.length) return null;
  const median = [...seen.ciFirstSightings].sort((a, b) => a - b)[seen.ciFirstSightings.length >> 1];
  const t = [...seen.ciFirstSightings, ...(seen.relationFirstSightings ?? [])].sort((a, b) => a - b);
  let i = t.lastIndexOf(median);
  while (i + 1 < t.length && t[i + 1] - t[i] <= gapMs) i++;
  return t[i];
}

/** `discoveryEnd` over what a diff of the window says appeared in it (CIs and relations), in an estate of this size. */
export function discoveryEndOf(diff: DiffResult, estateSize: number): number | null {
  const firstSightings = (added: readonly { version: number; validFrom: string }[]) => added.filter((x) => x.version === 1).map((x) => Date.parse(x.validFrom));
  return discoveryEnd({ cis: diff.cis.added.length, ciFirstSightings: firstSightings(diff.cis.added), relationFirstSightings: firstSightings(diff.relations.added) }, estateSize);
}
