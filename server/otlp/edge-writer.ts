import { ZodError } from 'zod';
import type { EdgeCount, NodeRef, ServiceSeen } from '../../common/otel/aggregator.ts';
import { toIngest } from '../../common/otel/to-ingest.ts';
import { IngestBatch, type IngestCi } from '../model/ingest.ts';
import type { Limits } from '../model/limits.ts';
import type { GraphStore } from '../store/port.ts';
import { identifierKeys } from '../domain/reconcile/identify.ts';
import { ingest } from '../ingest/ingest-service.ts';
import { DomainError, UnavailableError } from '../domain/errors.ts';
import type { CreationBudget } from './creation-budget.ts';
import { preview } from './span-check.ts';

/** What one cause dropped: edges, and services seen alone (with no edge this flush). */
export interface Dropped { edges: number; services: number; example: string }

export interface WriteReport {
  /** Edges and lone services written. */
  edges: number;
  services: number;
  /** CIs the budget let through as new. */
  newCis: number;
  /** What was dropped, by cause: the flush writes everything else. */
  dropped: Map<string, Dropped>;
  /** On a store failure (not a refusal): the edges not written, for the next flush. */
  failed: { edges: EdgeCount[]; error: string } | null;
}

interface Chunk { edges: EdgeCount[]; services: ServiceSeen[] }

const SEP = '\u0000';
const nodeKey = (n: NodeRef) => n.class + SEP + (n.environment ?? '') + SEP + n.name;
const serviceNode = (s: ServiceSeen): NodeRef => ({ class: 'service', name: s.name, environment: s.environment });
const describeEdge = (e: EdgeCount) => `${e.from.class} ${preview(e.from.name)} → ${e.to.class} ${preview(e.to.name)}`;

/**
 * Writes one flush of folded edges through the one write path, so that one bad edge never holds the
 * others back: edges the store refuses (a self-relation, a name a rule rejects) are isolated by halving
 * the batch that carried them and dropped with their cause, everything else is written. New CIs spend
 * from the creation budget; an edge whose new end finds the budget empty is dropped and counted.
 * A failure of the store itself (locked, unreachable) is not a refusal: the rest waits for the next flush.
 */
export class EdgeWriter {
  constructor(private readonly deps: {
    store: GraphStore; limits: Limits; maxRetireShare: number; runId: string; budget: CreationBudget; now: () => number;
  }) {}

  async write(edges: EdgeCount[], services: ServiceSeen[]): Promise<WriteReport> {
    const report: WriteReport = { edges: 0, services: 0, newCis: 0, dropped: new Map(), failed: null };
    const drop = (cause: string, example: string, kind: 'edges' | 'services' = 'edges') => {
      let d = report.dropped.get(cause);
      if (!d) report.dropped.set(cause, d = { edges: 0, services: 0, example });
      d[kind]++;
    };
    const valid = edges.filter((e) => {
      if (nodeKey(e.from) !== nodeKey(e.to)) return true;
      drop('a CI cannot relate to itself', describeEdge(e));
      return false;
    });
    let refused: Set<string>;
    try {
      refused = await this.spendBudget([...valid.flatMap((e) => [e.from, e.to]), ...services.map(serviceNode)], report);
    } catch (e) {
      report.failed = { edges: valid, error: (e as Error).message };
      return report;
    }
    const budgetCause = `over the creation budget of ${this.deps.budget.perHour} new CIs an hour (SERVICEGRAPH_OTLP_MAX_NEW_CIS_PER_HOUR)`;
    const allowed = valid.filter((e) => {
      if (!refused.has(nodeKey(e.from)) && !refused.has(nodeKey(e.to))) return true;
      drop(budgetCause, describeEdge(e));
      return false;
    });
    // A service an edge names is written with the edge; the others are written alone (seen, calling nobody).
    const named = new Set(valid.flatMap((e) => [nodeKey(e.from), nodeKey(e.to)]));
    const lone = services.filter((s) => {
      const key = nodeKey(serviceNode(s));
      if (named.has(key)) return false;
      if (!refused.has(key)) return true;
      drop(budgetCause, `service ${preview(s.name)}`, 'services');
      return false;
    });

    const { limits } = this.deps;
    // Each chunk carries the CIs its relations name (ends resolve within the batch or the store):
    // at most two per edge, so an edge chunk never exceeds the CI limit; lone services follow.
    const step = Math.max(1, Math.min(limits.batchRelations, Math.floor(limits.batchCis / 2)));
    const chunks: Chunk[] = [];
    for (let i = 0; i < allowed.length; i += step) chunks.push({ edges: allowed.slice(i, i + step), services: [] });
    for (let i = 0; i < lone.length; i += limits.batchCis) chunks.push({ edges: [], services: lone.slice(i, i + limits.batchCis) });
    for (let c = 0; c < chunks.length; c++) {
      try {
        await this.writeIsolating(chunks[c], report, drop);
      } catch (e) {
        report.failed = { edges: chunks.slice(c).flatMap((x) => x.edges), error: (e as Error).message };
        break;
      }
    }
    return report;
  }

