import { Router } from 'express';
import { z } from 'zod';
import { Role } from '../../model/records.ts';
import { issueToken, requireRole } from '../auth.ts';
import { parseBody } from '../validate.ts';
import type { ApiContext } from '../context.ts';

export const CreateTokenBody = z.strictObject({
  name: z.string().min(1).max(100),
  role: Role,
  team: z.string().min(1).max(100).optional().describe('bind the token to a team: a change manager approves changes for that team only'),
});

export function tokenRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.post('/tokens', requireRole('admin'), async (req, res) => {
    const body = parseBody(CreateTokenBody, req);
    const { token, info } = await issueToken(ctx.store, body.name, body.role, undefined, body.team ?? null);
    res.status(201).json({ token, ...info });
  });
  r.get('/whoami', requireRole('viewer'), (req, res) => { res.json(req.principal); });
  return r;
}
