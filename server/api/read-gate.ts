import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Reads take turns with everything else on the event loop. Each read handler (the routes a viewer may call:
 * maps, impact, paths, diffs, lists) is queued and run one per loop turn, in arrival order, from a setImmediate:
 * between two reads the loop polls, so a write's next step (its request, a body chunk, the writer thread's
 * reply) waits for at most one read, not for every read that became ready in the same turn (at 1,000+ reads
 * a second that was tens of milliseconds per step, several steps per batch).
 *
 * One read per turn, not a time budget: a handler's work continues in promise callbacks that run only once
 * the turn's callback returns, so a budget counted inside the turn would miss most of it. A turn of its own
 * costs a few microseconds against the hundreds a read takes.
 */
export class ReadGate {
  private queue: (NextFunction | undefined)[] = [];
  private head = 0;
  private scheduled = false;

  /** Express middleware: the request's handler runs in its turn. */
  readonly admit: RequestHandler = (_req: Request, _res: Response, next: NextFunction) => {
    this.queue.push(next);
    if (!this.scheduled) { this.scheduled = true; setImmediate(this.runOne); }
  };

  /** Reads waiting for their turn. */
  get waiting(): number { return this.queue.length - this.head; }

  private readonly runOne = () => {
    const next = this.queue[this.head]!;
    this.queue[this.head++] = undefined;
    if (this.head === this.queue.length) { this.queue = []; this.head = 0; }
    else if (this.head > 1024 && this.head * 2 > this.queue.length) { this.queue = this.queue.slice(this.head); this.head = 0; }
    if (this.waiting > 0) setImmediate(this.runOne);
    else this.scheduled = false;
    // Express's next runs the handler and routes what it throws to the error middleware.
    next();
  };
}

/** Where the app keeps its gate (app.locals), for RouteTable's read routes. */
export const READ_GATE = 'servicegraph.readGate';

/** For a read route: waits for the app's gate when it has one (SERVICEGRAPH_READ_GATE), else goes on. */
export const gateRead: RequestHandler = (req, res, next) => {
  const gate = req.app.locals[READ_GATE] as ReadGate | undefined;
  if (gate) gate.admit(req, res, next);
  else next();
};
