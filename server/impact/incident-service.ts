import {
  ACTIVE_INCIDENT_STATUSES, INCIDENT_TRANSITIONS,
  type IncidentInput, type IncidentListItem, type IncidentListQuery, type IncidentPatch, type IncidentRecord, type IncidentView, type PriorityResult,
} from '../model/incidents.ts';
import { isOpenChange } from '../domain/change-risk/windows.ts';
import { TIMELINE_LIMIT } from '../model/timeline.ts';
import { ConflictError, InputError, NotFoundError } from '../domain/errors.ts';
import { priorityOf, type PriorityConfig } from '../domain/priority/priority.ts';
import { checkTransition, refusalText } from '../domain/workflow/transitions.ts';
import { decodeCursor, encodeCursor, newestFirst } from '../domain/workflow/paging.ts';
import type { ImpactService } from './impact-service.ts';
import { emptySummary, type ImpactReport } from '../domain/impact/report.ts';
import { newRecordId, nextStamp, WORKFLOW_SOURCE, type NewEntry, type Records } from './records.ts';
import { nodesFor } from './impact-service.ts';
import type { Topology } from '../topology/topology.ts';
import type { FailedCi } from '../model/impact.ts';

/** Impacted CIs listed on an incident or change; the summary and services always count everything. */
export const LISTED_IMPACT = 500;
/** Impacted services kept on the record for the `service` filter of the list: the most critical first. */
export const KEPT_SERVICES = 100;
/** Failed CIs of other open incidents counted with one incident's own (beyond, the oldest incidents only). */
const MAX_COMBINED_FAILED = 2000;

const isActive = (i: IncidentRecord) => ACTIVE_INCIDENT_STATUSES.includes(i.status);

interface Computed { report: ImpactReport | null; priority: PriorityResult; combinedWith: string[] }

/**
 * Incidents: typed-in facts (what fails, how urgent) with a workflow (open → investigating → resolved
 * → closed, reopen from resolved). While one is open its impact is live: counted together with the
 * other open incidents, recomputed on every read and by the reassessor when the graph changes, and
 * each change of priority is kept on its timeline with the reason.
 */
export class IncidentService {
  constructor(private readonly deps: { impact: ImpactService; records: Records; priority: PriorityConfig; now?: () => string }) {}

  private now(): string { return (this.deps.now ?? (() => new Date().toISOString()))(); }
  private get topo(): Topology { return this.deps.impact.topology.current; }

  async open(input: IncidentInput, by: string, links: { situation?: string } = {}): Promise<IncidentView> {
    nodesFor(this.topo, input.cis.map((c) => c.ci));
    const now = this.now();
    const draft: IncidentRecord = {
      id: newRecordId('incident'), title: input.title, ...(input.description ? { description: input.description } : {}),
      cis: input.cis, urgency: input.urgency, status: 'open', startedAt: input.startedAt ? new Date(input.startedAt).toISOString() : now,
      resolvedAt: null, closedAt: null, createdAt: now, updatedAt: now, createdBy: by, assignee: input.assignee ?? null, changes: [],
      ...(links.situation ? { situation: links.situation } : {}),
    };
    const computed = await this.compute(draft);
    const assignee = input.assignee ? { team: input.assignee, reason: '' } : this.defaultAssignee(computed.report, draft);
    // Open changes at work on a failed CI right now are the first suspects: linked from the start.
    const touched = new Set(draft.cis.map((c) => c.ci));
    const at = Date.parse(draft.startedAt);
    const suspects = (await this.deps.records.list('change'))
      .filter((c) => isOpenChange(c) && c.cis.some((ci) => touched.has(ci)) && Date.parse(c.window.start) <= at && at < Date.parse(c.window.end));
    const record: IncidentRecord = { ...draft, ...this.stored(computed), assignee: assignee.team, changes: suspects.map((c) => c.id) };
    const entries: NewEntry[] = [
      { at: now, by, kind: 'created', text: `opened with priority ${computed.priority.priority}: ${computed.priority.reason}`, data: { priority: computed.priority.priority } },
    ];
    if (assignee.team) entries.push({ at: now, by, kind: 'assignee', text: `assigned to ${assignee.team}${assignee.reason ? ` (${assignee.reason})` : ''}`, data: { to: assignee.team } });
    for (const c of suspects) entries.push({ at: now, by: null, kind: 'change-linked', text: `change ${c.id} “${c.title}” is ${c.status} on a failed CI`, data: { change: c.id } });
    await this.deps.records.commit('incident', record, null, entries, 'incident.opened');
    return this.view(record, computed, { timeline: true });
  }

