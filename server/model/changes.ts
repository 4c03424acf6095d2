import { z } from 'zod';
import { ImpactedCi, ImpactedService, ImpactSummary } from './impact.ts';

const Id = z.string().min(1).max(100);
const Time = z.iso.datetime({ offset: true });

export const TimeWindow = z.strictObject({ start: Time, end: Time })
  .refine((w) => Date.parse(w.end) > Date.parse(w.start), { message: '`end` must be after `start`', path: ['end'] });
export type TimeWindow = z.infer<typeof TimeWindow>;

export const ChangeType = z.enum(['standard', 'normal', 'emergency']);
export type ChangeType = z.infer<typeof ChangeType>;
export const ChangeStatus = z.enum(['planned', 'approved', 'in-progress', 'successful', 'failed', 'cancelled']);
export type ChangeStatus = z.infer<typeof ChangeStatus>;
/** Statuses of a change that may still happen: these collide and hold maintenance. */
export const OPEN_CHANGE_STATUSES: readonly ChangeStatus[] = ['planned', 'approved', 'in-progress'];

export const ChangeInput = z.strictObject({
  title: z.string().min(1).max(300),
  description: z.string().max(10_000).optional(),
  type: ChangeType,
  window: TimeWindow,
  cis: z.array(Id).min(1).max(1000).describe('the CIs the change touches'),
});
export type ChangeInput = z.infer<typeof ChangeInput>;

export const ChangePatch = z.strictObject({ status: ChangeStatus });

export const ChangeRecord = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  type: ChangeType,
  window: z.object({ start: z.string(), end: z.string() }),
  cis: z.array(z.string()),
  status: ChangeStatus,
  createdAt: z.string(),
  updatedAt: z.string(),
  createdBy: z.string(),
});
export type ChangeRecord = z.infer<typeof ChangeRecord>;

export const WindowKind = z.enum(['maintenance', 'blackout']);
export const WindowInput = z.strictObject({
  title: z.string().min(1).max(300),
  kind: WindowKind,
  start: Time,
  end: Time,
  services: z.array(Id).max(1000).optional().describe('CIs (usually services) it applies to; absent or empty: global'),
}).refine((w) => Date.parse(w.end) > Date.parse(w.start), { message: '`end` must be after `start`', path: ['end'] });
export type WindowInput = z.infer<typeof WindowInput>;

export const WindowRecord = z.object({
  id: z.string(),
  title: z.string(),
  kind: WindowKind,
  start: z.string(),
  end: z.string(),
  services: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type WindowRecord = z.infer<typeof WindowRecord>;

export const RiskFactor = z.object({
  factor: z.enum(['tiers', 'breadth', 'incidents', 'failedChanges', 'type', 'leadTime', 'outsideMaintenance', 'collisions', 'blackout']),
  points: z.number(),
  detail: z.string(),
});
export type RiskFactor = z.infer<typeof RiskFactor>;
export const RiskLevel = z.enum(['low', 'medium', 'high', 'critical']);
export const Risk = z.object({ score: z.number().int().min(0).max(100), level: RiskLevel, factors: z.array(RiskFactor) });
export type Risk = z.infer<typeof Risk>;

export const Collision = z.object({
  change: z.object({ id: z.string(), title: z.string(), status: ChangeStatus, window: z.object({ start: z.string(), end: z.string() }) }),
  sharedServices: z.array(z.string()).describe('impacted tier 1-2 services both blast radii hit'),
  sharedCis: z.array(z.string()).describe('CIs both changes touch'),
});
export type Collision = z.infer<typeof Collision>;

export const BlackoutHit = z.object({
  window: WindowRecord,
  services: z.array(z.string()).describe('impacted services the blackout covers; empty for a global blackout'),
});
export type BlackoutHit = z.infer<typeof BlackoutHit>;

export const Approvers = z.array(z.object({
  team: z.string(),
  services: z.array(z.object({ id: z.string(), name: z.string(), tier: z.number().int().nullable() })),
}));
export type Approvers = z.infer<typeof Approvers>;

export const ChangeAssessment = z.object({
  change: ChangeRecord,
  risk: Risk,
  blastRadius: z.object({
    summary: ImpactSummary,
    services: z.array(ImpactedService),
    impacted: z.array(ImpactedCi),
    total: z.number().int(),
    truncated: z.boolean(),
  }),
  collisions: z.array(Collision),
  blackouts: z.array(BlackoutHit),
  approvers: Approvers,
  insideMaintenanceWindow: z.boolean(),
});
export type ChangeAssessment = z.infer<typeof ChangeAssessment>;
