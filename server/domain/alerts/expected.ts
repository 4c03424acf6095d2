import type { AlertRecord } from '../../model/alerts.ts';
import type { ChangeRecord, WindowRecord } from '../../model/changes.ts';

const contains = (w: { start: string; end: string }, at: number) => Date.parse(w.start) <= at && at < Date.parse(w.end);

/**
 * Why an alert on `ciId` firing at `at` is expected: an approved or running change touching the CI inside
 * its window, or a maintenance window naming it (the same rule as impact's maintenance, design.md section 4).
 */
export function expectedBecause(ciId: string, at: string, changes: readonly ChangeRecord[], windows: readonly WindowRecord[]): AlertRecord['expected'] {
  const t = Date.parse(at);
  for (const c of changes) {
    if ((c.status === 'approved' || c.status === 'in-progress') && contains(c.window, t) && c.cis.includes(ciId)) return { kind: 'change', id: c.id, title: c.title };
  }
  for (const w of windows) {
    if (w.kind === 'maintenance' && contains(w, t) && w.services.includes(ciId)) return { kind: 'window', id: w.id, title: w.title };
  }
  return null;
}
