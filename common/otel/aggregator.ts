import { classifyProduct } from '../image-class.ts';
import type { FoldSpan, PeerAttributes, SpanKind } from './span.ts';

/** One end of an observed edge: an instrumented service, or a virtual node named by peer attributes. */
export interface NodeRef {
  class: 'service' | 'database' | 'queue' | 'cache';
  name: string;
  environment?: string;
  attributes?: Record<string, string>;
}

/** How an edge was learnt: a parent span in another service, or attributes on an unpaired span. */
export type EdgeEvidence = 'parent' | 'peer.service' | 'server.address' | 'db' | 'messaging';

export interface EdgeCount {
  from: NodeRef;
  to: NodeRef;
  calls: number;
  errors: number;
  lastSeenMs: number;
  evidence: EdgeEvidence;
}

export interface ServiceSeen {
  name: string;
  environment?: string;
  spans: number;
  lastSeenMs: number;
}

export interface AggregatorStats {
  spans: number;
  /** Cross-service parent/child pairs folded into edges. */
  paired: number;
  /** Edges counted from peer attributes (virtual nodes, queues). */
  virtual: number;
  /** Observations lost because the edge or service caps were full. */
  droppedEdges: number;
  droppedServices: number;
  /** Spans pushed out of the pairing window by its cap (they can no longer pair). */
  evicted: number;
  /** Children whose parent span never arrived (settled at the end of the input). */
  unparented: number;
}

export interface AggregatorOptions {
  /** Distinct edges held between drains; new edges beyond it are counted as dropped. */
  maxEdges?: number;
  maxServices?: number;
  /** Spans kept for pairing (each may still meet its parent or children). */
  maxPending?: number;
}

export interface Drained {
  edges: EdgeCount[];
  services: ServiceSeen[];
  stats: AggregatorStats;
}

/** The span itself waits (no copy: one allocation less per span on the live path). */
interface Pending extends FoldSpan {
  /** A child in another service was seen: the callee is instrumented, no virtual node is needed. */
  pairedAcross: boolean;
  arrivedMs: number;
}

const SEP = '\u0000';
const nodeKey = (n: NodeRef) => n.class + SEP + (n.environment ?? '') + SEP + n.name;
const isCaller = (k: SpanKind) => k === 'client' || k === 'producer';

/**
 * Folds spans into service-to-service edge counts, incrementally: spans may arrive in any order and
 * any number of pieces (a file, or many OTLP requests), so both halves of a parent/child pair wait in a
 * bounded window for the other. The rule is Jaeger's dependency rule (a parent span in another service
 * is a call) plus Tempo's virtual nodes: a client/producer span that never met an instrumented child
 * names its callee by peer attributes (peer.service, db.*, messaging.*, server.address).
 *
 * Pure and synchronous: the file collector and the live receiver both feed it; only they own time.
 */
export class SpanAggregator {
  private readonly maxEdges: number;
  private readonly maxServices: number;
  private readonly maxPending: number;
  private edges = new Map<string, EdgeCount>();
  private services = new Map<string, ServiceSeen>();
  /** Spans by trace+span id, in arrival order (Map order), so the oldest are evicted first. */
  private pending = new Map<string, Pending>();
  /** Children whose parent has not arrived yet, by the parent's trace+span id. */
  private orphans = new Map<string, FoldSpan[]>();
  private orphanCount = 0;
  private stats: AggregatorStats = zeroStats();
  /** The service of the previous span, while it is in `services`. */
  private lastService: ServiceSeen | undefined;

  constructor(opts: AggregatorOptions = {}) {
    this.maxEdges = opts.maxEdges ?? 20_000;
    this.maxServices = opts.maxServices ?? 10_000;
    this.maxPending = opts.maxPending ?? 100_000;
  }

  get pendingSpans(): number { return this.pending.size + this.orphanCount; }
  get edgeCount(): number { return this.edges.size; }

  add(span: FoldSpan, nowMs = 0): void {
    this.stats.spans++;
    this.noteService(span);
    if (span.peer?.messagingSystem && span.peer.destination && (span.kind === 'producer' || span.kind === 'consumer')) {
      // Both ends of a queue need it at run time; the queue is the node, not the other service.
      this.countVirtual(span, { class: 'queue', name: span.peer.destination, environment: span.environment, attributes: { messagingSystem: span.peer.messagingSystem } }, 'messaging');
    }
    const key = span.traceId + span.spanId;
    const mine = span as Pending;
    mine.pairedAcross = false;
    mine.arrivedMs = nowMs;
    if (span.parentSpanId) {
      const parentKey = span.traceId + span.parentSpanId;
      const parent = this.pending.get(parentKey);
      if (parent) this.pair(parent, span);
      else this.waitForParent(parentKey, span);
    }
    this.pending.set(key, mine);
    const children = this.orphans.get(key);
    if (children) {
      this.orphans.delete(key);
      this.orphanCount -= children.length;
      for (const child of children) this.pair(mine, child);
    }
    while (this.pending.size > this.maxPending) this.evictOldest();
  }

  addAll(spans: Iterable<FoldSpan>, nowMs = 0): void {
    for (const s of spans) this.add(s, nowMs);
  }

  /**
   * Settle spans that arrived before `beforeMs` (all of them when omitted: end of input): unpaired
   * callers become virtual-node edges, orphans whose parent never came are dropped.
   */
  expire(beforeMs = Number.POSITIVE_INFINITY): void {
    for (const [key, p] of this.pending) {
      if (p.arrivedMs >= beforeMs) break;
      this.pending.delete(key);
      this.settle(p);
    }
    // Children whose parent did not come within the window will not pair any more.
    for (const [key, children] of this.orphans) {
      if ((children[0] as Pending).arrivedMs >= beforeMs) break;
      this.orphans.delete(key);
      this.orphanCount -= children.length;
      this.stats.unparented += children.length;
    }
  }

