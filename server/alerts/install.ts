import type { Router } from 'express';
import type { ApiContext } from '../api/context.ts';
import type { Config } from '../config.ts';
import type { ImpactFeature } from '../impact/install.ts';
import { priorityConfigFromEnv } from '../domain/priority/priority.ts';
import { alertRoutes } from '../api/routes/alerts.ts';
import { AlertService } from './alert-service.ts';

/** Event management on top of impact analysis: one service over the live projection, its routes. */
export async function installAlerts(ctx: ApiContext, impact: ImpactFeature, config: Config): Promise<{ service: AlertService; routers: Router[]; stop(): void }> {
  const service = new AlertService({
    store: ctx.store, feed: ctx.feed, topology: impact.topology, impact: impact.impact, records: impact.records, incidents: impact.incidents,
    priority: priorityConfigFromEnv(), settings: config.alerts,
  });
  await service.start();
  ctx.alerts = service;
  return { service, routers: [alertRoutes(service, config.alerts)], stop: () => service.stop() };
}
