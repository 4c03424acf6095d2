import type { ChangeAssessment, ChangeInput, ChangeRecord, ChangeStatus, WindowInput, WindowRecord } from '../model/changes.ts';
import { NotFoundError } from '../ingest/errors.ts';
import { assessRisk } from '../domain/change-risk/risk.ts';
import { findCollisions, type ChangeFootprint } from '../domain/change-risk/collisions.ts';
import { approversFor } from '../domain/change-risk/approvers.ts';
import { blackoutHits, insideMaintenanceWindow, isOpenChange, overlaps } from '../domain/change-risk/windows.ts';
import { emptySummary, type ImpactReport } from '../domain/impact/report.ts';
import type { Topology } from '../topology/topology.ts';
import { nodesFor, type ImpactService } from './impact-service.ts';
import { LISTED_IMPACT } from './incident-service.ts';
import { newRecordId, type Records } from './records.ts';

const DAY = 24 * 3600 * 1000;

/** Most critical (lowest) tier among some, null when none has one. */
const worstTier = (tiers: (number | null)[]) => tiers.reduce<number | null>((w, t) => (t !== null && (w === null || t < w) ? t : w), null);
const LOOKBACK_DAYS = 90;

/** Changes and windows: records plus the assessment (blast radius, risk, collisions, blackouts, approvers). */
export class ChangeService {
  constructor(private readonly deps: { impact: ImpactService; records: Records; now?: () => string }) {}

  private now(): string { return (this.deps.now ?? (() => new Date().toISOString()))(); }

  async create(input: ChangeInput, by: string): Promise<ChangeRecord> {
    const record = this.draft(input, by, newRecordId('change'));
    await this.deps.records.put('change', record, 'change.created', record.createdAt);
    return record;
  }

  private draft(input: ChangeInput, by: string, id: string): ChangeRecord {
    nodesFor(this.deps.impact.topology.current, input.cis);
    const now = this.now();
    return {
      id, title: input.title, ...(input.description ? { description: input.description } : {}),
      type: input.type, window: { start: new Date(input.window.start).toISOString(), end: new Date(input.window.end).toISOString() },
      cis: [...new Set(input.cis)], status: 'planned', createdAt: now, updatedAt: now, createdBy: by,
    };
  }

  /** The assessment a change would get if it were recorded now (what-if): records nothing. */
  async assessDraft(input: ChangeInput, by: string): Promise<ChangeAssessment> {
    return this.assessRecord(this.draft(input, by, 'draft'));
  }

  async get(id: string): Promise<ChangeRecord> {
    const record = await this.deps.records.get('change', id);
    if (!record) throw new NotFoundError(`no change ${id}`);
    return record;
  }

  async list(q: { status?: ChangeStatus; limit: number }): Promise<ChangeRecord[]> {
    return (await this.deps.records.list('change')).filter((c) => !q.status || c.status === q.status)
      .sort((a, b) => (a.window.start < b.window.start ? 1 : a.window.start > b.window.start ? -1 : 0)).slice(0, q.limit);
  }

  async setStatus(id: string, status: ChangeStatus): Promise<ChangeRecord> {
    const record = await this.get(id);
    const now = this.now();
    const next = { ...record, status, updatedAt: now };
    await this.deps.records.put('change', next, 'change.updated', now);
    return next;
  }

  async createWindow(input: WindowInput, by: string): Promise<WindowRecord> {
    if (input.services?.length) nodesFor(this.deps.impact.topology.current, input.services);
    const now = this.now();
    const record: WindowRecord = {
      id: newRecordId('window'), title: input.title, kind: input.kind, start: new Date(input.start).toISOString(), end: new Date(input.end).toISOString(),
      services: [...new Set(input.services ?? [])], createdAt: now, createdBy: by,
    };
    await this.deps.records.put('window', record, 'window.created', now);
    return record;
  }

