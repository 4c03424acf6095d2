import type { ChangeFeed } from '../live/change-feed.ts';
import type { ChangeEvent } from '../model/records.ts';
import type { GraphStore, TopologySize } from '../store/port.ts';
import { InputError, UnprocessableError } from '../domain/errors.ts';
import { nextTurn, stepsInTurns } from '../live/turns.ts';
import { applyChangeEventInTurns } from './apply-event.ts';
import { loadTopology } from './build.ts';
import { rankNames, rerankNames } from './name-order.ts';
import type { Topology } from './topology.ts';

export interface TopologyServiceOptions {
  /** As-of projections kept; each can be as large as the live one, so few. */
  asOfCacheSize?: number;
  /** As-of instants are rounded down to this many ms, so nearby requests share a projection (default 1: exact). */
  asOfBucketMs?: number;
  /** Longest one turn of the event loop spends applying a change event; a larger one goes on in later turns (default 20). */
  applyTurnMs?: number;
  /**
   * The names are ranked again (in slices, off the apply path) once this share of the CIs has no rank, added or
   * renamed since the last ranking (default 0.1), and at least `rerankMin` (default 100); and at each compaction.
   * Not 1%: at 1M CIs a ranking costs each API process seconds of CPU, and a collector adding CIs at a few thousand
   * a second made that every few seconds (the 1M load bench: /graph 632 -> 333 req/s); the unranked are placed by
   * binary search meanwhile, which costs little.
   */
  rerankShare?: number;
  rerankMin?: number;
  /**
   * An as-of projection is built from history inside the request that asks for it (in slices, but for as long as
   * the estate takes: tens of seconds at 1M CIs, the CPU shared with every other request). Refused past this many live
   * CIs (0 or absent: no limit); one already built and cached is still served.
   */
  asOfMaxCis?: number;
  /** The live projection's arrays at least this long are grown ahead of need, in turns (Topology.roomDue; default 65,536). */
  reserveAheadMin?: number;
}

/** What the service reads from a store: the topology once, then the change events since. */
export type TopologySource = Pick<GraphStore, 'latestSeq' | 'eventsSince' | 'streamTopology'>;

/** The name ranking's state (/healthz): how many CIs have no rank, and the last ranking. */
export interface NameRankStatus { unranked: number; rankings: number; ranking: boolean; lastRankedAt: string | null; lastRankMs: number | null; lastError: string | null }

/**
 * Owns the live projection (built once, then patched from the change feed) and a small LRU of
 * as-of projections built from history. Nothing here computes impact; it only hands out graphs.
 */
export class TopologyService {
  private live!: Topology;
  private applied = 0;
  private readonly asOfCache = new Map<string, Promise<Topology>>();
  private unsubscribe: (() => void) | null = null;
  private ranking: Promise<void> | null = null;
  /** A compaction under way (in turns, beside reads and further changes), null when none is. */
  private compacting: Promise<void> | null = null;
  private stopped = false;
  /** Room being reserved ahead for the live projection (Topology.roomDue), in turns of its own; null when none is. */
  private reserving: Promise<void> | null = null;
  private readonly reservations = { reservations: 0, lastError: null as string | null };
  private readonly compactions = { compactions: 0, lastCompactedAt: null as string | null, lastCompactionMs: null as number | null, lastError: null as string | null };
  private readonly ranks = { rankings: 0, lastRankedAt: null as string | null, lastRankMs: null as number | null, lastError: null as string | null };

  constructor(private readonly store: TopologySource, private readonly opts: TopologyServiceOptions = {}) {}

