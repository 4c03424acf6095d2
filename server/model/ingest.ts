import { z } from 'zod';
import { CiClassName, ciClassNames } from './classes.ts';
import { Provenance, Redundancy, RelationTypeName, minUpShare } from './relations.ts';
import { cleanText, isCleanText, isVisibleText, nameText } from './text.ts';

/** Identifier values are strings; numbers are accepted and kept as their decimal text. */
const IdentifierValue = z.union([cleanText(1, 1000), z.number().finite()]).transform((v) => String(v));
export const Identifiers = z.record(cleanText(1, 100), IdentifierValue);

/** Free attributes: any JSON object; depth and size are checked by the ingest service against the limits. */
export const Attributes = z.record(z.string().max(200), z.unknown());

export const Environment = nameText(1, 100);
export const Tier = z.number().int().min(1).max(4);
export const Lifecycle = z.enum(['active', 'retired']);

export const IngestCi = z.strictObject({
  class: CiClassName,
  name: nameText(1, 500),
  identifiers: Identifiers.optional(),
  environment: Environment.optional(),
  tier: Tier.optional(),
  owner: nameText(1, 200).optional(),
  attributes: Attributes.optional(),
});
export type IngestCi = z.infer<typeof IngestCi>;

/** A relation end: an existing CI by id, or any CI (in the batch or the store) by class and identifiers. */
export const CiRef = z.union([
  z.strictObject({ id: cleanText(1, 100) }),
  z.strictObject({
    class: CiClassName,
    name: nameText(1, 500).optional(),
    environment: Environment.optional(),
    identifiers: Identifiers.optional(),
  }),
]);
export type CiRef = z.infer<typeof CiRef>;

/** What a traffic source saw on an edge during this batch's window. */
export const Observation = z.strictObject({
  calls: z.number().int().min(0).default(0),
  errors: z.number().int().min(0).default(0),
  lastSeen: z.iso.datetime({ offset: true }).optional(),
});
export type Observation = z.infer<typeof Observation>;

export const IngestRelation = z.strictObject({
  type: RelationTypeName,
  from: CiRef,
  to: CiRef,
  attributes: Attributes.optional(),
  redundancy: Redundancy.optional(),
  provenance: Provenance.optional(),
  observed: Observation.optional(),
});
export type IngestRelation = z.infer<typeof IngestRelation>;

export const SourceName = z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'lower-case letters, digits, _ . -');

export const IngestBatch = z.strictObject({
  source: SourceName,
  scope: cleanText(1, 300).default('default'),
  runId: cleanText(1, 100).optional(),
  complete: z.boolean().default(false),
  /** Completing a run that would retire more than the guard's share of its scope needs this. */
  force: z.boolean().default(false),
  cis: z.array(IngestCi).default([]),
  relations: z.array(IngestRelation).default([]),
});
export type IngestBatch = z.infer<typeof IngestBatch>;
export type IngestBatchInput = z.input<typeof IngestBatch>;

/**
 * A batch as its envelope: the header validated, its items only as arrays. Each item is then judged alone
 * (batch-items.ts): one bad item is refused by itself, while a bad envelope refuses the batch.
 */
export const IngestEnvelope = IngestBatch.extend({ cis: z.array(z.unknown()).default([]), relations: z.array(z.unknown()).default([]) });

/** One item of a batch refused by itself: where (`cis.3`, `relations.0`), a stable code and why. */
export const RefusedItem = z.object({
  at: z.string().describe('the item in the batch as sent: cis.<index> or relations.<index>'),
  code: z.string(),
  message: z.string(),
});
export type RefusedItem = z.infer<typeof RefusedItem>;

/** Why a batch sent with `complete: true` did not complete its run. */
export const RunNotCompleted = z.object({ code: z.literal('items_refused'), message: z.string() })
  .describe('complete: true was asked, but items were refused: the run stays open and nothing was retired (a refused item may be one still there)');

/**
 * `IngestBatch.safeParse`, with the same verdict and the same data, in a fraction of the time on the
 * shapes collectors send: zod's generic walk and its copy of every nested object were ~15% of a
 * 1,000-CI batch's CPU on the server, much of it as garbage. A hand-written check accepts a body only
 * when every field plainly satisfies the schema above (rare parts such as `redundancy` and `observed`
 * go through their own zod schemas); anything else, valid or not, goes to zod, which then says exactly
 * what is wrong. It can therefore never accept what zod refuses; test/api/ingest-parse.test.ts checks
 * that, and that both agree on the data, over generated good and bad bodies.
 */
export function parseIngestBatch(raw: unknown): z.ZodSafeParseResult<IngestBatch> {
  const fast = fastIngestBatch(raw);
  return fast ? { success: true, data: fast } : IngestBatch.safeParse(raw);
}

