import { Worker } from 'node:worker_threads';
import { getPriority } from 'node:os';
import type { CommittedEvent } from '../live/change-feed.ts';
import { Backoff, type LoopStatus } from '../live/supervision.ts';
import { UnavailableError } from '../domain/errors.ts';
import { addUrgentSource } from '../live/urgent.ts';
import type { ObserveIngest, Written } from './batch-writer.ts';
import type { ObserveHttp } from '../ops/metrics.ts';
import type { IngestRequest } from './ingest-request.ts';
import type { ServerTiming } from '../ops/server-timing.ts';
import { giveBack, type WriterPriority } from './writer-priority.ts';
import { threadErrorToError, type FromThread, type ThreadSettings, type ToThread } from './thread-protocol.ts';

export interface IngestThreadOptions extends Omit<ThreadSettings, 'entry' | 'repliesPosted'> {
  /** Told of each committed event (the change feed, at once or after the reply: SERVICEGRAPH_PROJECTION_APPLY). */
  feed: { offer(event: CommittedEvent): void };
  observe?: ObserveIngest;
  /** Told of each request the thread's own listener answered (SERVICEGRAPH_INGEST_PORT), for the HTTP metrics. */
  observeHttp?: ObserveHttp;
  log: (line: string) => void;
  /** First delay before restarting a thread that ended (doubling per failed start, up to 30 s). */
  restartMs?: number;
  /** The thread's young generation in MB (SERVICEGRAPH_INGEST_THREAD_YOUNG_MB); 0 or absent: V8's default. */
  youngGenerationMb?: number;
}

interface Pending { resolve(w: Written): void; reject(e: Error): void; timing?: ServerTiming }

const boot = new URL('./thread-boot.mjs', import.meta.url);
const entry = new URL('./ingest-thread-main.ts', import.meta.url).href;

/**
 * The main thread's side of the ingest writer thread (ingest-thread-main.ts): hands each request's body bytes
 * over (transferred, not copied), and turns the thread's reply back into what the in-process writer gives:
 * the result, the same domain errors (so the answer is the same), the event offered to the change feed and
 * the ingest metrics.
 *
 * Supervised: if the thread ends, the requests it had get 503 `unavailable` (the client retries; a batch cut
 * off mid-transaction was rolled back with its connection), it is started again after a back-off, and its
 * state is on /healthz. `close` lets the batches already handed over finish and commit, then ends the thread.
 */
export class IngestThread {
  private worker: Worker | null = null;
  private ready = false;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private drained: (() => void) | null = null;
  private readonly backoff: Backoff;
  private boundPort: number | null = null;
  private takenPriority: WriterPriority | null = null;
  /** This (main) thread's own nice value, which it goes back to after each reply the writer thread lent it its priority for. */
  private readonly ownNice = getPriority(0);

  private constructor(private readonly opts: IngestThreadOptions) {
    this.backoff = new Backoff('ingest writer thread', { baseMs: opts.restartMs ?? 250, maxMs: 30_000, log: opts.log });
  }

  /** Starts the thread and waits until its store is open; a first start that fails throws (the server does not start). */
  static async start(opts: IngestThreadOptions): Promise<IngestThread> {
    const t = new IngestThread(opts);
    try {
      await t.spawn();
    } catch (e) {
      t.closing = true;
      if (t.restartTimer) clearTimeout(t.restartTimer);
      throw e;
    }
    return t;
  }

  /** Whether a thread is running and has its store open. */
  get up(): boolean { return this.ready; }

  status(): LoopStatus { return this.backoff.status(); }

  /**
   * The port the thread's own listener took (SERVICEGRAPH_INGEST_PORT; `listen.port` 0: any free one, kept across
   * restarts), or null when it does not listen.
   */
  get port(): number | null { return this.boundPort; }

  /** The nice value the running thread took (SERVICEGRAPH_INGEST_THREAD_NICE), or why not; null before its first start. */
  get priority(): WriterPriority | null { return this.takenPriority; }

  /** A token was revoked: the thread's listener forgets it at once. */
  forget(tokenId: string): void {
    this.worker?.postMessage({ type: 'forget', tokenId } satisfies ToThread);
  }

  /** Whether the thread lends this thread its priority while a reply waits here (it took one above this thread's). */
  private get lendsPriority(): boolean {
    const p = this.takenPriority;
    return p !== null && !('error' in p) && p.nice < this.ownNice;
  }

  /** Requests handed to the thread and not answered yet. */
  get inFlight(): number { return this.pending.size; }