  /**
   * Build from the store, catch up on what committed during the build, then follow `feed`.
   * Events at or before the last applied sequence are skipped; applying one twice would be harmless anyway.
   */
  async start(feed?: ChangeFeed, opts: { progress?: (cis: number) => void; step?: (phase: string) => void; size?: Promise<TopologySize | null> } = {}): Promise<void> {
    this.applied = await this.store.latestSeq();
    const live = await loadTopology(this.store, undefined, opts);
    // Maps take a hub's neighbours in name order: rank the names once (in slices), so that is a numeric sort.
    opts.step?.('ordering CI names for maps');
    const t0 = performance.now();
    live.nameOrder = await rankNames(live);
    this.ranked(t0);
    this.live = live;
    for (;;) {
      const events = await this.store.eventsSince(this.applied, 1000);
      for (const e of events) await this.apply(e);
      if (events.length < 1000) break;
      // Others are served between pages (a start listens while it loads).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (feed) this.unsubscribe = feed.subscribe((e) => (e.seq > this.applied ? this.apply(e) : undefined));
  }

  /** Sequence of the last change event reflected in the live projection. */
  get seq(): number { return this.applied; }

  /**
   * A large event is applied over several turns (the feed holds requests until it is whole, and delivers nothing
   * else meanwhile); `seq` moves once it is. The compaction it may call for is not part of it: it runs in turns of
   * its own while reads and later events go on (Topology.compactSteps), so neither waits for it.
   */
  private apply(e: ChangeEvent): Promise<void> | undefined {
    const done = () => {
      this.applied = e.seq;
      if (!this.compacting && !this.stopped && this.live.needsCompaction()) this.compact();
      else this.rankIfDue(false);
      this.reserveIfDue();
    };
    const pending = applyChangeEventInTurns(this.live, e, this.opts.applyTurnMs ?? 20);
    if (!pending) return void done();
    return pending.then(done);
  }

  /** The projection's compactions (/healthz): how many, the last one's wall time (over turns), a failure. */
  get compaction(): { compacting: boolean; compactions: number; lastCompactedAt: string | null; lastCompactionMs: number | null; lastError: string | null } {
    return { compacting: this.compacting !== null, ...this.compactions };
  }

  /** Settles once a compaction under way (if any) is in place. */
  async compactionDone(): Promise<void> { await this.compacting; }

  /** Folds the overlay and removals into a new base, `applyTurnMs` per turn (1M CIs: hundreds of ms in all). */
  private compact(): void {
    const t0 = performance.now();
    const compacted = () => {
      Object.assign(this.compactions, { compactions: this.compactions.compactions + 1, lastCompactedAt: new Date().toISOString(), lastCompactionMs: Math.round(performance.now() - t0) });
      this.rankIfDue(true);
    };
    const running = stepsInTurns(this.live.compactSteps(), this.opts.applyTurnMs ?? 20);
    if (!running) return compacted();
    this.compacting = running
      .then(compacted)
      .catch((err) => { this.compactions.lastError = (err as Error).message; })
      .finally(() => { this.compacting = null; });
  }

  /** Reservations of room ahead made so far, and the last one's failure (/healthz). */
  get roomReservations(): { reserving: boolean; reservations: number; lastError: string | null } {
    return { reserving: this.reserving !== null, ...this.reservations };
  }

  /** Settles once a reservation under way (if any) is in place. */
  async reservationDone(): Promise<void> { await this.reserving; }

  /**
   * Room for what comes next, reserved before the arrays are full: an array or two a turn (Topology.reserveSteps,
   * safe beside applies and reads), where growing all at once in the apply that filled them held the loop.
   */
  private reserveIfDue(): void {
    if (this.reserving || this.stopped) return;
    const due = this.live.roomDue(this.opts.reserveAheadMin);
    if (!due) return;
    const steps = this.live.reserveSteps(due.cis, due.relations);
    this.reserving = (async () => { for (const _ of steps) await nextTurn(); })()
      .then(() => { this.reservations.reservations++; })
      .catch((err) => { this.reservations.lastError = (err as Error).message; })
      .finally(() => { this.reserving = null; });
  }

  stop(): void { this.stopped = true; this.unsubscribe?.(); this.unsubscribe = null; }

  /** The name ranking's state. */
  get nameRanks(): NameRankStatus {
    return { unranked: this.live?.nameOrder?.unranked(this.live) ?? 0, ranking: this.ranking !== null, ...this.ranks };
  }

  /** Settles once a ranking under way (if any) is in place. */
  async rankingDone(): Promise<void> { await this.ranking; }

  private ranked(t0: number): void {
    this.ranks.rankings++;
    this.ranks.lastRankedAt = new Date().toISOString();
    this.ranks.lastRankMs = Math.round(performance.now() - t0);
  }

  /**
   * CIs added or renamed since the ranking are ordered by comparing names (NameOrder.sort): right, but slower the
   * more of them a map level has. Past a share (or at a compaction) the names are ranked again, in slices as at
   * start, from a snapshot of them and the ranking in place (rerankNames: only the unranked are sorted, then placed
   * among the ranked); CIs renamed while that ran lose their new rank, and those added stay unranked.
   */
  private rankIfDue(compacted: boolean): void {
    const live = this.live, order = live.nameOrder;
    if (!order || this.ranking || this.stopped) return;
    const unranked = order.unranked(live);
    const due = compacted ? unranked > 0 : unranked >= Math.max(this.opts.rerankMin ?? 100, live.nodeCount * (this.opts.rerankShare ?? 0.1));
    if (!due) return;
    this.ranking = (async () => {
      const t0 = performance.now();
      const names = live.nameSnapshot();
      const fresh = await rerankNames(names, order);
      if (this.stopped || this.live !== live) return;
      for (const n of names.renamedSince(live)) fresh.forget(n);
      live.nameOrder = fresh;
      this.ranked(t0);
    })().catch((e) => { this.ranks.lastError = (e as Error).message; }).finally(() => { this.ranking = null; });
  }

  /** The live projection, or the one for `asOf` (built on first use, then cached). */
  async at(asOf?: string): Promise<Topology> {
    if (!asOf) return this.current;
    const bucket = this.opts.asOfBucketMs ?? 1;
    const t = Date.parse(asOf);
    if (!Number.isFinite(t)) throw new InputError(`asOf ${asOf} is not a time`);
    const key = new Date(Math.floor(t / bucket) * bucket).toISOString();
    let hit = this.asOfCache.get(key);
    if (hit) {
      this.asOfCache.delete(key);
      this.asOfCache.set(key, hit);
      return hit;
    }
    const max = this.opts.asOfMaxCis ?? 0;
    const live = this.live?.stats().cis ?? 0;
    if (max > 0 && live > max) {
      throw new UnprocessableError(
        `an as-of view rebuilds the whole graph from history, and this estate has ${live.toLocaleString('en')} live CIs, more than the ${max.toLocaleString('en')} it is allowed for (SERVICEGRAPH_ASOF_MAX_CIS); see what changed since then with GET /api/v1/diff?from=&to=, or a CI's own history`,
        { liveCis: live, maxCis: max }, 'as_of_too_large');
    }
    hit = loadTopology(this.store, key);
    this.asOfCache.set(key, hit);
    hit.catch(() => this.asOfCache.delete(key));
    const kept = this.opts.asOfCacheSize ?? 4;
    while (this.asOfCache.size > kept) this.asOfCache.delete(this.asOfCache.keys().next().value!);
    return hit;
  }

  /** Whether start() has built the live projection (the server answers 503 `starting` until then). */
  get loaded(): boolean { return this.live !== undefined; }

  get current(): Topology {
    if (!this.live) throw new Error('topology not built yet: call start()');
    return this.live;
  }
}
