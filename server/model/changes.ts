import { z } from 'zod';
import { nameText } from './text.ts';
import { ImpactedCi, ImpactedService, ImpactSummary } from './impact.ts';
import { TimelineEntry } from './timeline.ts';

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
/**
 * The workflow: which status may follow which. `planned → approved` happens through approvals (a
 * standard change starts approved), `planned → in-progress` only for an emergency change.
 */
export const CHANGE_TRANSITIONS: Readonly<Record<ChangeStatus, readonly ChangeStatus[]>> = {
  planned: ['approved', 'in-progress', 'cancelled'],
  approved: ['in-progress', 'cancelled'],
  'in-progress': ['successful', 'failed', 'cancelled'],
  successful: [],
  failed: [],
  cancelled: [],
};
export const Implementation = z.enum(['all-at-once', 'rolling'])
  .describe('all-at-once: every touched CI down together; rolling: one member of each redundancy group down at a time');
export type Implementation = z.infer<typeof Implementation>;
export const ApprovalDecision = z.enum(['approve', 'reject']);
/** The approver team that stands in when no owner can be named (unowned services, nothing tiered hit). */
export const CHANGE_MANAGEMENT_TEAM = 'change-management';
const Team = z.string().trim().pipe(nameText(1, 100));

export const ChangeInput = z.strictObject({
  title: nameText(1, 300),
  description: z.string().max(10_000).optional(),
  type: ChangeType,
  window: TimeWindow,
  cis: z.array(Id).min(1).max(1000).describe('the CIs the change touches'),
  implementation: Implementation.default('all-at-once'),
});
export type ChangeInput = z.input<typeof ChangeInput>;

export const ChangePatch = z.strictObject({
  status: ChangeStatus.optional().describe('checked against the workflow: 409 names the allowed next statuses'),
  window: TimeWindow.optional().describe('reschedule (planned or approved only); an approved normal change goes back to planned for approval'),
  implementation: Implementation.optional(),
  comment: z.string().max(2000).optional().describe('kept on the timeline entry of this update'),
}).refine((p) => p.status || p.window || p.implementation, { message: 'give a status, a window or an implementation' });
export type ChangePatch = z.infer<typeof ChangePatch>;

export const ApprovalInput = z.strictObject({
  team: Team,
  decision: ApprovalDecision,
  comment: z.string().max(2000).optional(),
});
export type ApprovalInput = z.infer<typeof ApprovalInput>;

export const Approval = z.object({
  team: z.string(), decision: ApprovalDecision, comment: z.string().optional(), by: z.string(), at: z.string(),
});
export type Approval = z.infer<typeof Approval>;

/** The latest assessment kept on the record: lists and the calendar read it without recomputing. */
export const AssessmentSnapshot = z.object({
  at: z.string(),
  score: z.number().int(),
  level: z.string(),
  implementation: Implementation,
  impactedCis: z.number().int(),
  impactedServices: z.number().int(),
  collisions: z.array(z.string()).describe('ids of the colliding changes'),
  blackouts: z.array(z.string()).describe('ids of the blackout windows it runs into'),
  approvalTeams: z.array(z.string()),
});
export type AssessmentSnapshot = z.infer<typeof AssessmentSnapshot>;

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
  implementation: Implementation.optional().describe('absent on changes recorded before it existed: all-at-once'),
  approvals: z.array(Approval).optional().describe('every decision, oldest first; a team\'s latest one since `approvalsSince` counts'),
  approvalsSince: z.string().optional().describe('approvals before this instant no longer count (the change was rescheduled)'),
  reviewRequired: z.boolean().optional().describe('an emergency change started before every approver team approved: review it afterwards'),
  actual: z.object({ start: z.string().optional(), end: z.string().optional() }).optional().describe('when it really started and ended'),
  assessment: AssessmentSnapshot.optional(),
});
export type ChangeRecord = z.infer<typeof ChangeRecord>;

export const ChangeView = ChangeRecord.extend({
  approvalTeams: z.array(z.object({ team: z.string(), decision: ApprovalDecision.nullable(), by: z.string().nullable(), at: z.string().nullable() }))
    .describe('the teams that must approve (from the latest assessment) and where each stands'),
  takesApprovals: z.boolean().describe('whether approver teams may decide now (POST …/approvals): planned, or an emergency change after the fact'),
  allowedTransitions: z.array(ChangeStatus),
  timeline: z.array(TimelineEntry).optional(),
});
export type ChangeView = z.infer<typeof ChangeView>;

export const WindowKind = z.enum(['maintenance', 'blackout']);
export const WindowInput = z.strictObject({
  title: nameText(1, 300),
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
  change: z.object({ id: z.string(), title: z.string(), status: ChangeStatus, window: z.object({ start: z.string(), end: z.string() }), createdBy: z.string().describe('who recorded it (a token name): two changes may share a title') }),
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
  approvalTeams: z.array(z.string()).describe('the teams whose approval a normal change needs: the approvers, else the owners of the touched CIs, else change-management'),
  insideMaintenanceWindow: z.boolean(),
  implementation: z.object({
    mode: Implementation,
    waves: z.array(z.array(z.string())).describe('rolling: the touched CIs in the order they go down, one member of each redundancy group per wave'),
    assumed: z.string().describe('what the blast radius assumed, in words'),
  }),
});
export type ChangeAssessment = z.infer<typeof ChangeAssessment>;

/** At most this many days per calendar read. */
export const CALENDAR_MAX_DAYS = 92;

export const CalendarQuery = z.strictObject({ from: Time, to: Time })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { message: '`to` must be after `from`', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= CALENDAR_MAX_DAYS * 86_400_000, { message: `at most ${CALENDAR_MAX_DAYS} days at a time`, path: ['to'] });

export const CalendarChange = ChangeRecord.pick({ id: true, title: true, type: true, status: true, window: true, cis: true, implementation: true, reviewRequired: true, createdBy: true })
  .extend({
    risk: z.object({ score: z.number().int(), level: z.string() }).nullable(),
    collisions: z.array(z.string()).describe('ids of the changes it collides with'),
    blackouts: z.array(z.string()),
  });
export const CalendarReply = z.object({
  from: z.string(),
  to: z.string(),
  changes: z.array(CalendarChange).describe('changes whose window overlaps the range, cancelled ones left out'),
  windows: z.array(WindowRecord).describe('maintenance and blackout windows overlapping the range'),
  collisions: z.array(z.object({ changes: z.tuple([z.string(), z.string()]), sharedServices: z.array(z.string()), sharedCis: z.array(z.string()) })),
});
export type CalendarReply = z.infer<typeof CalendarReply>;
