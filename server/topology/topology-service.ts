import type { ChangeFeed } from '../live/change-feed.ts';
import type { ChangeEvent } from '../model/records.ts';
import type { GraphStore } from '../store/port.ts';
import { InputError } from '../domain/errors.ts';
import { applyChangeEventInTurns } from './apply-event.ts';
import { loadTopology } from './build.ts';
import { rankNames } from './name-order.ts';
import type { Topology } from './topology.ts';

export interface TopologyServiceOptions {
  /** As-of projections kept; each can be as large as the live one, so few. */
  asOfCacheSize?: number;
  /** As-of instants are rounded down to this many ms, so nearby requests share a projection (default 1: exact). */
  asOfBucketMs?: number;
  /** Longest one turn of the event loop spends applying a change event; a larger one goes on in later turns (default 20). */
  applyTurnMs?: number;
}

/**
 * Owns the live projection (built once, then patched from the change feed) and a small LRU of
 * as-of projections built from history. Nothing here computes impact; it only hands out graphs.
 */
export class TopologyService {
  private live!: Topology;
  private applied = 0;
  private readonly asOfCache = new Map<string, Promise<Topology>>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly store: GraphStore, private readonly opts: TopologyServiceOptions = {}) {}

  /**
   * Build from the store, catch up on what committed during the build, then follow `feed`.
   * Events at or before the last applied sequence are skipped; applying one twice would be harmless anyway.
   */
  async start(feed?: ChangeFeed, opts: { progress?: (cis: number) => void; step?: (phase: string) => void } = {}): Promise<void> {
    this.applied = await this.store.latestSeq();
    const live = await loadTopology(this.store, undefined, opts);
    // Maps take a hub's neighbours in name order: rank the names once (in slices), so that is a numeric sort.
    opts.step?.('ordering CI names for maps');
    live.nameOrder = await rankNames(live);
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
   * else meanwhile); `seq` moves once it is. The compaction it may call for is still one turn: O(the projection).
   */
  private apply(e: ChangeEvent): Promise<void> | undefined {
    const done = () => {
      this.applied = e.seq;
      if (this.live.needsCompaction()) this.live.compact();
    };
    const pending = applyChangeEventInTurns(this.live, e, this.opts.applyTurnMs ?? 20);
    if (!pending) return void done();
    return pending.then(done);
  }

  stop(): void { this.unsubscribe?.(); this.unsubscribe = null; }

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
    hit = loadTopology(this.store, key);
    this.asOfCache.set(key, hit);
    hit.catch(() => this.asOfCache.delete(key));
    const max = this.opts.asOfCacheSize ?? 4;
    while (this.asOfCache.size > max) this.asOfCache.delete(this.asOfCache.keys().next().value!);
    return hit;
  }

  /** Whether start() has built the live projection (the server answers 503 `starting` until then). */
  get loaded(): boolean { return this.live !== undefined; }

  get current(): Topology {
    if (!this.live) throw new Error('topology not built yet: call start()');
    return this.live;
  }
}
