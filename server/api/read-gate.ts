import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ServerTiming } from '../ops/server-timing.ts';
import { turnOver } from '../live/urgent.ts';

/**
 * Reads take turns with everything else on the event loop. Each read handler (the routes a viewer may call:
 * maps, impact, paths, diffs, lists) is queued and run in arrival order, started from a setImmediate, for at
 * most `sliceMs` of a loop turn; then the loop polls before the next reads. So a write's next step (its
 * request, a body chunk, the writer thread's reply) waits for one slice, not for every read that became ready
 * in the same turn (at 1,000+ reads a second that was tens of milliseconds per step, several steps per batch).
 *
 * Within a slice, the next read starts from a microtask queued after the one before it: a handler's work goes
 * on in promise callbacks that run once its first synchronous part returns, and those are counted in the slice
 * (the time is the wall clock since the slice began), so a slice ends after about `sliceMs` plus one read.
 */
export class ReadGate {
  private queue: (NextFunction | undefined)[] = [];
  private head = 0;
  private scheduled = false;
  private sliceStart = 0;
  /** Writes-first (`writeFirstMs` > 0): the writes in flight, each granted a hold once at most. */
  private readonly holds = new Set<{ granted: boolean }>();
  /** When the current hold began (performance.now()), or null: reads are not held. */
  private heldSince: number | null = null;
  /** Milliseconds of reads owed before the next hold is granted (reads' share of the loop between holds). */
  private owedMs = 0;
  /** The next slice is waiting for a hold to end (its release or its bound). */
  private parked = false;
  private expiry: NodeJS.Timeout | null = null;
  private readonly sliceMs: number;
  private readonly writeFirstMs: number;
  private readonly onError: (e: unknown) => void;

  /**
   * `sliceMs`: the longest run of reads per loop turn. `writeFirstMs` (0: off): the longest a write in flight holds
   * new reads back (see `hold`). `onError`: what a read's start threw past Express (which catches its handlers' own
   * errors); the queue goes on.
   */
  constructor(sliceMs: number, opts: { writeFirstMs?: number; onError?: (e: unknown) => void } | ((e: unknown) => void) = {}) {
    const o = typeof opts === 'function' ? { onError: opts } : opts;
    this.sliceMs = sliceMs;
    this.writeFirstMs = o.writeFirstMs ?? 0;
    this.onError = o.onError ?? (() => {});
  }

  /** Express middleware: the request's handler runs in its turn. */
  readonly admit: RequestHandler = (_req: Request, _res: Response, next: NextFunction) => {
    this.queue.push(next);
    if (!this.scheduled) { this.scheduled = true; setImmediate(this.startSlice); }
  };

  /** Reads waiting for their turn. */
  get waiting(): number { return this.queue.length - this.head; }

  /** Whether new reads are held back for a write now. */
  get held(): boolean { return this.heldSince !== null; }

  /**
   * Writes first: from now until `release` (its reply went out), no new read starts, so the event loop is free for
   * the write's steps (its body, the hand-over to the writer thread, its answer, the reply) and a core is free for
   * the writer thread. Bounded, so that readers are never starved by a collector sending batches back to back:
   * a hold lasts at most `writeFirstMs` (writes arriving meanwhile share it, they do not extend it), and once it
   * ends the reads waiting get as much time as it lasted (or until none wait) before the next hold begins. A write
   * arriving meanwhile goes on without holding until then. `release` may be called more than once.
   */
  hold(): () => void {
    if (this.writeFirstMs <= 0) return () => {};
    const h = { granted: false };
    this.holds.add(h);
    if (this.waiting === 0 && !this.parked) this.owedMs = 0;
    this.grant();
    return () => {
      if (!this.holds.delete(h)) return;
      if (h.granted && this.heldSince !== null && ![...this.holds].some((o) => o.granted)) this.endHold();
    };
  }

  /** Starts a hold for the writes waiting for one, when reads are owed nothing. */
  private grant(): void {
    if (this.heldSince !== null) {
      // Joins the hold in progress, without extending it.
      for (const h of this.holds) h.granted = true;
      return;
    }
    if (this.owedMs > 0 || ![...this.holds].some((h) => !h.granted)) return;
    this.heldSince = performance.now();
    for (const h of this.holds) h.granted = true;
    this.expiry = setTimeout(this.endHold, this.writeFirstMs);
    this.expiry.unref();
  }

