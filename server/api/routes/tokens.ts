import { z } from 'zod';
import { AuditEntry, Role, TokenInfo } from '../../model/records.ts';
import { nameText } from '../../model/text.ts';
import type { GraphStore } from '../../store/port.ts';
import { issueToken } from '../auth.ts';
import { auditEntry, latestAudit } from '../token-audit.ts';
import { isoTime, parseBody, parseQuery } from '../validate.ts';
import { InputError, NotFoundError } from '../../domain/errors.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';

export const CreateTokenBody = z.strictObject({
  name: nameText(1, 100),
  role: Role,
  team: nameText(1, 100).optional().describe('bind the token to a team: a change manager approves changes for that team only'),
  expiresAt: isoTime.optional().describe('when the token stops working (an instant in the future)'),
  expiresInDays: z.number().positive().max(3650).optional().describe('or: how many days from now it stops working'),
});

/**
 * Tokens (admin): issue one (its secret is in this reply only), list them (never a secret or its hash),
 * rotate one (a new secret, same name/role/team/expiry, the old one revoked as below), revoke one (refused at once on every route of this process, within seconds on other API workers; live
 * connections that carry it are closed).
 */
export const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(200).describe('how many of the latest actions'),
});

export function tokenRoutes(deps: { store: GraphStore; revoked(id: string): void; now?: () => number }): ApiRoutes {
  const now = deps.now ?? Date.now;
  return new RouteTable()
    .route({ method: 'post', path: '/tokens', summary: 'Create an API token; the secret is in this reply only', role: 'admin', body: CreateTokenBody, status: 201, response: TokenInfo.extend({ token: z.string() }) }, async (req, res) => {
      const body = parseBody(CreateTokenBody, req);
      if (body.expiresAt && body.expiresInDays) throw new InputError('give expiresAt or expiresInDays, not both');
      const expiresAt = body.expiresAt ?? (body.expiresInDays ? new Date(now() + body.expiresInDays * 86_400_000).toISOString() : null);
      if (expiresAt && Date.parse(expiresAt) <= now()) throw new InputError('expiresAt is in the past', { problems: [{ path: ['expiresAt'], code: 'in_past', message: 'must be in the future' }] });
      const { token, info } = await issueToken(deps.store, body.name, body.role, req.principal!, { team: body.team ?? null, expiresAt });
      res.status(201).json({ token, ...info });
    })
    .route({ method: 'get', path: '/tokens', summary: 'Every token with its role, team, expiry and last use (never a secret)', role: 'admin', response: z.object({ items: z.array(TokenInfo) }) }, async (_req, res) => {
      res.json({ items: await deps.store.listTokens() });
    })
    .route({ method: 'delete', path: '/tokens/:id', summary: 'Revoke a token: refused at once, its live connections closed', role: 'admin', status: 204 }, async (req, res) => {
      const id = req.params.id as string;
      // An admin locking itself out by mistake would need a restart with SERVICEGRAPH_ADMIN_TOKEN to recover.
      if (id === req.principal!.id) throw new InputError('a token cannot revoke itself; revoke it with another admin token');
      const token = (await deps.store.listTokens()).find((t) => t.id === id);
      if (!token || !(await deps.store.revokeToken(id, auditEntry('token.revoked', req.principal!, token, new Date(now()).toISOString())))) throw new NotFoundError(`no token ${id}`);
      deps.revoked(id);
      res.status(204).end();
    })
    .route({ method: 'post', path: '/tokens/:id/rotate', summary: 'Rotate a token: a new secret for the same name, role, team and expiry (in this reply only); the old one is revoked at once, its live connections closed', role: 'admin', status: 201, response: TokenInfo.extend({ token: z.string(), replaces: z.string() }) }, async (req, res) => {
      const id = req.params.id as string;
      // Rotating the token this request carries would sign this very tab out half-way; like revoking, use another admin token.
      if (id === req.principal!.id) throw new InputError('a token cannot rotate itself; rotate it with another admin token');
      const old = (await deps.store.listTokens()).find((t) => t.id === id);
      if (!old) throw new NotFoundError(`no token ${id}`);
      if (old.expiresAt && Date.parse(old.expiresAt) <= now()) throw new InputError('the token has expired: a new one would expire at once; create a new token instead', { problems: [{ path: ['expiresAt'], code: 'expired', message: `expired at ${old.expiresAt}` }] });
      const { token, info } = await issueToken(deps.store, old.name, old.role, req.principal!, { team: old.team ?? null, expiresAt: old.expiresAt ?? null, audited: false });
      // Revoked after the new one is stored: a failure in between leaves the old secret working, never neither.
      // The rotation's one audit entry is written with the old token's end: it exists exactly when the rotation happened.
      if (!(await deps.store.revokeToken(id, auditEntry('token.rotated', req.principal!, old, new Date(now()).toISOString(), info.id)))) {
        // Someone revoked it meanwhile: the rotation did not happen, so the new secret must not live either.
        await deps.store.revokeToken(info.id);
        throw new NotFoundError(`no token ${id}`);
      }
      deps.revoked(id);
      res.status(201).json({ token, ...info, replaces: id });
    })
    .route({ method: 'get', path: '/audit', summary: 'Admin actions on tokens, newest first: who created, rotated or revoked which token, when (revoked tokens stay here)', role: 'admin', query: AuditQuery, response: z.object({ items: z.array(AuditEntry) }) }, async (req, res) => {
      res.json({ items: await latestAudit(deps.store, parseQuery(AuditQuery, req).limit) });
    })
    .route({ method: 'get', path: '/whoami', summary: 'The token this request carries (never its secret)', role: 'viewer', response: TokenInfo }, (req, res) => {
      res.json(req.principal);
    });
}