  /** What an incident on these CIs would be (impact, priority and its reason), recording nothing. */
  async preview(input: IncidentInput, by: string): Promise<IncidentView> {
    nodesFor(this.deps.impact.topology.current, input.cis.map((c) => c.ci));
    const now = this.now();
    const record: IncidentRecord = {
      id: 'preview', title: input.title, ...(input.description ? { description: input.description } : {}),
      cis: input.cis, urgency: input.urgency, status: 'open', startedAt: input.startedAt ? new Date(input.startedAt).toISOString() : now,
      resolvedAt: null, createdAt: now, updatedAt: now, createdBy: by,
    };
    const computed = await this.compute(record);
    return this.view({ ...record, assignee: input.assignee ?? this.defaultAssignee(computed.report, record).team }, computed);
  }

  async get(id: string): Promise<IncidentView> {
    const record = await this.find(id);
    return this.view(record, await this.compute(record, LISTED_IMPACT), { timeline: true });
  }

  /** Filters and pages over the stored records (their priority and services are kept fresh while open). */
  async list(q: IncidentListQuery): Promise<{ items: IncidentListItem[]; nextCursor: string | null }> {
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    if (q.cursor && !after) throw new InputError('`cursor` is not one this server gave out');
    const from = q.from ? Date.parse(q.from) : -Infinity, to = q.to ? Date.parse(q.to) : Infinity;
    const all = await this.deps.records.list('incident');
    const matching: IncidentRecord[] = [];
    for (const i of all) {
      const t = Date.parse(i.startedAt);
      if (t < from || t >= to) continue;
      if (q.status && !q.status.includes(i.status)) continue;
      if (q.assignee && i.assignee !== q.assignee) continue;
      if (q.ci && !i.cis.some((c) => c.ci === q.ci)) continue;
      if (q.service && !(i.serviceIds ?? []).includes(q.service) && !i.cis.some((c) => c.ci === q.service)) continue;
      const priority = i.priority ?? (await this.compute(i, 0)).priority;
      if (q.priority && !q.priority.includes(priority.priority)) continue;
      matching.push(i.priority ? i : { ...i, priority });
    }
    const page = newestFirst(matching, (i) => i.startedAt, after, q.limit);
    return {
      items: page.items.map((i) => {
        const { serviceIds: _s, ...rest } = i;
        return { ...rest, priority: i.priority!, impactedServices: i.impactedServices ?? 0, downtimeCostPerHour: i.downtimeCostPerHour ?? 0 };
      }),
      nextCursor: page.last ? encodeCursor(page.last) : null,
    };
  }

