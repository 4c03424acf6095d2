import { parseBody } from '../validate.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';
import { ImpactMapRequest } from '../../model/impact.ts';
import { GraphResult } from '../../model/records.ts';
import type { ImpactMapService } from '../../impact/impact-map-service.ts';

/** POST /graph/impact: the map of a blast radius of any size, grouped and coloured (viewer). */
export function impactMapRoutes(service: ImpactMapService): ApiRoutes {
  return new RouteTable()
  .route({ method: 'post', path: '/graph/impact', summary: 'The map of a blast radius of any size (failed CIs, or a change\'s worst case): grouped, coloured by state, truncation explained', role: 'viewer', body: ImpactMapRequest, response: GraphResult }, async (req, res) => {
    res.json(await service.map(parseBody(ImpactMapRequest, req)));
  });
}
