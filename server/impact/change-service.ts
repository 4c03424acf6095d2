import {
  CHANGE_TRANSITIONS,
  type ApprovalInput, type AssessmentSnapshot, type CalendarReply, type ChangeAssessment, type ChangeInput, type ChangePatch, type ChangeRecord,
  type ChangeStatus, type ChangeType, type ChangeView, type Implementation, type WindowInput, type WindowRecord,
} from '../model/changes.ts';
import type { TokenInfo } from '../model/records.ts';
import { TIMELINE_LIMIT } from '../model/timeline.ts';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '../domain/errors.ts';
import { assessRisk } from '../domain/change-risk/risk.ts';
import { findCollisions, type ChangeFootprint } from '../domain/change-risk/collisions.ts';
import { approversFor } from '../domain/change-risk/approvers.ts';
import { blackoutHits, insideMaintenanceWindow, isOpenChange, overlaps } from '../domain/change-risk/windows.ts';
import { rollingWaves } from '../domain/impact/combine.ts';
import { approvalStanding, approvalTeams, changeTransitions, fullyApproved, takesApprovals, waitingFor } from '../domain/workflow/approvals.ts';
import { checkTransition, refusalText } from '../domain/workflow/transitions.ts';
import { decodeCursor, encodeCursor, newestFirst } from '../domain/workflow/paging.ts';
import { matchesWords } from '../domain/workflow/text-match.ts';
import { emptySummary, type ImpactReport } from '../domain/impact/report.ts';
import type { Topology } from '../topology/topology.ts';
import { nodesFor, type ImpactService } from './impact-service.ts';
import { LISTED_IMPACT } from './incident-service.ts';
import { newRecordId, nextStamp, WORKFLOW_SOURCE, type NewEntry, type Records } from './records.ts';

const DAY = 24 * 3600 * 1000;

/** Most critical (lowest) tier among some, null when none has one. */
const worstTier = (tiers: (number | null)[]) => tiers.reduce<number | null>((w, t) => (t !== null && (w === null || t < w) ? t : w), null);
const LOOKBACK_DAYS = 90;
const modeOf = (c: ChangeRecord): Implementation => c.implementation ?? 'all-at-once';

export interface ChangeListQuery {
  status?: ChangeStatus[];
  type?: ChangeType;
  ci?: string;
  /** Words the title, id, description or recorder contain. */
  q?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

/**
 * Changes and windows: records with a workflow (planned → approved → in-progress → successful |
 * failed, cancelled from any open status), approvals by the teams the assessment names, and the
 * assessment itself (blast radius, risk, collisions, blackouts, approvers), kept with its history.
 */
export class ChangeService {
  constructor(private readonly deps: { impact: ImpactService; records: Records; now?: () => string }) {}

  private now(): string { return (this.deps.now ?? (() => new Date().toISOString()))(); }
  private get topo(): Topology { return this.deps.impact.topology.current; }

  async create(input: ChangeInput, by: string): Promise<ChangeView> {
    const draft = this.draft(input, by, newRecordId('change'));
    const { status, createdAt: now } = draft;
    const assessment = await this.compute(draft);
    const record: ChangeRecord = { ...draft, assessment: snapshotOf(assessment, now) };
    const entries: NewEntry[] = [
      { at: now, by, kind: 'created', text: `recorded as a ${draft.type} change, ${draft.implementation}${status === 'approved' ? '; pre-approved (standard change)' : ''}` },
      assessmentEntry(assessment, now, by, null),
    ];
    await this.deps.records.commit('change', record, null, entries, 'change.created');
    return this.view(record);
  }

  private draft(input: ChangeInput, by: string, id: string): ChangeRecord {
    nodesFor(this.topo, input.cis);
    const now = this.now();
    return {
      id, title: input.title, ...(input.description ? { description: input.description } : {}),
      type: input.type, window: { start: new Date(input.window.start).toISOString(), end: new Date(input.window.end).toISOString() },
      // A standard change is pre-approved: routine work from an agreed template.
      cis: [...new Set(input.cis)], status: input.type === 'standard' ? 'approved' : 'planned', createdAt: now, updatedAt: now, createdBy: by,
      implementation: input.implementation ?? 'all-at-once', approvals: [],
    };
  }

  /** The assessment a change would get if it were recorded now (what-if): records nothing. */
  async assessDraft(input: ChangeInput, by: string): Promise<ChangeAssessment> {
    return this.compute(this.draft(input, by, 'draft'));
  }

