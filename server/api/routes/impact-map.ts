import { Router } from 'express';
import { requireRole } from '../auth.ts';
import { parseBody } from '../validate.ts';
import { ImpactMapRequest } from '../../model/impact.ts';
import type { ImpactMapService } from '../../impact/impact-map-service.ts';

/** POST /graph/impact: the map of a blast radius of any size, grouped and coloured (viewer). */
export function impactMapRoutes(service: ImpactMapService): Router {
  const r = Router();
  r.post('/graph/impact', requireRole('viewer'), async (req, res) => {
    res.json(await service.map(parseBody(ImpactMapRequest, req)));
  });
  return r;
}
