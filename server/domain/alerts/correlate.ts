import type { ImpactGraph } from '../impact/graph.ts';
import { DOWN, propagateImpact, type FailState } from '../impact/propagate.ts';

/**
 * Correlation of alerting CIs into situations (design.md section 11), incremental so that each alert
 * costs little in a storm:
 * 1. an alert whose CI is the cause of an open situation, or inside its cause's blast radius, joins it
 *    (the most specific cause wins: the smallest blast radius); a situation resolved moments ago reopens
 *    instead of a new one opening (flapping);
 * 2. otherwise the root-cause ranking's score (specificity × proximity × evidence, rank.ts) is computed
 *    for the CIs this symptom and a situation active within the time window both need (bounded upstream
 *    walk, hubs left out): the best candidate that explains every symptom becomes that situation's cause;
 * 3. otherwise the alert's own CI is the cause: of the oldest active situation whose cause lies in its blast
 *    radius (the database alert arriving after its dependents' alerts), else of a new situation.
 * Whenever a cause is set, situations active within the window whose causes lie inside its blast radius
 * merge into it (the database alert that arrives after its dependents' alerts).
 * Pure domain state over an ImpactGraph: no store, no clock (times are passed in).
 */
export interface CorrelatorOptions {
  /** Situations whose last alert is older than this do not merge or take new causes. */
  windowMs: number;
  /** A situation resolved less than this ago reopens rather than a new one opening. */
  reopenMs: number;
  /** Upstream walk from a symptom when looking for a shared cause. */
  maxDepth: number;
  maxAncestors: number;
  /** CIs with more direct dependents are never proposed as a shared cause (a hub explains little, and its blast radius is the estate). */
  maxCauseFanOut: number;
  /** Candidates verified by a full propagation each. */
  verify: number;
}

export const defaultCorrelatorOptions: CorrelatorOptions = {
  windowMs: 10 * 60_000, reopenMs: 5 * 60_000, maxDepth: 3, maxAncestors: 256, maxCauseFanOut: 500, verify: 4,
};

export interface SituationState {
  id: string;
  cause: number;
  status: 'open' | 'resolved';
  /** Alerting CIs in it and their worst state. */
  symptoms: Map<number, FailState>;
  /** CIs the cause's failure reaches (itself included) and how badly: 1 degraded, 2 down. */
  reach: Map<number, number>;
  lastAt: number;
  resolvedAt: number | null;
}

export interface Placement {
  situation: string;
  opened: boolean;
  reopened: boolean;
  /** The cause changed (a shared cause was found): the caller re-reads recent changes on it. */
  causeChanged: boolean;
  /** Situations merged into this one, with their symptoms. */
  merged: string[];
}

export class Correlator {
  private readonly situations = new Map<string, SituationState>();

  constructor(private readonly graph: ImpactGraph, private readonly opts: CorrelatorOptions = defaultCorrelatorOptions) {}

  get(id: string): SituationState | undefined { return this.situations.get(id); }
  all(): IterableIterator<SituationState> { return this.situations.values(); }

  /** Restore a stored situation (at start, or from another process). */
  restore(s: { id: string; cause: number; status: 'open' | 'resolved'; symptoms: [number, FailState][]; lastAt: number; resolvedAt: number | null }): void {
    const state: SituationState = { ...s, symptoms: new Map(s.symptoms), reach: this.reachOf(s.cause) };
    this.situations.set(s.id, state);
    for (const n of state.symptoms.keys()) this.indexSymptom(state, n);
  }

  forget(id: string): void { if (this.situations.delete(id)) this.dropped(); }

  /** Place an alerting CI; `newId` names a situation when one opens. */
  place(node: number, state: FailState, at: number, newId: () => string): Placement {
    this.prune(at);
    const joined = this.explaining(node, state, at);
    if (joined) {
      const reopened = joined.status === 'resolved';
      this.addSymptom(joined, node, state, at);
      return { situation: joined.id, opened: false, reopened, causeChanged: false, merged: [] };
    }
    const shared = this.sharedCause(node, state, at);
    if (shared) {
      this.setCause(shared.situation, shared.cause);
      this.addSymptom(shared.situation, node, state, at);
      return { situation: shared.situation.id, opened: false, reopened: false, causeChanged: true, merged: this.absorb(shared.situation, at) };
    }
    // Its own cause. Situations it explains (its dependents alerted first) merge into it; the oldest of
    // them carries on under the new cause, so that its id, links and timeline stay.
    const reach = this.reachOf(node);
    const host = [...this.situations.values()].find((x) => this.active(x, at) && x.cause !== node && this.explains(reach, x.cause, x.symptoms.get(x.cause)));
    if (host) {
      host.cause = node;
      host.reach = reach;
      this.addSymptom(host, node, state, at);
      return { situation: host.id, opened: false, reopened: false, causeChanged: true, merged: this.absorb(host, at) };
    }
    const s: SituationState = { id: newId(), cause: node, status: 'open', symptoms: new Map(), reach, lastAt: at, resolvedAt: null };
    this.situations.set(s.id, s);
    this.addSymptom(s, node, state, at);
    return { situation: s.id, opened: true, reopened: false, causeChanged: true, merged: [] };
  }

