import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { InputError } from '../domain/errors.ts';
import { HttpError } from './http-error.ts';
import { jsonDepthWithin, MAX_JSON_DEPTH } from './json-depth.ts';

/** An own `__proto__` key anywhere in a parsed body (nested at most MAX_JSON_DEPTH deep: checked first): its path, or null. */
function protoKeyPath(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) { const p = protoKeyPath(value[i], [...path, i]); if (p) return p; }
    return null;
  }
  if (Object.hasOwn(value, '__proto__')) return [...path, '__proto__'];
  for (const k of Object.keys(value)) { const p = protoKeyPath((value as Record<string, unknown>)[k], [...path, k]); if (p) return p; }
  return null;
}

const PROTO = Buffer.from('__proto__');
const ESCAPE = Buffer.from('\\u');

/**
 * The body's bytes as UTF-8, whatever Unicode charset it declared. The checks below read bytes: in UTF-16 the
 * name `__proto__` is not the bytes of `__proto__`, so a body is checked only once it is UTF-8. UTF-16 is
 * accepted (RFC 8259 once allowed it, and body-parser did); UTF-32 and UTF-7 are refused 415: no JSON client
 * sends them, and UTF-7 spells ASCII characters in other ASCII (`+AF8-` is `_`).
 */
function utf8Of(req: Request, body: Buffer): Buffer {
  const charset = (/;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1] ?? 'utf-8').toLowerCase();
  if (charset === 'utf-8' || charset === 'utf8') return body;
  let encoding: 'utf-16le' | 'utf-16be';
  if (charset === 'utf-16le') encoding = 'utf-16le';
  else if (charset === 'utf-16be') encoding = 'utf-16be';
  // Plain UTF-16 says its byte order by a byte order mark, little-endian without one.
  else if (charset === 'utf-16') encoding = body[0] === 0xfe && body[1] === 0xff ? 'utf-16be' : 'utf-16le';
  else throw new HttpError(415, 'unsupported_media_type', `a JSON body in charset ${charset} is not accepted; send UTF-8 (or UTF-16)`, { charset });
  return Buffer.from(new TextDecoder(encoding).decode(body), 'utf8');
}

/**
 * A JSON body as UTF-8 bytes (utf8Of) parsed: an object or an array, nested at most MAX_JSON_DEPTH deep, no `__proto__` key.
 * `depthChecked` when the caller already walked the bytes' brackets within that depth (json-members.ts).
 */
export function parseJsonBody(buf: Buffer, opts: { depthChecked?: boolean } = {}): unknown {
  // As express.json: no body at all reads as an empty object.
  if (buf.length === 0) return {};
  const text = buf.toString('utf8');
  // express.json's strict mode: only an object or an array at the top.
  const first = /^[\x20\x09\x0a\x0d]*(.)/.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw new InputError(`request body is not valid JSON: ${first === undefined ? 'empty body' : 'the top level must be an object or an array'}`, undefined, 'invalid_json');
  // Before JSON.parse builds it: every walk of the value after (the key check below, zod, copies) recurses, and a
  // body of a million brackets would run them out of stack (a 500) or hold the loop.
  if (!opts.depthChecked && !jsonDepthWithin(buf, MAX_JSON_DEPTH)) {
    throw new InputError(`request body nests deeper than ${MAX_JSON_DEPTH} levels`, { limit: MAX_JSON_DEPTH }, 'too_deep');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(`request body is not valid JSON: ${(e as Error).message}`, undefined, 'invalid_json');
  }
  // A key named `__proto__`: JSON.parse keeps it as an ordinary key, but most code that copies objects (zod's
  // records, spreads into `{}`) silently drops it or takes it for the prototype, so a value the client sent would
  // vanish without a word. The value is walked only when the bytes could spell it (the name, or a \u escape).
  if (buf.includes(PROTO) || buf.includes(ESCAPE)) {
    const path = protoKeyPath(value);
    if (path) throw new InputError('a key named __proto__ is not accepted', { problems: [{ path, code: 'reserved_key', message: 'the key __proto__ is reserved' }] });
  }
  return value;
}

/**
 * For a route that reads its JSON body itself (the ingest route recognises a batch it has seen before by its
 * bytes, without parsing it): an `application/json` body (up to `limit` bytes, inflated if compressed) is left in
 * `req.body` as its UTF-8 bytes, to be parsed with `parseJsonBody`.
 */
export function rawJsonBodyReader(limit: number): RequestHandler {
  const raw = express.raw({ type: 'application/json', limit });
  return (req: Request, res: Response, next: NextFunction) => {
    raw(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        if (Buffer.isBuffer(req.body)) req.body = utf8Of(req, req.body);
      } catch (e) {
        return next(e);
      }
      next();
    });
  };
}

/** JSON bodies up to `limit` bytes, parsed by `parseJsonBody` (its refusals are 400s naming what and where). */
export function jsonBodyReader(limit: number): RequestHandler {
  const raw = rawJsonBodyReader(limit);
  return (req: Request, res: Response, next: NextFunction) => {
    raw(req, res, (err?: unknown) => {
      if (err) return next(err);
      try {
        if (Buffer.isBuffer(req.body)) req.body = parseJsonBody(req.body);
      } catch (e) {
        return next(e);
      }
      next();
    });
  };
}
