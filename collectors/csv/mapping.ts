import { z } from 'zod';
import { isMap, isSeq, isScalar, parseDocument, LineCounter, type Node } from 'yaml';
import { CiClassName, ciClassNames } from '../../server/model/classes.ts';
import { RelationTypeName } from '../../server/model/relations.ts';
import { CollectError } from '../types.ts';

/**
 * The mapping file: which CSV columns make which CI fields and relation ends. Column names are
 * the header row's. A value that is the same for every row is given as a constant (`class: host`);
 * one that varies is read from a column (`classColumn: kind`).
 */
const Column = z.string().min(1);
const ColumnMap = z.record(z.string().min(1), Column);

export const EndMapping = z.strictObject({
  class: CiClassName.optional(),
  classColumn: Column.optional(),
  name: Column.optional().describe('column holding the name'),
  environment: Column.optional(),
  identifiers: ColumnMap.optional().describe('identifier → column'),
}).refine((e) => !!e.class !== !!e.classColumn, { message: 'give exactly one of class or classColumn' })
  .refine((e) => !!e.name || !!e.identifiers, { message: 'give name or identifiers' });
export type EndMapping = z.infer<typeof EndMapping>;

const RelationColumns = z.strictObject({
  type: RelationTypeName,
  to: EndMapping,
  /** Several targets in one cell, e.g. "db1;db2". */
  separator: z.string().min(1).max(3).optional(),
});

export const SheetMapping = z.strictObject({
  /** The CSV file, relative to the mapping file; omitted: the sheet applies to the files named on the command line. */
  file: z.string().min(1).optional(),
  delimiter: z.string().length(1).optional(),
  /** A sheet of CIs, one per row... */
  ci: z.strictObject({
    class: CiClassName.optional(),
    classColumn: Column.optional(),
    name: Column,
    environment: Column.optional(),
    owner: Column.optional(),
    tier: Column.optional(),
    identifiers: ColumnMap.optional(),
    attributes: ColumnMap.optional().describe('attribute → column'),
  }).refine((c) => !!c.class !== !!c.classColumn, { message: 'give exactly one of class or classColumn' }).optional(),
  /** ...with relations from that CI to CIs named in other columns, */
  relations: z.array(RelationColumns).optional(),
  /** ...or a sheet of relations, one per row. */
  relation: z.strictObject({
    type: RelationTypeName.optional(),
    typeColumn: Column.optional(),
    from: EndMapping,
    to: EndMapping,
  }).refine((r) => !!r.type !== !!r.typeColumn, { message: 'give exactly one of type or typeColumn' }).optional(),
}).refine((s) => !!s.ci !== !!s.relation, { message: 'a sheet maps either ci (with optional relations) or relation' })
  .refine((s) => !s.relations || !!s.ci, { message: 'relations columns need a ci mapping for their source' });
export type SheetMapping = z.infer<typeof SheetMapping>;

export const CsvMapping = z.strictObject({ sheets: z.array(SheetMapping).min(1) });
export type CsvMapping = z.infer<typeof CsvMapping>;

/** Parse and validate a mapping file; errors name the line of the offending key. */
export function parseMapping(text: string, file: string): CsvMapping {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  if (doc.errors.length) throw new CollectError(`invalid YAML: ${doc.errors[0].message.split('\n')[0]}`, file, lineAt(doc.errors[0].pos[0]));
  const parsed = CsvMapping.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    let path = issue.path as (string | number)[];
    let node: unknown;
    // The deepest part of the path that exists in the document points at the line.
    while (path.length && !(node = doc.getIn(path, true))) path = path.slice(0, -1);
    const at = node && (isMap(node) || isSeq(node) || isScalar(node)) ? lineAt((node as Node).range?.[0]) : 1;
    const hint = issue.code === 'invalid_value' && issue.path.at(-1) === 'class' ? ` (classes: ${ciClassNames.join(', ')})` : '';
    throw new CollectError(`mapping ${issue.path.join('.') || '(root)'}: ${issue.message}${hint}`, file, at);
  }
  return parsed.data;
}
