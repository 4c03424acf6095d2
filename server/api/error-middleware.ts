import type { NextFunction, Request, Response } from 'express';
import { ServiceError } from '../ingest/errors.ts';

/** The one place where errors become HTTP: `{error: {code, message, details}}` with the right status. */
export function errorMiddleware(err: unknown, req: Request, res: Response, _next: NextFunction) {
  if (err instanceof ServiceError) {
    res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } });
    return;
  }
  const e = err as { type?: string; status?: number; limit?: number; message?: string };
  if (e?.type === 'entity.too.large') {
    res.status(413).json({ error: { code: 'too_large', message: `request body exceeds the limit of ${e.limit} bytes; send smaller batches`, details: { limit: e.limit } } });
    return;
  }
  if (e?.type === 'entity.parse.failed') {
    res.status(400).json({ error: { code: 'invalid_json', message: `request body is not valid JSON: ${e.message}` } });
    return;
  }
  // Other refusals of the body parsers (an unknown Content-Encoding, a bad charset, an aborted upload): their own 4xx.
  const h = err as { expose?: boolean; status?: number; type?: string; message?: string };
  if (h?.expose && typeof h.status === 'number' && h.status >= 400 && h.status < 500) {
    res.status(h.status).json({ error: { code: (h.type ?? 'bad_request').replace(/\W+/g, '_'), message: h.message ?? 'bad request' } });
    return;
  }
  // The request log (server/ops/request-log.ts) writes it with the request's line; without one, stderr.
  res.locals.err = err;
  if (req.id === undefined) console.error(err);
  res.status(500).json({ error: { code: 'internal', message: 'internal error; see the server log' } });
}
