import { z } from 'zod';
import { CiClassName } from '../../model/classes.ts';
import { csvList, isoTime, parseQuery } from '../validate.ts';
import { neighbourhood, type NeighbourhoodQuery } from '../../domain/graph-view/neighbourhood.ts';
import { mapSourceAt } from '../../topology/map-cis.ts';
import { groupNodes } from '../../domain/graph-view/group-nodes.ts';
import { InputError } from '../../domain/errors.ts';
import { GraphResult, type GraphEdge, type GraphNode, type Truncation } from '../../model/records.ts';
import type { GraphStore } from '../../store/port.ts';
import type { Limits } from '../../model/limits.ts';
import type { Config } from '../../config.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';
import type { TopologyService } from '../../topology/topology-service.ts';
import type { LiveMapCache } from '../../topology/live-map-cache.ts';

export const GraphQuery = z.object({
  focus: csvList.pipe(z.array(z.string().min(1).max(100)).max(100)).optional(),
  expand: z.string().max(300).optional().describe('a group key from a previous answer: returns its members'),
  depth: z.coerce.number().int().min(0).max(20).default(2),
  direction: z.enum(['upstream', 'downstream', 'both']).default('both'),
  classes: csvList.pipe(z.array(CiClassName)).optional(),
  environment: z.string().max(100).optional(),
  owner: z.string().max(200).optional(),
  asOf: isoTime.optional(),
  group: z.enum(['auto', 'none']).default('auto'),
  groupThreshold: z.coerce.number().int().min(2).max(10_000).default(10),
  maxNodes: z.coerce.number().int().min(1).optional(),
});

export function graphRoutes(ctx: { store: GraphStore; topology: TopologyService; maps: LiveMapCache; limits: Limits; edgeState: Config['edgeState'] }): ApiRoutes {
  return new RouteTable().route({ method: 'get', path: '/graph', summary: 'Neighbourhood of focus CIs for the map, grouped over a threshold', role: 'viewer', query: GraphQuery, response: GraphResult }, async (req, res) => {
    const q = parseQuery(GraphQuery, req);
    const maxNodes = Math.min(q.maxNodes ?? ctx.limits.graphNodes, ctx.limits.graphNodes);
    // Last sightings are today's provenance: a map of the past does not show them. Read per request (one bounded
    // store read), never kept with a map: a collector re-asserting what it saw moves them without changing the map.
    const withLastSeen = async (nodes: GraphNode[]): Promise<GraphNode[]> => {
      if (q.asOf) return nodes;
      const seen = await ctx.store.lastSeen(nodes.filter((n) => !n.group).map((n) => n.id));
      return nodes.map((n) => (n.group ? n : { ...n, lastSeen: seen.get(n.id) ?? null }));
    };
    const base = { maxNodes, maxEdges: ctx.limits.graphEdges, now: q.asOf ? Date.parse(q.asOf) : Date.now(), edgeThresholds: ctx.edgeState, environment: q.environment, owner: q.owner };
    // A live map is read from the projection (kept current from every committed batch; answers are reused while
    // nothing they read changed); a map of the past from history.
    const map = async (query: NeighbourhoodQuery): Promise<{ nodes: GraphNode[]; edges: GraphEdge[]; truncated: boolean; truncation?: Truncation }> => {
      if (!q.asOf) return ctx.maps.map(ctx.topology.current, query);
      const g = await neighbourhood(mapSourceAt(ctx.store, null, q.asOf), query);
      const out = query.groupAbove !== undefined ? groupNodes(g.nodes, g.edges, g.parentOf, query.groupAbove, new Set()) : g;
      return { nodes: out.nodes, edges: out.edges, truncated: g.truncated, ...(g.truncation ? { truncation: g.truncation } : {}) };
    };
    const reply = async (g: Awaited<ReturnType<typeof map>>) =>
      res.json({ nodes: await withLastSeen(g.nodes), edges: g.edges, truncated: g.truncated, ...(g.truncation ? { truncation: g.truncation } : {}) });

    if (q.expand) {
      const [parent, cls] = q.expand.split('|');
      if (!parent || !cls) throw new InputError('expand takes a group key such as "<ci id>|<class>"');
      await reply(await map({ ...base, focus: [parent], depth: 1, direction: q.direction, classes: [cls] }));
      return;
    }
    let focus = q.focus;
    if (!focus?.length) {
      // No focus: the top of the estate, business services first (ServiceNow's service map entry point).
      for (const cls of [['business_service'], ['application_service', 'application'], ['service']]) {
        const top = await ctx.store.listCis({ class: cls, limit: 200, environment: q.environment, owner: q.owner });
        if (top.items.length) { focus = top.items.map((c) => c.id); break; }
      }
      if (!focus?.length) { res.json({ nodes: [], edges: [], truncated: false }); return; }
    }
    await reply(await map({ ...base, focus, depth: q.depth, direction: q.direction, classes: q.classes, groupAbove: q.group === 'auto' ? q.groupThreshold : undefined }));
  });
}
