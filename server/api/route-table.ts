import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Operation } from './openapi.ts';
import { requireRole } from './auth.ts';
import { awaitCatchUp, gateRead, writeFirst } from './read-gate.ts';

type Handler = (req: Request, res: Response, next: NextFunction) => unknown;

/**
 * A route module's routes and their OpenAPI operations, declared together so neither exists without
 * the other: `route(op, handler)` mounts the handler behind the operation's role check (which reads
 * the body only once the role is known to be allowed) and lists the operation in the document, which
 * the fuzz suite (test/api/fuzz.test.ts) turns into requests. Paths are relative to `base`.
 */
export class RouteTable {
  readonly router = Router();
  readonly operations: Operation[] = [];

  /** `before` runs ahead of the role check: routes outside /api/v1 authenticate there (OTLP's /v1/traces). */
  constructor(private readonly base = '/api/v1', private readonly before: RequestHandler[] = []) {}

  /** `handlers` run after the role check: the handler, or middleware (another body reader) then the handler. */
  route(op: Operation, ...handlers: Handler[]): this {
    this.operations.push({ ...op, path: this.base + op.path });
    // A write that goes first holds new reads back from the moment its caller is allowed (read-gate.ts, writeFirst).
    const guard = op.role === 'none' ? [] : [requireRole(op.role, op.rawBody, op.writeFirst ? writeFirst : undefined)];
    // What a viewer may call reads: it takes its turn on the event loop (read-gate.ts), writes do not wait for it.
    const gate = op.role === 'viewer' ? [gateRead] : [];
    // Every route reads what this process's writes answered before it arrived (read-gate.ts, awaitCatchUp). A read
    // checks when its turn comes, not when it arrives: queued behind other reads, it could otherwise start while a
    // large event is applied to the projection over several turns, and see part of a batch.
    const fresh = op.role === 'none' || op.catchUp === false ? [] : [awaitCatchUp];
    this.router[op.method](op.path, ...this.before, ...guard, ...gate, ...fresh, ...(handlers as RequestHandler[]));
    return this;
  }
}

/** What every route factory returns: a router to mount and the operations it serves. */
export interface ApiRoutes {
  router: Router;
  operations: readonly Operation[];
}
