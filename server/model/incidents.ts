import { z } from 'zod';
import { FailedCi, ImpactedCi, ImpactedService, ImpactSummary } from './impact.ts';

const Time = z.iso.datetime({ offset: true });

export const Urgency = z.union([z.literal(1), z.literal(2), z.literal(3)]).describe('1 high, 2 medium, 3 low');
export const IncidentStatus = z.enum(['open', 'investigating', 'resolved']);
export type IncidentStatus = z.infer<typeof IncidentStatus>;
export const Priority = z.enum(['P1', 'P2', 'P3', 'P4']);
export type Priority = z.infer<typeof Priority>;

export const IncidentInput = z.strictObject({
  title: z.string().min(1).max(300),
  description: z.string().max(10_000).optional(),
  cis: z.array(FailedCi).min(1).max(200).describe('the CIs observed failing; the impact is computed, never typed in'),
  urgency: Urgency,
  startedAt: Time.optional(),
});
export type IncidentInput = z.infer<typeof IncidentInput>;

export const IncidentPatch = z.strictObject({
  status: IncidentStatus.optional(),
  resolvedAt: Time.optional().describe('defaults to now when status becomes resolved'),
  urgency: Urgency.optional(),
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
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
  situation: z.string().optional().describe('the situation (event management) it was opened from'),
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
  }),
});
export type IncidentView = z.infer<typeof IncidentView>;

export const IncidentListQuery = z.object({
  status: IncidentStatus.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const IncidentListItem = IncidentRecord.extend({
  priority: PriorityResult,
  impactedServices: z.number().int(),
  downtimeCostPerHour: z.number(),
});
export type IncidentListItem = z.infer<typeof IncidentListItem>;
