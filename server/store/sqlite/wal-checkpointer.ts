import { Worker } from 'node:worker_threads';
import { Backoff, type LoopStatus } from '../../live/supervision.ts';

/** What the checkpoint thread reports of its rounds (PRAGMA wal_checkpoint's answer, and how long it took). */
export interface CheckpointReport {
  rounds: number;
  lastAt: string | null;
  /** Frames in the WAL at the last round, and how many of them are in the database file. */
  walFrames: number;
  checkpointedFrames: number;
  lastMs: number;
  /** The longest round so far (the thread's time, never the event loop's). */
  maxMs: number;
  /** Rounds that found the WAL past its bound and restarted it (writers waited for those), and those that could not. */
  restarts: number;
  restartsBusy: number;
}

export interface CheckpointOptions {
  /** A round every this many ms. */
  intervalMs: number;
  /** Past this many WAL frames a round restarts the WAL (default 8,192: 64 MB of 8 KiB pages, SQLite's auto-checkpoint's size here before). */
  maxFrames?: number;
  /** How long a restart waits for the writer and the readers before giving up until the next round (default 1,000 ms). */
  restartWaitMs?: number;
  log?: (line: string) => void;
}

type FromThread = { type: 'done'; mode: 'passive' | 'restart'; busy: number; walFrames: number; checkpointed: number; ms: number }
  | { type: 'failed'; message: string } | { type: 'restart-wanted' } | { type: 'restarted' };

const thread = new URL('./checkpoint-thread.mjs', import.meta.url);

/**
 * Checkpoints a store file's WAL on a thread of its own (checkpoint-thread.mjs), every `intervalMs`, while the
 * connections that write it have SQLite's auto-checkpoint off: a commit on the main thread then never copies the
 * WAL into the database file with the event loop held. Supervised: a failed round or a crashed thread is counted,
 * logged once per streak and retried after a back-off (its LoopStatus is on /healthz), and the WAL grows meanwhile
 * exactly as it would with no checkpoint at all, which is why the rounds are frequent and PASSIVE.
 */
export class WalCheckpointer {
  private worker: Worker | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly backoff: Backoff;
  private readonly figures: CheckpointReport = { rounds: 0, lastAt: null, walFrames: 0, checkpointedFrames: 0, lastMs: 0, maxMs: 0, restarts: 0, restartsBusy: 0 };

  /** Settles the pause of the main connection's writes a restart asked for. */
  private restarted: (() => void) | null = null;

  constructor(private readonly opts: CheckpointOptions & {
    file: string;
    /** Runs `fn` with the main connection's writes paused (its store's mutex): a restart of the WAL runs inside. */
    exclusive: (fn: () => Promise<void>) => Promise<void>;
  }) {
    this.backoff = new Backoff('wal checkpoint', { baseMs: Math.max(1000, opts.intervalMs), maxMs: 60_000, log: opts.log });
    this.spawn();
  }

  status(): LoopStatus { return this.backoff.status(); }
  report(): CheckpointReport { return { ...this.figures }; }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const worker = this.worker;
    this.worker = null;
    this.restarted?.();
    if (!worker) return;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    // Held by it until it has closed its connection (unreferenced, a process with nothing else to do would end first).
    worker.ref();
    worker.postMessage({ type: 'close' });
    await exited;
  }

  /** The main connection's writes wait (on a promise, not blocking the loop) while the thread restarts the WAL. */
  private async restart(): Promise<void> {
    try {
      await this.opts.exclusive(() => new Promise<void>((resolve) => {
        if (!this.worker || this.closed) return resolve();
        this.restarted = resolve;
        this.worker.postMessage({ type: 'restart' });
      }));
    } catch (e) {
      this.backoff.failed(`restarting the WAL: ${(e as Error).message}`);
    }
  }

  private spawn(): void {
    const { file, intervalMs, maxFrames = 8192, restartWaitMs = 1000 } = this.opts;
    const worker = new Worker(thread, { workerData: { file, intervalMs, maxFrames, restartWaitMs }, name: 'servicegraph wal checkpoint' });
    // It must never keep a process alive that has nothing else to do.
    worker.unref();
    this.worker = worker;
    let lastError: Error | null = null;
    worker.on('message', (m: FromThread) => this.take(m));
    worker.on('error', (e) => { lastError = e; });
    worker.once('exit', (code) => {
      if (this.closed || this.worker !== worker) return;
      this.worker = null;
      this.restarted?.();
      this.backoff.failed(`the checkpoint thread stopped: ${lastError?.message ?? `exit code ${code}`}`);
      this.restartTimer = setTimeout(() => { this.restartTimer = null; if (!this.closed) this.spawn(); }, this.backoff.delayMs());
      this.restartTimer.unref();
    });
  }

  private take(m: FromThread): void {
    if (m.type === 'failed') { this.backoff.failed(m.message); return; }
    if (m.type === 'restart-wanted') { void this.restart(); return; }
    if (m.type === 'restarted') { this.restarted?.(); this.restarted = null; return; }
    const f = this.figures;
    f.rounds++;
    f.lastAt = new Date().toISOString();
    // -1 when the file is not in WAL mode (nothing to checkpoint).
    f.walFrames = Math.max(0, m.walFrames);
    f.checkpointedFrames = Math.max(0, m.checkpointed);
    f.lastMs = Math.round(m.ms * 10) / 10;
    f.maxMs = Math.max(f.maxMs, f.lastMs);
    if (m.mode === 'restart') { f.restarts++; if (m.busy) f.restartsBusy++; }
    this.backoff.succeeded();
  }
}
