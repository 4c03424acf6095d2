import type { EncodedChangeEvent } from '../live/change-feed.ts';
import type { Limits } from '../model/limits.ts';
import type { IngestRequest } from './ingest-request.ts';
import type { ObserveIngest, Written } from './batch-writer.ts';
import type { ObserveHttp } from '../ops/metrics.ts';
import type { WriterPriority } from './writer-priority.ts';
import {
  ConflictError, DomainError, InputError, NotAllowedError, NotFoundError, TooLargeError, UnauthenticatedError, UnavailableError, UnprocessableError,
} from '../domain/errors.ts';

/**
 * The messages between the main thread and the ingest writer thread (ingest-thread.ts, ingest-thread-main.ts).
 * Everything crosses as structured-clone data; a request's body bytes are transferred, not copied.
 */

/** What the writer thread is started with (workerData). */
export interface ThreadSettings {
  /** The module the boot file (thread-boot.mjs) imports once the TypeScript loader is registered. */
  entry: string;
  file: string;
  synchronous: 'NORMAL' | 'FULL';
  limits: Limits;
  maxRetireShare: number;
  idempotencyTtlMs: number;
  /** How long the thread's connection waits for the write lock another connection holds (ms). */
  busyTimeoutMs: number;
  /**
   * A counter the thread adds one to after it posts each reply (an Int32Array over it): the main thread compares it
   * with the replies it has taken, to know that one waits without waiting for its loop (server/live/urgent.ts).
   */
  repliesPosted?: SharedArrayBuffer;
  /** Where the thread serves `POST /api/v1/ingest` itself (SERVICEGRAPH_INGEST_PORT), and its request log's level; absent: it does not listen. */
  listen?: { host: string; port: number; logLevel: string };
  /** The thread's nice value (SERVICEGRAPH_INGEST_THREAD_NICE; writer-priority.ts); absent or 0: the process's. */
  nice?: number;
}

export type ToThread =
  | { type: 'ingest'; id: number; request: IngestRequest }
  /** A token was revoked: the thread's listener forgets it at once (as the main thread's authenticator does). */
  | { type: 'forget'; tokenId: string }
  /** Finish what was sent, close the store, end. */
  | { type: 'close' };

export type FromThread =
  /** The store is open (and, when asked, the listener listens on `port`); the thread runs at `priority`. */
  | { type: 'ready'; port: number | null; priority: WriterPriority }
  /** A batch that came to the thread's own listener committed: its change event, for this process's change feed. */
  | { type: 'committed'; event: EncodedChangeEvent }
  /** What the batch writer reported to metrics (ObserveIngest's arguments). */
  | { type: 'observed'; observed: Parameters<ObserveIngest> }
  /** A request the thread's listener answered (ObserveHttp's arguments), for the HTTP metrics. */
  | { type: 'observed-http'; observed: Parameters<ObserveHttp> }
  | {
    type: 'reply'; id: number;
    /** The thread's own milliseconds: the request waited in its queue, then was served (the reply's Server-Timing). */
    ms: { queued: number; served: number };
  } & ({ ok: true; written: Written; /** The committed change event, for this process's change feed. */ event: EncodedChangeEvent | null } | { ok: false; error: ThreadError })
  | { type: 'closed' };

/** An error as it crosses: a domain error keeps its kind, code, message and details (the HTTP answer is the same). */
export interface ThreadError { kind: string; code?: string; message: string; details?: unknown; stack?: string }

/** Most specific first: an error is sent as the first kind it is an instance of. */
const kinds: [string, abstract new (...a: never[]) => DomainError][] = [
  ['InputError', InputError], ['NotFoundError', NotFoundError], ['ConflictError', ConflictError], ['UnprocessableError', UnprocessableError],
  ['NotAllowedError', NotAllowedError], ['UnauthenticatedError', UnauthenticatedError], ['TooLargeError', TooLargeError],
  ['UnavailableError', UnavailableError], ['DomainError', DomainError],
];

export function errorToThreadError(e: unknown): ThreadError {
  if (e instanceof DomainError) {
    const kind = kinds.find(([, k]) => e instanceof k)![0];
    return { kind, code: e.code, message: e.message, details: e.details };
  }
  const err = e as Error | undefined;
  return { kind: 'Error', message: String(err?.message ?? e), stack: err?.stack };
}

/** The error as thrown on the main thread: the same class, so the error middleware maps it as it always did. */
export function threadErrorToError(t: ThreadError): Error {
  const kind = kinds.find(([name]) => name === t.kind)?.[1];
  if (kind) {
    const e = new DomainError(t.code ?? 'invalid_input', t.message, t.details);
    Object.setPrototypeOf(e, kind.prototype);
    return e;
  }
  const e = new Error(`ingest writer thread: ${t.message}`);
  if (t.stack) e.stack = `${e.message}\n(on the writer thread) ${t.stack}`;
  return e;
}