  async get(id: string): Promise<ChangeView> {
    return this.view(await this.find(id));
  }

  async list(q: ChangeListQuery): Promise<{ items: ChangeRecord[]; nextCursor: string | null }> {
    const after = q.cursor ? decodeCursor(q.cursor) : null;
    if (q.cursor && !after) throw new InputError('`cursor` is not one this server gave out');
    const span = { start: q.from ?? '0000-01-01T00:00:00Z', end: q.to ?? '9999-12-31T00:00:00Z' };
    const matching = (await this.deps.records.list('change')).filter((c) =>
      (!q.status || q.status.includes(c.status)) && (!q.type || c.type === q.type) && (!q.ci || c.cis.includes(q.ci)) && overlaps(c.window, span)
      && (!q.q || matchesWords(q.q, [c.title, c.id, c.description, c.createdBy])));
    const page = newestFirst(matching, (c) => c.window.start, after, q.limit);
    return { items: page.items, nextCursor: page.last ? encodeCursor(page.last) : null };
  }

  async update(id: string, patch: ChangePatch, by: string): Promise<ChangeView> {
    const record = await this.find(id);
    const now = nextStamp(this.now(), record.updatedAt);
    const next: ChangeRecord = { ...record, updatedAt: now };
    const entries: NewEntry[] = [];
    const note = patch.comment ? `: ${patch.comment}` : '';
    let reassess = false;
    if (patch.window || patch.implementation) {
      if (record.status !== 'planned' && record.status !== 'approved') {
        throw new ConflictError(`a ${record.status} change cannot be rescheduled or replanned`, { status: record.status }, 'change_not_open');
      }
      if (patch.window) {
        const w = { start: new Date(patch.window.start).toISOString(), end: new Date(patch.window.end).toISOString() };
        if (w.start !== record.window.start || w.end !== record.window.end) {
          next.window = w;
          entries.push({ at: now, by, kind: 'window', text: `rescheduled to ${w.start} – ${w.end}${note}`, data: { from: record.window, to: w } });
          reassess = true;
        }
      }
      if (patch.implementation && patch.implementation !== modeOf(record)) {
        next.implementation = patch.implementation;
        entries.push({ at: now, by, kind: 'assessment', text: `implementation ${modeOf(record)} → ${patch.implementation}${note}`, data: { from: modeOf(record), to: patch.implementation } });
        reassess = true;
      }
      // What was approved is a plan: a normal change planned anew goes back for approval.
      if (reassess && record.status === 'approved' && record.type !== 'standard') {
        next.status = 'planned';
        next.approvalsSince = now;
        entries.push({ at: now, by, kind: 'status', text: 'approved → planned: replanned, approvals asked again', data: { from: 'approved', to: 'planned' } });
      }
    }
    if (patch.status && patch.status !== next.status) {
      this.checkMove(next, patch.status);
      const from = next.status;
      next.status = patch.status;
      if (patch.status === 'in-progress') next.actual = { ...next.actual, start: now };
      if (patch.status === 'successful' || patch.status === 'failed') next.actual = { ...next.actual, end: now };
      entries.push({ at: now, by, kind: 'status', text: `${from} → ${patch.status}${note}`, data: { from, to: patch.status } });
      if (patch.status === 'in-progress' && !fullyApproved(this.standing(next))) {
        next.reviewRequired = true;
        entries.push({ at: now, by, kind: 'review', text: `emergency change started before approval (waiting for ${waitingFor(this.standing(next)).join(', ')}): review it afterwards` });
      }
    }
    if (reassess) {
      const assessment = await this.compute(next);
      next.assessment = snapshotOf(assessment, now);
      entries.push(assessmentEntry(assessment, now, by, record.assessment ?? null));
    }
    if (!entries.length) return this.view(record);
    await this.deps.records.commit('change', next, record.updatedAt, entries, 'change.updated');
    return this.view(next);
  }

  /** PATCH may not approve, and only an emergency change starts before approval: 409 names what is allowed. */
  private checkMove(change: ChangeRecord, to: ChangeStatus) {
    const allowed = changeTransitions(change);
    if (allowed.includes(to)) return;
    const t = checkTransition(CHANGE_TRANSITIONS, change.status, to);
    const why = t.ok && to === 'approved'
      ? `a ${change.type} change is approved by its approver teams (waiting for ${waitingFor(this.standing(change)).join(', ') || 'nobody'}): POST /api/v1/changes/${change.id}/approvals`
      : t.ok && to === 'in-progress' ? 'only an emergency change may start before it is approved' : refusalText('change', change.status, to, allowed);
    throw new ConflictError(why, { status: change.status, allowed }, 'transition_not_allowed');
  }

