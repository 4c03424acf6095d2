import { randomBytes } from 'node:crypto';
import { SpanAggregator, type AggregatorStats } from '../../common/otel/aggregator.ts';
import { forEachOtlpSpan, OtlpFormatError } from '../../common/otel/otlp-json.ts';
import type { FoldSpan } from '../../common/otel/span.ts';
import type { Limits } from '../model/limits.ts';
import type { GraphStore } from '../store/port.ts';
import { InputError, UnavailableError } from '../domain/errors.ts';
import { retireStale } from '../ingest/retire-stale.ts';
import type { Logger } from '../log.ts';
import { CreationBudget } from './creation-budget.ts';
import { EdgeWriter, type Dropped } from './edge-writer.ts';
import { forEachProtoSpan, type PbExportTraceServiceRequest } from './otlp-proto.ts';
import { defaultOtlpSettings, type OtlpSettings } from './settings.ts';
import { SpanCheck } from './span-check.ts';

export { defaultOtlpSettings, type OtlpSettings };

/** One request's verdict, for OTLP's partial success: rejected spans, and why (or a warning). */
export interface ExportResult { accepted: number; rejected: number; errorMessage?: string }

export interface ReceiverStats extends AggregatorStats {
  requests: number;
  acceptedSpans: number;
  rejectedSpans: number;
  flushes: number;
  failedFlushes: number;
  lastFlushAt: string | null;
  lastError: string | null;
  pendingSpans: number;
  heldEdges: number;
  edgesWritten: number;
  /** Edges the store refused (a self-relation, an invalid name): dropped, never retried. */
  droppedInvalidEdges: number;
  /** Edges whose new end found the creation budget empty. */
  droppedOverBudget: number;
  /** Services seen without an edge that were not written (budget, or refused). */
  droppedServicesAlone: number;
  newCis: number;
  retiredCis: number;
  retiredRelations: number;
  lastSweepAt: string | null;
}

/** What the fold keeps (everything but the front's request counts): what a primary tells its workers. */
export type FoldStats = Omit<ReceiverStats, 'requests' | 'acceptedSpans' | 'rejectedSpans'>;

/**
 * Where an API worker's receiver sends the spans it accepted when the fold runs elsewhere (the primary
 * of node:cluster: server/otlp/group.ts), so that spans of one trace meet whichever worker took them.
 */
export interface RemoteFold {
  /** Hands accepted spans over; false when the fold is not keeping up (the request is then refused, retryable). */
  send(spans: FoldSpan[]): boolean;
  /** The fold's latest figures and warning, as last reported. */
  state(): { stats: FoldStats; warning: string | null } | null;
}

/** Refused when the remote fold is backed up: the exporter retries with backoff (OTLP's 503 / UNAVAILABLE). */
export class FoldBusyError extends UnavailableError {}

const SOURCE = 'otel';
const SCOPE = 'live';
const BUDGET_CAUSE = /^over the creation budget/;

/**
 * The live OTLP receiver (OTLP/HTTP JSON and protobuf, OTLP/gRPC): spans are folded in memory by the
 * same SpanAggregator the file collector uses, and the edge counts are written through the one write
 * path (`ingest`) as source `otel`, scope `live`, every `flushMs` or `flushSpans`. Memory is bounded by
 * the aggregator's caps; what they drop is counted, never queued. Live traffic never completes a run:
 * instead a sweep retires what it has not seen for `retireAfterHours`, and what it may create is
 * bounded by a budget of new CIs an hour.
 */
export class OtlpReceiver {
  private readonly agg: SpanAggregator;
  private readonly runId = 'otel-live-' + randomBytes(6).toString('base64url');
  private readonly check = new SpanCheck();
  private readonly writer: EdgeWriter;
  private spansSinceFlush = 0;
  private flushing: Promise<void> | null = null;
  private sweeping: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  /** What the last flush dropped, told to exporters as a warning in the replies until a flush drops nothing. */
  private warning: string | null = null;
  private totals = {
    requests: 0, acceptedSpans: 0, rejectedSpans: 0, flushes: 0, failedFlushes: 0, lastFlushAt: null as string | null, lastError: null as string | null,
    edgesWritten: 0, droppedInvalidEdges: 0, droppedOverBudget: 0, droppedServicesAlone: 0, newCis: 0, retiredCis: 0, retiredRelations: 0, lastSweepAt: null as string | null,
  };
  private folded: AggregatorStats = { spans: 0, paired: 0, virtual: 0, droppedEdges: 0, droppedServices: 0, evicted: 0, unparented: 0 };

