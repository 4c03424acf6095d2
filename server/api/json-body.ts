import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { InputError } from '../domain/errors.ts';

/** An own `__proto__` key anywhere in a parsed body: its path, or null. */
function protoKeyPath(value: unknown, path: (string | number)[] = [], depth = 0): (string | number)[] | null {
  if (value === null || typeof value !== 'object' || depth > 64) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) { const p = protoKeyPath(value[i], [...path, i], depth + 1); if (p) return p; }
    return null;
  }
  if (Object.hasOwn(value, '__proto__')) return [...path, '__proto__'];
  for (const k of Object.keys(value)) { const p = protoKeyPath((value as Record<string, unknown>)[k], [...path, k], depth + 1); if (p) return p; }
  return null;
}

const PROTO = Buffer.from('__proto__');
const ESCAPE = Buffer.from('\\u');

/**
 * JSON bodies up to `limit` bytes. A key named `__proto__` is refused with a 400 naming where it is:
 * JSON.parse keeps it as an ordinary key, but most code that copies objects (zod's records, spreads into
 * `{}`) silently drops it or treats it as the prototype, so a value the client sent would vanish without
 * a word. The body is walked only when its text could hold such a key (the name, or a \u escape).
 */
export function jsonBodyReader(limit: number): RequestHandler {
  const parse = express.json({
    limit, strict: true,
    verify: (req, _res, buf) => { (req as Request & { mayHoldProto?: boolean }).mayHoldProto = buf.includes(PROTO) || buf.includes(ESCAPE); },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    parse(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (!(req as Request & { mayHoldProto?: boolean }).mayHoldProto) return next();
      const path = protoKeyPath(req.body);
      if (path) return next(new InputError('a key named __proto__ is not accepted', { problems: [{ path, code: 'reserved_key', message: 'the key __proto__ is reserved' }] }));
      next();
    });
  };
}