  /** One team's decision. The token must belong to a change manager of that team. */
  async decide(id: string, input: ApprovalInput, principal: TokenInfo): Promise<ChangeView> {
    if (!principal.team) throw new NotAllowedError(`approving for ${input.team} needs a token bound to that team; this one is bound to none`);
    if (principal.team !== input.team) throw new NotAllowedError(`this token approves for ${principal.team}, not ${input.team}`);
    const record = await this.find(id);
    if (record.type === 'standard') throw new ConflictError('a standard change is pre-approved: it takes no approvals', { status: record.status }, 'pre_approved');
    if (!takesApprovals(record)) {
      throw new ConflictError(`a ${record.status} change takes no approvals`, { status: record.status }, 'change_not_open');
    }
    const teams = record.assessment?.approvalTeams ?? (await this.compute(record)).approvalTeams;
    if (!teams.includes(input.team)) throw new ConflictError(`${input.team} is not an approver of ${record.id}; its approvers are ${teams.join(', ')}`, { approvalTeams: teams }, 'not_an_approver');
    const now = nextStamp(this.now(), record.updatedAt);
    const approval = { team: input.team, decision: input.decision, ...(input.comment ? { comment: input.comment } : {}), by: principal.name, at: now };
    const next: ChangeRecord = { ...record, approvals: [...(record.approvals ?? []), approval], updatedAt: now };
    const entries: NewEntry[] = [{
      at: now, by: principal.name, kind: 'approval',
      text: `${input.team} ${input.decision === 'approve' ? 'approved' : 'rejected'}${input.comment ? `: ${input.comment}` : ''}`, data: { team: input.team, decision: input.decision },
    }];
    const standing = this.standing(next);
    if (fullyApproved(standing)) {
      if (next.status === 'planned') {
        next.status = 'approved';
        entries.push({ at: now, by: principal.name, kind: 'status', text: `planned → approved: every approver team approved (${teams.join(', ')})`, data: { from: 'planned', to: 'approved' } });
      } else if (next.reviewRequired) {
        next.reviewRequired = false;
        entries.push({ at: now, by: principal.name, kind: 'review', text: `reviewed after the fact: every approver team approved (${teams.join(', ')})` });
      }
    }
    await this.deps.records.commit('change', next, record.updatedAt, entries, 'change.updated');
    return this.view(next);
  }

  /**
   * Assess again and keep it (the reassessor calls this when the graph or another change moved under an
   * open change, with `by` null). A change of approver teams puts an approved change back to planned.
   * Returns whether anything was written: an unchanged assessment is not repeated on the timeline.
   */
  async reassess(id: string, by: string | null, reason: string): Promise<boolean> {
    const record = await this.find(id);
    if (!isOpenChange(record)) {
      if (by) throw new ConflictError(`a ${record.status} change is not re-assessed`, { status: record.status }, 'change_not_open');
      return false;
    }
    const assessment = await this.compute(record);
    const now = nextStamp(this.now(), record.updatedAt);
    const snapshot = snapshotOf(assessment, now);
    if (!by && record.assessment && sameAssessment(record.assessment, snapshot)) return false;
    const next: ChangeRecord = { ...record, assessment: snapshot, updatedAt: now };
    const entries: NewEntry[] = [assessmentEntry(assessment, now, by, record.assessment ?? null, reason)];
    if (record.status === 'approved' && record.type !== 'standard' && !fullyApproved(this.standing(next))) {
      next.status = 'planned';
      entries.push({ at: now, by, kind: 'status', text: `approved → planned: the approvers changed, waiting for ${waitingFor(this.standing(next)).join(', ')}`, data: { from: 'approved', to: 'planned' } });
    }
    await this.deps.records.commit('change', next, record.updatedAt, entries, 'change.updated', by ? {} : { source: WORKFLOW_SOURCE });
    return true;
  }

  async assess(id: string): Promise<ChangeAssessment> {
    return this.compute(await this.find(id));
  }

