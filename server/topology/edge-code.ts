import { relationTypeList, relationTypes } from '../model/relations.ts';

/** Relation types as small codes on each stored edge; DEAD marks a removed base edge until compaction. */
export const DEAD = 0xff;
const codes = new Map(relationTypeList.map((t, i) => [t.name, i]));

export function relationTypeCode(type: string): number {
  const c = codes.get(type);
  if (c === undefined) throw new Error(`unknown relation type ${type}`);
  return c;
}

/**
 * Turns a stored relation (read source → target) into an impact edge provider → dependent,
 * per design.md section 3: DEPENDS_ON/RUNS_ON hurt the source, PART_OF the target, OWNED_BY nobody.
 */
export function impactEnds(rel: { type: string; from: string; to: string }): { provider: string; dependent: string } | null {
  const def = relationTypes.get(rel.type);
  if (!def || def.impact === 'none') return null;
  return def.impact === 'toSource' ? { provider: rel.to, dependent: rel.from } : { provider: rel.from, dependent: rel.to };
}