/** The fast half alone: the batch when the body plainly satisfies `IngestBatch`, else null (ask zod). */
export const fastIngestBatch = (raw: unknown): IngestBatch | null => fastBatch(raw);
/** The fast half for one item of a batch (judged alone: batch-items.ts). */
export const fastIngestCi = (raw: unknown): IngestCi | null => fastCi(raw);
export const fastIngestRelation = (raw: unknown): IngestRelation | null => fastRelation(raw);

const classNames = new Set<string>(ciClassNames);
const relationTypes = new Set<string>(RelationTypeName.options);
const provenances = new Set<string>(Provenance.options);
const sourceName = /^[a-z][a-z0-9_.-]{0,63}$/;
const hasOwn = Object.prototype.hasOwnProperty;

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
const str = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max && isCleanText(v);
const optStr = (o: Record<string, unknown>, k: string, min: number, max: number) => !hasOwn.call(o, k) || str(o[k], min, max);
/** `nameText`'s check: `str` and nothing invisible. */
const name = (v: unknown, min: number, max: number): v is string => str(v, min, max) && isVisibleText(v);
const optName = (o: Record<string, unknown>, k: string, min: number, max: number) => !hasOwn.call(o, k) || name(o[k], min, max);
/** Only known keys; `__proto__` as an own key is left to zod, whose copy treats it specially. */
function onlyKeys(o: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (!allowed.has(k) || o[k] === undefined) return false;
  return !hasOwn.call(o, '__proto__');
}

const batchKeys = new Set(['source', 'scope', 'runId', 'complete', 'force', 'cis', 'relations']);
const ciKeys = new Set(['class', 'name', 'identifiers', 'environment', 'tier', 'owner', 'attributes']);
const relationKeys = new Set(['type', 'from', 'to', 'attributes', 'redundancy', 'provenance', 'observed']);
const idRefKeys = new Set(['id']);
const classRefKeys = new Set(['class', 'name', 'environment', 'identifiers']);

/** `Identifiers`' output (numbers become their decimal text), or null. */
function fastIdentifiers(v: unknown): Record<string, string> | null {
  if (!isPlain(v) || hasOwn.call(v, '__proto__')) return null;
  let copy: Record<string, string> | null = null;
  for (const k in v) {
    if (k.length < 1 || k.length > 100 || !isCleanText(k)) return null;
    const x = v[k];
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) return null;
      copy ??= { ...(v as Record<string, string>) };
      copy[k] = String(x);
    } else if (!str(x, 1, 1000)) return null;
  }
  return copy ?? (v as Record<string, string>);
}

function fastAttributes(v: unknown): boolean {
  if (!isPlain(v) || hasOwn.call(v, '__proto__')) return false;
  for (const k in v) if (k.length > 200 || v[k] === undefined) return false;
  return true;
}

function fastCi(v: unknown): IngestCi | null {
  if (!isPlain(v) || !onlyKeys(v, ciKeys)) return null;
  if (typeof v.class !== 'string' || !classNames.has(v.class) || !name(v.name, 1, 500)) return null;
  if (!optName(v, 'environment', 1, 100) || !optName(v, 'owner', 1, 200)) return null;
  const out: IngestCi = { class: v.class as IngestCi['class'], name: v.name };
  if (hasOwn.call(v, 'identifiers')) {
    const ids = fastIdentifiers(v.identifiers);
    if (!ids) return null;
    out.identifiers = ids;
  }
  if (hasOwn.call(v, 'environment')) out.environment = v.environment as string;
  if (hasOwn.call(v, 'tier')) {
    const t = v.tier;
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 4) return null;
    out.tier = t;
  }
  if (hasOwn.call(v, 'owner')) out.owner = v.owner as string;
  if (hasOwn.call(v, 'attributes')) {
    if (!fastAttributes(v.attributes)) return null;
    out.attributes = v.attributes as Record<string, unknown>;
  }
  return out;
}

function fastRef(v: unknown): CiRef | null {
  if (!isPlain(v)) return null;
  if (hasOwn.call(v, 'id')) return onlyKeys(v, idRefKeys) && str(v.id, 1, 100) ? { id: v.id } : null;
  if (!onlyKeys(v, classRefKeys) || typeof v.class !== 'string' || !classNames.has(v.class)) return null;
  if (!optName(v, 'name', 1, 500) || !optName(v, 'environment', 1, 100)) return null;
  const out: CiRef = { class: v.class as IngestCi['class'] };
  if (hasOwn.call(v, 'name')) out.name = v.name as string;
  if (hasOwn.call(v, 'environment')) out.environment = v.environment as string;
  if (hasOwn.call(v, 'identifiers')) {
    const ids = fastIdentifiers(v.identifiers);
    if (!ids) return null;
    out.identifiers = ids;
  }
  return out;
}

const redundancyKeys = new Set(['group', 'minUp']);