  /** CIs whose change may change this change's assessment: those it touches and its blast radius. */
  async footprint(id: string): Promise<Set<string> | null> {
    const change = await this.deps.records.get('change', id);
    if (!change || !isOpenChange(change)) return null;
    const out = new Set(change.cis);
    const blast = await this.blastRadius(this.topo, change, 0);
    if (blast) for (let i = 0; i < blast.report.raw.total; i++) out.add(this.topo.idOf(blast.report.raw.all[i]));
    return out;
  }

  async openChanges(): Promise<ChangeRecord[]> {
    return (await this.deps.records.list('change')).filter(isOpenChange);
  }

  /** Changes, maintenance and blackout windows in a range, with the collisions their assessments found. */
  async calendar(from: string, to: string): Promise<CalendarReply> {
    const span = { start: from, end: to };
    const changes = (await this.deps.records.list('change')).filter((c) => c.status !== 'cancelled' && overlaps(c.window, span))
      .sort((a, b) => (a.window.start < b.window.start ? -1 : a.window.start > b.window.start ? 1 : 0));
    const windows = (await this.deps.records.list('window')).filter((w) => overlaps(w, span))
      .sort((a, b) => (a.start < b.start ? -1 : 1));
    const pairs = new Map<string, CalendarReply['collisions'][number]>();
    for (const c of changes) {
      for (const other of c.assessment?.collisions ?? []) {
        const key = [c.id, other].sort().join('|');
        if (!pairs.has(key)) pairs.set(key, { changes: [c.id, other].sort() as [string, string], sharedServices: [], sharedCis: c.cis.filter((x) => changes.find((o) => o.id === other)?.cis.includes(x)) });
      }
    }
    return {
      from: new Date(from).toISOString(), to: new Date(to).toISOString(),
      changes: changes.map((c) => ({
        id: c.id, title: c.title, type: c.type, status: c.status, window: c.window, cis: c.cis, implementation: modeOf(c), createdBy: c.createdBy,
        ...(c.reviewRequired ? { reviewRequired: true } : {}),
        risk: c.assessment ? { score: c.assessment.score, level: c.assessment.level } : null,
        collisions: c.assessment?.collisions ?? [], blackouts: c.assessment?.blackouts ?? [],
      })),
      windows,
      collisions: [...pairs.values()],
    };
  }

