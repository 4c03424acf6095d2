import { Router } from 'express';
import { z } from 'zod';
import { requireRole } from '../auth.ts';
import { parseBody, parseQuery } from '../validate.ts';
import { ChangeInput, ChangePatch, ChangeStatus } from '../../model/changes.ts';
import type { ChangeService } from '../../impact/change-service.ts';

export const ChangeListQuery = z.object({ status: ChangeStatus.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) });

/** Changes: viewers read and assess; change managers record them and move their status. */
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
    res.json({ items: await changes.list(parseQuery(ChangeListQuery, req)) });
  });
  r.get('/changes/:id', requireRole('viewer'), async (req, res) => {
    res.json(await changes.get(req.params.id as string));
  });
  r.get('/changes/:id/assessment', requireRole('viewer'), async (req, res) => {
    res.json(await changes.assess(req.params.id as string));
  });
  r.patch('/changes/:id', requireRole('change-manager'), async (req, res) => {
    res.json(await changes.setStatus(req.params.id as string, parseBody(ChangePatch, req).status));
  });
  return r;
}
