import type { Router } from 'express';
import type { ApiContext } from './api/context.ts';
import type { Config } from './config.ts';
import { installImpact } from './impact/install.ts';
import { installOtlp } from './otlp/install.ts';
import { installAlerts } from './alerts/install.ts';
import type { WsHub } from './live/ws-hub.ts';

export interface InstalledFeatures {
  featureRouters: Router[];
  rootRouters: Router[];
  /** Called on shutdown, in order (flush buffers, stop timers). */
  stops: (() => Promise<void> | void)[];
  /** Called once the ws hub exists (features that stream more than change events). */
  hubHooks: ((hub: WsHub) => void)[];
}

/**
 * Feature modules that keep state (impact's topology projection, the OTLP receiver) install
 * themselves here: build what they need from the store, add their routers, register a stop.
 * One block per feature; the feature's own module does the work.
 */
export async function installFeatures(ctx: ApiContext, config: Config): Promise<InstalledFeatures> {
  const out: InstalledFeatures = { featureRouters: [], rootRouters: [], stops: [], hubHooks: [] };
  // Impact analysis (issue 3): topology projection, impact, paths, incidents, changes, windows, root cause.
  const impact = await installImpact(ctx);
  out.featureRouters.push(...impact.routers);
  out.stops.push(() => impact.stop());
  // Live OTLP receiver at /v1/traces (HTTP JSON and protobuf) and on the gRPC port: folds spans into edges, flushes through ingest.
  const otlp = await installOtlp(ctx, config);
  out.rootRouters.push(...otlp.routers);
  out.stops.push(() => otlp.stop());
  // Event management (issue 13): alert receivers, binding, live health, situations.
  const alerts = await installAlerts(ctx, impact, config);
  out.featureRouters.push(...alerts.routers);
  out.stops.push(() => alerts.stop());
  out.hubHooks.push((hub) => alerts.service.onHealth((snapshot) => hub.publish({ type: 'health', snapshot })));
  return out;
}
