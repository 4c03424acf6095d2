import type { ChangeEvent } from '../model/records.ts';
import type { GraphStore } from '../store/port.ts';
import { Backoff, type LoopStatus } from './supervision.ts';
import { nextTurn } from './turns.ts';

/**
 * A listener of committed events. It must accept an event it has seen before (by `seq`): after a failure
 * the feed delivers the same event again to every listener rather than skip it. A listener whose work on a large
 * event would hold the event loop too long does it over several turns and returns a promise: the feed delivers
 * nothing more, and moves its position (what `caughtUp()` waits for), only once every listener has settled. What
 * a listener returns otherwise is ignored.
 */
export type ChangeListener = (event: ChangeEvent) => unknown;

/**
 * A committed event as the ingest writer thread hands it over: its changes still their JSON text (the text the
 * store kept), parsed only when delivered. A string crosses threads as one copy, where the records' structured
 * clone cost the writer thread ~3 ms and this loop ~7 ms per 1,000-CI batch, before the reply.
 */
export interface EncodedChangeEvent { seq: number; at: string; source: string | null; changesJson: string }
export type CommittedEvent = ChangeEvent | EncodedChangeEvent;
const decoded = (e: CommittedEvent): ChangeEvent =>
  ('changesJson' in e ? { seq: e.seq, at: e.at, source: e.source, changes: JSON.parse(e.changesJson) as ChangeEvent['changes'] } : e);

export interface FeedStatus extends LoopStatus {
  /** Sequence of the last event delivered to every listener. */
  position: number;
  /** Milliseconds the feed has been behind the log (a read or a listener failing), 0 when caught up. */
  lagMs: number;
}

/**
 * Follows the store's change-event log in sequence order and hands each event to every listener once.
 * Local commits call `poke()` for immediacy; the poll catches what other API replicas committed
 * (the same mechanism whether the store is SQLite or a Neo4j cluster).
 *
 * Supervised: a failed read of the log or a throwing listener never escapes (no unhandled rejection can
 * end the process) and never skips an event: the position stays before the event that failed, the next
 * attempt comes after a growing delay, and `status()` says how long the feed has been behind and why
 * (/healthz answers 503 past SERVICEGRAPH_HEALTH_MAX_LAG_MS).
 */
export class ChangeFeed {
  private seq = 0;
  private listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private behindSince: number | null = null;
  private readonly backoff: Backoff;
  /** Highest sequence this process knows committed (its own writes, offered now or later). */
  private committed = 0;
  /** Events committed and already answered, waiting for their turn to be delivered (`offerAfterReply`). */
  private deferred: CommittedEvent[] = [];
  private flushScheduled = false;
  /** Requests waiting for the listeners to catch up to a committed sequence: [sequence, go on]. */
  private waiters: [number, () => void][] = [];
  /**
   * Events this process committed that came out of turn (another process's commit before them was not delivered yet):
   * `poke` delivers them from here in their place, rather than reading back and decoding what this process wrote.
   */
  private readonly own = new Map<number, CommittedEvent>();

  /**
   * `turnMs`: the longest one turn of the event loop spends delivering events read from the log (another process's
   * commits, a poll's worth at a time); the rest go on in later turns, whole events only (default 10). `pageSize`:
   * events read from the log at a time (default 8): a read decodes its whole page in one go, ~1-2 ms per batch of 200
   * CIs, so a page of 200 was itself a long turn.
   */
  constructor(private readonly store: GraphStore, private readonly pollMs = 1000, private readonly pageSize = 8, private readonly now: () => number = Date.now, private readonly turnMs = 10) {
    this.backoff = new Backoff('change feed', { baseMs: Math.min(pollMs, 1000), maxMs: 30_000, now });
  }

