import type { z } from 'zod';
import { IngestCi, IngestEnvelope, IngestRelation, fastIngestBatch, fastIngestCi, fastIngestRelation, type IngestBatch, type RefusedItem } from '../../model/ingest.ts';
import { ciClassNames } from '../../model/classes.ts';
import type { Limits } from '../../model/limits.ts';
import { InputError, problemsMessage } from '../errors.ts';
import { identifierKeys } from './identify.ts';
import { attributeProblem, countProblems } from './validate.ts';
import type { BatchProblem } from './types.ts';

/**
 * A batch whose items were judged one by one: the items that passed, in their order, and those refused, by their
 * place in the batch as sent. One bad item refuses itself only; the rest is written.
 */
export interface JudgedBatch {
  batch: IngestBatch;
  refused: RefusedItem[];
  /** Each kept item's index in the batch as sent (null: nothing was left out, the index is the same). */
  ciAt: number[] | null;
  relationAt: number[] | null;
  /**
   * The identifier keys the refused CIs would have carried (as far as their values can be read), each with the
   * refused item's place: a relation naming one of them is refused too rather than bound to an older CI.
   */
  refusedKeys: ReadonlyMap<string, string>;
}

/** Nothing refused: the batch as it stands. */
export const allAccepted = (batch: IngestBatch): JudgedBatch => ({ batch, refused: [], ciAt: null, relationAt: null, refusedKeys: new Map() });

/** An item of a list refused by its schema: at its place (`cis.3`), the first issue's code, each issue's field and why. */
export function refusedBySchema(at: string, issues: readonly z.core.$ZodIssue[]): RefusedItem {
  const head = issues.slice(0, 5).map((i) => `${i.path.length ? i.path.map(String).join('.') : '(item)'}: ${i.message}`).join('; ');
  return { at, code: issues[0].code, message: issues.length > 5 ? `${head}; and ${issues.length - 5} more` : head };
}

/**
 * Judges an ingest body: the envelope (source, scope, run, the item lists, the batch's size) refuses the whole batch
 * with an InputError, as before any write; an item that fails its schema or the attribute limits refuses itself.
 * Cheap checks come first: the batch's size is known before any item is read.
 */
export function judgeBatch(body: unknown, limits: Limits): JudgedBatch {
  const sizes = countProblems(listLength(body, 'cis'), listLength(body, 'relations'), limits);
  if (sizes.length) throw new InputError(problemsMessage(sizes), { problems: sizes }, sizes[0].code);
  // Collectors' bodies nearly always pass whole: the fast parser then reads each item once.
  const fast = fastIngestBatch(body);
  if (fast) return judgeAttributes(fast, limits);
  const env = IngestEnvelope.safeParse(body ?? {});
  if (!env.success) {
    const problems = env.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), code: i.code, message: i.message }));
    throw new InputError(`invalid request body: ${problemsMessage(problems)}`, { problems });
  }
  const { cis: rawCis, relations: rawRelations, ...header } = env.data;
  const refused: RefusedItem[] = [];
  const refusedKeys = new Map<string, string>();
  const cis: IngestBatch['cis'] = [];
  const ciAt: number[] = [];
  rawCis.forEach((raw, i) => {
    const ci = judgeItem(raw, fastIngestCi, IngestCi, `cis.${i}`, refused, limits);
    if (ci) { cis.push(ci); ciAt.push(i); } else for (const k of lenientKeys(raw)) if (!refusedKeys.has(k)) refusedKeys.set(k, `cis.${i}`);
  });
  const relations: IngestBatch['relations'] = [];
  const relationAt: number[] = [];
  rawRelations.forEach((raw, i) => {
    const r = judgeItem(raw, fastIngestRelation, IngestRelation, `relations.${i}`, refused, limits);
    if (r) { relations.push(r); relationAt.push(i); }
  });
  return { batch: { ...header, cis, relations }, refused, ciAt, relationAt, refusedKeys };
}

function listLength(body: unknown, name: string): number {
  const list = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return Array.isArray(list) ? list.length : 0;
}

function judgeItem<T extends { attributes?: Record<string, unknown> }>(raw: unknown, fast: (v: unknown) => T | null, schema: z.ZodType<T>, at: string, refused: RefusedItem[], limits: Limits): T | null {
  let item = fast(raw);
  if (!item) {
    const r = schema.safeParse(raw);
    if (!r.success) {
      refused.push(refusedBySchema(at, r.error.issues));
      return null;
    }
    item = r.data;
  }
  const p = attributeProblem(item.attributes, [], limits);
  if (p) { refused.push({ at, code: p.code, message: `attributes: ${p.message}` }); return null; }
  return item;
}

/** A batch that passed whole still has its attributes measured, item by item. */
function judgeAttributes(batch: IngestBatch, limits: Limits): JudgedBatch {
  const bad: BatchProblem[] = [];
  batch.cis.forEach((c, i) => { const p = attributeProblem(c.attributes, ['cis', i], limits); if (p) bad.push(p); });
  batch.relations.forEach((r, i) => { const p = attributeProblem(r.attributes, ['relations', i], limits); if (p) bad.push(p); });
  if (!bad.length) return allAccepted(batch);
  const out = { cis: new Set<number>(), relations: new Set<number>() };
  for (const p of bad) out[p.path[0] as 'cis' | 'relations'].add(p.path[1] as number);
  const refusedKeys = new Map<string, string>();
  for (const i of out.cis) for (const k of identifierKeys(batch.cis[i])) if (!refusedKeys.has(k.key)) refusedKeys.set(k.key, `cis.${i}`);
  const keep = <T>(list: T[], gone: Set<number>) => {
    const items: T[] = [], at: number[] = [];
    list.forEach((x, i) => { if (!gone.has(i)) { items.push(x); at.push(i); } });
    return [items, at] as const;
  };
  const [cis, ciAt] = keep(batch.cis, out.cis);
  const [relations, relationAt] = keep(batch.relations, out.relations);
  return {
    batch: { ...batch, cis, relations }, ciAt, relationAt, refusedKeys,
    refused: bad.map((p) => ({ at: `${p.path[0]}.${p.path[1]}`, code: p.code, message: `attributes: ${p.message}` })),
  };
}

const classes = new Set<string>(ciClassNames);
const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);

/** The keys a refused CI's values would give, read leniently (a refused item's other fields may be what is wrong). */
function lenientKeys(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null) return [];
  const o = raw as Record<string, unknown>;
  if (typeof o.class !== 'string' || !classes.has(o.class)) return [];
  // Keys from the sender: a prototype-less object, so no name reaches Object.prototype.
  const identifiers: Record<string, string> = Object.create(null);
  if (typeof o.identifiers === 'object' && o.identifiers !== null && !Array.isArray(o.identifiers)) {
    for (const [k, v] of Object.entries(o.identifiers)) { const t = text(v); if (t !== undefined) identifiers[k] = t; }
  }
  return identifierKeys({ class: o.class, name: text(o.name), environment: text(o.environment), identifiers }).map((k) => k.key);
}
