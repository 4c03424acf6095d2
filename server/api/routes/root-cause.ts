import { Router } from 'express';
import { requireRole } from '../auth.ts';
import { parseBody } from '../validate.ts';
import { RootCauseRequest } from '../../model/impact.ts';
import type { RootCauseService } from '../../impact/root-cause-service.ts';

/** POST /root-cause: rank upstream CIs across incidents, or across symptom CIs since a time (viewer). */
export function rootCauseRoutes(rootCause: RootCauseService): Router {
  const r = Router();
  r.post('/root-cause', requireRole('viewer'), async (req, res) => {
    res.json(await rootCause.rank(parseBody(RootCauseRequest, req)));
  });
  return r;
}
