import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Aggregator } from 'prom-client';
import type { IngestResult } from '../model/ingest.ts';
import { groupMetricsFromWorker } from './cluster-metrics.ts';

/** Read at scrape time from the parts that keep their own counts (nothing is copied per request). */
export interface MetricSources {
  projection?: () => { cis: number; relations: number; seq: number } | null;
  /** The store's latest change-event sequence and how long the projection has been behind it. */
  lag?: () => Promise<{ latestSeq: number; behindMs: number }>;
  wsClients?: () => number;
  /** The live map cache (server/topology/live-map-cache.ts): answers reused, computed, and kept. */
  maps?: () => { hits: number; misses: number; entries: number };
  /** Kept POST /impact answers, likewise. */
  impactAnswers?: () => { hits: number; misses: number; entries: number };
  otlp?: () => {
    acceptedSpans: number; rejectedSpans: number; edgesWritten: number; flushes: number; failedFlushes: number;
    droppedInvalidEdges: number; droppedOverBudget: number; droppedEdges: number; droppedServices: number; evicted: number;
    newCis: number; retiredCis: number; retiredRelations: number; pendingSpans: number; heldEdges: number;
  } | null;
}

/** What records one HTTP request (Metrics.observeHttp): a request log anywhere, the ingest listener's thread included. */
export type ObserveHttp = (method: string, route: string, status: number, seconds: number) => void;

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The process's Prometheus metrics (prom-client, its own registry): what the operator watches
 * next to Prometheus and Grafana. Hot paths only bump counters and histograms through cached label
 * children; sizes, lag and the receivers' totals are read at scrape time. Each gauge says how the
 * workers' values combine when API workers share the port (server/ops/cluster-metrics.ts): counters
 * and histograms add up; every worker holds the whole projection, so its size is not summed.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly http: Histogram<'method' | 'route' | 'status'>;
  private readonly httpChildren = new Map<string, { observe(v: number): void }>();
  private readonly ingestBatches: Counter<'source' | 'outcome'>;
  private readonly ingestItems: Counter<'kind' | 'action'>;
  private readonly ingestSeconds: Histogram<'source'>;
  private readonly impactSeconds: Histogram;
  private readonly grpcCalls: Counter<'code'>;
  private readonly grpcSeconds: Histogram;
  private sources: MetricSources = {};
  /** Set in an API worker: a scrape answers for the whole process group. */
  private group: (() => Promise<string>) | null = null;

  constructor() {
    const registers = [this.registry];
    // Process, heap, GC and event-loop lag (nodejs_eventloop_lag_seconds and its percentiles).
    collectDefaultMetrics({ register: this.registry, prefix: '' });
    this.http = new Histogram({ name: 'servicegraph_http_request_duration_seconds', help: 'HTTP requests by method, route pattern and status', labelNames: ['method', 'route', 'status'], buckets: SECONDS, registers });
    this.ingestBatches = new Counter({ name: 'servicegraph_ingest_batches_total', help: 'Ingest batches by source and outcome (ok, refused, failed)', labelNames: ['source', 'outcome'], registers });
    this.ingestItems = new Counter({ name: 'servicegraph_ingest_items_total', help: 'CIs and relations in committed batches, by kind (ci, relation) and action (created, updated, unchanged, retired)', labelNames: ['kind', 'action'], registers });
    this.ingestSeconds = new Histogram({ name: 'servicegraph_ingest_batch_duration_seconds', help: 'Time from a batch reaching the ingest service to its commit', labelNames: ['source'], buckets: SECONDS, registers });
    this.impactSeconds = new Histogram({ name: 'servicegraph_impact_duration_seconds', help: 'Impact computations (impact, incidents, change assessments) on the projection', buckets: SECONDS, registers });
    this.grpcCalls = new Counter({ name: 'servicegraph_otlp_grpc_calls_total', help: 'OTLP/gRPC Export calls by gRPC status code', labelNames: ['code'], registers });
    this.grpcSeconds = new Histogram({ name: 'servicegraph_otlp_grpc_call_duration_seconds', help: 'OTLP/gRPC Export calls', buckets: SECONDS, registers });
    this.gaugeFrom('servicegraph_projection_cis', 'Live CIs in the in-memory projection (the largest of the workers\' projections)', 'max', () => this.sources.projection?.()?.cis);
    this.gaugeFrom('servicegraph_projection_relations', 'Live relations in the in-memory projection (the largest of the workers\' projections)', 'max', () => this.sources.projection?.()?.relations);
    this.gaugeFrom('servicegraph_projection_seq', 'Last change-event sequence applied to the projection (the furthest behind of the workers)', 'min', () => this.sources.projection?.()?.seq);
    this.gaugeFrom('servicegraph_ws_clients', 'Open WebSocket connections', 'sum', () => this.sources.wsClients?.());
    const self = this;
    new Gauge({
      name: 'servicegraph_store_seq', help: "The store's latest change-event sequence", registers, aggregator: 'max',
      async collect() { const l = await self.sources.lag?.().catch(() => undefined); if (l) this.set(l.latestSeq); },
    });
    new Gauge({
      name: 'servicegraph_projection_lag_seconds', help: 'How long the projection has been behind the store (0 when current; the furthest behind of the workers)', registers, aggregator: 'max',
      async collect() { const l = await self.sources.lag?.().catch(() => undefined); if (l) this.set(l.behindMs / 1000); },
    });
    this.counterFrom('servicegraph_map_cache_hits_total', 'Live maps (GET /graph) answered from a kept answer nothing it read has changed since', 'sum', () => this.sources.maps?.().hits);
    this.counterFrom('servicegraph_map_cache_misses_total', 'Live maps (GET /graph) computed from the projection', 'sum', () => this.sources.maps?.().misses);
    this.gaugeFrom('servicegraph_map_cache_entries', 'Live map answers kept', 'sum', () => this.sources.maps?.().entries);
    this.counterFrom('servicegraph_impact_cache_hits_total', 'POST /impact answered from a kept answer nothing it read has changed since', 'sum', () => this.sources.impactAnswers?.().hits);
    this.counterFrom('servicegraph_impact_cache_misses_total', 'POST /impact answers computed on the live projection', 'sum', () => this.sources.impactAnswers?.().misses);
    this.gaugeFrom('servicegraph_impact_cache_entries', 'POST /impact answers kept', 'sum', () => this.sources.impactAnswers?.().entries);
    const otlp = () => this.sources.otlp?.() ?? null;
    // With API workers, each worker checks and counts the spans it took (summed), while one fold in the
    // primary pairs, flushes and sweeps and tells every worker its figures: those are the same in every
    // worker, so the group reports them once (max: the latest any worker heard).
    this.counterFrom('servicegraph_otlp_spans_accepted_total', 'OTLP spans accepted', 'sum', () => otlp()?.acceptedSpans);
    this.counterFrom('servicegraph_otlp_spans_rejected_total', 'OTLP spans rejected (malformed, or a service name the store refuses)', 'sum', () => otlp()?.rejectedSpans);
    this.counterFrom('servicegraph_otlp_edges_flushed_total', 'Observed edges written by OTLP flushes', 'max', () => otlp()?.edgesWritten);
    this.counterFrom('servicegraph_otlp_flushes_total', 'OTLP flushes that completed', 'max', () => otlp()?.flushes);
    this.counterFrom('servicegraph_otlp_flush_failures_total', 'OTLP flushes the store failed (kept for the next flush)', 'max', () => otlp()?.failedFlushes);
    this.counterFrom('servicegraph_otlp_new_cis_total', 'CIs created by live traces', 'max', () => otlp()?.newCis);
    this.counterFrom('servicegraph_otlp_retired_total', 'CIs and relations retired because live traces stopped showing them', 'max', () => { const o = otlp(); return o && o.retiredCis + o.retiredRelations; });
    const last = new Map<string, number>();
    const dropReasons: [string, (o: NonNullable<ReturnType<typeof otlp>>) => number][] = [
      ['invalid_edge', (o) => o.droppedInvalidEdges], ['creation_budget', (o) => o.droppedOverBudget], ['edge_cap', (o) => o.droppedEdges],
      ['service_cap', (o) => o.droppedServices], ['pairing_window_cap', (o) => o.evicted],
    ];
    new Counter({
      name: 'servicegraph_otlp_dropped_total', help: 'What the live OTLP receiver dropped, by reason', labelNames: ['reason'], registers, aggregator: 'max',
      collect() {
        const o = otlp();
        if (!o) return;
        for (const [reason, read] of dropReasons) {
          const v = read(o);
          const d = v - (last.get(reason) ?? 0);
          if (d > 0) this.inc({ reason }, d);
          last.set(reason, v);
        }
      },
    });
    this.gaugeFrom('servicegraph_otlp_pending_spans', 'Spans waiting in the pairing window', 'max', () => otlp()?.pendingSpans);
    this.gaugeFrom('servicegraph_otlp_held_edges', 'Folded edges waiting for the next flush', 'max', () => otlp()?.heldEdges);
  }

  /** Wire the parts read at scrape time (they exist only once the server is built). */
  attach(sources: MetricSources): void { this.sources = { ...this.sources, ...sources }; }

  readonly observeHttp: ObserveHttp = (method, route, status, seconds) => {
    const key = `${method} ${status} ${route}`;
    let child = this.httpChildren.get(key);
    if (!child) {
      child = this.http.labels(method, route, String(status));
      // Routes are patterns and statuses few, so this stays small; the cap is a guard all the same.
      if (this.httpChildren.size < 5_000) this.httpChildren.set(key, child);
    }
    child.observe(seconds);
  };

  observeIngest(source: string, seconds: number, result: IngestResult | null, refused: boolean): void {
    this.ingestBatches.inc({ source: boundedSource(source), outcome: result ? 'ok' : refused ? 'refused' : 'failed' });
    if (!result) return;
    this.ingestSeconds.observe({ source: boundedSource(source) }, seconds);
    for (const [kind, counts] of [['ci', result.cis], ['relation', result.relations]] as const) {
      for (const action of ['created', 'updated', 'unchanged', 'retired'] as const) if (counts[action]) this.ingestItems.inc({ kind, action }, counts[action]);
    }
  }

  observeImpact(seconds: number): void { this.impactSeconds.observe(seconds); }

  readonly grpcCall = (code: number, ms: number): void => {
    this.grpcCalls.inc({ code: String(code) });
    this.grpcSeconds.observe(ms / 1000);
  };

  /** In an API worker (node:cluster): scrapes answer for every worker, through the primary. */
  joinWorkerGroup(): void { this.group = groupMetricsFromWorker(this.registry); }

  /** The exposition: this process's registry, or the whole group's in an API worker. */
  async text(): Promise<string> { return this.group ? this.group() : this.registry.metrics(); }
  get contentType(): string { return this.registry.contentType; }

  private gaugeFrom(name: string, help: string, aggregator: Aggregator, read: () => number | null | undefined): void {
    new Gauge({ name, help, aggregator, registers: [this.registry], collect() { const v = read(); if (typeof v === 'number') this.set(v); } });
  }

  /** A counter mirroring a total kept elsewhere: it grows by the difference since the last scrape. */
  private counterFrom(name: string, help: string, aggregator: Aggregator, read: () => number | null | undefined): void {
    let last = 0;
    new Counter({
      name, help, aggregator, registers: [this.registry],
      collect() { const v = read(); if (typeof v === 'number' && v > last) { this.inc(v - last); last = v; } },
    });
  }
}

/** Source names come from clients: the known collectors by name, anything else as one label value. */
const KNOWN_SOURCES = new Set(['otel', 'kubernetes', 'compose', 'backstage', 'netstat', 'nmap', 'csv', 'manual', 'demo', 'alerts']);
const boundedSource = (s: string) => (KNOWN_SOURCES.has(s) ? s : 'other');
