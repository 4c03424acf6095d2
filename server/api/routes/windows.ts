import { z } from 'zod';
import { RouteTable, type ApiRoutes } from '../route-table.ts';
import { isoTime, parseBody, parseQuery } from '../validate.ts';
import { WindowInput, WindowKind, WindowRecord } from '../../model/changes.ts';
import type { ChangeService } from '../../impact/change-service.ts';

export const WindowListQuery = z.object({ kind: WindowKind.optional(), activeAt: isoTime.optional() });

/** Maintenance and blackout windows, global or per service. */
export function windowRoutes(changes: ChangeService): ApiRoutes {
  return new RouteTable()
  .route({ method: 'post', path: '/windows', summary: 'Create a maintenance or blackout window, global or per service', role: 'change-manager', body: WindowInput, status: 201, response: WindowRecord }, async (req, res) => {
    res.status(201).json(await changes.createWindow(parseBody(WindowInput, req), req.principal!.name));
  })
  .route({ method: 'get', path: '/windows', summary: 'Maintenance and blackout windows', role: 'viewer', query: WindowListQuery, response: z.object({ items: z.array(WindowRecord) }) }, async (req, res) => {
    res.json({ items: await changes.listWindows(parseQuery(WindowListQuery, req)) });
  });
}