/** `Redundancy`'s output, or null: most relations of an estate with replicas carry one, and zod's walk was a third of validating a batch. */
function fastRedundancy(v: unknown): Redundancy | null {
  if (!isPlain(v) || !onlyKeys(v, redundancyKeys)) return null;
  const { group, minUp } = v;
  if (typeof group !== 'string' || group.length < 1 || group.length > 200) return null;
  if (typeof minUp === 'number' ? !(Number.isSafeInteger(minUp) && minUp >= 0) : !(typeof minUp === 'string' && minUpShare.test(minUp))) return null;
  return { group, minUp: minUp as Redundancy['minUp'] };
}

function fastRelation(v: unknown): IngestRelation | null {
  if (!isPlain(v) || !onlyKeys(v, relationKeys)) return null;
  if (typeof v.type !== 'string' || !relationTypes.has(v.type)) return null;
  const from = fastRef(v.from), to = fastRef(v.to);
  if (!from || !to) return null;
  const out: IngestRelation = { type: v.type as IngestRelation['type'], from, to };
  if (hasOwn.call(v, 'attributes')) {
    if (!fastAttributes(v.attributes)) return null;
    out.attributes = v.attributes as Record<string, unknown>;
  }
  if (hasOwn.call(v, 'redundancy')) {
    const r = fastRedundancy(v.redundancy);
    if (!r) return null;
    out.redundancy = r;
  }
  if (hasOwn.call(v, 'provenance')) {
    if (typeof v.provenance !== 'string' || !provenances.has(v.provenance)) return null;
    out.provenance = v.provenance as IngestRelation['provenance'];
  }
  if (hasOwn.call(v, 'observed')) {
    const o = Observation.safeParse(v.observed);
    if (!o.success) return null;
    out.observed = o.data;
  }
  return out;
}

function fastBatch(v: unknown): IngestBatch | null {
  if (!isPlain(v) || !onlyKeys(v, batchKeys)) return null;
  if (typeof v.source !== 'string' || !sourceName.test(v.source)) return null;
  if (!optStr(v, 'scope', 1, 300) || !optStr(v, 'runId', 1, 100)) return null;
  if (hasOwn.call(v, 'complete') && typeof v.complete !== 'boolean') return null;
  if (hasOwn.call(v, 'force') && typeof v.force !== 'boolean') return null;
  const rawCis = hasOwn.call(v, 'cis') ? v.cis : [];
  const rawRels = hasOwn.call(v, 'relations') ? v.relations : [];
  if (!Array.isArray(rawCis) || !Array.isArray(rawRels)) return null;
  const cis: IngestCi[] = new Array(rawCis.length);
  for (let i = 0; i < rawCis.length; i++) {
    const c = fastCi(rawCis[i]);
    if (!c) return null;
    cis[i] = c;
  }
  const relations: IngestRelation[] = new Array(rawRels.length);
  for (let i = 0; i < rawRels.length; i++) {
    const r = fastRelation(rawRels[i]);
    if (!r) return null;
    relations[i] = r;
  }
  const scope = (v.scope as string | undefined) ?? 'default';
  const complete = (v.complete as boolean | undefined) ?? false, force = (v.force as boolean | undefined) ?? false;
  return hasOwn.call(v, 'runId')
    ? { source: v.source, scope, runId: v.runId as string, complete, force, cis, relations }
    : { source: v.source, scope, complete, force, cis, relations };
}

export const IngestCounts = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  retired: z.number().int(),
});
export type IngestCounts = z.infer<typeof IngestCounts>;

/** Items of one batch that identified as the same CI, merged into the earlier one (listed up to 100). */
export const BatchDuplicates = z.object({
  count: z.number().int(),
  items: z.array(z.object({ index: z.number().int(), sameAs: z.number().int() })),
}).describe('items of this batch that named the same CI as an earlier item: merged into it, the later value winning each field');

export const IngestResult = z.object({
  runId: z.string(),
  seq: z.number().int().describe('change-event sequence number after this batch (0 when nothing changed)'),
  cis: IngestCounts,
  relations: IngestCounts,
  runCompleted: z.boolean(),
  refused: z.array(RefusedItem).describe('items refused one by one (the others were written); empty when none'),
  runNotCompleted: RunNotCompleted.optional(),
  duplicates: BatchDuplicates.optional(),
});
export type IngestResult = z.infer<typeof IngestResult>;

export const IdentificationResult = z.object({
  index: z.number().int(),
  class: z.string(),
  name: z.string(),
  action: z.enum(['create', 'update', 'unchanged']),
  ciId: z.string().nullable(),
  matchedBy: z.array(z.string()).nullable().describe('the identifier rule that matched, null when new'),
});

export const DryRunResult = z.object({
  dryRun: z.literal(true),
  runId: z.string(),
  cis: z.array(IdentificationResult),
  relations: IngestCounts,
  wouldRetire: z.object({ cis: z.number().int(), relations: z.number().int() }),
  refused: z.array(RefusedItem).describe('items a write would refuse one by one'),
  runNotCompleted: RunNotCompleted.optional(),
  duplicates: BatchDuplicates.optional(),
});
export type DryRunResult = z.infer<typeof DryRunResult>;
