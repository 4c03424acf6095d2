import { createHash, randomBytes } from 'node:crypto';
import type { AlertRecord, DeliveryReply, GenericAlert, HealthSnapshot, SituationRecord, SituationView, SituationListQuery, AlertListQuery, TimelineEntry } from '../model/alerts.ts';
import type { ChangeEvent } from '../model/records.ts';
import type { GraphStore } from '../store/port.ts';
import type { ChangeFeed } from '../live/change-feed.ts';
import type { TopologyService } from '../topology/topology-service.ts';
import type { ImpactService } from '../impact/impact-service.ts';
import type { IncidentService } from '../impact/incident-service.ts';
import type { Records } from '../impact/records.ts';
import type { PriorityConfig } from '../domain/priority/priority.ts';
import type { AlertSettings } from './settings.ts';
import { NotFoundError, ConflictError } from '../domain/errors.ts';
import { deliveredFields, expireIfStale, judgeDelivery, refreshIsDurable } from '../domain/alerts/lifecycle.ts';
import { bindAttempts, resolveBinding, type BindAttempt } from '../domain/alerts/bind.ts';
import { healthOfSeverity } from '../domain/alerts/parse.ts';
import { expectedBecause } from '../domain/alerts/expected.ts';
import { counts, healthOf, urgencyOf } from '../domain/alerts/health.ts';
import { Correlator, defaultCorrelatorOptions } from '../domain/alerts/correlate.ts';
import { priorityOf } from '../domain/priority/priority.ts';
import { emptySummary } from '../domain/impact/report.ts';
import type { FailState } from '../domain/impact/propagate.ts';
import { recentChangesOf } from './recent-changes.ts';
import { discoveryEndOf } from '../domain/root-cause/discovery.ts';

export interface AlertServiceDeps {
  store: GraphStore;
  feed?: ChangeFeed;
  topology: TopologyService;
  impact: ImpactService;
  records: Records;
  incidents: IncidentService;
  priority: PriorityConfig;
  settings: AlertSettings;
  now?: () => number;
  /** Per-alert bind and correlate times, for the benchmark. */
  observe?: (alertMs: number) => void;
}

/** Alerts are processed in slices of this many, yielding to the event loop between slices (a storm must not stall it). */
const SLICE = 200;
/** Impacted CIs a health snapshot lists (nearest first); the total counts all. */
const SNAPSHOT_IMPACTED = 5_000;
const TIMELINE_MAX = 200;
const HOUR = 3_600_000;
/** How long the estate's discovery instant found for situations' causes is reused (see discoveredUntil). */
const DISCOVERY_KEPT_MS = 10 * 60_000;

export const alertId = (source: string, fingerprint: string) =>
  'alr-' + createHash('sha256').update(source).update('\u0000').update(fingerprint).digest('base64url').slice(0, 16);
const newSituationId = () => 'sit-' + randomBytes(6).toString('base64url');
const iso = (ms: number) => new Date(ms).toISOString();
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Event management (design.md section 11): receives alerts, binds them to CIs, keeps health and
 * situations in memory over the live projection, and writes every change through one path
 * (`store.writeAlerts`, one transaction per delivery). Deliveries are handled one at a time, in order.
 */
export class AlertService {
  /** Alerts that are firing or changed recently, by id; older resolved ones are read from the store when needed. */
  private readonly alerts = new Map<string, AlertRecord>();
  private readonly situations = new Map<string, SituationRecord>();
  /** Built by start(): it reads the live projection, which a server loads after it starts listening. */
  private correlator!: Correlator;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private snapshot: HealthSnapshot | null = null;
  private snapshotDirty = true;
  private snapshotRunning: Promise<void> | null = null;
  private readonly listeners = new Set<(s: HealthSnapshot) => void>();
  private clusterCache: { at: number; seq: number; names: string[] } | null = null;
  private readonly stats = { alerts: 0, situations: 0 };
  /** The estate's discovery instant last found for the causes' recent changes (see discoveredUntil). */
  private discovery: { atMs: number; sinceMs: number; untilMs: number } | null = null;
  /** Supervision of the background loop, for /healthz. */
  readonly loop = { lastRunAt: null as string | null, lastError: null as string | null, failures: 0 };

