import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { roleRank, type Role } from '../model/records.ts';
import { ApiCallError, type ApiCall } from './api-call.ts';
import { fitToBudget } from './budget.ts';
import { TOOLS, type ToolContext, type ToolDef } from './tools.ts';

export const MCP_SERVER_NAME = 'servicegraph';

export interface McpOptions {
  api: ApiCall;
  /** The role of the token the agent presented: it decides which tools (and which inputs) exist. */
  role: Role;
  /** Largest reply in bytes of JSON (a model's context is the scarce resource). */
  maxReplyBytes: number;
  version: string;
  now?: () => string;
}

/** Which tools a role sees, and with which input: a viewer sees read-only tools only. */
export function toolsFor(role: Role): { def: ToolDef; writes: boolean }[] {
  if (role === 'collector') return [];
  return TOOLS.filter((t) => roleRank[role] >= roleRank[t.minRole])
    .map((def) => ({ def, writes: Boolean(def.writes || (def.write && roleRank[role] >= roleRank[def.write.minRole])) }));
}

/**
 * A failed call as the API's own error body (`{error: {status, code, message, details}}`), in a tool
 * result marked `isError`, as the MCP specification asks for tool failures: the agent reads the same
 * message a REST client would, and can correct its call.
 */
function errorResult(e: unknown): CallToolResult {
  const error = e instanceof ApiCallError
    ? { status: e.status, code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) }
    : { status: 500, code: 'internal', message: (e as Error)?.message ?? String(e) };
  return { isError: true, content: [{ type: 'text', text: JSON.stringify({ error }) }] };
}

/** The same failure for a resource read, which has no result to mark: a JSON-RPC error. */
function resourceError(e: unknown): McpError {
  if (e instanceof ApiCallError) {
    return new McpError(e.status === 404 ? ErrorCode.InvalidParams : e.status < 500 ? ErrorCode.InvalidRequest : ErrorCode.InternalError, e.message, { status: e.status, code: e.code });
  }
  return new McpError(ErrorCode.InternalError, (e as Error)?.message ?? String(e));
}

/**
 * Every reply: JSON text within the budget, saying when it was true (`asOf`) and what was left out.
 * The `omitted` note itself takes room, so the lists are fitted to what the note leaves.
 */
export function reply(result: Record<string, unknown>, asOf: string, maxBytes: number): string {
  const stamped = { asOf, ...result, truncated: Boolean(result.truncated) };
  let room = maxBytes;
  for (let attempt = 0; attempt < 10; attempt++) {
    const fit = fitToBudget(stamped, room);
    const text = JSON.stringify(fit.truncated ? { ...fit.value, truncated: true, omitted: fit.omitted } : fit.value);
    const over = Buffer.byteLength(text) - maxBytes;
    if (over <= 0 || room <= 0) return text;
    room -= over;
  }
  return JSON.stringify({ asOf, truncated: true, error: { code: 'reply_too_large', message: `the reply does not fit ${maxBytes} bytes: ask for less` } });
}

/** The arguments a tool takes only from a role that may write (assess_change's `create`). */
function writeOnlyArguments(def: ToolDef): string[] {
  return def.write ? Object.keys(def.write.input.shape).filter((k) => !(k in def.input.shape)) : [];
}

/**
 * A write asked for by a role that may not write is refused as the API refuses it (403, its message), not
 * dropped: the viewer's schema leaves the argument out, and stripped silently the call would answer as if
 * nothing had been asked, so an agent could tell its user a change was recorded when it was not.
 */
function refuseWrites(refused: readonly string[], args: unknown, role: Role, def: ToolDef): void {
  if (refused.length === 0 || args === null || typeof args !== 'object') return;
  const asked = refused.filter((k) => Object.hasOwn(args, k) && (args as Record<string, unknown>)[k] !== false && (args as Record<string, unknown>)[k] !== undefined);
  if (asked.length > 0) throw new ApiCallError(403, 'forbidden', `${asked.join(', ')} needs the ${def.write!.minRole} role; the token has ${role}`);
}

/**
 * One MCP server for one principal: tools over the API with the principal's token, and resources
 * for a CI and its map so an agent can attach them to a conversation.
 */
export function createMcpServer(opts: McpOptions): McpServer {
  const ctx: ToolContext = { api: opts.api, role: opts.role, now: opts.now ?? (() => new Date().toISOString()) };
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version: opts.version },
    { instructions: 'servicegraph is a CMDB and dependency map. CIs are named by id or exact name. Relations read source to target: checkout DEPENDS_ON payments-db; failure travels from the provider (payments-db) to its dependents. Every reply says its time (asOf) and whether lists were cut (truncated, omitted).' },
  );
  for (const { def, writes } of toolsFor(opts.role)) {
    const input = writes && def.write ? def.write.input : def.input;
    const refused = writes ? [] : writeOnlyArguments(def);
    server.registerTool(def.name, {
      // Loose where a write-only argument must reach refuseWrites: the SDK hands over what the schema parsed.
      title: def.title, description: def.description, inputSchema: refused.length > 0 ? input.loose() : input.shape,
      annotations: { readOnlyHint: !writes, destructiveHint: false, openWorldHint: false },
    }, async (args: unknown): Promise<CallToolResult> => {
      try {
        refuseWrites(refused, args, opts.role, def);
        const result = await def.run(ctx, input.parse(args));
        return { content: [{ type: 'text', text: reply(result, ctx.now(), opts.maxReplyBytes) }] };
      } catch (e) {
        return errorResult(e);
      }
    });
  }
  if (opts.role === 'collector') return server;

  const readAsResource = async (tool: string, args: Record<string, unknown>, uri: URL) => {
    const def = TOOLS.find((t) => t.name === tool)!;
    try {
      const result = await def.run(ctx, def.input.parse(args));
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: reply(result, ctx.now(), opts.maxReplyBytes) }] };
    } catch (e) { throw resourceError(e); }
  };
  server.registerResource('ci', new ResourceTemplate('servicegraph://ci/{id}', { list: undefined }),
    { title: 'A configuration item', description: 'A CI with its attributes, sources, relations and history summary', mimeType: 'application/json' },
    (uri, vars) => readAsResource('get_ci', { ci: decodeURIComponent(String(vars.id)) }, uri));
  server.registerResource('map', new ResourceTemplate('servicegraph://map/{id}', { list: undefined }),
    { title: 'The service map around a CI', description: 'What the CI relies on, two levels down, as an adjacency list', mimeType: 'application/json' },
    (uri, vars) => readAsResource('service_map', { focus: [decodeURIComponent(String(vars.id))] }, uri));
  return server;
}
