import { spelledOut } from '../server/model/text.ts';
import type { PlannedBatch } from './push-plan.ts';

/** One item the server refused, and why, as a collector's user reads it. */
export interface RefusedItem {
  kind: 'ci' | 'relation';
  /** The item as people name it: `service/checkout`, `service/a -DEPENDS_ON-> database/b`. */
  item: string;
  reasons: string[];
}

interface Problem { path: (string | number)[]; message: string }

const ref = (r: unknown): string => spelledOut(refText(r));

const refText = (r: unknown): string => {
  const o = r as { class?: string; name?: string; id?: string; identifiers?: unknown } | undefined;
  if (o?.class !== undefined) return o.name !== undefined ? `${o.class}/${o.name}` : `${o.class} ${JSON.stringify(o.identifiers ?? {}).slice(0, 200)}`;
  return o?.id ?? JSON.stringify(r).slice(0, 200);
};

/**
 * The items of a refused batch the server named one by one (`details.problems` paths `cis.<i>.…` or
 * `relations.<i>.…`, as every ingest 400 gives them), with the batch left once they are dropped; null when
 * any problem is about the batch itself (its size, its run, a missing field of the body): then no item
 * is to blame and dropping some would not help.
 */
export function dropRefusedItems(batch: PlannedBatch, details: unknown): { rest: PlannedBatch; refused: RefusedItem[] } | null {
  const problems = (details as { problems?: unknown } | undefined)?.problems;
  if (!Array.isArray(problems) || problems.length === 0) return null;
  const byItem = { cis: new Map<number, string[]>(), relations: new Map<number, string[]>() };
  for (const p of problems as Problem[]) {
    const [list, index] = Array.isArray(p?.path) ? p.path : [];
    if ((list !== 'cis' && list !== 'relations') || !Number.isInteger(index)) return null;
    const i = index as number;
    if (i < 0 || i >= batch[list].length) return null;
    const reasons = byItem[list].get(i) ?? [];
    reasons.push(`${p.path.slice(2).join('.') || '(item)'}: ${String(p.message)}`);
    byItem[list].set(i, reasons);
  }
  const refused: RefusedItem[] = [];
  for (const [i, reasons] of byItem.cis) refused.push({ kind: 'ci', item: ref(batch.cis[i]), reasons });
  for (const [i, reasons] of byItem.relations) {
    const r = batch.relations[i];
    refused.push({ kind: 'relation', item: `${ref(r.from)} -${r.type}-> ${ref(r.to)}`, reasons });
  }
  return {
    rest: { cis: batch.cis.filter((_, i) => !byItem.cis.has(i)), relations: batch.relations.filter((_, i) => !byItem.relations.has(i)) },
    refused,
  };
}
