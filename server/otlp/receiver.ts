import { randomBytes } from 'node:crypto';
import { SpanAggregator, type AggregatorStats, type EdgeCount } from '../../collectors/otel/aggregator.ts';
import { forEachOtlpSpan, OtlpFormatError } from '../../collectors/otel/otlp-json.ts';
import { toIngest } from '../../collectors/otel/to-ingest.ts';
import { IngestBatch } from '../model/ingest.ts';
import type { Limits } from '../model/limits.ts';
import type { GraphStore } from '../store/port.ts';
import { ingest } from '../ingest/ingest-service.ts';
import { InputError } from '../ingest/errors.ts';

export interface OtlpSettings {
  /** Flush folded edges to the store at least this often... */
  flushMs: number;
  /** ...or as soon as this many spans were folded since the last flush. */
  flushSpans: number;
  /** How long a span waits for its parent or child (spans of one trace arrive from several services). */
  pairWindowMs: number;
  maxEdges: number;
  maxServices: number;
  maxPending: number;
}

export const defaultOtlpSettings: OtlpSettings = {
  flushMs: 10_000, flushSpans: 200_000, pairWindowMs: 30_000, maxEdges: 20_000, maxServices: 10_000, maxPending: 200_000,
};

export function otlpSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): OtlpSettings {
  const out = { ...defaultOtlpSettings };
  for (const key of Object.keys(out) as (keyof OtlpSettings)[]) {
    const raw = env['SERVICEGRAPH_OTLP_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase()];
    if (raw !== undefined && /^\d+$/.test(raw)) out[key] = Number(raw);
  }
  return out;
}

export interface ExportResult { accepted: number; rejected: number; errorMessage?: string }

export interface ReceiverStats extends AggregatorStats {
  requests: number;
  rejectedSpans: number;
  flushes: number;
  failedFlushes: number;
  lastFlushAt: string | null;
  lastError: string | null;
  pendingSpans: number;
  heldEdges: number;
}

/**
 * The live OTLP/HTTP JSON receiver: spans are folded in memory by the same SpanAggregator the file
 * collector uses, and the edge counts are written through the one write path (`ingest`) as source
 * `otel`, scope `live`, every `flushMs` or `flushSpans`. The run is never completed: live edges are
 * never retired by absence, they age by `observed.lastSeen` (active / idle / inactive) instead.
 * Memory is bounded by the aggregator's caps; what they drop is counted, never queued.
 */
export class OtlpReceiver {
  private readonly agg: SpanAggregator;
  private readonly runId = 'otel-live-' + randomBytes(6).toString('base64url');
  private spansSinceFlush = 0;
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private totals = { requests: 0, rejectedSpans: 0, flushes: 0, failedFlushes: 0, lastFlushAt: null as string | null, lastError: null as string | null };
  private folded: AggregatorStats = { spans: 0, paired: 0, virtual: 0, droppedEdges: 0, droppedServices: 0, evicted: 0, unparented: 0 };

  constructor(private readonly deps: {
    store: GraphStore; limits: Limits; maxRetireShare: number; settings: OtlpSettings;
    /** Called after a flush committed (the change feed's poke). */
    afterCommit?: () => void; now?: () => number;
  }) {
    const s = deps.settings;
    this.agg = new SpanAggregator({ maxEdges: s.maxEdges, maxServices: s.maxServices, maxPending: s.maxPending });
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.deps.settings.flushMs);
    this.timer.unref();
  }

  /** Fold one ExportTraceServiceRequest (parsed JSON); malformed spans are rejected, the rest kept. */
  accept(body: unknown): ExportResult {
    const now = this.now();
    let accepted = 0;
    let rejected = 0;
    let firstError: string | undefined;
    try {
      forEachOtlpSpan(body, (span) => { this.agg.add(span, now); accepted++; }, (e) => { rejected++; firstError ??= e.message; });
    } catch (e) {
      if (e instanceof OtlpFormatError) throw new InputError(`not an OTLP JSON ExportTraceServiceRequest: ${e.message}`, { path: e.path }, 'invalid_otlp');
      throw e;
    }
    this.totals.requests++;
    this.totals.rejectedSpans += rejected;
    this.spansSinceFlush += accepted;
    if (this.spansSinceFlush >= this.deps.settings.flushSpans) void this.flush();
    return { accepted, rejected, ...(firstError ? { errorMessage: firstError } : {}) };
  }

  /** Write what was folded since the last flush; concurrent calls share one flush. */
  flush(opts: { final?: boolean } = {}): Promise<void> {
    if (this.flushing) return opts.final ? this.flushing.then(() => this.flush(opts)) : this.flushing;
    this.flushing = this.write(opts.final ?? false).finally(() => { this.flushing = null; });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush({ final: true });
  }

  stats(): ReceiverStats {
    return { ...this.totals, ...this.folded, pendingSpans: this.agg.pendingSpans, heldEdges: this.agg.edgeCount };
  }

  private now(): number { return (this.deps.now ?? Date.now)(); }

  private async write(final: boolean): Promise<void> {
    this.agg.expire(final ? undefined : this.now() - this.deps.settings.pairWindowMs);
    const { edges, services, stats } = this.agg.drain();
    this.spansSinceFlush = 0;
    for (const k of Object.keys(stats) as (keyof AggregatorStats)[]) this.folded[k] += stats[k];
    if (!edges.length && !services.length) return;
    const { limits } = this.deps;
    // Each chunk carries the CIs its relations name (ends resolve within the batch or the store):
    // at most two per edge, so an edge chunk never exceeds the CI limit; lone services follow.
    const step = Math.max(1, Math.min(limits.batchRelations, Math.floor(limits.batchCis / 2)));
    const chunks: { edges: EdgeCount[]; items: ReturnType<typeof toIngest> }[] = [];
    for (let i = 0; i < edges.length; i += step) {
      const part = edges.slice(i, i + step);
      chunks.push({ edges: part, items: toIngest(part) });
    }
    for (let i = 0; i < services.length; i += limits.batchCis) chunks.push({ edges: [], items: toIngest([], services.slice(i, i + limits.batchCis)) });
    let written = 0;
    try {
      for (const chunk of chunks) {
        const batch = IngestBatch.parse({ source: 'otel', scope: 'live', runId: this.runId, complete: false, ...chunk.items });
        await ingest(this.deps.store, batch, { limits, maxRetireShare: this.deps.maxRetireShare });
        written++;
      }
      this.totals.flushes++;
      this.totals.lastFlushAt = new Date(this.now()).toISOString();
      this.deps.afterCommit?.();
    } catch (e) {
      // Every chunk is its own transaction: what committed stays, the counts of the rest go back into
      // the aggregator for the next flush (within its edge cap; beyond it they count as dropped).
      for (const chunk of chunks.slice(written)) {
        for (const x of chunk.edges) this.agg.countEdge(x.from, x.to, x.calls, x.errors, x.lastSeenMs, x.evidence);
      }
      this.totals.failedFlushes++;
      this.totals.lastError = (e as Error).message;
      console.error(`otlp receiver: flush failed: ${(e as Error).message}; ${chunks.length - written} of ${chunks.length} batches kept for the next flush`);
    }
  }
}
