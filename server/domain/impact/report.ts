import type { ImpactedCi, ImpactedService, ImpactSummary } from '../../model/impact.ts';
import type { CatalogView } from './catalog.ts';
import { describeCause } from './describe.ts';
import type { ImpactGraph } from './graph.ts';
import { DOWN, propagateImpact, type FailState, type ImpactOptions, type ImpactResult, type ListedCursor } from './propagate.ts';

/** Classes the service catalog lists: impacted ones are reported as services, with tier, owner, slo, cost. */
export const SERVICE_CLASSES: ReadonlySet<string> = new Set(['business_service', 'application_service', 'application', 'service']);

export interface ImpactReport {
  impacted: ImpactedCi[];
  services: ImpactedService[];
  summary: ImpactSummary;
  total: number;
  truncated: boolean;
  /** The raw result, for callers that go on computing over node ids (risk, collisions, root cause). */
  raw: ImpactResult;
}

export const emptySummary = (): ImpactSummary =>
  ({ down: 0, degraded: 0, maintenance: 0, worstTier: null, worstTierState: null, services: 0, byTier: {}, tiersHit: {}, downtimeCostPerHour: 0, users: 0 });

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Blast radius in the API's words: ids, names, reasons, the impacted services and what they cost. */
export interface ReportOptions extends ImpactOptions {
  /** Services listed (most critical first); defaults to `limit`. The summary counts them all. */
  serviceLimit?: number;
}

export function impactReport(graph: ImpactGraph & CatalogView, failed: { node: number; state: FailState }[], opts: ReportOptions = {}): ImpactReport {
  return reportOf(graph, propagateImpact(graph, failed, opts), opts);
}

/** The report of a propagation already run (or several merged, see combine.ts). */
export function reportOf(graph: ImpactGraph & CatalogView, raw: ImpactResult, opts: ReportOptions = {}): ImpactReport {
  const nameOf = (n: number) => graph.nameOf(n), idOf = (n: number) => graph.idOf(n);
  const entry = (x: Omit<ListedCursor, 'path'>, path: string[]): ImpactedCi => ({
    id: graph.idOf(x.node), name: graph.nameOf(x.node), class: graph.classOf(x.node), tier: graph.tierOf(x.node), owner: graph.ownerOf(x.node),
    state: x.state, actualState: x.actual, depth: x.depth, path, reason: describeCause(x.cause, x.actual, x.reported, nameOf),
  });
  // Straight from the engine's flat answer when it has one: no path of nodes, Cause or ImpactedNode per CI in between.
  const impacted: ImpactedCi[] = [];
  if (raw.eachListed) raw.eachListed((x) => { impacted.push(entry(x, x.path(idOf))); });
  else for (const x of raw.impacted) impacted.push(entry(x, x.path.map(idOf)));

  // Counted in plain integers first (this loop runs once per impacted CI, 180k on a big blast radius).
  const down = [0, 0, 0, 0, 0], degraded = [0, 0, 0, 0, 0], servicesOfTier = [0, 0, 0, 0, 0];
  let inMaintenanceCount = 0, cost = 0, users = 0;
  const maintenance = opts.maintenance?.size ? opts.maintenance : null;
  const serviceLimit = opts.serviceLimit ?? opts.limit ?? Infinity;
  // Services per tier (index 0: untiered) in BFS order, i.e. nearest first; only as many as can be listed.
  const serviceByTier: number[][] = [[], [], [], [], []];
  for (let i = 0; i < raw.total; i++) {
    const n = raw.all[i];
    const tier = graph.tierOf(n) ?? 0;
    const inMaintenance = maintenance !== null && maintenance.has(n);
    // Maintenance is expected downtime: it neither sets the worst tier nor costs money.
    if (inMaintenance) inMaintenanceCount++;
    else if (raw.allStates[i] === DOWN) down[tier]++;
    else degraded[tier]++;
    if (!SERVICE_CLASSES.has(graph.classOf(n))) continue;
    servicesOfTier[tier]++;
    if (serviceByTier[tier].length < serviceLimit) serviceByTier[tier].push(i);
    if (!inMaintenance) {
      const attributes = graph.attributesOf(n);
      cost += num(attributes.downtimeCostPerHour) ?? 0;
      users += num(attributes.users) ?? 0;
    }
  }
  const summary = emptySummary();
  summary.down = down.reduce((a, b) => a + b, 0);
  summary.degraded = degraded.reduce((a, b) => a + b, 0);
  summary.maintenance = inMaintenanceCount;
  summary.downtimeCostPerHour = cost;
  summary.users = users;
  for (let t = 1; t <= 4; t++) {
    if (down[t] || degraded[t]) summary.tiersHit[t] = { down: down[t], degraded: degraded[t] };
    if (summary.worstTier === null && (down[t] || degraded[t])) { summary.worstTier = t; summary.worstTierState = down[t] ? 'down' : 'degraded'; }
  }
  for (let t = 0; t <= 4; t++) {
    summary.services += servicesOfTier[t];
    if (servicesOfTier[t]) summary.byTier[t === 0 ? 'none' : String(t)] = servicesOfTier[t];
  }
  // Most critical first, then nearest first (BFS order): no sort needed, and nearest is what an operator reads first.
  const listedServices = [1, 2, 3, 4, 0].flatMap((t) => serviceByTier[t]).slice(0, serviceLimit);
  const services = listedServices.map((i): ImpactedService => {
    const n = raw.all[i];
    const info = graph.info(n);
    const cost = num(info.attributes.downtimeCostPerHour);
    const users = num(info.attributes.users);
    return {
      id: info.id, name: info.name, class: info.class, tier: info.tier, owner: info.owner,
      state: opts.maintenance?.has(n) ? 'maintenance' : raw.allStates[i] === DOWN ? 'down' : 'degraded',
      ...(info.attributes.slo !== undefined ? { slo: info.attributes.slo } : {}),
      ...(cost !== undefined ? { downtimeCostPerHour: cost } : {}),
      ...(users !== undefined ? { users } : {}),
    };
  });
  return { impacted, services, summary, total: raw.total, truncated: raw.truncated, raw };
}