  async createWindow(input: WindowInput, by: string): Promise<WindowRecord> {
    if (input.services?.length) nodesFor(this.topo, input.services);
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

  private async find(id: string): Promise<ChangeRecord> {
    const record = await this.deps.records.get('change', id);
    if (!record) throw new NotFoundError(`no change ${id}`);
    return record;
  }

  private standing(change: ChangeRecord) {
    const since = change.approvalsSince;
    return approvalStanding(change.assessment?.approvalTeams ?? [], (change.approvals ?? []).filter((a) => !since || a.at >= since));
  }

  private async view(change: ChangeRecord): Promise<ChangeView> {
    return {
      ...change, approvalTeams: this.standing(change), takesApprovals: takesApprovals(change), allowedTransitions: changeTransitions(change),
      timeline: await this.deps.records.timeline(change.id, TIMELINE_LIMIT),
    };
  }

  /**
   * Worst case of the touched CIs going down, as the change will take them down: all together, or
   * rolling (one member of each redundancy group per wave: everything any wave impacts). Maintenance is
   * not applied: the blast radius is what the change risks. Every impacted service is listed: approvers
   * and collisions need them all (capped by the server limit); the blast-radius map needs none.
   */
  async blastRadius(topo: Topology, change: ChangeRecord, limit: number, serviceLimit = Infinity): Promise<{ report: ImpactReport; waves: string[][] } | null> {
    const live = change.cis.filter((id) => topo.nodeOf(id) !== undefined);
    if (!live.length) return null;
    const opts = { limit, serviceLimit, maintenance: false };
    const down = (ids: string[]) => ids.map((ci) => ({ ci, state: 'down' as const }));
    if (modeOf(change) === 'all-at-once') return { report: await this.deps.impact.assess(topo, down(live), change.window.start, opts), waves: [live] };
    const waves = rollingWaves(topo, live.map((id) => topo.nodeOf(id)!)).map((w) => w.map((n) => topo.idOf(n)));
    return { report: await this.deps.impact.assessWaves(topo, waves.map(down), change.window.start, opts), waves };
  }

  private async compute(change: ChangeRecord): Promise<ChangeAssessment> {
    const topo = this.topo;
    const [changes, windows, incidents] = await Promise.all([
      this.deps.records.list('change'), this.deps.records.list('window'), this.deps.records.list('incident'),
    ]);
    const blast = await this.blastRadius(topo, change, LISTED_IMPACT);
    const report = blast?.report ?? null;
    const services = report?.services ?? [];
    const critical = (s: ImpactReport['services']) => new Set(s.filter((x) => x.tier !== null && x.tier <= 2).map((x) => x.id));

    const others: ChangeFootprint[] = [];
    for (const o of changes) {
      if (o.id === change.id || !isOpenChange(o) || !overlaps(o.window, change.window)) continue;
      const r = await this.blastRadius(topo, o, 0);
      others.push({ change: o, criticalServices: critical(r?.report.services ?? []) });
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
    const touchedNodes = change.cis.map((id) => topo.nodeOf(id)).filter((n): n is number => n !== undefined);

    const risk = assessRisk({
      type: change.type, touchedTier: worstTier(touchedNodes.map((n) => topo.tierOf(n))),
      worstTierHit: report?.summary.worstTier ? { tier: report.summary.worstTier, state: report.summary.worstTierState ?? 'down' } : null,
      impactedCis: report?.total ?? 0, impactedServices: report?.summary.services ?? 0,
      recentIncidents, recentFailedChanges, leadTimeHours: (Date.parse(change.window.start) - Date.parse(change.createdAt)) / 3_600_000,
      insideMaintenanceWindow: inside, collisions: collisions.length, blackouts: blackouts.length,
    });
    const approvers = approversFor(services);
    const mode = modeOf(change);
    const waves = blast?.waves ?? [];
    return {
      change, risk,
      blastRadius: {
        summary: report?.summary ?? emptySummary(),
        services, impacted: report?.impacted ?? [], total: report?.total ?? 0, truncated: report?.truncated ?? false,
      },
      collisions, blackouts, approvers,
      approvalTeams: approvalTeams(approvers, touchedNodes.map((n) => topo.ownerOf(n))),
      insideMaintenanceWindow: inside,
      implementation: {
        mode, waves,
        assumed: mode === 'all-at-once'
          ? (change.cis.length === 1 ? 'the touched CI down' : `all ${change.cis.length} touched CIs down at once`)
          : `rolling in ${waves.length} wave${waves.length === 1 ? '' : 's'}, one member of each redundancy group down at a time; the blast radius is everything any wave takes down`,
      },
    };
  }
}

function snapshotOf(a: ChangeAssessment, at: string): AssessmentSnapshot {
  return {
    at, score: a.risk.score, level: a.risk.level, implementation: a.implementation.mode,
    impactedCis: a.blastRadius.total, impactedServices: a.blastRadius.summary.services,
    collisions: a.collisions.map((c) => c.change.id), blackouts: a.blackouts.map((b) => b.window.id), approvalTeams: a.approvalTeams,
  };
}

const sameAssessment = (a: AssessmentSnapshot, b: AssessmentSnapshot) => {
  const { at: _a, ...x } = a;
  const { at: _b, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
};

/** The assessment on the timeline: its figures, and what moved since the previous one. */
function assessmentEntry(a: ChangeAssessment, at: string, by: string | null, prev: AssessmentSnapshot | null, reason?: string): NewEntry {
  const snap = snapshotOf(a, at);
  const moved: string[] = [];
  if (prev) {
    if (prev.score !== snap.score) moved.push(`risk ${prev.score} → ${snap.score}`);
    const added = snap.collisions.filter((c) => !prev.collisions.includes(c));
    const gone = prev.collisions.filter((c) => !snap.collisions.includes(c));
    if (added.length) moved.push(`now collides with ${added.join(', ')}`);
    if (gone.length) moved.push(`no longer collides with ${gone.join(', ')}`);
    if (prev.impactedServices !== snap.impactedServices) moved.push(`services hit ${prev.impactedServices} → ${snap.impactedServices}`);
    if (prev.approvalTeams.join() !== snap.approvalTeams.join()) moved.push(`approvers ${prev.approvalTeams.join(', ') || 'none'} → ${snap.approvalTeams.join(', ') || 'none'}`);
  }
  const head = `assessed${reason ? ` (${reason})` : ''}: risk ${snap.score} (${snap.level}), ${snap.impactedServices} services hit, ${snap.collisions.length} collision${snap.collisions.length === 1 ? '' : 's'}, ${a.implementation.assumed}`;
  return { at, by, kind: 'assessment', text: moved.length ? `${head}; ${moved.join('; ')}` : head, data: { ...snap } };
}