  /** Write a chunk; if the store refuses it, halve it until the refused edges stand alone, and drop those. */
  private async writeIsolating(chunk: Chunk, report: WriteReport, drop: (cause: string, example: string, kind?: 'edges' | 'services') => void): Promise<void> {
    try {
      const items = toIngest(chunk.edges, chunk.services);
      const batch = IngestBatch.parse({ source: 'otel', scope: 'live', runId: this.deps.runId, complete: false, ...items });
      const out = await ingest(this.deps.store, batch, { limits: this.deps.limits, maxRetireShare: this.deps.maxRetireShare, now: () => new Date(this.deps.now()).toISOString() });
      // An edge whose end the store refused (a self-relation, a retired CI named by id) is refused alone; relations[i] is edges[i].
      const refused = new Map((out.dryRun ? [] : out.result.refused).map((r) => [r.at, r.message]));
      const written = chunk.edges.filter((e, i) => {
        const why = refused.get(`relations.${i}`);
        if (why !== undefined) drop(why, describeEdge(e));
        return why === undefined;
      });
      report.edges += written.length;
      report.services += chunk.services.length;
      for (const e of written) { this.deps.budget.remember(nodeKey(e.from)); this.deps.budget.remember(nodeKey(e.to)); }
      for (const s of chunk.services) this.deps.budget.remember(nodeKey(serviceNode(s)));
    } catch (e) {
      const cause = refusal(e);
      if (cause === null) throw e;
      const n = chunk.edges.length + chunk.services.length;
      if (n <= 1) {
        if (chunk.edges.length) drop(cause, describeEdge(chunk.edges[0]));
        else drop(cause, `service ${preview(chunk.services[0].name)}`, 'services');
        return;
      }
      const half = (xs: unknown[]) => Math.ceil(xs.length / 2);
      await this.writeIsolating({ edges: chunk.edges.slice(0, half(chunk.edges)), services: chunk.services.slice(0, half(chunk.services)) }, report, drop);
      await this.writeIsolating({ edges: chunk.edges.slice(half(chunk.edges)), services: chunk.services.slice(half(chunk.services)) }, report, drop);
    }
  }

  /**
   * Nodes not known to exist are looked up in the store; those it lacks each spend one creation from
   * the budget. Returns the keys of the new nodes the budget refused.
   */
  private async spendBudget(nodes: NodeRef[], report: WriteReport): Promise<Set<string>> {
    const { budget, store } = this.deps;
    const unknown = new Map<string, NodeRef>();
    for (const n of nodes) { const k = nodeKey(n); if (!budget.isKnown(k) && !unknown.has(k)) unknown.set(k, n); }
    const refused = new Set<string>();
    if (!unknown.size) return refused;
    const keysOf = new Map<string, string[]>();
    for (const [k, n] of unknown) {
      const ci: IngestCi = n.environment ? { class: n.class, name: n.name, environment: n.environment } : { class: n.class, name: n.name };
      keysOf.set(k, identifierKeys(ci).map((x) => x.key));
    }
    const allKeys = [...new Set([...keysOf.values()].flat())];
    const found = new Set<string>();
    const step = 5_000;
    for (let i = 0; i < allKeys.length; i += step) {
      const part = allKeys.slice(i, i + step);
      const hits = await store.transact((tx) => tx.lookupKeys(part), { readOnly: true });
      for (const key of hits.keys()) found.add(key);
    }
    const now = this.deps.now();
    for (const [k, keys] of keysOf) {
      if (keys.some((key) => found.has(key))) budget.remember(k);
      else if (budget.take(now)) report.newCis++;
      else refused.add(k);
    }
    return refused;
  }
}

/** Why the store refused a batch (a 4xx: the same batch would be refused again), or null for a failure. */
function refusal(e: unknown): string | null {
  if (e instanceof ZodError) return e.issues.map((i) => `${i.path.slice(2).join('.') || i.path.join('.')} ${i.message}`).join('; ');
  if (e instanceof DomainError && !(e instanceof UnavailableError)) return e.message.replace(/^(cis|relations)\.\d+(\.[\w.]+)?: /, '');
  return null;
}