  /** The hold ends (its writes replied, or its bound passed): reads are owed as long as it lasted, and go on. */
  private readonly endHold = () => {
    if (this.heldSince === null) return;
    if (this.expiry) { clearTimeout(this.expiry); this.expiry = null; }
    this.owedMs = Math.min(performance.now() - this.heldSince, this.writeFirstMs);
    this.heldSince = null;
    // Writes still in flight keep their one hold spent; only later ones may hold again.
    if (this.parked) { this.parked = false; setImmediate(this.startSlice); }
    else if (this.waiting === 0) this.owedMs = 0;
  };

  private readonly startSlice = () => {
    if (this.heldSince !== null) { this.parked = true; return; }
    this.sliceStart = performance.now();
    this.runOne();
  };

  /** A slice ended after running reads for `ms`: that much of their share is paid (all of it when none wait). */
  private paid(ms: number): void {
    this.owedMs = this.waiting === 0 ? 0 : this.owedMs - ms;
    if (this.owedMs <= 0) { this.owedMs = 0; this.grant(); }
  }

  private readonly runOne = () => {
    const next = this.queue[this.head]!;
    this.queue[this.head++] = undefined;
    if (this.head === this.queue.length) { this.queue = []; this.head = 0; }
    else if (this.head > 1024 && this.head * 2 > this.queue.length) { this.queue = this.queue.slice(this.head); this.head = 0; }
    // Express's next runs the handler and routes what it throws to the error middleware. Should anything still
    // throw here, the reads behind it must not wait forever for a slice nobody scheduled.
    try { next(); } catch (e) { this.onError(e); }
    const now = performance.now();
    const ran = now - this.sliceStart;
    if (this.waiting === 0) { this.scheduled = false; if (this.owedMs > 0 || this.holds.size) this.paid(ran); }
    // The slice ends early while a write waits on this loop (urgent.ts): its step runs before the next reads.
    else if (!turnOver(this.sliceStart, now, this.sliceMs) && this.heldSince === null) queueMicrotask(this.runOne);
    else { if (this.owedMs > 0) this.paid(ran); setImmediate(this.startSlice); }
  };
}

/** Where the app keeps its gate (app.locals), for RouteTable's read routes. */
export const READ_GATE = 'servicegraph.readGate';

/** For a read route: waits for the app's gate when it has one (SERVICEGRAPH_READ_SLICE_MS), else goes on. */
export const gateRead: RequestHandler = (req, res, next) => {
  const gate = req.app.locals[READ_GATE] as ReadGate | undefined;
  if (gate) gate.admit(req, res, next);
  else next();
};

/** Where the app keeps when a request arrived (res.locals, performance.now()): the start of its Server-Timing. */
export const ARRIVED = 'servicegraph.arrived';
/** Where a write that goes first keeps its Server-Timing (res.locals). */
export const TIMING = 'servicegraph.timing';

/**
 * For a write whose caller is allowed (RouteTable's `writeFirst` operations, ingest): the app's gate holds new reads
 * until its reply went out (or the connection closed), and its stages are timed from its arrival (`TIMING`).
 */
export function writeFirst(req: Request, res: Response): void {
  const timing = new ServerTiming((res.locals[ARRIVED] as number | undefined) ?? performance.now());
  timing.mark('auth');
  res.locals[TIMING] = timing;
  const gate = req.app.locals[READ_GATE] as ReadGate | undefined;
  if (!gate) return;
  const release = gate.hold();
  res.once('finish', release);
  res.once('close', release);
}

/** The Server-Timing of a write that goes first, if it is one. */
export const timingOf = (res: Response): ServerTiming | undefined => res.locals[TIMING] as ServerTiming | undefined;

/** Where the app keeps what says whether the projection has caught up with this process's writes (app.locals). */
export const CATCH_UP = 'servicegraph.catchUp';

/**
 * For every route but ingest: a request that arrives after an ingest reply went out waits until that batch's
 * event reached the projection, caches and live hub (ChangeFeed.offerAfterReply delivers it in the next loop
 * turns), so it reads its writes. Usually nothing is pending and it goes on at once.
 */
export const awaitCatchUp: RequestHandler = (req, _res, next) => {
  const caughtUp = req.app.locals[CATCH_UP] as (() => Promise<void> | null) | undefined;
  const pending = caughtUp?.();
  if (pending) void pending.then(() => next());
  else next();
};
