import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { defaultLimits } from '../model/limits.ts';
import { Role } from '../model/records.ts';
import { expectOk, httpApi } from '../mcp/api-call.ts';
import { createMcpServer } from '../mcp/mcp-server.ts';
import { CliError, serverFrom, tokenFrom } from './connection.ts';
import { loadCliConfig } from '../config.ts';

const USAGE = `usage: servicegraph mcp [--server URL] [--token T] [--max-reply-bytes N]
  An MCP server on stdin/stdout for desktop and IDE agents, answering from a servicegraph server
  with the token's permissions (a viewer token gets read-only tools).
  --server defaults to $SERVICEGRAPH_URL or http://localhost:8080; --token to $SERVICEGRAPH_TOKEN or <data>/admin-token.`;

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * `servicegraph mcp`: stdout carries the protocol only, so everything for a person goes to stderr.
 * Returns -1 while serving: the process ends when the agent closes stdin.
 */
export async function runMcpCommand(argv: string[], io: { env?: Readonly<Record<string, string | undefined>> } = {}): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { server: { type: 'string' }, token: { type: 'string' }, 'max-reply-bytes': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    });
    if (values.help) { process.stderr.write(USAGE + '\n'); return 0; }
    const maxReplyBytes = values['max-reply-bytes'] === undefined ? defaultLimits.mcpReplyBytes : Number(values['max-reply-bytes']);
    if (!Number.isInteger(maxReplyBytes) || maxReplyBytes < 1024) throw new CliError('--max-reply-bytes takes a whole number of at least 1024', 2);
    const settings = loadCliConfig(io.env ?? {});
    const server = serverFrom(values.server, settings);
    const api = httpApi(server, tokenFrom(values.token, settings));
    // The token's role decides the tool list, so ask the server who we are before listing anything.
    let role: Role;
    try {
      role = Role.parse(expectOk(await api({ method: 'GET', path: '/api/v1/whoami' })).role);
    } catch (e) {
      throw new CliError(`servicegraph at ${server} did not accept the token: ${(e as Error).message}`);
    }
    const mcp = createMcpServer({ api, role, maxReplyBytes, version });
    const transport = new StdioServerTransport();
    transport.onclose = () => { process.exitCode = 0; };
    await mcp.connect(transport);
    process.stderr.write(`servicegraph mcp: serving ${server} as ${role} on stdio\n`);
    return -1;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return e instanceof CliError ? e.code : 1;
  }
}
