import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A command-line failure with its exit code (2: usage). */
export class CliError extends Error { constructor(message: string, readonly code = 1) { super(message); } }

/** --server, else $SERVICEGRAPH_URL, else the local default. */
export const serverFrom = (flag: string | undefined) => flag ?? process.env.SERVICEGRAPH_URL ?? 'http://localhost:8080';

/** --token, else $SERVICEGRAPH_TOKEN, else the admin token a local server wrote to its data dir. */
export function tokenFrom(flag: string | undefined): string {
  if (flag) return flag;
  if (process.env.SERVICEGRAPH_TOKEN) return process.env.SERVICEGRAPH_TOKEN;
  const file = join(process.env.SERVICEGRAPH_DATA_DIR ?? './data', 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new CliError('no token: pass --token, set SERVICEGRAPH_TOKEN, or run where ./data/admin-token exists', 2);
}
