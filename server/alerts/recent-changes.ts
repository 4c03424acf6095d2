import type { ChangeRecord } from '../model/changes.ts';
import type { GraphStore } from '../store/port.ts';
import { versionChanges } from '../domain/history/version-changes.ts';
import type { Records } from '../impact/records.ts';

export type { CauseChange } from '../domain/history/version-changes.ts';
import type { CauseChange } from '../domain/history/version-changes.ts';

/**
 * What changed on a situation's probable cause shortly before it: change records whose window
 * overlaps [since, now], and new versions of the CI (a deploy shows as a new `version` or `image`).
 * Its first version is told as "appeared" unless it began by `discoveredUntilMs`, with the estate's own
 * discovery (see discovery.ts): on a fresh install every cause "appeared" then, which says nothing.
 * Newest first: the UI names the first one before anything else.
 */
export async function recentChangesOf(store: GraphStore, records: Records, ciId: string, sinceMs: number, nowMs: number, discoveredUntilMs = -Infinity): Promise<CauseChange[]> {
  const out: CauseChange[] = [];
  for (const c of await records.list('change') as ChangeRecord[]) {
    if (c.status === 'cancelled' || !c.cis.includes(ciId)) continue;
    const start = Date.parse(c.window.start), end = Date.parse(c.window.end);
    if (start <= nowMs && end >= sinceMs) out.push({ at: c.window.start, summary: `${c.type} change "${c.title}" (${c.status})`, ref: c.id });
  }
  const detail = await store.getCiDetail(ciId, 0);
  out.push(...versionChanges(detail?.history ?? [], sinceMs, nowMs, discoveredUntilMs));
  return out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, 10);
}
