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

const UTF8 = /^utf-?8$/i;

/**
 * For a route that reads its JSON body itself (the ingest route recognises a batch it has seen before by its
 * bytes, without parsing it): an `application/json` body in UTF-8 (up to `limit` bytes, inflated as the JSON
 * reader does) is left in `req.body` as its raw Buffer, to be parsed with `parseJsonBody`. A body in another
 * charset goes to `json` (the JSON reader above) and arrives parsed.
 */
export function rawJsonBodyReader(limit: number, json: RequestHandler): RequestHandler {
  const raw = express.raw({ type: 'application/json', limit });
  return (req: Request, res: Response, next: NextFunction) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1];
    (charset === undefined || UTF8.test(charset) ? raw : json)(req, res, next);
  };
}

/** A raw JSON body (rawJsonBodyReader) as the JSON reader would have parsed it: an object or array, no `__proto__` key. */
export function parseJsonBody(buf: Buffer): unknown {
  // As the JSON reader: no body at all reads as an empty object.
  if (buf.length === 0) return {};
  const text = buf.toString('utf8');
  // The JSON reader's strict mode: only an object or an array at the top.
  const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw new InputError(`request body is not valid JSON: ${first === undefined ? 'empty body' : 'the top level must be an object or an array'}`, undefined, 'invalid_json');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(`request body is not valid JSON: ${(e as Error).message}`, undefined, 'invalid_json');
  }
  if (buf.includes(PROTO) || buf.includes(ESCAPE)) {
    const path = protoKeyPath(value);
    if (path) throw new InputError('a key named __proto__ is not accepted', { problems: [{ path, code: 'reserved_key', message: 'the key __proto__ is reserved' }] });
  }
  return value;
}
