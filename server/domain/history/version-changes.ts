import type { CiVersion } from '../../model/records.ts';

/** One thing that changed on a CI, for people: when, and what in words (`ref`: the change record or relation). */
export interface CauseChange { at: string; summary: string; ref?: string }

/** The fields two versions' data differ in; attributes by name, with the old and new value. */
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
 * A CI's versions that began in [sinceMs, nowMs], each with what it changed (attributes by name, old → new);
 * the first version, when it began then, as "appeared" (unless it began by `discoveredUntilMs`, with the estate's
 * discovery). Oldest first.
 */
export function versionChanges(history: readonly CiVersion[], sinceMs: number, nowMs: number, discoveredUntilMs = -Infinity): CauseChange[] {
  const sorted = [...history].sort((a, b) => a.version - b.version);
  const out: CauseChange[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i], t = Date.parse(v.validFrom);
    if (t < sinceMs || t > nowMs) continue;
    if (i === 0) { if (t > discoveredUntilMs) out.push({ at: v.validFrom, summary: 'appeared' }); continue; }
    const fields = fieldsChanged(sorted[i - 1].data as Record<string, unknown>, v.data as Record<string, unknown>);
    out.push({ at: v.validFrom, summary: `new version ${v.version}${fields.length ? `: ${fields.slice(0, 4).join(', ')}` : ''}` });
  }
  return out;
}