  async listWindows(q: { kind?: WindowRecord['kind']; activeAt?: string }): Promise<WindowRecord[]> {
    return (await this.deps.records.list('window'))
      .filter((w) => (!q.kind || w.kind === q.kind) && (!q.activeAt || (Date.parse(w.start) <= Date.parse(q.activeAt) && Date.parse(q.activeAt) < Date.parse(w.end))))
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  /** Worst case: every touched CI down. Maintenance is not applied: the blast radius is what the change risks. */
  /** Every impacted service is listed: approvers and collisions need them all (capped by the server limit). */
  private blastRadius(topo: Topology, change: ChangeRecord, limit: number): Promise<ImpactReport> {
    const live = change.cis.filter((id) => topo.nodeOf(id) !== undefined);
    return this.deps.impact.assess(topo, live.map((ci) => ({ ci, state: 'down' as const })), change.window.start, { limit, serviceLimit: Infinity, maintenance: false });
  }

  async assess(id: string): Promise<ChangeAssessment> {
    return this.assessRecord(await this.get(id));
  }

  private async assessRecord(change: ChangeRecord): Promise<ChangeAssessment> {
    const topo = this.deps.impact.topology.current;
    const [changes, windows, incidents] = await Promise.all([
      this.deps.records.list('change'), this.deps.records.list('window'), this.deps.records.list('incident'),
    ]);
    const blast = change.cis.some((ci) => topo.nodeOf(ci) !== undefined) ? await this.blastRadius(topo, change, LISTED_IMPACT) : null;
    const services = blast?.services ?? [];
    const critical = (s: ImpactReport['services']) => new Set(s.filter((x) => x.tier !== null && x.tier <= 2).map((x) => x.id));

    const others: ChangeFootprint[] = [];
    for (const o of changes) {
      if (o.id === change.id || !isOpenChange(o) || !overlaps(o.window, change.window)) continue;
      const r = o.cis.some((ci) => topo.nodeOf(ci) !== undefined) ? await this.blastRadius(topo, o, 0) : null;
      others.push({ change: o, criticalServices: critical(r?.services ?? []) });
    }
    const collisions = findCollisions({ change, criticalServices: critical(services) }, others);

    const hitIds = new Set<string>(change.cis);
    for (const s of services) hitIds.add(s.id);
    const blackouts = blackoutHits(change, windows, hitIds);
    const inside = insideMaintenanceWindow(change, windows);

    const since = Date.parse(change.window.start) - LOOKBACK_DAYS * DAY;
    const touched = new Set(change.cis);
    const recentIncidents = incidents.filter((i) => Date.parse(i.startedAt) >= since && i.cis.some((c) => touched.has(c.ci))).length;
    const recentFailedChanges = changes.filter((c) => c.id !== change.id && c.status === 'failed' && Date.parse(c.window.start) >= since && c.cis.some((ci) => touched.has(ci))).length;

    const risk = assessRisk({
      type: change.type, touchedTier: worstTier(change.cis.map((id) => topo.nodeOf(id)).filter((n): n is number => n !== undefined).map((n) => topo.tierOf(n))),
      worstTierHit: blast?.summary.worstTier ? { tier: blast.summary.worstTier, state: blast.summary.worstTierState ?? 'down' } : null,
      impactedCis: blast?.total ?? 0, impactedServices: blast?.summary.services ?? 0,
      recentIncidents, recentFailedChanges, leadTimeHours: (Date.parse(change.window.start) - Date.parse(change.createdAt)) / 3_600_000,
      insideMaintenanceWindow: inside, collisions: collisions.length, blackouts: blackouts.length,
    });
    return {
      change, risk,
      blastRadius: {
        summary: blast?.summary ?? emptySummary(),
        services, impacted: blast?.impacted ?? [], total: blast?.total ?? 0, truncated: blast?.truncated ?? false,
      },
      collisions, blackouts, approvers: approversFor(services), insideMaintenanceWindow: inside,
    };
  }
}