  constructor(private readonly deps: {
    store: GraphStore; limits: Limits; maxRetireShare: number; settings: OtlpSettings;
    logger?: Pick<Logger, 'warn' | 'error' | 'info'>;
    /** Called after a flush or a sweep committed (the change feed's poke). */
    afterCommit?: () => void; now?: () => number;
    /** Set in an API worker: spans are checked here and folded by the group's one fold. */
    remote?: RemoteFold;
  }) {
    const s = deps.settings;
    this.agg = new SpanAggregator({ maxEdges: s.maxEdges, maxServices: s.maxServices, maxPending: s.maxPending });
    const budget = new CreationBudget(s.maxNewCisPerHour, Math.max(4 * s.maxServices, 10_000), this.now());
    this.writer = new EdgeWriter({ store: deps.store, limits: deps.limits, maxRetireShare: deps.maxRetireShare, runId: this.runId, budget, now: () => this.now() });
  }

  start(): void {
    if (this.deps.remote) return; // the group's fold flushes and sweeps
    const flush = setInterval(() => void this.flush(), this.deps.settings.flushMs);
    this.timers.push(flush);
    const retireMs = this.deps.settings.retireAfterHours * 3_600_000;
    if (retireMs > 0) this.timers.push(setInterval(() => void this.sweep(), Math.min(3_600_000, Math.max(1_000, retireMs / 4))));
    for (const t of this.timers) t.unref();
  }

  /** Fold one ExportTraceServiceRequest in the JSON encoding; malformed spans are rejected, the rest kept. */
  accept(body: unknown): ExportResult {
    return this.take((visit, reject) => {
      try {
        forEachOtlpSpan(body, visit, reject);
      } catch (e) {
        if (e instanceof OtlpFormatError) throw new InputError(`not an OTLP JSON ExportTraceServiceRequest: ${e.message}`, { path: e.path }, 'invalid_otlp');
        throw e;
      }
    });
  }

  /** Fold one decoded protobuf ExportTraceServiceRequest (OTLP/HTTP protobuf or gRPC). */
  acceptProto(msg: PbExportTraceServiceRequest): ExportResult {
    return this.take((visit, reject) => forEachProtoSpan(msg, visit, reject));
  }

  /**
   * Fold spans another process checked and accepted (the group's fold, fed by its API workers): they were
   * counted in that process's request totals, not here.
   */
  acceptFolded(spans: FoldSpan[]): void {
    const now = this.now();
    for (const span of spans) this.agg.add(span, now);
    this.spansSinceFlush += spans.length;
    if (this.spansSinceFlush >= this.deps.settings.flushSpans) void this.flush();
  }

  /** What the group's workers are told after each flush: the fold's figures and its warning. */
  foldState(): { stats: FoldStats; warning: string | null } {
    const { requests: _r, acceptedSpans: _a, rejectedSpans: _x, ...stats } = this.stats();
    return { stats, warning: this.warning };
  }

  /** Write what was folded since the last flush; concurrent calls share one flush. Never rejects. */
  flush(opts: { final?: boolean } = {}): Promise<void> {
    if (this.flushing) return opts.final ? this.flushing.then(() => this.flush(opts)) : this.flushing;
    this.flushing = this.write(opts.final ?? false).finally(() => { this.flushing = null; });
    return this.flushing;
  }

  /** Retire what live traces have not shown for `retireAfterHours`. Never rejects. */
  sweep(): Promise<void> {
    this.sweeping ??= this.retire().finally(() => { this.sweeping = null; });
    return this.sweeping;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.sweeping;
    await this.flush({ final: true });
  }

  stats(): ReceiverStats {
    const own: ReceiverStats = { ...this.totals, ...this.folded, pendingSpans: this.agg.pendingSpans, heldEdges: this.agg.edgeCount };
    const remote = this.deps.remote?.state();
    if (!remote) return own;
    return { ...remote.stats, requests: own.requests, acceptedSpans: own.acceptedSpans, rejectedSpans: own.rejectedSpans };
  }

  private now(): number { return (this.deps.now ?? Date.now)(); }

