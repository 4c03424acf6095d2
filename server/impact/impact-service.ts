import type { FailedCi, ImpactReply, ImpactRequest } from '../model/impact.ts';
import type { Limits } from '../model/limits.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import { impactReport, reportOf, type ImpactReport } from '../domain/impact/report.ts';
import { propagateImpact, type FailState } from '../domain/impact/propagate.ts';
import { mergeResults, restrictTo } from '../domain/impact/combine.ts';
import { ciIdsInMaintenance } from '../domain/change-risk/windows.ts';
import type { TopologyService } from '../topology/topology-service.ts';
import type { Topology } from '../topology/topology.ts';
import type { ReadCache } from '../topology/read-cache.ts';
import type { Records } from './records.ts';

export interface ImpactDeps {
  topology: TopologyService; records: Records; limits: Limits;
  /** POST /impact answers on the live projection, reused while nothing they read has changed. */
  answers?: ReadCache<ImpactReply>;
  /** Told how long each computation took (the impact latency histogram of /metrics). */
  observe?: (seconds: number) => void;
}
export interface AssessOptions { limit?: number; serviceLimit?: number; maintenance?: boolean }

/** Dense nodes for CI ids, or a NotFoundError naming every id the projection does not hold (live CIs only). */
export function nodesFor(topo: Topology, ids: string[]): number[] {
  const missing = ids.filter((id) => topo.nodeOf(id) === undefined);
  if (missing.length) throw new NotFoundError(`no live CI with id ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`, { missing });
  return ids.map((id) => topo.nodeOf(id)!);
}

/** Blast radius over the live or an as-of projection, with maintenance from change records and windows. */
export class ImpactService {
  constructor(private readonly deps: ImpactDeps) {}

  get topology(): TopologyService { return this.deps.topology; }

  async maintenanceAt(topo: Topology, at: string): Promise<Set<number>> {
    const ids = ciIdsInMaintenance(at, await this.deps.records.list('change'), await this.deps.records.list('window'));
    const out = new Set<number>();
    for (const id of ids) { const n = topo.nodeOf(id); if (n !== undefined) out.add(n); }
    return out;
  }

  private async options(topo: Topology, at: string, opts: AssessOptions) {
    const maintenance = opts.maintenance === false ? undefined : await this.maintenanceAt(topo, at);
    const cap = (n: number | undefined) => Math.min(n ?? this.deps.limits.impactResults, this.deps.limits.impactResults);
    return { maintenance, limit: cap(opts.limit), serviceLimit: cap(opts.serviceLimit ?? opts.limit) };
  }

  private input(topo: Topology, failed: FailedCi[]) {
    const nodes = nodesFor(topo, failed.map((f) => f.ci));
    return failed.map((f, i) => ({ node: nodes[i], state: f.state as FailState }));
  }

  /** Impact of failed CIs on `topo`, judged for maintenance at `at`. */
  async assess(topo: Topology, failed: FailedCi[], at: string, opts: AssessOptions = {}): Promise<ImpactReport> {
    const o = await this.options(topo, at, opts);
    const started = performance.now();
    const report = impactReport(topo, this.input(topo, failed), o);
    this.deps.observe?.((performance.now() - started) / 1000);
    return report;
  }

  /** Failed CIs going down in waves (a rolling change): every CI any wave impacts, in its worst state. */
  async assessWaves(topo: Topology, waves: FailedCi[][], at: string, opts: AssessOptions = {}): Promise<ImpactReport> {
    const o = await this.options(topo, at, opts);
    const started = performance.now();
    const report = reportOf(topo, mergeResults(waves.map((w) => propagateImpact(topo, this.input(topo, w), o)), o.limit), o);
    this.deps.observe?.((performance.now() - started) / 1000);
    return report;
  }

  /**
   * The share of the impact of all `failed` CIs together that `own` (some of them) takes part in: an
   * incident's impact counting the other open incidents, which may take down what neither would alone.
   */
  async assessWithin(topo: Topology, failed: FailedCi[], own: string[], at: string, opts: AssessOptions = {}): Promise<ImpactReport> {
    const o = await this.options(topo, at, opts);
    return reportOf(topo, restrictTo(topo, propagateImpact(topo, this.input(topo, failed), o), nodesFor(topo, own)), o);
  }

  async impact(req: ImpactRequest): Promise<ImpactReply> {
    if (req.asOf && Date.parse(req.asOf) > Date.now() + 60_000) throw new InputError('`asOf` is in the future');
    const topo = await this.deps.topology.at(req.asOf);
    const at = req.asOf ?? new Date().toISOString();
    const o = await this.options(topo, at, { limit: req.limit, maintenance: req.maintenance });
    const input = this.input(topo, req.failed);
    // A live answer is kept while nothing it read changed: every CI it reached (a dependent's groups and providers
    // change only through relations touching it) and the CIs in maintenance now (the rest of the key).
    const cache = req.asOf ? null : this.deps.answers;
    const key = cache ? JSON.stringify([req.failed, o.limit, o.serviceLimit, o.maintenance ? [...o.maintenance].sort((a, b) => a - b) : null]) : '';
    const kept = cache?.get(topo, key);
    if (kept) return kept;
    const version = topo.version;
    const started = performance.now();
    const { raw, ...report } = impactReport(topo, input, o);
    this.deps.observe?.((performance.now() - started) / 1000);
    const reply = { ...report, asOf: req.asOf ?? null };
    cache?.set(topo, key, version, reply, raw.all, raw.total + report.impacted.length + report.services.length);
    return reply;
  }
}
