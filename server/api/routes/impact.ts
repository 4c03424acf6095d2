import { Router } from 'express';
import { requireRole } from '../auth.ts';
import { parseBody } from '../validate.ts';
import { ImpactRequest } from '../../model/impact.ts';
import type { ImpactService } from '../../impact/impact-service.ts';

/** POST /impact: blast radius of failed CIs (viewer). */
export function impactRoutes(service: ImpactService): Router {
  const r = Router();
  r.post('/impact', requireRole('viewer'), async (req, res) => {
    res.json(await service.impact(parseBody(ImpactRequest, req)));
  });
  return r;
}
