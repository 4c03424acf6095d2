import { z } from 'zod';
import { Role, TokenInfo } from '../../model/records.ts';
import type { GraphStore } from '../../store/port.ts';
import { issueToken } from '../auth.ts';
import { parseBody } from '../validate.ts';
import { RouteTable, type ApiRoutes } from '../route-table.ts';

export const CreateTokenBody = z.strictObject({
  name: z.string().min(1).max(100),
  role: Role,
  team: z.string().min(1).max(100).optional().describe('bind the token to a team: a change manager approves changes for that team only'),
});

export function tokenRoutes(deps: { store: GraphStore }): ApiRoutes {
  return new RouteTable()
    .route({ method: 'post', path: '/tokens', summary: 'Create an API token', role: 'admin', body: CreateTokenBody, status: 201, response: TokenInfo.extend({ token: z.string() }) }, async (req, res) => {
      const body = parseBody(CreateTokenBody, req);
      const { token, info } = await issueToken(deps.store, body.name, body.role, undefined, body.team ?? null);
      res.status(201).json({ token, ...info });
    })
    .route({ method: 'get', path: '/whoami', summary: 'The token this request carries (never its secret)', role: 'viewer', response: TokenInfo }, (req, res) => {
      res.json(req.principal);
    });
}
