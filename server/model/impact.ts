import { z } from 'zod';

const Id = z.string().min(1).max(100);
const Time = z.iso.datetime({ offset: true });

export const FailState = z.enum(['down', 'degraded']);
export type FailState = z.infer<typeof FailState>;
export const FailedCi = z.strictObject({ ci: Id, state: FailState.default('down') });
export type FailedCi = z.infer<typeof FailedCi>;

export const ImpactRequest = z.strictObject({
  failed: z.array(FailedCi).min(1).max(1_000),
  asOf: Time.optional().describe('answer on the topology as it was then'),
  limit: z.number().int().min(1).max(1_000_000).default(1_000)
    .describe('list at most this many impacted CIs and services, nearest and most critical first (capped by the server limit); the summary always counts all'),
  maintenance: z.boolean().default(true).describe('show CIs inside an active change or maintenance window as `maintenance`'),
});
export type ImpactRequest = z.infer<typeof ImpactRequest>;

/** A map of a blast radius: of failed CIs, or of a change's worst case (every CI it touches down). */
export const ImpactMapRequest = z.union([
  z.strictObject({ failed: ImpactRequest.shape.failed, asOf: ImpactRequest.shape.asOf, maintenance: ImpactRequest.shape.maintenance }),
  z.strictObject({ change: Id.describe('a change record: its touched CIs go down, as in its assessment') }),
]);
export type ImpactMapRequest = z.infer<typeof ImpactMapRequest>;

/** What every impact listing says of a CI. */
const ImpactedBase = z.object({
  id: z.string(),
  name: z.string(),
  class: z.string(),
  tier: z.number().int().nullable(),
  owner: z.string().nullable(),
  state: z.enum(['down', 'degraded', 'maintenance']),
});

export const ImpactedCi = ImpactedBase.extend({
  actualState: FailState.describe('what the CI suffers; differs from `state` only under maintenance'),
  depth: z.number().int().describe('edges from the nearest failed CI'),
  path: z.array(z.string()).describe('one shortest chain of impacted CIs from a failed CI to this one'),
  reason: z.string().describe('the group arithmetic in words, e.g. "cache: 1 of 3 up, needs 1 → degraded"'),
});
export type ImpactedCi = z.infer<typeof ImpactedCi>;

/** An impacted service with what the service catalog knows of it. */
export const ImpactedService = ImpactedBase.extend({
  slo: z.unknown().optional(),
  downtimeCostPerHour: z.number().optional(),
  users: z.number().optional(),
});
export type ImpactedService = z.infer<typeof ImpactedService>;

export const ImpactSummary = z.object({
  down: z.number().int(),
  degraded: z.number().int(),
  maintenance: z.number().int(),
  /** Most critical tier among impacted CIs not in maintenance, null when none has a tier. */
  worstTier: z.number().int().nullable(),
  worstTierState: FailState.nullable(),
  services: z.number().int().describe('impacted services, listed or not'),
  byTier: z.record(z.string(), z.number().int()).describe('impacted services per tier ("none" for untiered)'),
  tiersHit: z.record(z.string(), z.object({ down: z.number().int(), degraded: z.number().int() }))
    .describe('impacted CIs outside maintenance per tier and state: what priority and risk read'),
  downtimeCostPerHour: z.number().describe('summed over impacted services not in maintenance'),
  users: z.number(),
});
export type ImpactSummary = z.infer<typeof ImpactSummary>;

export const ImpactReply = z.object({
  impacted: z.array(ImpactedCi),
  services: z.array(ImpactedService).describe('most critical tier first, then nearest first; capped like `impacted`, counted in `summary.services`'),
  summary: ImpactSummary,
  total: z.number().int(),
  truncated: z.boolean(),
  asOf: z.string().nullable(),
});
export type ImpactReply = z.infer<typeof ImpactReply>;

export const PathsQuery = z.object({
  from: Id,
  to: Id,
  limit: z.coerce.number().int().min(1).max(100).default(10),
  asOf: Time.optional(),
});
/** A CI on a path, named: paths are lists of ids, and their readers want names. */
export const PathNodes = z.record(z.string(), z.object({ name: z.string(), class: z.string(), tier: z.number().int().nullable() }));

export const PathsReply = z.object({
  from: z.string(),
  to: z.string(),
  /** `dependsOn`: `from` needs `to` (failure of `to` reaches `from`); `dependencyOf`: the reverse. */
  direction: z.enum(['dependsOn', 'dependencyOf']).nullable(),
  paths: z.array(z.array(z.string())),
  nodes: PathNodes,
  truncated: z.boolean(),
});
export type PathsReply = z.infer<typeof PathsReply>;

export const RootCauseRequest = z.union([
  z.strictObject({ incidents: z.array(Id).min(1).max(500), limit: z.number().int().min(1).max(100).default(10) }),
  z.strictObject({ cis: z.array(Id).min(1).max(500), since: Time, limit: z.number().int().min(1).max(100).default(10) }),
]);
export type RootCauseRequest = z.infer<typeof RootCauseRequest>;

export const RecentChange = z.object({
  kind: z.enum(['change', 'ci-version', 'relation-added', 'relation-removed', 'relation-changed']),
  at: z.string(),
  summary: z.string(),
  ref: z.string().optional(),
});
export type RecentChange = z.infer<typeof RecentChange>;

export const RootCauseCandidate = z.object({
  id: z.string(),
  name: z.string(),
  class: z.string(),
  tier: z.number().int().nullable(),
  score: z.number(),
  explains: z.array(z.string()).describe('incident ids (or symptom CI ids) this candidate failing would explain'),
  specificity: z.number().describe('1 for a CI nothing else depends on directly, towards 0 for a hub'),
  proximity: z.number().describe('1 when the symptoms depend on it directly, less through longer chains'),
  coverage: z.number().describe('share of its direct dependents that are symptoms'),
  dependents: z.number().int().describe('CIs its failure would impact'),
  paths: z.array(z.array(z.string())).describe('from the candidate to each explained symptom'),
  recentChanges: z.array(RecentChange),
});
export type RootCauseCandidate = z.infer<typeof RootCauseCandidate>;

export const RootCauseReply = z.object({
  candidates: z.array(RootCauseCandidate),
  /** Symptoms left out as evidence because their CI was in maintenance. */
  suppressed: z.array(z.string()),
  since: z.string(),
  nodes: PathNodes.describe('every CI on a candidate\'s paths, by id'),
  discovery: z.object({
    cis: z.number().int().describe('CIs first discovered in the window, up to `until`'),
    estate: z.number().int().describe('CIs known now'),
    until: z.string().describe('when that discovery ended: what appeared by then is not counted as a recent change'),
  }).optional().describe('set when the look-back window held the estate\'s own discovery (more than half of it first appeared then)'),
});
export type RootCauseReply = z.infer<typeof RootCauseReply>;
