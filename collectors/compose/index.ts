import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CollectError, type Collector, type CollectInput, type Collected } from '../types.ts';
import { COMPOSE_FILE_NAMES } from './keys.ts';
import { parseComposeProject } from './parse.ts';
import { transformCompose } from './transform.ts';

function readIfExists(path: string): string | undefined {
  return existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : undefined;
}

/** Files of a mount read as configuration: what services read at start, not data, code or sockets. */
const CONFIG_FILE = /\.(?:ya?ml|json|toml|ini|conf|cfg|cnf|properties|env|xml|hcl|tmpl)$/i;
const MOUNT_LIMITS = { fileBytes: 1024 * 1024, files: 200, depth: 4 };

/**
 * The configuration files of a bind mount's source: the file itself, or the config files of a folder
 * (recursively, in name order, within MOUNT_LIMITS). Undefined when the source is not there.
 */
export function readMountedConfig(path: string): { path: string; text: string }[] | undefined {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return undefined;
  const out: { path: string; text: string }[] = [];
  const add = (file: string, size: number) => {
    if (CONFIG_FILE.test(file) && size <= MOUNT_LIMITS.fileBytes && out.length < MOUNT_LIMITS.files) out.push({ path: file, text: readFileSync(file, 'utf8') });
  };
  const walk = (dir: string, depth: number) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory() && depth < MOUNT_LIMITS.depth) walk(p, depth + 1);
      else if (e.isFile()) add(p, statSync(p).size);
    }
  };
  if (info.isDirectory()) walk(path, 0);
  else if (info.isFile()) add(path, info.size);
  return out;
}

/** A folder stands for the compose file Compose itself would pick in it. */
export function findComposeFile(input: string): string {
  if (!existsSync(input)) throw new CollectError('no such file or folder', input);
  if (!statSync(input).isDirectory()) return input;
  const found = COMPOSE_FILE_NAMES.map((n) => join(input, n)).find((p) => existsSync(p));
  if (!found) throw new CollectError(`no ${COMPOSE_FILE_NAMES.join(', ')} in this folder`, input);
  return found;
}

export interface ComposeCollectOptions {
  envFile?: string;
  projectName?: string;
  environment?: string;
  scope?: string;
  env?: Record<string, string | undefined>;
}

/** Get (read the compose file, its `.env` and env_files) → transform. */
export function collectCompose(input: string, opts: ComposeCollectOptions = {}): Collected {
  const file = findComposeFile(input);
  const text = readFileSync(file, 'utf8');
  const dotEnvPath = opts.envFile ?? join(dirname(file), '.env');
  const dotEnvText = readIfExists(dotEnvPath);
  if (opts.envFile && dotEnvText === undefined) throw new CollectError('env file not found', opts.envFile);
  const project = parseComposeProject({
    file,
    text,
    dotEnv: dotEnvText === undefined ? undefined : { file: dotEnvPath, text: dotEnvText },
    env: opts.env ?? process.env,
    readFile: readIfExists,
    readMount: readMountedConfig,
    projectName: opts.projectName,
  });
  return transformCompose(project, { environment: opts.environment, scope: opts.scope });
}

const opt = (o: CollectInput['options'], k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);

export const composeCollector: Collector = {
  source: 'compose',
  summary: 'services, data stores and dependencies from a docker-compose.yml / compose.yaml (with .env interpolation)',
  usage: 'servicegraph collect compose <compose-file-or-folder> [--env-file PATH] [--project-name NAME] [--environment ENV]',
  async collect(input: CollectInput): Promise<Collected> {
    if (input.inputs.length !== 1) throw new CollectError('compose takes one compose file or folder per run (one project, one scope)');
    input.progress(`reading ${input.inputs[0]}`);
    return collectCompose(input.inputs[0], {
      envFile: opt(input.options, 'env-file'),
      projectName: opt(input.options, 'project-name'),
      environment: opt(input.options, 'environment'),
      scope: opt(input.options, 'scope'),
    });
  },
};
