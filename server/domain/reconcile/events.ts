import type { ChangeEvent } from '../../model/records.ts';
import type { CiPlanItem, RelationPlanItem } from './types.ts';

const ciKind = { create: 'ci.created', update: 'ci.updated', restore: 'ci.restored', retire: 'ci.retired' } as const;
const relKind = { create: 'relation.created', update: 'relation.updated', restore: 'relation.restored', retire: 'relation.retired' } as const;

/** The change event a batch produces: every CI and relation whose record changed, with the new record. */
export function changesOf(cis: CiPlanItem[], relations: RelationPlanItem[]): ChangeEvent['changes'] {
  const out: ChangeEvent['changes'] = [];
  for (const c of cis) if (c.action !== 'unchanged') out.push({ kind: ciKind[c.action], ci: c.record });
  for (const r of relations) {
    if (r.action !== 'unchanged') out.push({ kind: relKind[r.action], relation: r.record });
    else if (r.touchOnly) out.push({ kind: 'relation.updated', relation: r.record });
  }
  return out;
}

export function countActions(items: { action: string; touchOnly?: boolean }[]) {
  const counts = { created: 0, updated: 0, unchanged: 0, retired: 0 };
  for (const i of items) {
    if (i.action === 'create') counts.created++;
    else if (i.action === 'update' || i.action === 'restore') counts.updated++;
    else if (i.action === 'retire') counts.retired++;
    else counts.unchanged++;
  }
  return counts;
}
