import { Router } from 'express';
import { z } from 'zod';
import { Role } from '../../model/records.ts';
import { issueToken, requireRole } from '../auth.ts';
import { parseBody } from '../validate.ts';
import type { ApiContext } from '../context.ts';

export const CreateTokenBody = z.strictObject({ name: z.string().min(1).max(100), role: Role });

export function tokenRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.post('/tokens', requireRole('admin'), async (req, res) => {
    const body = parseBody(CreateTokenBody, req);
    const { token, info } = await issueToken(ctx.store, body.name, body.role);
    res.status(201).json({ token, ...info });
  });
  r.get('/whoami', requireRole('viewer'), (req, res) => { res.json(req.principal); });
  return r;
}
