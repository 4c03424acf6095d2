import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { roleRank, type Role, type TokenInfo } from '../model/records.ts';
import type { GraphStore } from '../store/port.ts';
import { NotAllowedError, UnauthenticatedError } from '../domain/errors.ts';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => 'sg_' + randomBytes(24).toString('base64url');

declare module 'express-serve-static-core' {
  interface Request { principal?: TokenInfo }
}

export async function issueToken(store: GraphStore, name: string, role: Role, value = newToken(), team: string | null = null): Promise<{ token: string; info: TokenInfo }> {
  const info: TokenInfo = { id: 'tok-' + randomBytes(6).toString('base64url'), name, role, createdAt: new Date().toISOString(), team };
  await store.createToken({ ...info, hash: hashToken(value) });
  return { token: value, info };
}

export function bearerOf(req: Request): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  return undefined;
}

/** A token's principal by its hash (cached for 30 s), or null; for HTTP and for gRPC metadata alike. */
export function tokenResolver(store: GraphStore): (token: string) => Promise<TokenInfo | null> {
  const cache = new Map<string, { info: TokenInfo; at: number }>();
  return async (token) => {
    const hash = hashToken(token);
    const hit = cache.get(hash);
    if (hit && Date.now() - hit.at < 30_000) return hit.info;
    const info = await store.findToken(hash);
    if (info) cache.set(hash, { info, at: Date.now() });
    return info;
  };
}

/** Resolves the bearer token to a principal from the headers alone; only the hash is ever looked up or stored. */
export function authenticate(store: GraphStore): RequestHandler {
  const resolve = tokenResolver(store);
  return async (req: Request, _res: Response, next: NextFunction) => {
    try {
      const token = bearerOf(req);
      if (!token) throw new UnauthenticatedError('send Authorization: Bearer <token>');
      const info = await resolve(token);
      if (!info) throw new UnauthenticatedError('unknown token');
      req.principal = info;
      next();
    } catch (e) { next(e); }
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

/**
 * Roles are ordered (viewer < collector < change-manager < admin) except that a collector may
 * only ingest: it reads nothing, so a leaked collector token does not expose the estate.
 * Once the role holds, the request body (if any) is read and parsed.
 */
export function requireRole(role: Role): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const p = req.principal;
    if (!p) return next(new UnauthenticatedError('send Authorization: Bearer <token>'));
    const refused = roleProblem(p, role);
    if (refused) return next(refused);
    const read = req.app.locals[BODY_READER] as RequestHandler | undefined;
    if (!read) return next();
    read(req, res, next);
  };
}
