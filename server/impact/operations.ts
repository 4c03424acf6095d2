import { z } from 'zod';
import { describeOperation } from '../api/openapi.ts';
import { ImpactMapRequest, ImpactReply, ImpactRequest, PathsQuery, PathsReply, RootCauseReply, RootCauseRequest } from '../model/impact.ts';
import { IncidentInput, IncidentListItem, IncidentListQuery, IncidentPatch, IncidentView } from '../model/incidents.ts';
import { ApprovalInput, CalendarQuery, CalendarReply, ChangeAssessment, ChangeInput, ChangePatch, ChangeRecord, ChangeView, WindowInput, WindowRecord } from '../model/changes.ts';
import { NoteInput } from '../model/timeline.ts';
import { ChangeListQuery } from '../api/routes/changes.ts';
import { WindowListQuery } from '../api/routes/windows.ts';
import { GraphResult } from '../model/records.ts';

/** The impact feature's operations in the OpenAPI document, from the same zod schemas the routes parse with. */
export function describeImpactOperations(): void {
  const items = <T extends z.ZodType>(s: T) => z.object({ items: z.array(s) });
  const page = <T extends z.ZodType>(s: T) => z.object({ items: z.array(s), nextCursor: z.string().nullable() });
  describeOperation({ method: 'post', path: '/api/v1/impact', summary: 'Blast radius of failed CIs: states, depths, explanation paths, services, cost', role: 'viewer', body: ImpactRequest, response: ImpactReply });
  describeOperation({ method: 'post', path: '/api/v1/graph/impact', summary: 'The map of a blast radius of any size (failed CIs, or a change\'s worst case): grouped, coloured by state, truncation explained', role: 'viewer', body: ImpactMapRequest, response: GraphResult });
  describeOperation({ method: 'get', path: '/api/v1/paths', summary: 'Shortest dependency paths between two CIs (capped)', role: 'viewer', query: PathsQuery, response: PathsReply });
  describeOperation({ method: 'post', path: '/api/v1/incidents', summary: 'Open an incident on failed CIs; impact and priority are computed', role: 'change-manager', body: IncidentInput, status: 201, response: IncidentView });
  describeOperation({ method: 'post', path: '/api/v1/incidents/preview', summary: 'What an incident on these CIs would be: impact and priority, recording nothing', role: 'viewer', body: IncidentInput, response: IncidentView });
  describeOperation({ method: 'get', path: '/api/v1/incidents', summary: 'Incidents, newest first, with their kept priority; filter by status, priority, CI, impacted service, assignee and start time; cursor paging', role: 'viewer', query: IncidentListQuery, response: page(IncidentListItem) });
  describeOperation({ method: 'get', path: '/api/v1/incidents/:id', summary: 'One incident with its live impact and priority, allowed transitions and timeline', role: 'viewer', response: IncidentView });
  describeOperation({ method: 'patch', path: '/api/v1/incidents/:id', summary: 'Move through the workflow (409 names the allowed statuses), change urgency or assignee, link a change', role: 'change-manager', body: IncidentPatch, response: IncidentView });
  describeOperation({ method: 'post', path: '/api/v1/incidents/:id/notes', summary: 'Add a note to the incident\'s timeline', role: 'change-manager', body: NoteInput, status: 201, response: IncidentView });
  describeOperation({ method: 'post', path: '/api/v1/changes', summary: 'Record a change (assessed at once; a standard change is pre-approved)', role: 'change-manager', body: ChangeInput, status: 201, response: ChangeView });
  describeOperation({ method: 'post', path: '/api/v1/changes/assess', summary: 'What-if: the assessment a change would get, recording nothing', role: 'viewer', body: ChangeInput, response: ChangeAssessment });
  describeOperation({ method: 'get', path: '/api/v1/changes', summary: 'Changes, latest window first; filter by status, type, CI and window; cursor paging', role: 'viewer', query: ChangeListQuery, response: page(ChangeRecord) });
  describeOperation({ method: 'get', path: '/api/v1/changes/:id', summary: 'One change with its approvals, allowed transitions and timeline (assessment history included)', role: 'viewer', response: ChangeView });
  describeOperation({ method: 'get', path: '/api/v1/changes/:id/assessment', summary: 'Blast radius, risk with factors, collisions, blackouts, approvers', role: 'viewer', response: ChangeAssessment });
  describeOperation({ method: 'patch', path: '/api/v1/changes/:id', summary: 'Move a change through the workflow (409 names the allowed statuses), reschedule it, or change its implementation', role: 'change-manager', body: ChangePatch, response: ChangeView });
  describeOperation({ method: 'post', path: '/api/v1/changes/:id/assessment', summary: 'Re-assess now and keep the assessment in its history', role: 'change-manager', response: ChangeAssessment });
  describeOperation({ method: 'post', path: '/api/v1/changes/:id/approvals', summary: 'An approver team approves or rejects (the token must be bound to that team)', role: 'change-manager', body: ApprovalInput, status: 201, response: ChangeView });
  describeOperation({ method: 'get', path: '/api/v1/calendar', summary: 'Changes, maintenance and blackout windows in a range, with their collisions', role: 'viewer', query: CalendarQuery, response: CalendarReply });
  describeOperation({ method: 'post', path: '/api/v1/windows', summary: 'Create a maintenance or blackout window, global or per service', role: 'change-manager', body: WindowInput, status: 201, response: WindowRecord });
  describeOperation({ method: 'get', path: '/api/v1/windows', summary: 'Maintenance and blackout windows', role: 'viewer', query: WindowListQuery, response: items(WindowRecord) });
  describeOperation({ method: 'post', path: '/api/v1/root-cause', summary: 'Rank upstream CIs that explain several incidents (or symptom CIs since a time)', role: 'viewer', body: RootCauseRequest, response: RootCauseReply });
}
