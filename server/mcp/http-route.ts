import { Router, type Request, type RequestHandler, type Response, type NextFunction } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Limits } from '../model/limits.ts';
import { bearerOf, requireRole } from '../api/auth.ts';
import { httpApi } from './api-call.ts';
import { createMcpServer } from './mcp-server.ts';

/**
 * MCP over Streamable HTTP at /mcp, stateless: each POST carries one JSON-RPC message and gets its
 * answer as JSON. The bearer token is checked before the body is read, and its role decides which
 * tools exist; tool calls re-enter this same server's API with that token.
 */

/**
 * This server as the caller reached it: the local end of the caller's own connection is an address
 * the server listens on, whatever HOST binds to. Tool calls go through the API's HTTP edge with the
 * caller's token, so an agent gets exactly a person's answers, permissions, limits and errors.
 */
function selfUrl(req: Request): string {
  const { localAddress, localPort } = req.socket;
  const host = (localAddress ?? '127.0.0.1').replace(/^::ffff:(?=\d+\.)/, '');
  return `http://${host.includes(':') ? `[${host}]` : host}:${localPort}`;
}

export function mcpRoutes(deps: { authenticate: RequestHandler; limits: Limits; version: string }): Router {
  const r = Router();
  // The role check reads the JSON body once the caller is known (server/api/auth.ts).
  r.post('/', deps.authenticate, requireRole('viewer'), async (req: Request, res: Response, next: NextFunction) => {
    try {
      const server = createMcpServer({
        api: httpApi(selfUrl(req), bearerOf(req)!),
        role: req.principal!.role, maxReplyBytes: deps.limits.mcpReplyBytes, version: deps.version,
      });
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => { void transport.close(); void server.close(); });
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (e) { next(e); }
  });
  // Stateless: no server-to-client stream and no session to end (the specification's answer is 405).
  const notAllowed = (_req: Request, res: Response) => {
    res.status(405).set('allow', 'POST').json({ error: { code: 'method_not_allowed', message: 'this MCP endpoint is stateless: POST JSON-RPC messages to /mcp' } });
  };
  r.get('/', notAllowed);
  r.delete('/', notAllowed);
  return r;
}
