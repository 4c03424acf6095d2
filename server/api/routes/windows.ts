import { Router } from 'express';
import { z } from 'zod';
import { requireRole } from '../auth.ts';
import { isoTime, parseBody, parseQuery } from '../validate.ts';
import { WindowInput, WindowKind } from '../../model/changes.ts';
import type { ChangeService } from '../../impact/change-service.ts';

export const WindowListQuery = z.object({ kind: WindowKind.optional(), activeAt: isoTime.optional() });

/** Maintenance and blackout windows, global or per service. */
export function windowRoutes(changes: ChangeService): Router {
  const r = Router();
  r.post('/windows', requireRole('change-manager'), async (req, res) => {
    res.status(201).json(await changes.createWindow(parseBody(WindowInput, req), req.principal!.name));
  });
  r.get('/windows', requireRole('viewer'), async (req, res) => {
    res.json({ items: await changes.listWindows(parseQuery(WindowListQuery, req)) });
  });
  return r;
}