  /** The CI has no firing alert in the situation any more; true when that was its last symptom (it resolves). */
  release(id: string, node: number, at: number): boolean {
    const s = this.situations.get(id);
    if (!s) return false;
    s.symptoms.delete(node);
    if (s.symptoms.size || s.status === 'resolved') return false;
    s.status = 'resolved';
    s.resolvedAt = at;
    return true;
  }

  /** The open (else recently resolved) situation that explains the CI, most specific cause first. */
  private explaining(node: number, state: FailState, at: number): SituationState | undefined {
    let best: SituationState | undefined;
    for (const s of this.situations.values()) {
      if (s.status === 'resolved' && at - (s.resolvedAt ?? 0) > this.opts.reopenMs) continue;
      if (s.cause !== node && !this.explains(s.reach, node, state)) continue;
      if (!best || (best.status === 'resolved' && s.status === 'open') || (best.status === s.status && s.reach.size < best.reach.size)) best = s;
    }
    return best;
  }

  private active(s: SituationState, at: number) { return s.status === 'open' && at - s.lastAt <= this.opts.windowMs; }

  /**
   * Upstream of `node`, bounded in depth and size, stepping over hubs (a CI with more direct
   * dependents than `maxCauseFanOut` is neither proposed nor walked through): provider → depth.
   */
  private ancestors(node: number): Map<number, number> {
    const depth = new Map<number, number>([[node, 0]]);
    const queue = [node];
    for (let i = 0; i < queue.length; i++) {
      const u = queue[i], d = depth.get(u)! + 1;
      if (d > this.opts.maxDepth) break;
      this.graph.forEachProvider(u, (p) => {
        if (depth.has(p) || depth.size >= this.opts.maxAncestors || this.isHub(p)) return;
        depth.set(p, d);
        queue.push(p);
      });
    }
    return depth;
  }

  private readonly fanOutCache = new Map<number, number>();
  private isHub(n: number): boolean {
    let f = this.fanOutCache.get(n);
    if (f === undefined) {
      f = 0;
      this.graph.forEachDependent(n, () => { f!++; });
      if (this.fanOutCache.size > 200_000) this.fanOutCache.clear();
      this.fanOutCache.set(n, f);
    }
    return f > this.opts.maxCauseFanOut;
  }

  /** Ancestor → situation → nearest depth from one of its symptoms: which situations a new symptom may share a cause with. */
  private readonly sharedIndex = new Map<number, Map<string, number>>();
  private staleIndex = 0;

  private indexSymptom(s: SituationState, node: number) {
    for (const [p, d] of this.ancestors(node)) {
      if (p === node) continue;
      let m = this.sharedIndex.get(p);
      if (!m) { m = new Map(); this.sharedIndex.set(p, m); }
      const was = m.get(s.id);
      if (was === undefined || d < was) m.set(s.id, d);
    }
  }

  private dropped(count = 1) {
    this.staleIndex += count;
    if (this.staleIndex < 1_000) return;
    this.staleIndex = 0;
    this.sharedIndex.clear();
    for (const s of this.situations.values()) for (const n of s.symptoms.keys()) this.indexSymptom(s, n);
  }

