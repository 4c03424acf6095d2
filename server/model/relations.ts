import { z } from 'zod';

/**
 * Relation types read as English from source to target ("checkout DEPENDS_ON payments").
 * `impact` says which way failure travels along a stored edge:
 *  - `toSource`: the target failing hurts the source (checkout needs payments),
 *  - `toTarget`: the source failing hurts the target (a pod failing hurts its workload),
 *  - `none`: ownership, monitoring and similar bookkeeping: failure does not travel along it.
 */
export interface RelationTypeDef {
  name: string;
  impact: 'toSource' | 'toTarget' | 'none';
  reverse: string;
  title: string;
}

export const relationTypeList: readonly RelationTypeDef[] = [
  { name: 'DEPENDS_ON', impact: 'toSource', reverse: 'DEPENDENCY_OF', title: 'depends on' },
  { name: 'RUNS_ON', impact: 'toSource', reverse: 'HOSTS', title: 'runs on' },
  { name: 'PART_OF', impact: 'toTarget', reverse: 'HAS_PART', title: 'is part of' },
  { name: 'OWNED_BY', impact: 'none', reverse: 'OWNS', title: 'is owned by' },
  // A status page or health checker polling B: if B fails the checker reports it and keeps working, and
  // if the checker fails B does not notice. Recorded so the map shows who watches what, never impact.
  { name: 'MONITORS', impact: 'none', reverse: 'MONITORED_BY', title: 'monitors' },
];

export const relationTypes: ReadonlyMap<string, RelationTypeDef> = new Map(relationTypeList.map((r) => [r.name, r]));
export const RelationTypeName = z.enum(['DEPENDS_ON', 'RUNS_ON', 'PART_OF', 'OWNED_BY', 'MONITORS']);
export type RelationTypeName = z.infer<typeof RelationTypeName>;

/** `minUp` is a count of providers or a percentage such as "50%" (iTop's redundancy). */
export const minUpShare = /^(100|[1-9]?\d)(\.\d+)?%$/;
export const MinUp = z.union([
  z.number().int().min(0),
  z.string().regex(minUpShare, 'a percentage such as "50%"'),
]);
export type MinUp = z.infer<typeof MinUp>;

export const Redundancy = z.strictObject({
  group: z.string().min(1).max(200),
  minUp: MinUp,
});
export type Redundancy = z.infer<typeof Redundancy>;

export const Provenance = z.enum(['declared', 'observed', 'manual']);
export type Provenance = z.infer<typeof Provenance>;

/** How many providers of a group must be up, given its size. */
export function requiredUp(minUp: MinUp, groupSize: number): number {
  if (typeof minUp === 'number') return Math.min(minUp, groupSize);
  const pct = Number.parseFloat(minUp);
  // The epsilon keeps an exact share (e.g. 70% of 10 = 7.000000000000001) from rounding up through float error; max() avoids -0.
  return Math.max(0, Math.min(groupSize, Math.ceil((pct / 100) * groupSize - 1e-9)));
}
