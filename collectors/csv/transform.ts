import { parse } from 'csv-parse/sync';
import type { CiRef, IngestCi, IngestRelation } from '../../server/model/ingest.ts';
import { CiClassName } from '../../server/model/classes.ts';
import { RelationTypeName } from '../../server/model/relations.ts';
import { CollectError } from '../types.ts';
import type { EndMapping, SheetMapping } from './mapping.ts';

type Row = Record<string, string>;
interface Located { row: Row; line: number }

/** CSV text → rows with the line each starts on; a malformed CSV names its line. */
export function readRows(text: string, file: string, delimiter = ','): { rows: Located[]; columns: string[] } {
  let records: { record: Row; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, info: true, delimiter, bom: true });
  } catch (e) {
    const err = e as Error & { lines?: number };
    throw new CollectError(`invalid CSV: ${err.message}`, file, err.lines);
  }
  const header = text.replace(/^\uFEFF/, '').split('\n', 1)[0];
  const columns = parse(header, { delimiter, trim: true })[0] as string[] ?? [];
  return {
    columns,
    // info.lines is the line a record ends on; quoted newlines push it down.
    rows: records.map((r) => ({ row: r.record, line: r.info.lines - Object.values(r.record).reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0) })),
  };
}

/** Every column a sheet reads, so a misspelt one fails before any row is read. */
function columnsOf(sheet: SheetMapping): string[] {
  const ends: EndMapping[] = [];
  const cols: (string | undefined)[] = [];
  if (sheet.ci) {
    const c = sheet.ci;
    cols.push(c.classColumn, c.name, c.environment, c.owner, c.tier, ...Object.values(c.identifiers ?? {}), ...Object.values(c.attributes ?? {}));
    for (const r of sheet.relations ?? []) ends.push(r.to);
  }
  if (sheet.relation) { cols.push(sheet.relation.typeColumn); ends.push(sheet.relation.from, sheet.relation.to); }
  for (const e of ends) cols.push(e.classColumn, e.name, e.environment, ...Object.values(e.identifiers ?? {}));
  return cols.filter((c): c is string => !!c);
}

export function sheetToIngest(sheet: SheetMapping, text: string, file: string): { cis: IngestCi[]; relations: IngestRelation[] } {
  const { rows, columns } = readRows(text, file, sheet.delimiter);
  const missing = columnsOf(sheet).filter((c) => !columns.includes(c));
  if (missing.length) throw new CollectError(`the mapping names columns the header lacks: ${[...new Set(missing)].join(', ')} (header: ${columns.join(', ')})`, file, 1);
  const cis: IngestCi[] = [];
  const relations: IngestRelation[] = [];
  for (const { row, line } of rows) {
    const fail = (message: string): never => { throw new CollectError(message, file, line); };
    if (sheet.ci) {
      const m = sheet.ci;
      const ci: IngestCi = { class: classFrom(m.class ?? row[m.classColumn!], fail), name: required(row, m.name, fail) };
      if (m.environment && row[m.environment]) ci.environment = row[m.environment];
      if (m.owner && row[m.owner]) ci.owner = row[m.owner];
      if (m.tier && row[m.tier]) {
        const tier = Number(row[m.tier]);
        ci.tier = [1, 2, 3, 4].includes(tier) ? tier : fail(`column ${m.tier}: tier must be 1 to 4, got ${JSON.stringify(row[m.tier])}`);
      }
      const identifiers = pick(row, m.identifiers);
      if (identifiers) ci.identifiers = identifiers;
      const attributes = pick(row, m.attributes);
      if (attributes) ci.attributes = attributes;
      cis.push(ci);
      const self: CiRef = { class: ci.class, name: ci.name, ...(ci.environment ? { environment: ci.environment } : {}), ...(identifiers ? { identifiers } : {}) };
      for (const r of sheet.relations ?? []) {
        const cell = r.to.name ? row[r.to.name] : undefined;
        const names = r.separator && cell ? cell.split(r.separator).map((s) => s.trim()).filter(Boolean) : [cell];
        for (const name of names) {
          const to = endFrom(r.to, row, fail, name);
          if (to) relations.push({ type: r.type, from: self, to, provenance: 'declared' });
        }
      }
    } else {
      const m = sheet.relation!;
      const type = m.type ?? row[m.typeColumn!]?.toUpperCase();
      const parsedType = RelationTypeName.safeParse(type);
      if (!parsedType.success) fail(`column ${m.typeColumn}: unknown relation type ${JSON.stringify(type)} (${RelationTypeName.options.join(', ')})`);
      const from = endFrom(m.from, row, fail);
      const to = endFrom(m.to, row, fail);
      if (!from || !to) fail('a relation row needs both ends');
      relations.push({ type: parsedType.data!, from: from!, to: to!, provenance: 'declared' });
    }
  }
  return { cis, relations };
}

function required(row: Row, column: string, fail: (m: string) => never): string {
  return row[column] || fail(`column ${column} is empty`);
}

function classFrom(value: string | undefined, fail: (m: string) => never): IngestCi['class'] {
  const parsed = CiClassName.safeParse(value);
  return parsed.success ? parsed.data : fail(`unknown CI class ${JSON.stringify(value ?? '')}`);
}

function pick(row: Row, map: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!map) return undefined;
  const out: Record<string, string> = {};
  for (const [key, column] of Object.entries(map)) if (row[column]) out[key] = row[column];
  return Object.keys(out).length ? out : undefined;
}

/** A relation end from a row; an empty cell means "no relation on this row", not an error. */
function endFrom(m: EndMapping, row: Row, fail: (msg: string) => never, nameOverride?: string): CiRef | null {
  const name = nameOverride ?? (m.name ? row[m.name] : undefined);
  const identifiers = pick(row, m.identifiers);
  if (!name && !identifiers) return null;
  const ref: CiRef = { class: classFrom(m.class ?? row[m.classColumn!], fail) };
  if (name) ref.name = name;
  if (m.environment && row[m.environment]) ref.environment = row[m.environment];
  if (identifiers) ref.identifiers = identifiers;
  return ref;
}
