import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliConfig } from '../config.ts';

/** A command-line failure with its exit code (2: usage). */
export class CliError extends Error { constructor(message: string, readonly code = 1) { super(message); } }

/** --server, else $SERVICEGRAPH_URL, else the local default (the settings carry both). */
export const serverFrom = (flag: string | undefined, settings: CliConfig) => flag ?? settings.url;

/** --token, else $SERVICEGRAPH_TOKEN, else the admin token a local server wrote to its data dir. */
export function tokenFrom(flag: string | undefined, settings: CliConfig): string {
  if (flag) return flag;
  if (settings.token) return settings.token;
  const file = join(settings.dataDir, 'admin-token');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new CliError('no token: pass --token, set SERVICEGRAPH_TOKEN, or run where ./data/admin-token exists', 2);
}
