import type { Router } from 'express';
import type { ApiContext } from '../api/context.ts';
import { TopologyService } from '../topology/topology-service.ts';
import { impactRoutes } from '../api/routes/impact.ts';
import { impactMapRoutes } from '../api/routes/impact-map.ts';
import { createImpactMapService } from './impact-map-service.ts';
import { pathsRoutes } from '../api/routes/paths.ts';
import { incidentRoutes } from '../api/routes/incidents.ts';
import { changeRoutes } from '../api/routes/changes.ts';
import { windowRoutes } from '../api/routes/windows.ts';
import { rootCauseRoutes } from '../api/routes/root-cause.ts';
import { priorityConfigFromEnv } from '../domain/priority/priority.ts';
import { ImpactService } from './impact-service.ts';
import { IncidentService } from './incident-service.ts';
import { ChangeService } from './change-service.ts';
import { RootCauseService } from './root-cause-service.ts';
import { describeImpactOperations } from './operations.ts';
import { Records } from './records.ts';
import { Reassessor } from './reassessor.ts';

export interface ImpactFeature {
  topology: TopologyService;
  records: Records;
  impact: ImpactService;
  incidents: IncidentService;
  routers: Router[];
  stop(): void;
}

/**
 * Builds the projection from the store, follows the change feed, and returns the routers of
 * impact, paths, incidents, changes, windows and root cause. Sets `ctx.topology` for other features.
 */
export async function installImpact(ctx: ApiContext): Promise<ImpactFeature> {
  describeImpactOperations();
  const topology = new TopologyService(ctx.store);
  await topology.start(ctx.feed);
  const records = new Records(ctx.store, ctx.feed);
  const impact = new ImpactService({ topology, records, limits: ctx.limits, observe: (s) => ctx.metrics?.observeImpact(s) });
  ctx.topology = topology;
  const incidents = new IncidentService({ impact, records, priority: priorityConfigFromEnv() });
  const changes = new ChangeService({ impact, records });
  const rootCause = new RootCauseService({ impact, records, store: ctx.store });
  const impactMap = createImpactMapService({ impact, changes, store: ctx.store, limits: ctx.limits, edgeState: ctx.edgeState });
  // Open incidents and changes stay true to the graph (live impact, priority, re-assessment).
  const reassessor = new Reassessor({ feed: ctx.feed, incidents, changes, log: (m) => console.error(m) });
  await reassessor.start();
  ctx.health = { ...(ctx.health ?? {}), reassessor: () => reassessor.status };
  const routers = [
    impactRoutes(impact), impactMapRoutes(impactMap), pathsRoutes(topology), incidentRoutes(incidents), changeRoutes(changes), windowRoutes(changes), rootCauseRoutes(rootCause),
  ];
  return { topology, records, impact, incidents, routers, stop: () => { reassessor.stop(); topology.stop(); } };
}
