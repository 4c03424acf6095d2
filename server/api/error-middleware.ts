import type { NextFunction, Request, Response } from 'express';
import {
  ConflictError, DomainError, InputError, NotAllowedError, NotFoundError, TooLargeError, UnauthenticatedError, UnavailableError, UnprocessableError,
} from '../domain/errors.ts';
import { HttpError } from './http-error.ts';

/** The one place where a kind of domain error becomes an HTTP status. */
const statusOfDomain = (e: DomainError): number => {
  if (e instanceof InputError) return 400;
  if (e instanceof UnauthenticatedError) return 401;
  if (e instanceof NotAllowedError) return 403;
  if (e instanceof NotFoundError) return 404;
  if (e instanceof ConflictError) return 409;
  if (e instanceof TooLargeError) return 413;
  if (e instanceof UnprocessableError) return 422;
  if (e instanceof UnavailableError) return 503;
  return 400;
};

function send(res: Response, status: number, code: string, message: string, details?: unknown): void {
  if (res.headersSent) { res.destroy(); return; }
  res.status(status).json({ error: { code, message, ...(details !== undefined ? { details } : {}) } });
}

/** The status an error answers with (also for answers in other encodings, such as OTLP's protobuf). */
export function statusOf(err: unknown): number {
  if (err instanceof DomainError) return statusOfDomain(err);
  if (err instanceof HttpError) return err.status;
  if (err instanceof URIError) return 400;
  const e = err as { status?: number };
  return typeof e?.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : 500;
}

/** The one place where errors become HTTP: `{error: {code, message, details}}` with the right status. */
export function errorMiddleware(err: unknown, req: Request, res: Response, _next: NextFunction) {
  // A request refused before its body was read: close the connection rather than drain what the sender pushes.
  if (!req.complete && !req.readableEnded) res.setHeader('connection', 'close');
  if (err instanceof DomainError) return send(res, statusOfDomain(err), err.code, err.message, err.details);
  if (err instanceof HttpError) return send(res, err.status, err.code, err.message, err.details);
  const e = err as { type?: string; status?: number; expose?: boolean; limit?: number; message?: string };
  if (e?.type === 'entity.too.large') {
    return send(res, 413, 'too_large', `request body exceeds the limit of ${e.limit} bytes; send smaller batches`, { limit: e.limit });
  }
  if (e?.type === 'entity.parse.failed') return send(res, 400, 'invalid_json', `request body is not valid JSON: ${e.message}`);
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return send(res, 415, 'unsupported_media_type', e.message ?? 'unsupported encoding');
  // The router's and the body reader's own client errors (a path that is not valid percent-encoding,
  // an aborted or malformed body): their status says it is the client's.
  if (err instanceof URIError) return send(res, 400, 'invalid_path', 'the path is not valid percent-encoding');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return send(res, e.status, e.status === 400 && /decode param/i.test(e.message ?? '') ? 'invalid_path' : 'bad_request', e.message ?? 'bad request');
  }
  // The request log (server/ops/request-log.ts) writes it with the request's line; without one, stderr.
  res.locals.err = err;
  if (req.id === undefined) console.error(err);
  send(res, 500, 'internal', 'internal error; see the server log');
}
