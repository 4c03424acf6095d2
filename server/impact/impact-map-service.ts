import type { ImpactMapRequest } from '../model/impact.ts';
import type { Limits } from '../model/limits.ts';
import type { GraphResult } from '../model/records.ts';
import type { GraphStore } from '../store/port.ts';
import { InputError } from '../domain/errors.ts';
import { blastRadiusMap } from '../domain/graph-view/blast-radius.ts';
import { toGraphEdge, toGraphNode } from '../domain/graph-view/neighbourhood.ts';
import type { ImpactService } from './impact-service.ts';
import type { ChangeService } from './change-service.ts';
import { mapSourceAt } from '../topology/map-cis.ts';

export interface ImpactMapDeps {
  impact: ImpactService;
  changes: ChangeService;
  store: GraphStore;
  limits: Limits;
  edgeState: { activeMinutes: number; idleMinutes: number };
}

/** Impacted CIs one map reads (nearest first); the map groups them, so a blast radius of any size fits. */
export const MAP_IMPACTED = 10_000;
const GROUP_THRESHOLD = 10;

/**
 * "Show on map" for a blast radius: computes the impact (or a change's worst case, as it will be
 * implemented: all at once or rolling) itself, so the client never sends thousands of ids, and
 * answers a grouped map coloured by impact state.
 */
export function createImpactMapService(deps: ImpactMapDeps) {
  return {
    async map(req: ImpactMapRequest): Promise<GraphResult> {
      let asOf: string | undefined;
      let report;
      if ('change' in req) {
        const change = await deps.changes.get(req.change);
        // The change's own blast radius, as its assessment computes it (rolling changes wave by wave).
        const blast = await deps.changes.blastRadius(deps.impact.topology.current, change, MAP_IMPACTED, 1);
        if (!blast) return { nodes: [], edges: [], truncated: false, states: {} };
        report = blast.report;
      } else {
        if (req.asOf && Date.parse(req.asOf) > Date.now() + 60_000) throw new InputError('`asOf` is in the future');
        asOf = req.asOf;
        const topo = await deps.impact.topology.at(asOf);
        report = await deps.impact.assess(topo, req.failed, asOf ?? new Date().toISOString(), { limit: MAP_IMPACTED, serviceLimit: 1, maintenance: req.maintenance });
      }
      const ids = report.impacted.map((i) => i.id);
      // A live blast radius is drawn from the projection, as a live map is; one of the past from history.
      const src = mapSourceAt(deps.store, deps.impact.topology.current, asOf);
      const [cis, rels] = await Promise.all([src.getCis(ids), src.relationsAmong(ids, deps.limits.graphEdges * 2)]);
      const now = asOf ? Date.parse(asOf) : Date.now();
      const nodes = new Map(cis.map((c) => [c.id, toGraphNode(c)]));
      const edges = rels.map((r) => toGraphEdge(r, now, deps.edgeState));
      const out = blastRadiusMap(report.impacted, nodes, edges, { maxNodes: deps.limits.graphNodes, groupThreshold: GROUP_THRESHOLD, total: report.total });
      if (out.edges.length > deps.limits.graphEdges) {
        return { ...out, edges: out.edges.slice(0, deps.limits.graphEdges), truncated: true, truncation: out.truncation ?? { reason: 'edges', limit: deps.limits.graphEdges, message: `The blast radius has more relations than one map draws; the first ${deps.limits.graphEdges} are shown.` } };
      }
      return out;
    },
  };
}
export type ImpactMapService = ReturnType<typeof createImpactMapService>;
