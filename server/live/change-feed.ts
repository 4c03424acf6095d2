import type { ChangeEvent } from '../model/records.ts';
import type { GraphStore } from '../store/port.ts';

export type ChangeListener = (event: ChangeEvent) => void;

/**
 * Follows the store's change-event log in sequence order and hands each event to every listener once.
 * Local commits call `poke()` for immediacy; the poll catches what other API replicas committed
 * (the same mechanism whether the store is SQLite or a Neo4j cluster).
 */
export class ChangeFeed {
  private seq = 0;
  private listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly store: GraphStore, private readonly pollMs = 1000, private readonly pageSize = 200) {}

  /** Start after `fromSeq` (the sequence the projection was built at). */
  start(fromSeq: number): void {
    this.seq = fromSeq;
    this.timer = setInterval(() => this.poke(), this.pollMs);
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
  offer(event: ChangeEvent): void {
    if (this.running || event.seq !== this.seq + 1) { void this.poke(); return; }
    this.deliver(event);
  }

  private deliver(e: ChangeEvent): void {
    this.seq = e.seq;
    for (const l of this.listeners) {
      try { l(e); } catch (err) { console.error('change listener failed', err); }
    }
  }

  /** Fetch and deliver everything after the current position; resolves when caught up. */
  poke(): Promise<void> {
    if (this.running) { this.again = true; return this.running; }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const events = await this.store.eventsSince(this.seq, this.pageSize);
            for (const e of events) this.deliver(e);
            if (events.length < this.pageSize) break;
          }
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
