import { spelledOut } from '../server/model/text.ts';
import type { PlannedBatch } from './push-plan.ts';
import type { RefusedItem as ServerRefusal } from '../server/model/ingest.ts';

/** One item the server refused, and why, as a collector's user reads it. */
export interface RefusedItem {
  kind: 'ci' | 'relation';
  /** The item as people name it: `service/checkout`, `service/a -DEPENDS_ON-> database/b`. */
  item: string;
  reasons: string[];
}

const ref = (r: unknown): string => spelledOut(refText(r));

const refText = (r: unknown): string => {
  const o = r as { class?: string; name?: string; id?: string; identifiers?: unknown } | undefined;
  if (o?.class !== undefined) return o.name !== undefined ? `${o.class}/${o.name}` : `${o.class} ${JSON.stringify(o.identifiers ?? {}).slice(0, 200)}`;
  return o?.id ?? JSON.stringify(r).slice(0, 200);
};

/**
 * The items of a batch the server refused one by one (the reply's `refused`, each `at` cis.<i> or relations.<i> of the
 * batch as sent), named as the collector's user knows them. The server wrote the others.
 */
export function describeRefused(batch: PlannedBatch, refused: readonly ServerRefusal[]): RefusedItem[] {
  return refused.map((r) => {
    const [list, index] = r.at.split('.');
    const i = Number(index);
    if (list === 'cis' && batch.cis[i]) return { kind: 'ci' as const, item: ref(batch.cis[i]), reasons: [r.message] };
    const rel = list === 'relations' ? batch.relations[i] : undefined;
    if (rel) return { kind: 'relation' as const, item: `${ref(rel.from)} -${rel.type}-> ${ref(rel.to)}`, reasons: [r.message] };
    return { kind: list === 'cis' ? 'ci' as const : 'relation' as const, item: r.at, reasons: [r.message] };
  });
}