  async update(id: string, patch: IncidentPatch, by: string): Promise<IncidentView> {
    const record = await this.find(id);
    const now = nextStamp(this.now(), record.updatedAt);
    const next: IncidentRecord = { ...record, updatedAt: now };
    const entries: NewEntry[] = [];
    if (patch.status) {
      const t = checkTransition(INCIDENT_TRANSITIONS, record.status, patch.status);
      if (!t.ok) throw new ConflictError(refusalText('incident', record.status, patch.status, t.allowed), { status: record.status, allowed: t.allowed }, 'transition_not_allowed');
      if (!t.noop) {
        next.status = patch.status;
        if (patch.status === 'resolved') next.resolvedAt = patch.resolvedAt ? new Date(patch.resolvedAt).toISOString() : now;
        if (patch.status === 'closed') next.closedAt = now;
        if (isActive(next)) next.resolvedAt = null;
        const reopened = record.status === 'resolved' && isActive(next);
        entries.push({ at: now, by, kind: 'status', text: reopened ? `reopened (${next.status})` : `${record.status} → ${next.status}`, data: { from: record.status, to: next.status } });
      }
    } else if (record.status === 'closed') {
      throw new ConflictError(`incident ${id} is closed`, { status: record.status, allowed: [] }, 'transition_not_allowed');
    }
    if (patch.urgency && patch.urgency !== record.urgency) {
      next.urgency = patch.urgency;
      entries.push({ at: now, by, kind: 'urgency', text: `urgency ${record.urgency} → ${patch.urgency}`, data: { from: record.urgency, to: patch.urgency } });
    }
    if (patch.assignee && patch.assignee !== record.assignee) {
      next.assignee = patch.assignee;
      entries.push({ at: now, by, kind: 'assignee', text: `assigned to ${patch.assignee}${record.assignee ? ` (was ${record.assignee})` : ''}`, data: { from: record.assignee ?? null, to: patch.assignee } });
    }
    if (patch.linkChange && !(record.changes ?? []).includes(patch.linkChange)) {
      const change = await this.deps.records.get('change', patch.linkChange);
      if (!change) throw new NotFoundError(`no change ${patch.linkChange}`);
      next.changes = [...(record.changes ?? []), change.id];
      entries.push({ at: now, by, kind: 'change-linked', text: `linked change ${change.id} “${change.title}” (${change.status})`, data: { change: change.id } });
    }
    const computed = await this.compute(next);
    Object.assign(next, this.stored(computed));
    const before = record.priority?.priority;
    if (before && before !== computed.priority.priority) {
      entries.push({ at: now, by, kind: 'priority', text: `priority ${before} → ${computed.priority.priority}: ${computed.priority.reason}`, data: { from: before, to: computed.priority.priority } });
    }
    if (!entries.length) return this.view(record, await this.compute(record, LISTED_IMPACT), { timeline: true });
    await this.deps.records.commit('incident', next, record.updatedAt, entries, 'incident.updated');
    return this.view(next, await this.compute(next, LISTED_IMPACT), { timeline: true });
  }

  async addNote(id: string, text: string, by: string): Promise<IncidentView> {
    const record = await this.find(id);
    const now = nextStamp(this.now(), record.updatedAt);
    const next = { ...record, updatedAt: now };
    await this.deps.records.commit('incident', next, record.updatedAt, [{ at: now, by, kind: 'note', text }], 'incident.updated');
    return this.view(next, await this.compute(next, LISTED_IMPACT), { timeline: true });
  }

  /**
   * Live re-computation of one open incident (the reassessor calls it when the graph or another
   * incident changed): the kept priority and services are refreshed, and a change of priority goes on
   * the timeline with its reason. Returns whether anything was written.
   */
  async refresh(id: string): Promise<boolean> {
    const record = await this.deps.records.get('incident', id);
    if (!record || !isActive(record)) return false;
    const computed = await this.compute(record);
    const kept = this.stored(computed);
    const priorityChanged = record.priority?.priority !== computed.priority.priority;
    const servicesChanged = record.impactedServices !== kept.impactedServices || record.downtimeCostPerHour !== kept.downtimeCostPerHour
      || (record.serviceIds ?? []).join() !== kept.serviceIds.join();
    if (!priorityChanged && !servicesChanged) return false;
    const now = nextStamp(this.now(), record.updatedAt);
    const next: IncidentRecord = { ...record, ...kept, updatedAt: now };
    const entries: NewEntry[] = priorityChanged
      ? [{ at: now, by: null, kind: 'priority', text: `priority ${record.priority?.priority ?? '—'} → ${computed.priority.priority}: ${computed.priority.reason}`, data: { from: record.priority?.priority ?? null, to: computed.priority.priority, impactedServices: kept.impactedServices } }]
      : [];
    await this.deps.records.commit('incident', next, record.updatedAt, entries, 'incident.updated', { source: WORKFLOW_SOURCE });
    return true;
  }

  /** CIs whose change may change this incident's impact: its failed CIs and everything they impact. */
  async footprint(id: string): Promise<Set<string> | null> {
    const record = await this.deps.records.get('incident', id);
    if (!record || !isActive(record)) return null;
    const { report } = await this.compute(record, 0);
    const out = new Set(record.cis.map((c) => c.ci));
    if (report) for (let i = 0; i < report.raw.total; i++) out.add(this.topo.idOf(report.raw.all[i]));
    return out;
  }

  async activeIds(): Promise<string[]> {
    return (await this.deps.records.list('incident')).filter(isActive).map((i) => i.id);
  }

  private async find(id: string): Promise<IncidentRecord> {
    const record = await this.deps.records.get('incident', id);
    if (!record) throw new NotFoundError(`no incident ${id}`);
    return record;
  }