  /** Root-cause ranking over this symptom and each active situation's symptoms, candidates the CIs both need. */
  private sharedCause(node: number, state: FailState, at: number): { situation: SituationState; cause: number } | null {
    const shared = new Map<string, Map<number, number>>();
    for (const [p, d] of this.ancestors(node)) {
      if (p === node) continue;
      for (const [id, theirs] of this.sharedIndex.get(p) ?? []) {
        const s = this.situations.get(id);
        if (!s || !this.active(s, at) || s.symptoms.has(p)) continue;
        let m = shared.get(id);
        if (!m) { m = new Map(); shared.set(id, m); }
        m.set(p, Math.min(m.get(p) ?? Infinity, d + theirs));
      }
    }
    let best: { situation: SituationState; cause: number; score: number } | null = null;
    // The situations sharing most candidates first, at most `verify` of them: each costs propagations.
    const bySharing = [...shared].sort((a, b) => b[1].size - a[1].size).slice(0, this.opts.verify);
    for (const [id, m] of bySharing) {
      const s = this.situations.get(id)!;
      const candidates = [...m].sort((a, b) => a[1] - b[1] || a[0] - b[0]).slice(0, this.opts.verify);
      for (const [c, depthSum] of candidates) {
        const score = this.score(c, node, state, s, depthSum);
        if (score > 0 && (!best || score > best.score)) best = { situation: s, cause: c, score };
      }
    }
    return best;
  }

  /**
   * The root-cause ranking's score (server/domain/root-cause/rank.ts) for a candidate that must explain
   * the new symptom and every symptom of the situation; 0 when it does not. Without the paths the ranking
   * lists (an operator reads them on the situation's map, not here, once per alert).
   */
  private score(c: number, node: number, state: FailState, s: SituationState, depthSum: number): number {
    const reach = this.cachedReach(c);
    if (!this.explains(reach, node, state)) return 0;
    for (const [n, st] of s.symptoms) if (!this.explains(reach, n, st)) return 0;
    let fanOut = 0, failingAbove = 0;
    this.graph.forEachDependent(c, (d) => { fanOut++; if (d === node || s.symptoms.has(d)) failingAbove++; });
    const specificity = 1 / (1 + Math.log10(1 + fanOut));
    const proximity = 1 / Math.max(1, depthSum / 2);
    return specificity * proximity * (0.5 + 0.5 * (fanOut ? failingAbove / fanOut : 0));
  }

  /** Blast radii of recently scored candidates: a storm asks about the same few providers again and again. */
  private readonly reachCache = new Map<number, Map<number, number>>();
  private cachedReach(c: number): Map<number, number> {
    let r = this.reachCache.get(c);
    if (r) { this.reachCache.delete(c); this.reachCache.set(c, r); return r; }
    r = this.reachOf(c);
    this.reachCache.set(c, r);
    if (this.reachCache.size > 64) this.reachCache.delete(this.reachCache.keys().next().value!);
    return r;
  }

  private reachOf(cause: number): Map<number, number> {
    const r = propagateImpact(this.graph, [{ node: cause, state: 'down' }], { limit: 0 });
    const out = new Map<number, number>();
    for (let i = 0; i < r.total; i++) out.set(r.all[i], r.allStates[i]);
    return out;
  }

  /**
   * Whether a failure reaching `node` explains it as reported: a database host whose loss only degrades
   * the database does not explain the database being down (the root-cause ranking's rule).
   */
  private explains(reach: Map<number, number>, node: number, state: FailState | undefined): boolean {
    const got = reach.get(node);
    return got !== undefined && got >= (state === 'down' ? DOWN : 1);
  }

  private setCause(s: SituationState, cause: number) {
    s.cause = cause;
    s.reach = this.cachedReach(cause);
  }

  private addSymptom(s: SituationState, node: number, state: FailState, at: number) {
    const was = s.symptoms.get(node);
    if (was !== 'down') s.symptoms.set(node, state);
    if (was === undefined) this.indexSymptom(s, node);
    s.lastAt = Math.max(s.lastAt, at);
    if (s.status === 'resolved') { s.status = 'open'; s.resolvedAt = null; }
  }

  /** Situations active within the window whose cause this one's cause reaches merge into it. */
  private absorb(into: SituationState, at: number): string[] {
    const merged: string[] = [];
    for (const s of [...this.situations.values()]) {
      if (s === into || !this.active(s, at) || s.cause === into.cause || !this.explains(into.reach, s.cause, s.symptoms.get(s.cause))) continue;
      for (const [n, st] of s.symptoms) this.addSymptom(into, n, st, s.lastAt);
      this.situations.delete(s.id);
      this.dropped(s.symptoms.size);
      merged.push(s.id);
    }
    return merged;
  }

  /** Resolved situations past the reopen time are done. */
  private prune(at: number) {
    for (const s of this.situations.values()) {
      if (s.status === 'resolved' && at - (s.resolvedAt ?? 0) > this.opts.reopenMs) { this.situations.delete(s.id); this.dropped(); }
    }
  }
}
