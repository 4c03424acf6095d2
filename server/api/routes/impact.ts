import { RouteTable, type ApiRoutes } from '../route-table.ts';
import { parseBody } from '../validate.ts';
import { ImpactReply, ImpactRequest } from '../../model/impact.ts';
import type { ImpactService } from '../../impact/impact-service.ts';

/** POST /impact: blast radius of failed CIs (viewer). */
export function impactRoutes(service: ImpactService): ApiRoutes {
  return new RouteTable().route({ method: 'post', path: '/impact', summary: 'Blast radius of failed CIs: states, depths, explanation paths, services, cost', role: 'viewer', body: ImpactRequest, response: ImpactReply }, async (req, res) => {
    res.json(await service.impact(parseBody(ImpactRequest, req)));
  });
}
