import { z } from 'zod';
import { CiClassName } from './classes.ts';
import { Provenance, Redundancy, RelationTypeName } from './relations.ts';

/** Identifier values are strings; numbers are accepted and kept as their decimal text. */
const IdentifierValue = z.union([z.string().min(1).max(1000), z.number().finite()]).transform((v) => String(v));
export const Identifiers = z.record(z.string().min(1).max(100), IdentifierValue);

/** Free attributes: any JSON object; depth and size are checked by the ingest service against the limits. */
export const Attributes = z.record(z.string().max(200), z.unknown());

export const Environment = z.string().min(1).max(100);
export const Tier = z.number().int().min(1).max(4);
export const Lifecycle = z.enum(['active', 'retired']);

export const IngestCi = z.strictObject({
  class: CiClassName,
  name: z.string().min(1).max(500),
  identifiers: Identifiers.optional(),
  environment: Environment.optional(),
  tier: Tier.optional(),
  owner: z.string().min(1).max(200).optional(),
  attributes: Attributes.optional(),
});
export type IngestCi = z.infer<typeof IngestCi>;

/** A relation end: an existing CI by id, or any CI (in the batch or the store) by class and identifiers. */
export const CiRef = z.union([
  z.strictObject({ id: z.string().min(1).max(100) }),
  z.strictObject({
    class: CiClassName,
    name: z.string().min(1).max(500).optional(),
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
  scope: z.string().min(1).max(300).default('default'),
  runId: z.string().min(1).max(100).optional(),
  complete: z.boolean().default(false),
  /** Completing a run that would retire more than the guard's share of its scope needs this. */
  force: z.boolean().default(false),
  cis: z.array(IngestCi).default([]),
  relations: z.array(IngestRelation).default([]),
});
export type IngestBatch = z.infer<typeof IngestBatch>;
export type IngestBatchInput = z.input<typeof IngestBatch>;

export const IngestCounts = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  retired: z.number().int(),
});
export type IngestCounts = z.infer<typeof IngestCounts>;

export const IngestResult = z.object({
  runId: z.string(),
  seq: z.number().int().describe('change-event sequence number after this batch (0 when nothing changed)'),
  cis: IngestCounts,
  relations: IngestCounts,
  runCompleted: z.boolean(),
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
});
export type DryRunResult = z.infer<typeof DryRunResult>;
