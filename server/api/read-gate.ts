import type { NextFunction, Request, RequestHandler, Response } from 'express';

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

  /** `onError`: what a read's start threw past Express (which catches its handlers' own errors); the queue goes on. */
  constructor(private readonly sliceMs: number, private readonly onError: (e: unknown) => void = () => {}) {}

  /** Express middleware: the request's handler runs in its turn. */
  readonly admit: RequestHandler = (_req: Request, _res: Response, next: NextFunction) => {
    this.queue.push(next);
    if (!this.scheduled) { this.scheduled = true; setImmediate(this.startSlice); }
  };

  /** Reads waiting for their turn. */
  get waiting(): number { return this.queue.length - this.head; }

  private readonly startSlice = () => {
    this.sliceStart = performance.now();
    this.runOne();
  };

  private readonly runOne = () => {
    const next = this.queue[this.head]!;
    this.queue[this.head++] = undefined;
    if (this.head === this.queue.length) { this.queue = []; this.head = 0; }
    else if (this.head > 1024 && this.head * 2 > this.queue.length) { this.queue = this.queue.slice(this.head); this.head = 0; }
    // Express's next runs the handler and routes what it throws to the error middleware. Should anything still
    // throw here, the reads behind it must not wait forever for a slice nobody scheduled.
    try { next(); } catch (e) { this.onError(e); }
    if (this.waiting === 0) this.scheduled = false;
    else if (performance.now() - this.sliceStart < this.sliceMs) queueMicrotask(this.runOne);
    else setImmediate(this.startSlice);
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
