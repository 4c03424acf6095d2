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
  const maintenance = opts.maintenance?.size ? opts.maintenance : null;
  // Straight from the engine's flat answer when it has one: no path of nodes, Cause or ImpactedNode per CI in between.
  const impacted = raw.listedCursor ? entriesFrom(graph, raw.listedCursor()) : raw.impacted.map((x) => entry(graph, x, x.path.map((n) => graph.idOf(n)), describeCause(x.cause, x.actual, x.reported, graph)));

  // Counted in plain integers first (this loop runs once per impacted CI, 180k on a big blast radius).
  const down = [0, 0, 0, 0, 0], degraded = [0, 0, 0, 0, 0], servicesOfTier = [0, 0, 0, 0, 0];
  let inMaintenanceCount = 0, cost = 0, users = 0;
  const serviceLimit = opts.serviceLimit ?? opts.limit ?? Infinity;
  // Services per tier (index 0: untiered) in BFS order, i.e. nearest first; only as many as can be listed.
  const serviceByTier: number[][] = [[], [], [], [], []];
  // A class's verdict kept while the class repeats (neighbours are often of one class): no set lookup per CI.
  let lastClass = '', isService = false;
  const { all, allStates, total } = raw;
  for (let i = 0; i < total; i++) {
    const n = all[i];
    const tier = graph.tierOf(n) ?? 0;
    const inMaintenance = maintenance !== null && maintenance.has(n);
    // Maintenance is expected downtime: it neither sets the worst tier nor costs money.
    if (inMaintenance) inMaintenanceCount++;
    else if (allStates[i] === DOWN) down[tier]++;
    else degraded[tier]++;
    const cls = graph.classOf(n);
    if (cls !== lastClass) { lastClass = cls; isService = SERVICE_CLASSES.has(cls); }
    if (!isService) continue;
    servicesOfTier[tier]++;
    if (serviceByTier[tier].length < serviceLimit) serviceByTier[tier].push(i);
    if (!inMaintenance) {
      const attributes = graph.attributesOf(n);
      cost += num(attributes.downtimeCostPerHour) ?? 0;
      users += num(attributes.users) ?? 0;
    }
  }
  const summary = emptySummary();
  summary.down = down[0] + down[1] + down[2] + down[3] + down[4];
  summary.degraded = degraded[0] + degraded[1] + degraded[2] + degraded[3] + degraded[4];
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
  const services: ImpactedService[] = [];
  for (const t of TIER_ORDER) {
    const of = serviceByTier[t];
    for (let j = 0; j < of.length && services.length < serviceLimit; j++) services.push(service(graph, raw.all[of[j]], raw.allStates[of[j]], maintenance));
  }
  return { impacted, services, summary, total: raw.total, truncated: raw.truncated, raw };
}

const TIER_ORDER = [1, 2, 3, 4, 0] as const;

/**
 * The entries of the listed CIs, read off the engine's cursor. Siblings raised by one provider come one after the
 * other and share their cause, so a reason is described once per run of equal causes rather than once per CI.
 */
function entriesFrom(graph: ImpactGraph & CatalogView, x: ListedCursor): ImpactedCi[] {
  const out: ImpactedCi[] = [];
  const cause = x.cause;
  let reason = '', kind = '', group: string | null | undefined = null, provider = -1, up = -1, size = -1, required = -1, actual = '', reported = false;
  while (x.next()) {
    // The words depend on these fields alone (a group's on its name and counts, any other cause's on its provider).
    if (cause.kind !== kind || x.actual !== actual || x.reported !== reported || cause.provider !== provider || cause.group !== group
      || cause.up !== up || cause.size !== size || cause.required !== required) {
      reason = describeCause(cause, x.actual, x.reported, graph);
      kind = cause.kind; actual = x.actual; reported = x.reported; provider = cause.provider!; group = cause.group;
      up = cause.up!; size = cause.size!; required = cause.required!;
    }
    out.push(entry(graph, x, x.pathIds(graph), reason));
  }
  return out;
}

function entry(graph: CatalogView, x: Omit<ListedCursor, 'next' | 'pathIds' | 'cause'>, path: string[], reason: string): ImpactedCi {
  return {
    id: graph.idOf(x.node), name: graph.nameOf(x.node), class: graph.classOf(x.node), tier: graph.tierOf(x.node), owner: graph.ownerOf(x.node),
    state: x.state, actualState: x.actual, depth: x.depth, path, reason,
  };
}

/** A listed service with what the catalog keeps of it; read field by field (no NodeInfo, no spreads of optional fields). */
function service(graph: CatalogView, n: number, state: number, maintenance: ReadonlySet<number> | null): ImpactedService {
  const attributes = graph.attributesOf(n);
  const out: ImpactedService = {
    id: graph.idOf(n), name: graph.nameOf(n), class: graph.classOf(n), tier: graph.tierOf(n), owner: graph.ownerOf(n),
    state: maintenance !== null && maintenance.has(n) ? 'maintenance' : state === DOWN ? 'down' : 'degraded',
  };
  if (attributes.slo !== undefined) out.slo = attributes.slo;
  const cost = num(attributes.downtimeCostPerHour), users = num(attributes.users);
  if (cost !== undefined) out.downtimeCostPerHour = cost;
  if (users !== undefined) out.users = users;
  return out;
}
