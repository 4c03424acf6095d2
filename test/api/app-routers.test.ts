import { describe, it, expect } from 'vitest';
import express, { Router } from 'express';
import { createServer } from 'node:http';
import { createApp } from '../../server/api/app.ts';
import { RouteTable } from '../../server/api/route-table.ts';

/**
 * A request reaches its route in the loop turn it arrived in, however many routers stand before it: Express leaves a
 * router whose last layer passed the request on (an error handler at its end) through setImmediate, one loop turn
 * per such router (server/api/app.ts, enterOnlyIfRouted). Under read load each such turn waited for a read slice.
 */
describe('routers a request passes by', () => {
  it('cost it no event-loop turn: the route runs in the turn the request arrived in', async () => {
    // Twelve route modules before the one asked for, each with an error handler of its own at its end (as the
    // OTLP router has), and root routers (as OTLP, ops and MCP are).
    const withErrorHandler = (t: RouteTable) => { t.router.use((err: unknown, _req: express.Request, _res: express.Response, next: express.NextFunction) => next(err)); return t; };
    const tables = Array.from({ length: 12 }, (_, i) => withErrorHandler(new RouteTable().route({ method: 'get', path: `/other-${i}`, summary: 'another', role: 'viewer' }, (_req, res) => { res.json({}); })));
    let turn = 0;
    let arrivedTurn = -1;
    const target = new RouteTable().route({ method: 'get', path: '/target', summary: 'the one', role: 'viewer' }, (_req, res) => { res.json({ arrivedTurn, turn }); });
    const app = createApp({
      bodyBytes: 1024, health: () => ({ status: 200, body: {} }),
      root: [{ router: Router().use('/mcp', (_req, res) => { res.json({}); }), operations: [] }, ...[0, 1].map((i) => withErrorHandler(new RouteTable('').route({ method: 'get', path: `/root-${i}`, summary: 'root', role: 'none' }, (_req, res) => { res.json({}); })))],
      api: [...tables, target],
      authenticate: (req, _res, next) => { arrivedTurn = turn; req.principal = { id: 't', role: 'admin' } as never; next(); },
    });
    app.use(express.json());
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    // Counts loop turns while the request is served.
    let ticking = true;
    const tick = () => { turn++; if (ticking) setImmediate(tick); };
    tick();
    try {
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const r = await fetch(`${base}/api/v1/target`);
      expect(r.status).toBe(200);
      const seen = await r.json() as { arrivedTurn: number; turn: number };
      expect(seen.turn - seen.arrivedTurn).toBe(0);
      // What no route matches still gets its 404, and a root router's route still answers.
      expect((await fetch(`${base}/api/v1/nothing`)).status).toBe(404);
      expect((await fetch(`${base}/root-1`)).status).toBe(200);
      expect((await fetch(`${base}/mcp`)).status).toBe(200);
    } finally {
      ticking = false;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