  constructor(private readonly deps: AlertServiceDeps) {}

  private now(): number { return (this.deps.now ?? Date.now)(); }

  /** Load firing alerts and open situations, then sweep for expiry every 30 s (supervised: a failure backs off and is reported). */
  async start(): Promise<void> {
    this.correlator = new Correlator(this.deps.topology.current, { ...defaultCorrelatorOptions, windowMs: this.deps.settings.windowMs });
    for (const a of await this.deps.store.listAlerts({ status: 'firing', limit: 1_000_000 })) this.alerts.set(a.id, a);
    const topo = this.deps.topology.current;
    for (const d of await this.deps.store.listDocs<SituationRecord>('situation')) {
      const s = d.data;
      this.stats.situations++;
      if (s.status !== 'open') continue;
      this.situations.set(s.id, s);
      const cause = topo.nodeOf(s.cause.ci);
      if (cause === undefined) continue;
      const symptoms: [number, FailState][] = [];
      for (const id of s.alerts) {
        const a = this.alerts.get(id);
        const n = a?.binding.ci ? topo.nodeOf(a.binding.ci) : undefined;
        if (a && n !== undefined && counts(a)) symptoms.push([n, a.health as FailState]);
      }
      this.correlator.restore({ id: s.id, cause, status: 'open', symptoms, lastAt: Date.parse(s.updatedAt), resolvedAt: null });
    }
    this.stats.alerts = this.alerts.size;
    this.schedule(30_000);
  }

  private schedule(ms: number) {
    this.timer = setTimeout(() => {
      this.queue = this.queue.then(() => this.sweep()).then(
        () => { this.loop.lastRunAt = iso(this.now()); this.loop.failures = 0; this.schedule(30_000); },
        (e) => { this.loop.failures++; this.loop.lastError = String((e as Error)?.message ?? e); this.schedule(Math.min(300_000, 30_000 * 2 ** this.loop.failures)); },
      );
    }, ms);
    this.timer.unref();
  }

  stop(): void { if (this.timer) clearTimeout(this.timer); this.timer = null; }

  onHealth(fn: (s: HealthSnapshot) => void): () => void { this.listeners.add(fn); return () => this.listeners.delete(fn); }

