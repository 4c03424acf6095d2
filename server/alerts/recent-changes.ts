import type { ChangeRecord } from '../model/changes.ts';
import type { GraphStore } from '../store/port.ts';
import type { Records } from '../impact/records.ts';

export interface CauseChange { at: string; summary: string; ref?: string }

const fieldsChanged = (a: Record<string, unknown>, b: Record<string, unknown>): string[] => {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k === 'attributes') {
      const x = (a[k] ?? {}) as Record<string, unknown>, y = (b[k] ?? {}) as Record<string, unknown>;
      for (const ak of new Set([...Object.keys(x), ...Object.keys(y)])) {
        if (JSON.stringify(x[ak]) !== JSON.stringify(y[ak])) out.push(`${ak} ${JSON.stringify(x[ak] ?? null)} → ${JSON.stringify(y[ak] ?? null)}`);
      }
    } else if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.push(k);
  }
  return out;
};

/**
 * What changed on a situation's probable cause shortly before it: change records whose window
 * overlaps [since, now], and new versions of the CI (a deploy shows as a new `version` or `image`).
 * Newest first: the UI names the first one before anything else.
 */
export async function recentChangesOf(store: GraphStore, records: Records, ciId: string, sinceMs: number, nowMs: number): Promise<CauseChange[]> {
  const out: CauseChange[] = [];
  for (const c of await records.list('change') as ChangeRecord[]) {
    if (c.status === 'cancelled' || !c.cis.includes(ciId)) continue;
    const start = Date.parse(c.window.start), end = Date.parse(c.window.end);
    if (start <= nowMs && end >= sinceMs) out.push({ at: c.window.start, summary: `${c.type} change "${c.title}" (${c.status})`, ref: c.id });
  }
  const detail = await store.getCiDetail(ciId, 0);
  const history = [...(detail?.history ?? [])].sort((a, b) => a.version - b.version);
  for (let i = 1; i < history.length; i++) {
    const v = history[i], t = Date.parse(v.validFrom);
    if (t < sinceMs || t > nowMs) continue;
    const fields = fieldsChanged(history[i - 1].data as Record<string, unknown>, v.data as Record<string, unknown>);
    out.push({ at: v.validFrom, summary: `new version ${v.version}${fields.length ? `: ${fields.slice(0, 4).join(', ')}` : ''}` });
  }
  return out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, 10);
}
