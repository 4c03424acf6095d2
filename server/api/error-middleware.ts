import type { NextFunction, Request, Response } from 'express';
import { ServiceError } from '../ingest/errors.ts';

/** The one place where errors become HTTP: `{error: {code, message, details}}` with the right status. */
export function errorMiddleware(err: unknown, _req: Request, res: Response, _next: NextFunction) {
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
  console.error(err);
  res.status(500).json({ error: { code: 'internal', message: 'internal error; see the server log' } });
}
