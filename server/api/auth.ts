import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { roleRank, type Role, type TokenInfo } from '../model/records.ts';
import type { GraphStore } from '../store/port.ts';
import { NotAllowedError, UnauthenticatedError } from '../domain/errors.ts';
import { auditEntry } from './token-audit.ts';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => 'sg_' + randomBytes(24).toString('base64url');

declare module 'express-serve-static-core' {
  interface Request { principal?: TokenInfo }
}

/**
 * Stores a new token. `by` is who asked for it (null: the server itself, for the first start's admin), kept in
 * the admin audit trail with it; `audited: false` for a rotation's new token, whose entry the rotation writes.
 */
export async function issueToken(
  store: GraphStore, name: string, role: Role, by: TokenInfo | null,
  opts: { value?: string; team?: string | null; expiresAt?: string | null; audited?: boolean } = {},
): Promise<{ token: string; info: TokenInfo }> {
  const value = opts.value ?? newToken();
  const info: TokenInfo = { id: 'tok-' + randomBytes(6).toString('base64url'), name, role, createdAt: new Date().toISOString(), team: opts.team ?? null, expiresAt: opts.expiresAt ?? null, lastUsedAt: null };
  await store.createToken({ ...info, hash: hashToken(value) }, opts.audited === false ? undefined : auditEntry('token.created', by, info, info.createdAt));
  return { token: value, info };
}

export function bearerOf(req: Request): string | undefined {
  return bearerToken(req.headers.authorization);
}

/**
 * The token of an `Authorization: Bearer <token>` header or gRPC metadata value. The scheme is
 * case-insensitive (RFC 9110 §11.1): `bearer …`, as hand-written exporter headers often have it, works too.
 */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^bearer[ \t]+(.+?)[ \t]*$/i.exec(header);
  return m?.[1];
}

/** Whether a token may be used at `now`: it has no expiry, or its expiry is still ahead. */
export const tokenValidAt = (info: Pick<TokenInfo, 'expiresAt'>, now: number) => !info.expiresAt || Date.parse(info.expiresAt) > now;

/** How long a looked-up token is trusted without asking the store again: another API worker's revocation reaches this one within it. */
export const TOKEN_CACHE_MS = 5_000;
/** `lastUsedAt` is written at most this often per token, so a busy collector does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

export interface TokenAuth {
  /** Express middleware: resolves the bearer token (headers only) to `req.principal`, or a 401. */
  authenticate: RequestHandler;
  /** The token behind a secret if it exists and has not expired (HTTP, gRPC metadata and the live hub alike). */
  resolve(secret: string): Promise<TokenInfo | null>;
  /** Forget a revoked token at once (this process; others within TOKEN_CACHE_MS). */
  forget(id: string): void;
}

/** Token authentication: only the hash is ever looked up or stored; expiry checked on every use; last use recorded. */
export function createTokenAuth(store: GraphStore, opts: { now?: () => number; log?: (line: string) => void } = {}): TokenAuth {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { info: TokenInfo; at: number }>();
  const touched = new Map<string, number>();
  const touch = (info: TokenInfo) => {
    const t = now();
    if (t - (touched.get(info.id) ?? 0) < TOUCH_EVERY_MS) return;
    touched.set(info.id, t);
    // Bookkeeping: a failed write must not fail the request, nor become an unhandled rejection.
    store.touchToken(info.id, new Date(t).toISOString()).catch((e: unknown) => (opts.log ?? console.error)(`tokens: could not record the last use of ${info.id}: ${(e as Error)?.message ?? e}`));
  };
  async function resolve(secret: string): Promise<TokenInfo | null> {
    const hash = hashToken(secret);
    const hit = cache.get(hash);
    let info = hit && now() - hit.at < TOKEN_CACHE_MS ? hit.info : null;
    if (!info) {
      info = await store.findToken(hash);
      if (info) cache.set(hash, { info, at: now() }); else cache.delete(hash);
      // Bounded: entries of tokens no longer presented age out.
      if (cache.size > 10_000) for (const [k, v] of cache) if (now() - v.at >= TOKEN_CACHE_MS) cache.delete(k);
    }
    if (!info || !tokenValidAt(info, now())) return null;
    touch(info);
    return info;
  }
  return {
    resolve,
    forget(id) {
      for (const [hash, v] of cache) if (v.info.id === id) cache.delete(hash);
      touched.delete(id);
    },
    authenticate: async (req: Request, _res: Response, next: NextFunction) => {
      try {
        const token = bearerOf(req);
        if (!token) throw new UnauthenticatedError('send Authorization: Bearer <token>');
        const info = await resolve(token);
        if (!info) throw new UnauthenticatedError('unknown, revoked or expired token');
        req.principal = info;
        next();
      } catch (e) { next(e); }
    },
  };
}

/**
 * Roles are ordered (viewer < collector < change-manager < admin) except that a collector may
 * only ingest: it reads nothing, so a leaked collector token does not expose the estate.
 */
export function roleProblem(p: TokenInfo, role: Role): NotAllowedError | null {
  if (p.role === 'collector' && role !== 'collector') return new NotAllowedError('a collector token may only ingest');
  if (roleRank[p.role] < roleRank[role]) return new NotAllowedError(`this needs the ${role} role; the token has ${p.role}`);
  return null;
}

/**
 * The JSON body reader the app configured (its size limit); `requireRole` runs it only after the caller
 * is known to be allowed, so an anonymous or under-privileged sender never costs a parse.
 */
export const BODY_READER = 'servicegraph.readBody';
/** The raw JSON body reader (json-body.ts, rawJsonBodyReader), for routes that parse their body themselves. */
export const RAW_BODY_READER = 'servicegraph.readRawBody';

/**
 * Roles are ordered (viewer < collector < change-manager < admin) except that a collector may
 * only ingest: it reads nothing, so a leaked collector token does not expose the estate.
 * Once the role holds, `allowed` runs (if given), then the request body (if any) is read and parsed.
 */
export function requireRole(role: Role, rawBody = false, allowed?: (req: Request, res: Response) => void): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const p = req.principal;
    if (!p) return next(new UnauthenticatedError('send Authorization: Bearer <token>'));
    const refused = roleProblem(p, role);
    if (refused) return next(refused);
    // The caller is allowed: what the route does then, before its body is read (a write's priority).
    allowed?.(req, res);
    const read = req.app.locals[rawBody ? RAW_BODY_READER : BODY_READER] as RequestHandler | undefined;
    if (!read) return next();
    read(req, res, next);
  };
}