  /** Hand over the counts since the last drain and start counting afresh (pairing state is kept). */
  drain(): Drained {
    const out: Drained = { edges: [...this.edges.values()], services: [...this.services.values()], stats: this.stats };
    this.edges = new Map();
    this.services = new Map();
    this.lastService = undefined;
    this.stats = zeroStats();
    return out;
  }

  /** Count an edge known without spans (Jaeger's /api/dependencies output). */
  countEdge(from: NodeRef, to: NodeRef, calls: number, errors: number, lastSeenMs: number, evidence: EdgeEvidence): void {
    const key = nodeKey(from) + SEP + nodeKey(to);
    const e = this.edges.get(key);
    if (e) {
      e.calls += calls;
      e.errors += errors;
      if (lastSeenMs > e.lastSeenMs) e.lastSeenMs = lastSeenMs;
      return;
    }
    if (this.edges.size >= this.maxEdges) { this.stats.droppedEdges++; return; }
    this.edges.set(key, { from, to, calls, errors, lastSeenMs, evidence });
  }

  private noteService(span: FoldSpan): void {
    // Spans come in runs of one resource: skip the key building while the service stays the same.
    const last = this.lastService;
    if (last && last.name === span.service && last.environment === span.environment) {
      last.spans++;
      if (span.endMs > last.lastSeenMs) last.lastSeenMs = span.endMs;
      return;
    }
    const key = (span.environment ?? '') + SEP + span.service;
    const s = this.services.get(key);
    this.lastService = s;
    if (s) {
      s.spans++;
      if (span.endMs > s.lastSeenMs) s.lastSeenMs = span.endMs;
    } else if (this.services.size >= this.maxServices) this.stats.droppedServices++;
    else this.services.set(key, { name: span.service, environment: span.environment, spans: 1, lastSeenMs: span.endMs });
  }

  private pair(parent: Pending, child: FoldSpan): void {
    if (parent.service === child.service && parent.environment === child.environment) return;
    // A consumer under a producer already counted both sides against the queue.
    if (child.kind === 'consumer' && child.peer?.destination && child.peer.messagingSystem) return;
    parent.pairedAcross = true;
    this.stats.paired++;
    const error = child.error || (isCaller(parent.kind) && parent.error);
    this.countEdge(
      { class: 'service', name: parent.service, environment: parent.environment },
      { class: 'service', name: child.service, environment: child.environment },
      1, error ? 1 : 0, Math.max(parent.endMs, child.endMs), 'parent',
    );
  }

  private waitForParent(parentKey: string, span: FoldSpan): void {
    const list = this.orphans.get(parentKey);
    if (list) list.push(span);
    else this.orphans.set(parentKey, [span]);
    this.orphanCount++;
    // Orphans share the pending budget: drop the oldest waiting group when over it.
    while (this.orphanCount > this.maxPending) {
      const first = this.orphans.keys().next().value as string;
      const n = this.orphans.get(first)!.length;
      this.orphans.delete(first);
      this.orphanCount -= n;
      this.stats.evicted += n;
    }
  }

  private evictOldest(): void {
    const first = this.pending.keys().next().value as string;
    const p = this.pending.get(first)!;
    this.pending.delete(first);
    this.stats.evicted++;
    this.settle(p);
  }

  /** A span leaves the window: if it called out and nobody instrumented answered, name the callee. */
  private settle(p: Pending): void {
    if (p.pairedAcross || p.kind !== 'client' || !p.peer) return;
    const target = virtualTarget(p);
    if (target) this.countVirtual(p, target.node, target.evidence);
  }

  private countVirtual(span: { service: string; environment?: string; error: boolean; endMs: number }, to: NodeRef, evidence: EdgeEvidence): void {
    this.stats.virtual++;
    this.countEdge({ class: 'service', name: span.service, environment: span.environment }, to, 1, span.error ? 1 : 0, span.endMs, evidence);
  }
}

/**
 * The callee of an unpaired client span. A database (or cache) is named by its server address when known
 * (that is the host other collectors name it by, e.g. the compose service `postgresql`), else by its
 * database name, else by its system; peer.service wins over everything as the instrumentation's own say.
 */
export function virtualTarget(p: { environment?: string; peer: PeerAttributes | null }): { node: NodeRef; evidence: EdgeEvidence } | null {
  const peer = p.peer;
  if (!peer) return null;
  const host = peer.serverAddress ? hostOf(peer.serverAddress) : undefined;
  if (peer.dbSystem) {
    const attributes: Record<string, string> = { dbSystem: peer.dbSystem };
    if (peer.dbName) attributes.dbName = peer.dbName;
    const name = peer.peerService ?? host ?? peer.dbName ?? peer.dbSystem;
    // `db.system` redis or memcached is a cache, as the image of the same server is to the config collectors.
    const cls = classifyProduct(peer.dbSystem)?.class ?? 'database';
    return { node: { class: cls, name, environment: p.environment, attributes }, evidence: 'db' };
  }
  if (peer.peerService) return { node: { class: 'service', name: peer.peerService, environment: p.environment }, evidence: 'peer.service' };
  if (host) return { node: { class: 'service', name: host, environment: p.environment }, evidence: 'server.address' };
  return null;
}

/** `host`, `host:port` or `[v6]:port` to the host alone. */
function hostOf(address: string): string {
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  const colons = address.split(':').length - 1;
  return colons === 1 ? address.slice(0, address.indexOf(':')) : address;
}

function zeroStats(): AggregatorStats {
  return { spans: 0, paired: 0, virtual: 0, droppedEdges: 0, droppedServices: 0, evicted: 0, unparented: 0 };
}
