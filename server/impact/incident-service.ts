import type { IncidentInput, IncidentListItem, IncidentPatch, IncidentRecord, IncidentView } from '../model/incidents.ts';
import { ConflictError, NotFoundError } from '../ingest/errors.ts';
import { priorityOf, type PriorityConfig } from '../domain/priority/priority.ts';
import type { ImpactService } from './impact-service.ts';
import { emptySummary } from '../domain/impact/report.ts';
import { newRecordId, type Records } from './records.ts';
import { nodesFor } from './impact-service.ts';

/** Impacted CIs listed on an incident or change; the summary and services always count everything. */
export const LISTED_IMPACT = 500;

/** Incidents: stored as typed-in facts (what fails, how urgent); impact and priority are computed on every read. */
export class IncidentService {
  constructor(private readonly deps: { impact: ImpactService; records: Records; priority: PriorityConfig; now?: () => string }) {}

  private now(): string { return (this.deps.now ?? (() => new Date().toISOString()))(); }

  async open(input: IncidentInput, by: string, links: { situation?: string } = {}): Promise<IncidentView> {
    nodesFor(this.deps.impact.topology.current, input.cis.map((c) => c.ci));
    const now = this.now();
    const record: IncidentRecord = {
      id: newRecordId('incident'), title: input.title, ...(input.description ? { description: input.description } : {}),
      cis: input.cis, urgency: input.urgency, status: 'open', startedAt: input.startedAt ? new Date(input.startedAt).toISOString() : now,
      resolvedAt: null, createdAt: now, updatedAt: now, createdBy: by, ...(links.situation ? { situation: links.situation } : {}),
    };
    await this.deps.records.put('incident', record, 'incident.opened', now);
    return this.view(record);
  }

  /** What an incident on these CIs would be (impact, priority and its reason), recording nothing. */
  async preview(input: IncidentInput, by: string): Promise<IncidentView> {
    nodesFor(this.deps.impact.topology.current, input.cis.map((c) => c.ci));
    const now = this.now();
    return this.view({
      id: 'preview', title: input.title, ...(input.description ? { description: input.description } : {}),
      cis: input.cis, urgency: input.urgency, status: 'open', startedAt: input.startedAt ? new Date(input.startedAt).toISOString() : now,
      resolvedAt: null, createdAt: now, updatedAt: now, createdBy: by,
    });
  }

  async get(id: string): Promise<IncidentView> {
    const record = await this.deps.records.get('incident', id);
    if (!record) throw new NotFoundError(`no incident ${id}`);
    return this.view(record);
  }

  async list(q: { status?: IncidentRecord['status']; limit: number }): Promise<IncidentListItem[]> {
    const all = (await this.deps.records.list('incident')).filter((i) => !q.status || i.status === q.status);
    const newest = [...all].sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0)).slice(0, q.limit);
    const out: IncidentListItem[] = [];
    for (const i of newest) {
      const v = await this.view(i, 0);
      out.push({ ...i, priority: v.priority, impactedServices: v.impact.summary.services, downtimeCostPerHour: v.impact.summary.downtimeCostPerHour });
    }
    return out;
  }

  async update(id: string, patch: IncidentPatch): Promise<IncidentView> {
    const record = await this.deps.records.get('incident', id);
    if (!record) throw new NotFoundError(`no incident ${id}`);
    if (record.status === 'resolved' && patch.status && patch.status !== 'resolved') {
      throw new ConflictError(`incident ${id} is resolved; open a new one`, { status: record.status }, 'incident_resolved');
    }
    const now = this.now();
    const status = patch.status ?? record.status;
    const next: IncidentRecord = {
      ...record, status, urgency: patch.urgency ?? record.urgency, updatedAt: now,
      resolvedAt: status === 'resolved' ? (patch.resolvedAt ? new Date(patch.resolvedAt).toISOString() : record.resolvedAt ?? now) : null,
    };
    await this.deps.records.put('incident', next, 'incident.updated', now);
    return this.view(next);
  }

  /**
   * Impact on the live topology, with maintenance as it was when the incident started. CIs retired
   * since are left out rather than failing the read: an old incident must stay readable.
   */
  private async view(record: IncidentRecord, listed = LISTED_IMPACT): Promise<IncidentView> {
    const topo = this.deps.impact.topology.current;
    const failed = record.cis.filter((c) => topo.nodeOf(c.ci) !== undefined);
    const report = failed.length
      ? await this.deps.impact.assess(topo, failed, record.startedAt, { limit: listed })
      : null;
    const summary = report?.summary ?? emptySummary();
    return {
      ...record,
      priority: priorityOf(summary.tiersHit, record.urgency, this.deps.priority),
      impact: { summary, services: report?.services ?? [], impacted: report?.impacted ?? [], total: report?.total ?? 0, truncated: report?.truncated ?? false },
    };
  }
}