  /** Start after `fromSeq` (the sequence the projection was built at). */
  start(fromSeq: number): void {
    this.seq = fromSeq;
    this.committed = Math.max(this.committed, fromSeq);
    this.stopped = false;
    this.schedule(this.pollMs);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { void this.poke().then(() => this.schedule(this.backoff.failing ? this.backoff.delayMs() : this.pollMs)); }, ms);
    this.timer.unref();
  }

  get position(): number { return this.seq; }

  subscribe(fn: ChangeListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * An event this process just committed: delivered as it is when it is the next in sequence and nothing
   * is being fetched (no read-back, no parse of what was just written); otherwise the log decides.
   */
  offer(event: CommittedEvent): void {
    this.committed = Math.max(this.committed, event.seq);
    if (this.running || event.seq !== this.seq + 1 || this.backoff.failing) {
      if (event.seq > this.seq) this.own.set(event.seq, event);
      void this.poke();
      return;
    }
    const delivered = this.deliver(decoded(event));
    // Delivered over several turns: the feed is busy until then (a poke meanwhile reads on after it).
    if (delivered instanceof Promise) this.running = this.after(delivered);
  }

  /** Settles when `delivering` has, then catches up on whatever was poked meanwhile. */
  private async after(delivering: Promise<boolean>): Promise<void> {
    const ok = await delivering;
    this.running = null;
    if (ok && this.again) await this.poke();
  }

  /**
   * An event this process just committed and is answering now: delivered in a loop turn of its own after the
   * reply went out (the writer's client does not wait for the projection, the caches and the live hub).
   * Until it is delivered, `caughtUp()` holds the requests that arrive, so a read sent after the reply sees it.
   * Events are delivered whole and in order, one turn for all that are waiting.
   */
  offerAfterReply(event: CommittedEvent): void {
    this.committed = Math.max(this.committed, event.seq);
    this.deferred.push(event);
    if (!this.flushScheduled) { this.flushScheduled = true; setImmediate(this.flush); }
  }

  /**
   * Delivers the events `offerAfterReply` kept (also on stop: shutdown drains them). One delivered over several
   * turns: the rest wait for it, and are offered in turn after it (rather than read back from the log).
   */
  readonly flush = (): void => {
    this.flushScheduled = false;
    while (this.deferred.length) {
      if (this.running) {
        this.flushScheduled = true;
        void this.running.then(() => setImmediate(this.flush));
        return;
      }
      this.offer(this.deferred.shift()!);
    }
  };

  /**
   * Null when every listener has every event this process committed, or while the feed is failing; otherwise a
   * promise that resolves when they have (a request that arrives now waits for it: read-your-writes after
   * `offerAfterReply`), or when the feed fails to deliver (the request goes on with what there is; /healthz
   * says the feed is behind).
   */
  caughtUp(): Promise<void> | null {
    // A failing feed would hold every request until its next retry (up to its back-off's 30 s): reads go on
    // with what the projection has, and /healthz says it is behind.
    if (this.seq >= this.committed || this.stopped || this.backoff.failing) return null;
    const target = this.committed;
    return new Promise<void>((resolve) => { this.waiters.push([target, resolve]); });
  }

  /** Lets go of the requests waiting for a position the feed reached, or of all of them (`all`: it failed or stopped). */
  private release(all: boolean): void {
    if (!this.waiters.length) return;
    const still: [number, () => void][] = [];
    for (const w of this.waiters) {
      if (all || w[0] <= this.seq) w[1]();
      else still.push(w);
    }
    this.waiters = still;
  }

  /**
   * Every listener gets the event; only when all took it does the position move past it: now, or (a listener
   * working over several turns) once all have settled.
   */
  private deliver(e: ChangeEvent): boolean | Promise<boolean> {
    let failed: unknown = null;
    const pending: Promise<unknown>[] = [];
    for (const l of this.listeners) {
      try {
        const p = l(e);
        if (p instanceof Promise) pending.push(p as Promise<unknown>);
      } catch (err) { failed ??= err; }
    }
    if (!pending.length) return this.settle(e, failed);
    return Promise.allSettled(pending).then((all) => {
      for (const r of all) if (r.status === 'rejected') failed ??= r.reason;
      return this.settle(e, failed);
    });
  }

  private settle(e: ChangeEvent, failed: unknown): boolean {
    if (failed) {
      this.behindSince ??= this.now();
      this.backoff.failed(`a listener failed on event ${e.seq}: ${(failed as Error)?.message ?? failed}`);
      this.release(true);
      return false;
    }
    this.seq = e.seq;
    this.committed = Math.max(this.committed, e.seq);
    this.release(false);
    return true;
  }

  /**
   * Fetch and deliver everything after the current position; resolves (never rejects) when caught up
   * or when an attempt failed (then the status says why, and the poll retries after a delay).
   *
   * A poll at 1,000+ CIs a second written by another process finds tens of events: delivered in one go they held
   * this loop ~100 ms (decoding and applying each), and every request here waited behind them. Events are
   * delivered whole, in order, `turnMs` of a loop turn at a time: a read in between sees the projection as of a
   * commit, never part of one (an event whose own apply takes several turns holds the requests that arrive meanwhile,
   * as this process's own do: `caughtUp`). This process's own events are delivered from `own`, not read back.
   */
  poke(): Promise<void> {
    if (this.running) { this.again = true; return this.running; }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          let turn = performance.now();
          const yieldIfLong = async () => {
            if (performance.now() - turn < this.turnMs) return;
            await nextTurn();
            turn = performance.now();
          };
          for (;;) {
            await yieldIfLong();
            for (const s of this.own.keys()) if (s <= this.seq) this.own.delete(s);
            // Read up to this process's next own event, which is delivered from `own` in its place.
            const nextOwn = this.own.size ? Math.min(...this.own.keys()) : Infinity;
            const limit = Math.min(this.pageSize, nextOwn - this.seq - 1);
            const events = limit > 0 ? await this.store.eventsSince(this.seq, limit) : [];
            if (events.length) this.behindSince ??= this.now();
            for (const [i, e] of events.entries()) {
              if (i > 0) await yieldIfLong();
              if (!(await this.deliverInOrder(e))) return;
            }
            if (limit > 0 && events.length === limit) continue;
            // The log has nothing more before it: this process's next own event, or caught up.
            if (nextOwn === Infinity) break;
            const mine = this.own.get(nextOwn)!;
            this.own.delete(nextOwn);
            if (!(await this.deliverInOrder(decoded(mine)))) return;
          }
        } while (this.again);
        this.behindSince = null;
        this.backoff.succeeded();
      } catch (e) {
        this.behindSince ??= this.now();
        this.backoff.failed(`reading the change-event log failed: ${(e as Error)?.message ?? e}`);
        this.release(true);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /**
   * One event read in order (from the log or `own`): a request arriving while its listeners work over several turns
   * waits until it is whole (`caughtUp` holds them up to `committed`).
   */
  private deliverInOrder(e: ChangeEvent): boolean | Promise<boolean> {
    this.committed = Math.max(this.committed, e.seq);
    return this.deliver(e);
  }

  status(): FeedStatus {
    return { ...this.backoff.status(), position: this.seq, lagMs: this.behindSince === null ? 0 : this.now() - this.behindSince };
  }

  stop(): void {
    this.flush();
    this.stopped = true;
    this.release(true);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
