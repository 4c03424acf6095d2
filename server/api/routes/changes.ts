import { Router } from 'express';
import { z } from 'zod';
import { requireRole } from '../auth.ts';
import { isoTime, parseBody, parseQuery } from '../validate.ts';
import { ApprovalInput, CalendarQuery, ChangeInput, ChangePatch, ChangeStatus, ChangeType } from '../../model/changes.ts';
import type { ChangeService } from '../../impact/change-service.ts';

const statuses = z.string().max(200).transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)).pipe(z.array(ChangeStatus).max(10));

export const ChangeListQuery = z.strictObject({
  status: statuses.optional().describe('one or more, comma-separated'),
  type: ChangeType.optional(),
  ci: z.string().min(1).max(100).optional().describe('changes touching this CI'),
  from: isoTime.optional().describe('window ends after'),
  to: isoTime.optional().describe('window starts before'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
});

/** Changes: viewers read and assess; change managers record them, move them, re-assess; a team's change manager approves. */
export function changeRoutes(changes: ChangeService): Router {
  const r = Router();
  r.post('/changes', requireRole('change-manager'), async (req, res) => {
    res.status(201).json(await changes.create(parseBody(ChangeInput, req), req.principal!.name));
  });
  // What-if: the assessment of a change not recorded (viewers may ask; nothing is written).
  r.post('/changes/assess', requireRole('viewer'), async (req, res) => {
    res.json(await changes.assessDraft(parseBody(ChangeInput, req), req.principal!.name));
  });
  r.get('/changes', requireRole('viewer'), async (req, res) => {
    res.json(await changes.list(parseQuery(ChangeListQuery, req)));
  });
  r.get('/changes/:id', requireRole('viewer'), async (req, res) => {
    res.json(await changes.get(req.params.id as string));
  });
  r.get('/changes/:id/assessment', requireRole('viewer'), async (req, res) => {
    res.json(await changes.assess(req.params.id as string));
  });
  r.post('/changes/:id/assessment', requireRole('change-manager'), async (req, res) => {
    const id = req.params.id as string;
    await changes.reassess(id, req.principal!.name, 'asked');
    res.json(await changes.assess(id));
  });
  r.post('/changes/:id/approvals', requireRole('change-manager'), async (req, res) => {
    res.status(201).json(await changes.decide(req.params.id as string, parseBody(ApprovalInput, req), req.principal!));
  });
  r.patch('/changes/:id', requireRole('change-manager'), async (req, res) => {
    res.json(await changes.update(req.params.id as string, parseBody(ChangePatch, req), req.principal!.name));
  });
  r.get('/calendar', requireRole('viewer'), async (req, res) => {
    const q = parseQuery(CalendarQuery, req);
    res.json(await changes.calendar(q.from, q.to));
  });
  return r;
}
