import { RouteTable, type ApiRoutes } from '../route-table.ts';
import { parseQuery } from '../validate.ts';
import { PathsQuery, PathsReply } from '../../model/impact.ts';
import { shortestPaths } from '../../domain/impact/paths.ts';
import { nodesFor } from '../../impact/impact-service.ts';
import type { TopologyService } from '../../topology/topology-service.ts';

/** GET /paths?from=&to=: the shortest dependency paths between two CIs, capped (viewer). */
export function pathsRoutes(topology: TopologyService): ApiRoutes {
  return new RouteTable().route({ method: 'get', path: '/paths', summary: 'Shortest dependency paths between two CIs (capped)', role: 'viewer', query: PathsQuery, response: PathsReply }, async (req, res) => {
    const q = parseQuery(PathsQuery, req);
    const topo = await topology.at(q.asOf);
    const [from, to] = nodesFor(topo, [q.from, q.to]);
    const found = shortestPaths(topo, from, to, q.limit);
    const nodes: PathsReply['nodes'] = {};
    for (const p of found.paths) for (const n of p) nodes[topo.idOf(n)] = { name: topo.nameOf(n), class: topo.classOf(n), tier: topo.tierOf(n) };
    const reply: PathsReply = { from: q.from, to: q.to, direction: found.direction, paths: found.paths.map((p) => p.map((n) => topo.idOf(n))), nodes, truncated: found.truncated };
    res.json(reply);
  });
}
