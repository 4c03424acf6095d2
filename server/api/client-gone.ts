import type { Request, Response } from 'express';
import { HttpError } from './http-error.ts';

/**
 * Aborted when the client closes the connection before its answer was sent, so a long read can stop rather
 * than finish for nobody. The reason is nginx's 499 ("client closed request"): the request log records it,
 * and the reply it would carry goes nowhere.
 */
export function clientGone(req: Request, res: Response): AbortSignal {
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ac.abort(new HttpError(499, 'client_closed', `the client closed the connection before the answer to ${req.method} ${req.path}`));
  });
  return ac.signal;
}
