import type { CiDetail, RelationRecord } from '../../model/records.ts';

/**
 * How many relations to read for a CI's detail that lists at most `limit`: one more, so the answer can say
 * there are more without counting a hub's hundreds of thousands.
 */
export const relationsToRead = (limit: number | undefined): number | undefined => (limit === undefined ? undefined : limit + 1);

/** A CI's relations as its detail lists them: by direction, at most `limit`, `truncated` when `read` held more. */
export function ciRelations(id: string, read: RelationRecord[], limit: number | undefined): CiDetail['relations'] {
  const rels = limit === undefined ? read : read.slice(0, limit);
  return { outgoing: rels.filter((r) => r.from === id), incoming: rels.filter((r) => r.to === id), truncated: read.length > rels.length };
}