  private stored(c: Computed) {
    return {
      priority: c.priority,
      impactedServices: c.report?.summary.services ?? 0,
      downtimeCostPerHour: c.report?.summary.downtimeCostPerHour ?? 0,
      serviceIds: (c.report?.services ?? []).slice(0, KEPT_SERVICES).map((s) => s.id),
    };
  }

  /** The owner of the most important impacted service (services come most critical first), else of a failed CI. */
  private defaultAssignee(report: ImpactReport | null, record: IncidentRecord): { team: string | null; reason: string } {
    const service = report?.services.find((s) => s.owner && s.state !== 'maintenance');
    if (service) return { team: service.owner!, reason: `owner of ${service.name}${service.tier ? `, tier ${service.tier}` : ''}, the most important service hit` };
    for (const c of record.cis) {
      const n = this.topo.nodeOf(c.ci);
      const owner = n === undefined ? null : this.topo.ownerOf(n);
      if (owner) return { team: owner, reason: `owner of ${this.topo.nameOf(n!)}, a failed CI` };
    }
    return { team: null, reason: '' };
  }

  /**
   * Impact on the live topology, with maintenance as it was when the incident started. An active
   * incident counts the failed CIs of the other active ones with its own (two replicas failing in two
   * incidents take their service down in both). CIs retired since are left out: an old incident must
   * stay readable.
   */
  private async compute(record: IncidentRecord, listed = LISTED_IMPACT): Promise<Computed> {
    const topo = this.topo;
    const live = (cis: FailedCi[]) => cis.filter((c) => topo.nodeOf(c.ci) !== undefined);
    const own = live(record.cis);
    if (!own.length) return { report: null, priority: priorityOf(emptySummary().tiersHit, record.urgency, this.deps.priority), combinedWith: [] };
    const others = isActive(record)
      ? (await this.deps.records.list('incident')).filter((i) => i.id !== record.id && isActive(i)).sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1))
      : [];
    const ownIds = new Set(own.map((c) => c.ci));
    const failed = new Map(own.map((c) => [c.ci, c]));
    const contributors = new Map<string, string[]>();
    for (const o of others) {
      for (const c of live(o.cis)) {
        if (ownIds.has(c.ci)) continue;
        const cur = failed.get(c.ci);
        if (!cur && failed.size >= MAX_COMBINED_FAILED) continue;
        if (!cur || c.state === 'down') failed.set(c.ci, c);
        contributors.set(c.ci, [...(contributors.get(c.ci) ?? []), o.id]);
      }
    }
    const report = failed.size === own.length
      ? await this.deps.impact.assess(topo, own, record.startedAt, { limit: listed })
      : await this.deps.impact.assessWithin(topo, [...failed.values()], own.map((c) => c.ci), record.startedAt, { limit: listed });
    // The other incidents that made a difference: a failed CI of theirs feeds something in this impact.
    const inside = new Set<number>();
    for (let i = 0; i < report.raw.total; i++) inside.add(report.raw.all[i]);
    const combinedWith = new Set<string>();
    for (const [ci, ids] of contributors) {
      let feeds = false;
      topo.forEachDependent(topo.nodeOf(ci)!, (d) => { if (inside.has(d)) feeds = true; });
      if (feeds) for (const id of ids) combinedWith.add(id);
    }
    const p = priorityOf(report.summary.tiersHit, record.urgency, this.deps.priority);
    const priority = combinedWith.size ? { ...p, reason: `${p.reason}, counting the failed CIs of ${[...combinedWith].join(', ')}` } : p;
    return { report, priority, combinedWith: [...combinedWith] };
  }

  private async view(record: IncidentRecord, c: Computed, opts: { timeline?: boolean } = {}): Promise<IncidentView> {
    const { serviceIds: _s, ...rest } = record;
    const r = c.report;
    return {
      ...rest,
      priority: c.priority,
      impact: {
        summary: r?.summary ?? emptySummary(), services: r?.services ?? [], impacted: r?.impacted ?? [], total: r?.total ?? 0, truncated: r?.truncated ?? false,
        ...(c.combinedWith.length ? { combinedWith: c.combinedWith } : {}),
      },
      allowedTransitions: [...INCIDENT_TRANSITIONS[record.status]],
      ...(opts.timeline ? { timeline: await this.deps.records.timeline(record.id, TIMELINE_LIMIT) } : {}),
    };
  }
}
