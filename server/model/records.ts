import { z } from 'zod';
import { Provenance, Redundancy } from './relations.ts';

const Json = z.unknown();

/** One source's assertion about a CI or relation: what it said, and when it said it. */
export const SourceAssertion = z.object({
  source: z.string(),
  scope: z.string(),
  runId: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  active: z.boolean().describe('false once the source stopped asserting it (a completed run without it)'),
  values: z.record(z.string(), Json).describe('the values this source asserted, winning or not'),
});
export type SourceAssertion = z.infer<typeof SourceAssertion>;

export const CiRecord = z.object({
  id: z.string(),
  class: z.string(),
  name: z.string(),
  environment: z.string(),
  tier: z.number().int().nullable(),
  owner: z.string().nullable(),
  lifecycle: z.enum(['active', 'retired']),
  attributes: z.record(z.string(), Json),
  identifiers: z.record(z.string(), z.string()),
  version: z.number().int(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
});
export type CiRecord = z.infer<typeof CiRecord>;

export const ObservedStats = z.object({
  calls: z.number().int(),
  errors: z.number().int(),
  lastSeen: z.string(),
});

export const RelationRecord = z.object({
  id: z.string(),
  type: z.string(),
  from: z.string(),
  to: z.string(),
  attributes: z.record(z.string(), Json),
  redundancy: Redundancy.nullable(),
  provenance: z.array(Provenance).describe('declared, observed and/or manual, from the active sources'),
  observed: ObservedStats.nullable(),
  version: z.number().int(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
});
export type RelationRecord = z.infer<typeof RelationRecord>;

export const CiVersion = z.object({
  version: z.number().int(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  data: CiRecord.omit({ version: true, validFrom: true, validTo: true, id: true }),
});
export type CiVersion = z.infer<typeof CiVersion>;

/** Enough of a relation's other end to name it without another request. */
export const RelationEnd = z.object({ name: z.string(), class: z.string(), lifecycle: z.string() });
export type RelationEnd = z.infer<typeof RelationEnd>;

export const CiDetail = CiRecord.extend({
  sources: z.array(SourceAssertion),
  relations: z.object({
    outgoing: z.array(RelationRecord), incoming: z.array(RelationRecord),
    truncated: z.boolean().optional().describe('true when the CI has more relations than listed (a hub): the map groups them'),
  }),
  history: z.array(CiVersion),
  ends: z.record(z.string(), RelationEnd).optional().describe('the CIs at the other end of its relations, by id (filled by the API)'),
});
export type CiDetail = z.infer<typeof CiDetail>;

export const ChangeEventKind = z.enum([
  'ci.created', 'ci.updated', 'ci.retired', 'ci.restored',
  'relation.created', 'relation.updated', 'relation.retired', 'relation.restored',
  'run.completed', 'incident.opened', 'incident.updated', 'change.created', 'change.updated', 'window.created',
  'alert.changed', 'situation.opened', 'situation.updated', 'situation.resolved',
]);
export type ChangeEventKind = z.infer<typeof ChangeEventKind>;

/**
 * One committed batch's changes under one monotonic sequence number. The full current records ride
 * along so that the ws hub and other API replicas can patch their projections without a read.
 */
export const ChangeEvent = z.object({
  seq: z.number().int(),
  at: z.string(),
  source: z.string().nullable(),
  changes: z.array(z.object({
    kind: ChangeEventKind,
    ci: CiRecord.optional(),
    relation: RelationRecord.optional(),
    ref: z.string().optional(),
  })),
});
export type ChangeEvent = z.infer<typeof ChangeEvent>;

export const Role = z.enum(['viewer', 'collector', 'change-manager', 'admin']);
export type Role = z.infer<typeof Role>;
export const roleRank: Record<Role, number> = { viewer: 0, collector: 1, 'change-manager': 2, admin: 3 };

export const TokenInfo = z.object({
  id: z.string(), name: z.string(), role: Role, createdAt: z.string(),
  team: z.string().nullable().optional().describe('the team this token approves changes for (a change manager of that team)'),
  expiresAt: z.string().nullable().optional().describe('after this instant the token is refused; null: it never expires'),
  lastUsedAt: z.string().nullable().optional().describe('when the token last authenticated a request (kept to the minute)'),
});
export type TokenInfo = z.infer<typeof TokenInfo>;

/** Who did an admin action: the token that made the request, or null for the server itself (the first start's admin). */
export const AuditActor = z.object({ id: z.string(), name: z.string(), role: Role }).nullable();
/**
 * One admin action on a token, kept for good (revoked tokens leave the token list; their entries stay):
 * who did what to which token, when. A rotation is one entry naming the token that replaced the old one.
 */
export const AuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  action: z.enum(['token.created', 'token.rotated', 'token.revoked']),
  by: AuditActor,
  token: TokenInfo.pick({ id: true, name: true, role: true, team: true, expiresAt: true }),
  replacedBy: z.string().optional().describe('token.rotated: the id of the token that holds the new secret'),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const GraphNode = CiRecord.pick({ id: true, class: true, name: true, environment: true, tier: true, owner: true, lifecycle: true })
  .extend({
    layer: z.string(),
    group: z.object({ count: z.number().int(), key: z.string() }).optional()
      .describe('present on a virtual node standing for count same-class CIs collapsed together'),
    lastSeen: z.string().nullable().optional()
      .describe('when any source last asserted the CI (live maps only): a map greys what no source has seen for days'),
  });
export type GraphNode = z.infer<typeof GraphNode>;

export const GraphEdge = z.object({
  id: z.string(),
  type: z.string(),
  from: z.string(),
  to: z.string(),
  provenance: z.array(Provenance),
  state: z.enum(['active', 'idle', 'inactive', 'declared']),
  redundancy: Redundancy.nullable(),
  observed: ObservedStats.nullable().optional().describe('calls, errors and last sighting of an observed relation'),
  note: z.string().optional().describe('what the relation\'s `note` attribute says (e.g. why a cycle is there)'),
});
export type GraphEdge = z.infer<typeof GraphEdge>;

/** Why a map shows less than was asked, in words, and what to do to see the rest. */
export const Truncation = z.object({
  reason: z.enum(['nodes', 'edges', 'hub', 'impact']).describe('nodes: the node cap; edges: the relation cap; hub: a CI with more relations than one map reads; impact: more impacted CIs than one answer lists'),
  limit: z.number().int(),
  message: z.string(),
});
export type Truncation = z.infer<typeof Truncation>;

export const GraphResult = z.object({
  nodes: z.array(GraphNode),
  edges: z.array(GraphEdge),
  truncated: z.boolean(),
  truncation: Truncation.optional().describe('present when truncated: why, and how to see the rest'),
  states: z.record(z.string(), z.enum(['down', 'degraded', 'maintenance'])).optional()
    .describe('a blast-radius map: the impact state of each node shown (a group takes its worst member\'s)'),
});
export type GraphResult = z.infer<typeof GraphResult>;

export const DiffResult = z.object({
  from: z.string(),
  to: z.string(),
  cis: z.object({ added: z.array(CiRecord), removed: z.array(CiRecord), changed: z.array(z.object({ before: CiRecord, after: CiRecord, fields: z.array(z.string()) })) }),
  relations: z.object({ added: z.array(RelationRecord), removed: z.array(RelationRecord), changed: z.array(z.object({ before: RelationRecord, after: RelationRecord, fields: z.array(z.string()) })) }),
  truncated: z.boolean(),
});
export type DiffResult = z.infer<typeof DiffResult>;

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