  /** One delivery (already parsed into generic alerts), idempotent; resolves after the commit. */
  receive(incoming: GenericAlert[], meta: { truncatedAlerts?: number } = {}): Promise<DeliveryReply> {
    const run = this.queue.then(() => this.apply(incoming, meta.truncatedAlerts ?? 0));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Expire firing alerts that were not re-sent in time (their `endsAt`, or the timeout). */
  async sweep(): Promise<number> {
    const nowMs = this.now();
    const expired: AlertRecord[] = [];
    for (const a of this.alerts.values()) {
      const e = expireIfStale(a, nowMs, this.deps.settings.timeoutMs);
      if (e) expired.push(e);
    }
    // Resolved alerts stay in memory a day (re-deliveries are judged without a read), then only in the store.
    for (const [id, a] of this.alerts) if (a.status !== 'firing' && nowMs - Date.parse(a.updatedAt) > 24 * HOUR) this.alerts.delete(id);
    // Resolved situations past their reopen time live on in the store only.
    for (const [id, sit] of this.situations) if (sit.status === 'resolved' && !this.correlator.get(id)) this.situations.delete(id);
    if (!expired.length) return 0;
    const touched = new Map<string, SituationRecord>();
    const changed: AlertRecord[] = [];
    for (const e of expired) {
      const before = this.alerts.get(e.id)!;
      this.alerts.set(e.id, e);
      changed.push(e);
      this.afterChange(before, e, nowMs, touched, changed);
    }
    await this.write(changed, touched, nowMs);
    return expired.length;
  }

  private async apply(incoming: GenericAlert[], truncatedAlerts: number): Promise<DeliveryReply> {
    const nowMs = this.now();
    const now = iso(nowMs);
    // What the receiver refused before this is its to say (routes/alerts.ts).
    const reply: DeliveryReply = { received: incoming.length, changed: 0, bound: 0, unbound: 0, expected: 0, truncatedAlerts, situations: [], refused: [] };
    // The same alert twice in one delivery: the later copy is what the sender meant.
    const byId = new Map<string, GenericAlert>();
    for (const a of incoming) byId.set(alertId(a.source, a.fingerprint), a);
    const missing = [...byId.keys()].filter((id) => !this.alerts.has(id));
    for (let i = 0; i < missing.length; i += 1000) {
      for (const a of await this.deps.store.listAlerts({ ids: missing.slice(i, i + 1000), limit: 1000 })) this.alerts.set(a.id, a);
    }

    // Judge every alert, bind the new and changed ones (one key lookup for the whole delivery).
    const work: { id: string; before: AlertRecord | undefined; fields: ReturnType<typeof deliveredFields>; attempts: BindAttempt[] | null }[] = [];
    const durableRefresh: AlertRecord[] = [];
    const ctx = { clusters: this.clusters(), defaults: this.deps.settings.bindings.config.defaults };
    for (const [id, a] of byId) {
      const before = this.alerts.get(id);
      const fields = deliveredFields(a);
      const verdict = judgeDelivery(before, fields);
      if (verdict === 'stale' || verdict === 'unchanged') continue;
      if (verdict === 'refreshed') {
        if (refreshIsDurable(before!, nowMs, this.deps.settings.timeoutMs)) durableRefresh.push({ ...before!, lastReceivedAt: now, updatedAt: now });
        else this.alerts.set(id, { ...before!, lastReceivedAt: now });
        continue;
      }
      const rebind = !before || !before.binding.ci || JSON.stringify(before.labels) !== JSON.stringify(fields.labels);
      work.push({ id, before, fields, attempts: rebind ? bindAttempts(fields.labels, this.deps.settings.bindings.config, ctx) : null });
    }
    const keys = [...new Set(work.flatMap((w) => w.attempts?.flatMap((a) => a.keys) ?? []))];
    const known = keys.length ? await this.deps.store.transact((tx) => tx.lookupKeys(keys), { readOnly: true }) : new Map<string, string>();
    const [changes, windows] = await Promise.all([this.deps.records.list('change'), this.deps.records.list('window')]);

    const topo = this.deps.topology.current;
    const describe = (ci: string) => { const n = topo.nodeOf(ci); return n === undefined ? undefined : { name: topo.nameOf(n), class: topo.classOf(n) }; };
    const touched = new Map<string, SituationRecord>();
    const changed: AlertRecord[] = [...durableRefresh];
    for (let i = 0; i < work.length; i++) {
      if (i > 0 && i % SLICE === 0) await yieldToLoop();
      const w = work[i];
      const t0 = performance.now();
      const binding = w.attempts ? resolveBinding(w.attempts, (k) => known.get(k), describe) : w.before!.binding;
      const expected = binding.ci && w.fields.status === 'firing' ? expectedBecause(binding.ci, now, changes, windows) : null;
      const record: AlertRecord = {
        id: w.id, source: byId.get(w.id)!.source, fingerprint: byId.get(w.id)!.fingerprint, ...w.fields,
        health: healthOfSeverity(w.fields.severity, this.deps.settings.severityHealth),
        binding, expected,
        situation: w.before?.situation ?? null,
        firstReceivedAt: w.before?.firstReceivedAt ?? now, lastReceivedAt: now, updatedAt: now,
      };
      this.alerts.set(record.id, record);
      changed.push(record);
      this.afterChange(w.before, record, nowMs, touched, changed);
      this.deps.observe?.(performance.now() - t0);
      reply.changed++;
      if (record.binding.ci) reply.bound++; else reply.unbound++;
      if (record.expected) reply.expected++;
    }
    for (const r of durableRefresh) this.alerts.set(r.id, r);
    reply.situations = [...new Set(changed.map((a) => a.situation).filter((s): s is string => s !== null))];
    await this.write(changed, touched, nowMs);
    return reply;
  }

  /** Correlation after an alert changed: join or open a situation, or release its CI from one. */
  private afterChange(before: AlertRecord | undefined, after: AlertRecord, nowMs: number, touched: Map<string, SituationRecord>, changed: AlertRecord[]) {
    const topo = this.deps.topology.current;
    const node = after.binding.ci ? topo.nodeOf(after.binding.ci) : undefined;
    const wasCounting = before ? counts(before) : false;
    const nowCounting = counts(after) && node !== undefined;
    const now = iso(nowMs);
    if (!before) this.stats.alerts++;

    if (nowCounting) {
      const current = after.situation ? this.correlator.get(after.situation) : undefined;
      if (current && current.status === 'open' && wasCounting && before?.binding.ci === after.binding.ci) return;
      const p = this.correlator.place(node!, after.health as FailState, nowMs, newSituationId);
      const s = this.situationFor(p.situation, node!, now, touched);
      after.situation = s.id;
      if (!s.alerts.includes(after.id)) s.alerts.push(after.id);
      s.updatedAt = now;
      if (p.opened) {
        this.stats.situations++;
        this.timeline(s, now, `opened by ${after.name} on ${after.binding.name}`, after.id);
      } else if (p.reopened) {
        this.timeline(s, now, `reopened: ${after.name} on ${after.binding.name} fired again`, after.id);
        s.status = 'open'; s.resolvedAt = null; s.proposeResolveIncident = false;
      } else this.timeline(s, now, `${after.name} on ${after.binding.name} joined`, after.id);
      if (p.causeChanged && !p.opened) this.setCause(s, this.correlator.get(s.id)!.cause, now);
      for (const m of p.merged) this.merge(m, s, now, touched, changed);
      return;
    }
    if (wasCounting && before?.situation) {
      const s = this.situations.get(before.situation);
      if (!s) return;
      touched.set(s.id, s);
      s.updatedAt = now;
      this.timeline(s, now, `${after.name} on ${after.binding.name ?? 'an unbound CI'} ${after.status}`, after.id);
      // The CI leaves the situation only when none of the situation's alerts on it still counts.
      const stillOnCi = s.alerts.some((id) => id !== after.id && this.alerts.get(id)?.binding.ci === before.binding.ci && counts(this.alerts.get(id)!));
      const n = before.binding.ci ? topo.nodeOf(before.binding.ci) : undefined;
      if (!stillOnCi && n !== undefined && this.correlator.release(s.id, n, nowMs)) {
        s.status = 'resolved';
        s.resolvedAt = now;
        this.timeline(s, now, s.incident ? `all alerts resolved: resolve incident ${s.incident}?` : 'all alerts resolved');
        s.proposeResolveIncident = s.incident !== null;
      }
    }
  }

  private situationFor(id: string, node: number, now: string, touched: Map<string, SituationRecord>): SituationRecord {
    let s = this.situations.get(id);
    if (!s) {
      const topo = this.deps.topology.current;
      s = {
        id, status: 'open', openedAt: now, updatedAt: now, resolvedAt: null,
        cause: { ci: topo.idOf(node), name: topo.nameOf(node), class: topo.classOf(node), recentChanges: [] },
        alerts: [], mergedInto: null, incident: null, proposeResolveIncident: false, timeline: [],
      };
      this.situations.set(id, s);
      this.pendingCauses.add(id);
    }
    touched.set(s.id, s);
    return s;
  }

  /** Situations whose cause changed in this delivery: their recent changes are read before the write. */
  private readonly pendingCauses = new Set<string>();

  private setCause(s: SituationRecord, cause: number, now: string) {
    const topo = this.deps.topology.current;
    s.cause = { ci: topo.idOf(cause), name: topo.nameOf(cause), class: topo.classOf(cause), recentChanges: [] };
    this.timeline(s, now, `probable cause is now ${s.cause.name} (${s.cause.class}): it explains every alert`);
    this.pendingCauses.add(s.id);
  }

  private merge(fromId: string, into: SituationRecord, now: string, touched: Map<string, SituationRecord>, changed: AlertRecord[]) {
    const from = this.situations.get(fromId);
    if (!from) return;
    for (const id of from.alerts) {
      const a = this.alerts.get(id);
      if (!into.alerts.includes(id)) into.alerts.push(id);
      if (a && a.situation === fromId) {
        const moved = { ...a, situation: into.id, updatedAt: now };
        this.alerts.set(id, moved);
        const i = changed.findIndex((c) => c.id === id);
        if (i >= 0) changed[i] = moved; else changed.push(moved);
      }
    }
    from.status = 'resolved'; from.resolvedAt = now; from.mergedInto = into.id; from.updatedAt = now;
    this.timeline(from, now, `merged into ${into.id}: ${into.cause.name} explains its alerts`);
    this.timeline(into, now, `absorbed ${from.id} (${from.alerts.length} alert${from.alerts.length === 1 ? '' : 's'}, cause ${from.cause.name})`);
    if (from.incident && !into.incident) into.incident = from.incident;
    touched.set(from.id, from);
    this.situations.delete(fromId);
    this.stats.situations--;
  }

  /**
   * When the estate's own discovery ended, if the look-back from `sinceMs` holds it (else -Infinity): the causes'
   * appearances with it are not changes. Found from a diff of the window (at most 20,000 items, as root cause
   * reads it), kept for DISCOVERY_KEPT_MS: it moves only when a new discovery happens, and causes change on many
   * deliveries of a storm.
   */
  private async discoveredUntil(sinceMs: number, nowMs: number): Promise<number> {
    const kept = this.discovery;
    if (kept && nowMs - kept.atMs < DISCOVERY_KEPT_MS && kept.sinceMs <= sinceMs) return kept.untilMs;
    const diff = await this.deps.store.diff(iso(sinceMs), iso(nowMs), 20_000);
    const untilMs = discoveryEndOf(diff, this.deps.topology.current.nodeCount) ?? -Infinity;
    this.discovery = { atMs: nowMs, sinceMs, untilMs };
    return untilMs;
  }

  private timeline(s: SituationRecord, at: string, text: string, alert?: string) {
    const e: TimelineEntry = { at, text, ...(alert ? { alert } : {}) };
    s.timeline.push(e);
    // The first entries say how it began; the last how it goes: keep both ends of a long storm.
    if (s.timeline.length > TIMELINE_MAX) s.timeline.splice(20, s.timeline.length - TIMELINE_MAX);
  }

  private async write(changed: AlertRecord[], touched: Map<string, SituationRecord>, nowMs: number) {
    if (!changed.length && !touched.size) return;
    const now = iso(nowMs);
    for (const id of this.pendingCauses) {
      const s = this.situations.get(id);
      if (!s) continue;
      const sinceMs = Date.parse(s.openedAt) - 24 * HOUR;
      s.cause.recentChanges = await recentChangesOf(this.deps.store, this.deps.records, s.cause.ci, sinceMs, nowMs, await this.discoveredUntil(sinceMs, nowMs));
    }
    this.pendingCauses.clear();
    // The latest copy of each alert (a merge may have replaced one).
    const alerts = [...new Map(changed.map((a) => [a.id, this.alerts.get(a.id) ?? a])).values()];
    const situations = [...touched.values()].map((s) => structuredClone(s));
    const eventChanges: ChangeEvent['changes'] = [
      ...alerts.slice(0, 1000).map((a) => ({ kind: 'alert.changed' as const, ref: a.id })),
      ...situations.map((s) => ({ kind: (s.status === 'resolved' ? 'situation.resolved' : s.timeline.length <= 1 ? 'situation.opened' : 'situation.updated') as 'situation.updated', ref: s.id })),
    ];
    await this.deps.store.writeAlerts({ now, alerts, situations, event: { at: now, source: 'alerts', changes: eventChanges } });
    for (const s of [...touched.values()]) if (s.status === 'resolved' && !this.correlator.get(s.id)) this.situations.delete(s.id);
    void this.deps.feed?.poke();
    this.snapshotDirty = true;
    void this.refresh();
  }

  /** Recompute the health snapshot (coalesced: one run at a time, again if something changed meanwhile), then open automatic incidents. */
  refresh(): Promise<void> {
    if (this.snapshotRunning) return this.snapshotRunning;
    this.snapshotRunning = (async () => {
      try {
        while (this.snapshotDirty) {
          this.snapshotDirty = false;
          this.snapshot = await this.computeSnapshot();
          for (const l of this.listeners) { try { l(this.snapshot); } catch (e) { console.error('health listener failed', e); } }
          await this.autoIncidents();
        }
      } catch (e) {
        this.loop.failures++; this.loop.lastError = String((e as Error)?.message ?? e);
      } finally {
        this.snapshotRunning = null;
      }
    })();
    return this.snapshotRunning;
  }

  private async computeSnapshot(): Promise<HealthSnapshot> {
    const at = iso(this.now());
    const topo = this.deps.topology.current;
    const health = healthOf(this.alerts.values());
    const failed = [...health].filter(([ci]) => topo.nodeOf(ci) !== undefined).map(([ci, h]) => ({ ci, state: h.state }));
    const report = failed.length ? await this.deps.impact.assess(topo, failed, at, { limit: SNAPSHOT_IMPACTED }) : null;
    const alerting = [...health].map(([ci, h]) => {
      const n = topo.nodeOf(ci);
      return { ci, name: n === undefined ? null : topo.nameOf(n), state: h.state, alerts: h.alerts };
    });
    const indexOf = new Map(alerting.map((a, i) => [a.ci, i]));
    return {
      at,
      alerting,
      // A listed CI's path starts at a failed CI, and every failed CI is alerting.
      impacted: (report?.impacted ?? []).filter((x) => !health.has(x.id)).map((x) => ({ ci: x.id, state: x.state, via: indexOf.get(x.path[0])! })),
      total: report ? report.total : 0,
      truncated: report?.truncated ?? false,
      noise: this.noise(),
    };
  }

  private noise() {
    const { alerts, situations } = this.stats;
    return { alerts, situations, reduction: alerts ? Math.round((1 - situations / alerts) * 1000) / 1000 : 0 };
  }

  async health(): Promise<HealthSnapshot> {
    if (!this.snapshot || this.snapshotDirty) { this.snapshotDirty = true; await this.refresh(); }
    return this.snapshot!;
  }

  private async autoIncidents() {
    const threshold = this.deps.settings.autoIncidentPriority;
    if (!threshold) return;
    for (const s of [...this.situations.values()]) {
      if (s.status !== 'open' || s.incident) continue;
      const v = await this.view(s);
      if (v.priority.priority <= threshold) await this.openIncident(s.id, 'servicegraph (automatic)');
    }
  }

  // ---- reads -------------------------------------------------------------------------------

  async listAlerts(q: AlertListQuery): Promise<AlertRecord[]> {
    return this.deps.store.listAlerts({ status: q.asOf ? (q.status ?? 'firing') : q.status, bound: q.bound, asOf: q.asOf, limit: q.limit });
  }

  private async record(id: string): Promise<SituationRecord> {
    const s = this.situations.get(id) ?? (await this.deps.store.getDoc<SituationRecord>('situation', id))?.data;
    if (!s) throw new NotFoundError(`no situation ${id}`);
    return s;
  }

  async getSituation(id: string): Promise<SituationView> { return this.view(await this.record(id)); }

  /** Open situations by priority (then newest); resolved ones newest first. */
  async listSituations(q: SituationListQuery): Promise<{ items: SituationView[]; noise: HealthSnapshot['noise'] }> {
    const docs = q.status === 'open' ? [...this.situations.values()].filter((s) => s.status === 'open')
      : (await this.deps.store.listDocs<SituationRecord>('situation')).map((d) => this.situations.get(d.id) ?? d.data).filter((s) => !s.mergedInto && (!q.status || s.status === q.status));
    const views = await Promise.all(docs.map((s) => this.view(s)));
    views.sort((a, b) => (a.status === b.status ? 0 : a.status === 'open' ? -1 : 1) || a.priority.priority.localeCompare(b.priority.priority) || b.updatedAt.localeCompare(a.updatedAt));
    return { items: views.slice(0, q.limit), noise: this.noise() };
  }

  private async view(s: SituationRecord): Promise<SituationView> {
    const alerts = await this.alertsOf(s.alerts);
    const topo = this.deps.topology.current;
    // Its impact: the alerting CIs of its firing alerts (of all of them once it is resolved).
    const live = alerts.filter((a) => counts(a));
    const basis = live.length ? live : alerts.filter((a) => a.binding.ci && a.health !== 'none');
    const failed = new Map<string, FailState>();
    for (const a of basis) if (a.binding.ci && topo.nodeOf(a.binding.ci) !== undefined && failed.get(a.binding.ci) !== 'down') failed.set(a.binding.ci, a.health as FailState);
    const report = failed.size ? await this.deps.impact.assess(topo, [...failed].map(([ci, state]) => ({ ci, state })), s.openedAt, { limit: 0, serviceLimit: 50 }) : null;
    const { alerts: _ids, ...rest } = s;
    return {
      ...rest,
      priority: priorityOf((report?.summary ?? emptySummary()).tiersHit, urgencyOf(basis.map((a) => a.health)), this.deps.priority),
      alerts: alerts.map((a) => ({ id: a.id, name: a.name, status: a.status, severity: a.severity, startsAt: a.startsAt, endsAt: a.endsAt, labels: a.labels, annotations: a.annotations, binding: a.binding })),
      impactedServices: report?.services ?? [],
      impactedServiceCount: report?.summary.services ?? 0,
    };
  }

  private async alertsOf(ids: string[]): Promise<AlertRecord[]> {
    const missing = ids.filter((id) => !this.alerts.has(id));
    const read = missing.length ? await this.deps.store.listAlerts({ ids: missing, limit: missing.length }) : [];
    const byId = new Map(read.map((a) => [a.id, a]));
    return ids.map((id) => this.alerts.get(id) ?? byId.get(id)).filter((a): a is AlertRecord => a !== undefined);
  }

  /** Opens the situation's incident (once), linked both ways; the incident's CIs are the alerting ones. */
  openIncident(id: string, by: string, urgency?: 1 | 2 | 3): Promise<SituationView> {
    const run = this.queue.then(async () => {
      const s = await this.record(id);
      if (s.incident) throw new ConflictError(`situation ${id} already has incident ${s.incident}`, { incident: s.incident }, 'situation_has_incident');
      const v = await this.view(s);
      const alerts = await this.alertsOf(s.alerts);
      const topo = this.deps.topology.current;
      const cis = new Map<string, FailState>();
      for (const a of alerts) if (a.binding.ci && a.health !== 'none' && topo.nodeOf(a.binding.ci) !== undefined && cis.get(a.binding.ci) !== 'down') cis.set(a.binding.ci, a.health as FailState);
      if (!cis.size) throw new ConflictError(`situation ${id} has no alerting CI left to open an incident on`);
      const incident = await this.deps.incidents.open({
        title: `${s.cause.name} (${s.cause.class}): ${alerts.length} alert${alerts.length === 1 ? '' : 's'}`,
        description: `Opened from situation ${s.id}. Probable cause: ${s.cause.name}.`,
        cis: [...cis].slice(0, 200).map(([ci, state]) => ({ ci, state })),
        urgency: urgency ?? v.priority.urgency,
        startedAt: s.openedAt,
      }, by, { situation: s.id });
      const now = iso(this.now());
      s.incident = incident.id;
      s.updatedAt = now;
      this.timeline(s, now, `incident ${incident.id} opened (${incident.priority.priority}) by ${by}`);
      await this.deps.store.writeAlerts({ now, alerts: [], situations: [structuredClone(s)], event: { at: now, source: 'alerts', changes: [{ kind: 'situation.updated', ref: s.id }] } });
      void this.deps.feed?.poke();
      return this.view(s);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Kubernetes clusters the estate knows, for alerts without a `cluster` label (refreshed when the topology moved, at most every 30 s). */
  private clusters(): string[] {
    const seq = this.deps.topology.seq, t = this.now();
    if (this.clusterCache && (this.clusterCache.seq === seq || t - this.clusterCache.at < 30_000)) return this.clusterCache.names;
    const topo = this.deps.topology.current;
    const names = new Set<string>();
    for (let n = 0; n < topo.nodeCount; n++) if (topo.isAlive(n) && topo.classOf(n) === 'k8s_cluster') names.add(topo.nameOf(n));
    this.clusterCache = { at: t, seq, names: [...names] };
    return this.clusterCache.names;
  }
}
