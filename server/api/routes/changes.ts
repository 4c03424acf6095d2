import { z } from 'zod';
import { RouteTable, type ApiRoutes } from '../route-table.ts';
import { isoTime, parseBody, parseQuery } from '../validate.ts';
import { ApprovalInput, CalendarQuery, CalendarReply, ChangeAssessment, ChangeInput, ChangePatch, ChangeRecord, ChangeStatus, ChangeType, ChangeView } from '../../model/changes.ts';
import { cursorParam, pageOf } from '../../model/paging.ts';
import type { ChangeService } from '../../impact/change-service.ts';

const statuses = z.string().max(200).transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(ChangeStatus).max(10));

export const ChangeListQuery = z.strictObject({
  status: statuses.optional().describe('one or more, comma-separated'),
  type: ChangeType.optional(),
  ci: z.string().min(1).max(100).optional().describe('changes touching this CI'),
  q: z.string().trim().min(1).max(200).optional().describe('words found in the title, id, description or recorder (case-insensitive; every word must match)'),
  from: isoTime.optional().describe('window ends after'),
  to: isoTime.optional().describe('window starts before'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: cursorParam(2).optional(),
});

/** Changes: viewers read and assess; change managers record them, move them, re-assess; a team's change manager approves. */
export function changeRoutes(changes: ChangeService): ApiRoutes {
  return new RouteTable()
  .route({ method: 'post', path: '/changes', summary: 'Record a change (assessed at once; a standard change is pre-approved)', role: 'change-manager', body: ChangeInput, status: 201, response: ChangeView }, async (req, res) => {
    res.status(201).json(await changes.create(parseBody(ChangeInput, req), req.principal!.name));
  })
  // What-if: the assessment of a change not recorded (viewers may ask; nothing is written).
  .route({ method: 'post', path: '/changes/assess', summary: 'What-if: the assessment a change would get, recording nothing', role: 'viewer', body: ChangeInput, response: ChangeAssessment }, async (req, res) => {
    res.json(await changes.assessDraft(parseBody(ChangeInput, req), req.principal!.name));
  })
  .route({ method: 'get', path: '/changes', summary: 'Changes, latest window first; filter by status, type, CI and window; cursor paging', role: 'viewer', query: ChangeListQuery, response: pageOf(ChangeRecord) }, async (req, res) => {
    res.json(await changes.list(parseQuery(ChangeListQuery, req)));
  })
  .route({ method: 'get', path: '/changes/:id', summary: 'One change with its approvals, allowed transitions and timeline (assessment history included)', role: 'viewer', response: ChangeView }, async (req, res) => {
    res.json(await changes.get(req.params.id as string));
  })
  .route({ method: 'get', path: '/changes/:id/assessment', summary: 'Blast radius, risk with factors, collisions, blackouts, approvers', role: 'viewer', response: ChangeAssessment }, async (req, res) => {
    res.json(await changes.assess(req.params.id as string));
  })
  .route({ method: 'post', path: '/changes/:id/assessment', summary: 'Re-assess now and keep the assessment in its history', role: 'change-manager', response: ChangeAssessment }, async (req, res) => {
    const id = req.params.id as string;
    await changes.reassess(id, req.principal!.name, 'asked');
    res.json(await changes.assess(id));
  })
  .route({ method: 'post', path: '/changes/:id/approvals', summary: 'An approver team approves or rejects (the token must be bound to that team)', role: 'change-manager', body: ApprovalInput, status: 201, response: ChangeView }, async (req, res) => {
    res.status(201).json(await changes.decide(req.params.id as string, parseBody(ApprovalInput, req), req.principal!));
  })
  .route({ method: 'patch', path: '/changes/:id', summary: 'Move a change through the workflow (409 names the allowed statuses), reschedule it, or change its implementation', role: 'change-manager', body: ChangePatch, response: ChangeView }, async (req, res) => {
    res.json(await changes.update(req.params.id as string, parseBody(ChangePatch, req), req.principal!.name));
  })
  .route({ method: 'get', path: '/calendar', summary: 'Changes, maintenance and blackout windows in a range, with their collisions', role: 'viewer', query: CalendarQuery, response: CalendarReply }, async (req, res) => {
    const q = parseQuery(CalendarQuery, req);
    res.json(await changes.calendar(q.from, q.to));
  });
}
