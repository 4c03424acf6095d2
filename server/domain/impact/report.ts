import type { ImpactedCi, ImpactedService, ImpactSummary } from '../../model/impact.ts';
import type { CatalogView } from './catalog.ts';
import { describeCause } from './describe.ts';
import type { ImpactGraph } from './graph.ts';
import { DOWN, propagateImpact, type FailState, type ImpactOptions, type ImpactResult } from './propagate.ts';

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
  const raw = propagateImpact(graph, failed, opts);
  const nameOf = (n: number) => graph.nameOf(n);
  const impacted = raw.impacted.map((x): ImpactedCi => ({
    id: graph.idOf(x.node), name: graph.nameOf(x.node), class: graph.classOf(x.node), tier: graph.tierOf(x.node), owner: graph.ownerOf(x.node),
    state: x.state, actualState: x.actual, depth: x.depth, path: x.path.map((n) => graph.idOf(n)),
    reason: describeCause(x.cause, x.actual, x.reported, nameOf),
  }));

  const summary = emptySummary();
  // Services by tier (index 0 for untiered), so that only the tiers that fill the listing get sorted.
  const serviceByTier: number[][] = [[], [], [], [], []];
  for (let i = 0; i < raw.total; i++) {
    const n = raw.all[i];
    const actual: FailState = raw.allStates[i] === DOWN ? 'down' : 'degraded';
    const inMaintenance = opts.maintenance?.has(n) ?? false;
    if (inMaintenance) summary.maintenance++; else summary[actual]++;
    const tier = graph.tierOf(n);
    // Maintenance is expected downtime: it neither sets the worst tier nor costs money.
    if (!inMaintenance && tier !== null) {
      const worse = summary.worstTier === null || tier < summary.worstTier || (tier === summary.worstTier && actual === 'down');
      if (worse) { summary.worstTier = tier; summary.worstTierState = actual; }
      (summary.tiersHit[tier] ??= { down: 0, degraded: 0 })[actual]++;
    }
    if (!SERVICE_CLASSES.has(graph.classOf(n))) continue;
    serviceByTier[tier ?? 0].push(i);
    summary.services++;
    const key = tier === null ? 'none' : String(tier);
    summary.byTier[key] = (summary.byTier[key] ?? 0) + 1;
    if (!inMaintenance) {
      const attributes = graph.attributesOf(n);
      summary.downtimeCostPerHour += num(attributes.downtimeCostPerHour) ?? 0;
      summary.users += num(attributes.users) ?? 0;
    }
  }
  // Most critical first, then by name and id: plain code-unit order, stable across machines and cheap.
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byName = (a: number, b: number) => byText(graph.nameOf(raw.all[a]), graph.nameOf(raw.all[b])) || byText(graph.idOf(raw.all[a]), graph.idOf(raw.all[b]));
  const serviceLimit = opts.serviceLimit ?? opts.limit ?? Infinity;
  const listedServices: number[] = [];
  for (const bucket of [1, 2, 3, 4, 0].map((t) => serviceByTier[t])) {
    if (listedServices.length >= serviceLimit) break;
    listedServices.push(...bucket.sort(byName).slice(0, serviceLimit - listedServices.length));
  }
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
