/**
 * Types the UI shares with the server: type-only imports from server/model (nothing of the
 * server is bundled), plus the few shapes the UI derives from them.
 */
export type { CiRecord, CiDetail, CiVersion, SourceAssertion, RelationRecord, GraphResult, GraphNode, GraphEdge, DiffResult, ChangeEvent, Truncation } from '../../server/model/records.ts';
export type { ServerMessage, ClientMessage } from '../../server/model/live.ts';
export type { FailState, FailedCi, ImpactedCi, ImpactedService, ImpactReply, RootCauseCandidate, RootCauseReply, RecentChange } from '../../server/model/impact.ts';
export type { IncidentInput, IncidentView, IncidentListItem, PriorityResult } from '../../server/model/incidents.ts';
export type { AlertRecord, HealthSnapshot, SituationView, AlertBinding } from '../../server/model/alerts.ts';
export type { ChangeInput, ChangeRecord, ChangeAssessment, ChangeType, RiskFactor, Collision, BlackoutHit, Approvers, ChangeView, ChangePatch, ChangeStatus, CalendarReply, Implementation, WindowRecord } from '../../server/model/changes.ts';
export type { IncidentPatch, IncidentStatus, Priority } from '../../server/model/incidents.ts';
export type { TimelineEntry } from '../../server/model/timeline.ts';
export type { Role, TokenInfo, AuditEntry } from '../../server/model/records.ts';

export interface GraphQuery {
  focus?: string[];
  depth?: number;
  direction?: 'upstream' | 'downstream' | 'both';
  classes?: string[];
  environment?: string;
  owner?: string;
  asOf?: string;
  group?: 'auto' | 'none';
  expand?: string;
}

/** The body of POST /graph/impact as the UI sends it. */
export type ImpactMapRequest = { failed: { ci: string; state: 'down' | 'degraded' }[]; asOf?: string } | { change: string };