  private take(each: (visit: (span: FoldSpan) => void, reject: (e: OtlpFormatError) => void) => void): ExportResult {
    const now = this.now();
    let accepted = 0;
    let rejected = 0;
    let firstError: string | undefined;
    let warning: string | undefined;
    const remote = this.deps.remote;
    const forward: FoldSpan[] = [];
    each((span) => {
      const bad = this.check.serviceProblem(span);
      if (bad) { rejected++; firstError ??= bad; return; }
      if (span.peer) { const w = this.check.peerProblem(span); if (w) warning ??= w; }
      if (remote) forward.push(span);
      else this.agg.add(span, now);
      accepted++;
    }, (e) => { rejected++; firstError ??= e.message; });
    if (remote && forward.length && !remote.send(forward)) {
      throw new FoldBusyError('the live receiver is not keeping up; retry with backoff');
    }
    this.totals.requests++;
    this.totals.acceptedSpans += accepted;
    this.totals.rejectedSpans += rejected;
    if (!remote) {
      this.spansSinceFlush += accepted;
      if (this.spansSinceFlush >= this.deps.settings.flushSpans) void this.flush();
    }
    const message = firstError ?? warning ?? (remote ? remote.state()?.warning : this.warning) ?? undefined;
    return { accepted, rejected, ...(message ? { errorMessage: message } : {}) };
  }

  private async write(final: boolean): Promise<void> {
    try {
      this.agg.expire(final ? undefined : this.now() - this.deps.settings.pairWindowMs);
      const { edges, services, stats } = this.agg.drain();
      this.spansSinceFlush = 0;
      for (const k of Object.keys(stats) as (keyof AggregatorStats)[]) this.folded[k] += stats[k];
      if (!edges.length && !services.length) return;
      const report = await this.writer.write(edges, services);
      this.totals.edgesWritten += report.edges;
      this.totals.newCis += report.newCis;
      this.noteDropped(report.dropped);
      if (report.edges || report.services) this.deps.afterCommit?.();
      if (report.failed) {
        // A store failure, not a refusal: the counts go back into the aggregator for the next flush
        // (within its edge cap; beyond it they count as dropped).
        for (const x of report.failed.edges) this.agg.countEdge(x.from, x.to, x.calls, x.errors, x.lastSeenMs, x.evidence);
        this.totals.failedFlushes++;
        this.totals.lastError = report.failed.error;
        this.deps.logger?.error({ err: report.failed.error, keptEdges: report.failed.edges.length }, `otlp receiver: flush failed: ${report.failed.error}; ${report.failed.edges.length} edges kept for the next flush`);
        return;
      }
      this.totals.flushes++;
      this.totals.lastFlushAt = new Date(this.now()).toISOString();
    } catch (e) {
      this.totals.failedFlushes++;
      this.totals.lastError = (e as Error).message;
      this.deps.logger?.error({ err: e }, `otlp receiver: flush failed: ${(e as Error).message}`);
    }
  }

  /** One log line per cause; the replies carry the summary as a warning until a flush drops nothing. */
  private noteDropped(dropped: Map<string, Dropped>): void {
    if (!dropped.size) { this.warning = null; return; }
    const parts: string[] = [];
    for (const [cause, d] of dropped) {
      if (BUDGET_CAUSE.test(cause)) this.totals.droppedOverBudget += d.edges;
      else this.totals.droppedInvalidEdges += d.edges;
      this.totals.droppedServicesAlone += d.services;
      const what = [d.edges ? `${d.edges} edge${d.edges === 1 ? '' : 's'}` : '', d.services ? `${d.services} service${d.services === 1 ? '' : 's'} seen alone` : ''].filter(Boolean).join(' and ');
      this.deps.logger?.warn({ cause, edges: d.edges, services: d.services, example: d.example }, `otlp receiver: dropped ${what}: ${cause} (e.g. ${d.example})`);
      parts.push(`${what}: ${cause} (e.g. ${d.example})`);
    }
    this.warning = `the last flush dropped ${parts.join('; ')}`;
  }

  private async retire(): Promise<void> {
    const hours = this.deps.settings.retireAfterHours;
    if (hours <= 0) return;
    try {
      const before = new Date(this.now() - hours * 3_600_000).toISOString();
      const done = await retireStale(this.deps.store, { source: SOURCE, scope: SCOPE, before, now: () => new Date(this.now()).toISOString() });
      this.totals.retiredCis += done.cis;
      this.totals.retiredRelations += done.relations;
      this.totals.lastSweepAt = new Date(this.now()).toISOString();
      if (done.cis || done.relations) {
        this.deps.afterCommit?.();
        this.deps.logger?.info({ cis: done.cis, relations: done.relations }, `otlp receiver: retired ${done.cis} CIs and ${done.relations} relations live traces have not shown for ${hours} h`);
      }
    } catch (e) {
      this.totals.lastError = (e as Error).message;
      this.deps.logger?.error({ err: e }, `otlp receiver: stale sweep failed: ${(e as Error).message}`);
    }
  }
}