  /**
   * Serves one ingest request on the thread; resolves once its batch committed there. `timing` hears how long the
   * request waited in the thread's queue, how long the thread served it, and the rest of the round trip (the
   * hand-over both ways, and the reply's wait for this event loop).
   */
  readonly serve = (request: IngestRequest, timing?: ServerTiming): Promise<Written> => {
    const worker = this.worker;
    if (this.closing) return Promise.reject(new UnavailableError('the server is shutting down; send the batch again to another instance or after the restart'));
    if (!worker) return Promise.reject(new UnavailableError('the ingest writer is restarting; send the batch again shortly', { retryAfterMs: this.backoff.delayMs() }));
    const id = this.nextId++;
    const message: ToThread = { type: 'ingest', id, request: { ...request, body: this.handOver(request.body) } };
    return new Promise<Written>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, timing });
      const body = message.request.body;
      worker.postMessage(message, 'raw' in body ? [body.raw.buffer as ArrayBuffer] : []);
      timing?.mark('post');
    });
  };

  /** Lets the batches handed over finish and commit, then closes the thread's store and ends it. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.pending.size) await new Promise<void>((r) => { this.drained = r; });
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.postMessage({ type: 'close' } satisfies ToThread);
    const stuck = setTimeout(() => void worker.terminate(), 10_000);
    await exited;
    clearTimeout(stuck);
  }

  /** Ends the thread at once, as a crash would (tests: what in-flight requests get, and the restart). */
  async kill(): Promise<void> {
    await this.worker?.terminate();
  }

  /**
   * The body's bytes in an ArrayBuffer of their own, to transfer: a large body already has one; a small one
   * shares Node's buffer pool, whose other bytes must neither be sent nor detached, so it is copied.
   */
  private handOver(body: IngestRequest['body']): IngestRequest['body'] {
    if (!('raw' in body)) return body;
    const raw = body.raw;
    const own = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength && !(raw.buffer instanceof SharedArrayBuffer);
    return { raw: own ? raw : Uint8Array.prototype.slice.call(raw) };
  }

  private spawn(): Promise<void> {
    // Replies the thread posted against those this loop took: one waiting makes this loop's turns end early (urgent.ts).
    const repliesPosted = new SharedArrayBuffer(4);
    const posted = new Int32Array(repliesPosted);
    let taken = 0;
    const settings: ThreadSettings = {
      entry, repliesPosted, file: this.opts.file, synchronous: this.opts.synchronous, limits: this.opts.limits,
      maxRetireShare: this.opts.maxRetireShare, idempotencyTtlMs: this.opts.idempotencyTtlMs, busyTimeoutMs: this.opts.busyTimeoutMs, nice: this.opts.nice,
      // A thread started again listens where the first one did (collectors are pointed at that port).
      ...(this.opts.listen ? { listen: { ...this.opts.listen, port: this.boundPort ?? this.opts.listen.port } } : {}),
    };
    const young = this.opts.youngGenerationMb;
    const worker = new Worker(boot, { workerData: settings, name: 'servicegraph ingest writer', ...(young ? { resourceLimits: { maxYoungGenerationSizeMb: young } } : {}) });
    this.worker = worker;
    this.ready = false;
    let lastError: Error | null = null;
    // Both counted as 32-bit integers, which wrap alike (a JS number would not after 2^31 replies, and read one waiting ever after).
    const unurgent = addUrgentSource(() => Atomics.load(posted, 0) !== taken);
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromThread) => {
        if (m.type === 'committed') {
          // Committed from the thread's own listener, which answered it: the feed hears of it as of any other.
          this.opts.feed.offer(m.event);
        } else if (m.type === 'observed') {
          this.opts.observe?.(...m.observed);
        } else if (m.type === 'observed-http') {
          this.opts.observeHttp?.(...m.observed);
        } else if (m.type === 'ready') {
          this.boundPort = m.port;
          // Said once: a thread started again is refused for the same reason.
          if ('error' in m.priority && !(this.takenPriority && 'error' in this.takenPriority)) {
            this.opts.log(`SERVICEGRAPH_INGEST_THREAD_NICE: the ingest writer thread runs at nice ${m.priority.nice}, not ${this.opts.nice} (${m.priority.error}); batches under read load take longer`);
          }
          this.takenPriority = m.priority;
          this.ready = true;
          this.backoff.succeeded();
          resolve();
        } else if (m.type === 'reply') {
          taken = (taken + 1) | 0;
          this.settle(m);
          // The reply went out in this turn (its route resumed in microtasks): the priority lent for it is given back.
          // (Not while another reply waits: the thread lent it for that one too.)
          if (this.lendsPriority) setImmediate(() => { if (Atomics.load(posted, 0) === taken) giveBack(this.ownNice); });
        }
      });
      worker.on('error', (e) => { lastError = e; });
      worker.once('exit', (code) => {
        const wasReady = this.ready;
        unurgent();
        // It may have lent its priority for a reply that never came.
        if (this.lendsPriority) giveBack(this.ownNice);
        this.worker = null;
        this.ready = false;
        const why = lastError ? lastError.message : `it exited with code ${code}`;
        // Whatever it had not answered was cut off: its transaction, if open, ended with the connection.
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(new UnavailableError(`the ingest writer stopped before answering (${why}); the batch may not have been written: send it again (with an Idempotency-Key it is applied once)`));
        }
        this.drained?.();
        if (this.closing) return;
        this.backoff.failed(`the thread ended: ${why}`);
        if (!wasReady) reject(lastError ?? new Error(`the ingest writer thread ended before its store was open (${why})`));
        this.restartTimer = setTimeout(() => {
          this.restartTimer = null;
          // A start that fails is reported by its own exit, which schedules the next attempt.
          if (!this.closing) this.spawn().catch(() => undefined);
        }, this.backoff.delayMs());
        this.restartTimer.unref();
      });
    });
  }

  private settle(m: Extract<FromThread, { type: 'reply' }>): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    p.timing?.markWithin('handover', { queue: m.ms.queued, write: m.ms.served });
    if (m.ok) {
      // Committed on the thread: the feed hears of it as from the in-process writer (delivered after the reply by default).
      if (m.event) this.opts.feed.offer(m.event);
      p.resolve(m.written);
    } else {
      p.reject(threadErrorToError(m.error));
    }
    if (this.pending.size === 0) this.drained?.();
  }
}
