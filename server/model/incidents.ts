import { z } from 'zod';
import { nameText } from './text.ts';
import { FailedCi, ImpactedCi, ImpactedService, ImpactSummary } from './impact.ts';
import { TimelineEntry } from './timeline.ts';
import { cursorParam } from './paging.ts';

const Time = z.iso.datetime({ offset: true });

export const Urgency = z.union([z.literal(1), z.literal(2), z.literal(3)]).describe('1 high, 2 medium, 3 low');
export const IncidentStatus = z.enum(['open', 'investigating', 'resolved', 'closed']);
export type IncidentStatus = z.infer<typeof IncidentStatus>;
/** Statuses whose impact stays live (recomputed when the graph or another incident changes). */
export const ACTIVE_INCIDENT_STATUSES: readonly IncidentStatus[] = ['open', 'investigating'];
/** The workflow: which status may follow which (resolved may be reopened; closed is final). */
export const INCIDENT_TRANSITIONS: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  open: ['investigating', 'resolved'],
  investigating: ['resolved'],
  resolved: ['closed', 'investigating'],
  closed: [],
};
const Team = z.string().trim().pipe(nameText(1, 100));
export const Priority = z.enum(['P1', 'P2', 'P3', 'P4']);
export type Priority = z.infer<typeof Priority>;

export const IncidentInput = z.strictObject({
  title: nameText(1, 300),
  description: z.string().max(10_000).optional(),
  cis: z.array(FailedCi).min(1).max(200).describe('the CIs observed failing; the impact is computed, never typed in'),
  urgency: Urgency,
  startedAt: Time.optional(),
  assignee: Team.optional().describe('the team working it; defaults to the owner of the most important impacted service'),
});
export type IncidentInput = z.infer<typeof IncidentInput>;

export const IncidentPatch = z.strictObject({
  status: IncidentStatus.optional().describe('checked against the workflow: 409 names the allowed next statuses'),
  resolvedAt: Time.optional().describe('defaults to now when status becomes resolved'),
  urgency: Urgency.optional(),
  assignee: Team.optional(),
  linkChange: z.string().min(1).max(100).optional().describe('link a change to the incident (e.g. the change that caused it)'),
});
export type IncidentPatch = z.infer<typeof IncidentPatch>;

export const IncidentRecord = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  cis: z.array(FailedCi),
  urgency: Urgency,
  status: IncidentStatus,
  startedAt: z.string(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
  situation: z.string().optional().describe('the situation (event management) it was opened from'),
  assignee: z.string().nullable().optional().describe('the team working it'),
  changes: z.array(z.string()).optional().describe('linked changes'),
  /** Kept fresh while the incident is open, so lists filter and sort without recomputing impact. */
  priority: z.lazy(() => PriorityResult).optional(),
  impactedServices: z.number().int().optional(),
  downtimeCostPerHour: z.number().optional(),
  serviceIds: z.array(z.string()).optional().describe('the most critical impacted services, for the list filter (internal)'),
});
export type IncidentRecord = z.infer<typeof IncidentRecord>;

export const PriorityResult = z.object({
  priority: Priority,
  impact: z.number().int().min(1).max(4).describe('1 = highest, from the worst tier hit and whether down or degraded'),
  urgency: Urgency,
  reason: z.string(),
});
export type PriorityResult = z.infer<typeof PriorityResult>;

export const IncidentView = IncidentRecord.extend({
  priority: PriorityResult,
  impact: z.object({
    summary: ImpactSummary,
    services: z.array(ImpactedService),
    impacted: z.array(ImpactedCi).describe('nearest first, capped; `total` counts all'),
    total: z.number().int(),
    truncated: z.boolean(),
    combinedWith: z.array(z.string()).optional().describe('other open incidents whose failed CIs worsen this one'),
  }),
  timeline: z.array(TimelineEntry).optional().describe('created, status and priority changes, notes, linked changes (GET by id)'),
  allowedTransitions: z.array(IncidentStatus),
});
export type IncidentView = z.infer<typeof IncidentView>;

const csv = <T extends z.ZodType<unknown, string>>(item: T) => z.string().max(2000).transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(item).max(20));

export const IncidentListQuery = z.strictObject({
  status: csv(IncidentStatus).optional().describe('one or more, comma-separated'),
  priority: csv(z.lazy(() => Priority)).optional().describe('one or more, comma-separated'),
  ci: z.string().min(1).max(100).optional().describe('incidents naming this CI as failing'),
  service: z.string().min(1).max(100).optional().describe('incidents whose impact reaches this service (open ones: live)'),
  assignee: Team.optional(),
  from: Time.optional().describe('started at or after'),
  to: Time.optional().describe('started before'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: cursorParam(2).optional(),
});
export type IncidentListQuery = z.infer<typeof IncidentListQuery>;

export const IncidentListItem = IncidentRecord.extend({
  priority: PriorityResult,
  impactedServices: z.number().int(),
  downtimeCostPerHour: z.number(),
});
export type IncidentListItem = z.infer<typeof IncidentListItem>;
