import { parseArgs } from 'node:util';
import type { ImpactReply } from '../model/impact.ts';
import type { CiRecord } from '../model/records.ts';
import { renderImpactTree } from './impact-tree.ts';
import { CliError, serverFrom, tokenFrom } from './connection.ts';
import { ConfigError, loadCliConfig } from '../config.ts';

const USAGE = `usage: servicegraph impact <ci-name-or-id> [--down|--degraded] [--json] [--env ENV] [--limit N] [--server URL] [--token T]
  Prints the blast radius of the CI failing as a tree (each CI under the one its failure came through).
  --server defaults to $SERVICEGRAPH_URL or http://localhost:8080; --token to $SERVICEGRAPH_TOKEN or <data>/admin-token.`;

export interface CommandIo { out(text: string): void; err(text: string): void; env?: Readonly<Record<string, string | undefined>> }


async function call<T>(server: string, token: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(server.replace(/\/$/, '') + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new CliError(`cannot reach ${server}: ${(e as Error).message}`);
  }
  const json = await res.json().catch(() => null);
  if (res.status === 401 || res.status === 403) throw new CliError(`the server refused the token: ${json?.error?.message ?? res.status}`);
  return { status: res.status, body: json as T };
}

/** An id, or an exact name (narrowed by --env when several environments hold it). */
async function resolveCi(server: string, token: string, ref: string, env: string | undefined): Promise<CiRecord> {
  const byId = await call<CiRecord>(server, token, `/api/v1/cis/${encodeURIComponent(ref)}`);
  if (byId.status === 200) return byId.body;
  const found = await call<{ items: CiRecord[] }>(server, token, `/api/v1/cis?q=${encodeURIComponent(ref)}&limit=100${env ? `&environment=${encodeURIComponent(env)}` : ''}`);
  const items = found.body?.items ?? [];
  const exact = items.filter((c) => c.name === ref);
  if (exact.length === 1) return exact[0];
  const list = (cs: CiRecord[]) => cs.slice(0, 10).map((c) => `  ${c.id}  ${c.name} (${c.class}, ${c.environment})`).join('\n');
  if (exact.length > 1) throw new CliError(`${exact.length} CIs are named ${ref}; pass --env or an id:\n${list(exact)}`, 2);
  throw new CliError(items.length ? `no CI named ${ref}; did you mean:\n${list(items)}` : `no CI named or with id ${ref}`, 2);
}

/** `servicegraph impact`: resolves the CI, asks the server for its blast radius, prints a tree or the JSON. */
export async function runImpactCommand(argv: string[], io: CommandIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: {
        down: { type: 'boolean', default: false }, degraded: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
        env: { type: 'string' }, limit: { type: 'string', default: '500' }, server: { type: 'string' }, token: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) { io.out(USAGE + '\n'); return 0; }
    if (positionals.length !== 1) throw new CliError(USAGE, 2);
    if (values.down && values.degraded) throw new CliError('pick one of --down and --degraded', 2);
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit takes a whole number above 0', 2);
    const settings = loadCliConfig(io.env ?? {});
    const server = serverFrom(values.server, settings);
    const token = tokenFrom(values.token, settings);

    const ci = await resolveCi(server, token, positionals[0], values.env);
    const r = await call<ImpactReply & { error?: { message: string } }>(server, token, '/api/v1/impact', {
      failed: [{ ci: ci.id, state: values.degraded ? 'degraded' : 'down' }], limit,
    });
    if (r.status !== 200) throw new CliError(`impact failed (${r.status}): ${r.body?.error?.message ?? 'no details'}`);
    io.out(values.json ? JSON.stringify(r.body, null, 2) + '\n' : renderImpactTree(r.body).join('\n') + '\n');
    return 0;
  } catch (e) {
    if (e instanceof CliError) { io.err(e.message + '\n'); return e.code; }
    if (e instanceof ConfigError) { io.err(e.message + '\n'); return 2; }
    if (e instanceof TypeError && /option|argument/i.test(e.message)) { io.err(`${e.message}\n${USAGE}\n`); return 2; }
    throw e;
  }
}
