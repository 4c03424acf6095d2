import { RouteTable, type ApiRoutes } from '../route-table.ts';
import { parseBody } from '../validate.ts';
import { RootCauseReply, RootCauseRequest } from '../../model/impact.ts';
import type { RootCauseService } from '../../impact/root-cause-service.ts';

/** POST /root-cause: rank upstream CIs across incidents, or across symptom CIs since a time (viewer). */
export function rootCauseRoutes(rootCause: RootCauseService): ApiRoutes {
  return new RouteTable().route({ method: 'post', path: '/root-cause', summary: 'Rank upstream CIs that explain several incidents (or symptom CIs since a time)', role: 'viewer', body: RootCauseRequest, response: RootCauseReply }, async (req, res) => {
    res.json(await rootCause.rank(parseBody(RootCauseRequest, req)));
  });
}
