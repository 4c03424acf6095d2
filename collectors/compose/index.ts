import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { CollectError, type Collector, type CollectInput, type Collected } from '../types.ts';
import { COMPOSE_FILE_NAMES, COMPOSE_OVERRIDE_NAMES } from './keys.ts';
import { parseComposeProject, projectLookup } from './parse.ts';
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

export interface ComposeCollectOptions {
  /** `-f` files, in order; instead of a folder or file input. */
  files?: string[];
  envFile?: string;
  projectName?: string;
  /** `--profile` values. */
  profiles?: string[];
  environment?: string;
  scope?: string;
  env?: Record<string, string | undefined>;
}

/** What to load: the compose files in merge order, the project folder and its `.env`. */
export interface ComposeFiles {
  files: string[];
  dir: string;
  dotEnvPath: string;
  /** How the files were chosen, for the run's messages. */
  notes: string[];
}

/**
 * The files `docker compose` would read, given a folder, a file or `-f` files:
 *  - `-f a.yml -f b.yml`: those, in order; the project folder is the first one's;
 *  - a folder: COMPOSE_FILE (shell, then the folder's `.env`; split by COMPOSE_PATH_SEPARATOR, `:` by
 *    default) if set, else the first of compose.yaml, compose.yml, docker-compose.yml,
 *    docker-compose.yaml, with the first override file found beside it (compose.override.yml, ...);
 *  - a file: that file alone (as `-f file`: no override).
 */
export function findComposeFiles(input: string | undefined, opts: Pick<ComposeCollectOptions, 'files' | 'envFile' | 'env'> = {}): ComposeFiles {
  const env = opts.env ?? {};
  const notes: string[] = [];
  if (opts.files?.length) {
    if (input !== undefined) throw new CollectError('give either -f files or one folder or file, not both');
    for (const f of opts.files) if (!existsSync(f)) throw new CollectError('no such file', f);
    const dir = dirname(resolve(opts.files[0]));
    return { files: opts.files.map((f) => resolve(f)), dir, dotEnvPath: opts.envFile ?? join(dir, '.env'), notes };
  }
  if (input === undefined) throw new CollectError('give a compose folder, a compose file, or -f files');
  if (!existsSync(input)) throw new CollectError('no such file or folder', input);
  if (!statSync(input).isDirectory()) {
    const dir = dirname(resolve(input));
    return { files: [resolve(input)], dir, dotEnvPath: opts.envFile ?? join(dir, '.env'), notes };
  }
  const dir = resolve(input);
  const dotEnvPath = opts.envFile ?? join(dir, '.env');
  const dotEnvText = readIfExists(dotEnvPath);
  const lookup = projectLookup({ env, dotEnv: dotEnvText === undefined ? undefined : { file: dotEnvPath, text: dotEnvText } });
  const composeFile = lookup('COMPOSE_FILE');
  if (composeFile) {
    const files = composeFile.split(lookup('COMPOSE_PATH_SEPARATOR') || ':').filter(Boolean).map((f) => resolve(dir, f));
    for (const f of files) if (!existsSync(f)) throw new CollectError(`COMPOSE_FILE names ${f}, which does not exist`, env.COMPOSE_FILE ? undefined : dotEnvPath);
    notes.push(`COMPOSE_FILE${env.COMPOSE_FILE ? '' : ' from .env'}: ${files.map((f) => relative(dir, f)).join(', ')}`);
    return { files, dir, dotEnvPath, notes };
  }
  const found = COMPOSE_FILE_NAMES.map((n) => join(dir, n)).filter((p) => existsSync(p));
  if (!found.length) throw new CollectError(`no ${COMPOSE_FILE_NAMES.join(', ')} in this folder`, input);
  if (found.length > 1) notes.push(`found ${found.map((f) => relative(dir, f)).join(', ')}; using ${relative(dir, found[0])}, as Compose does`);
  const overrides = COMPOSE_OVERRIDE_NAMES.map((n) => join(dir, n)).filter((p) => existsSync(p));
  if (overrides.length > 1) notes.push(`found override files ${overrides.map((f) => relative(dir, f)).join(', ')}; using ${relative(dir, overrides[0])}, as Compose does`);
  return { files: [found[0], ...overrides.slice(0, 1)], dir, dotEnvPath, notes };
}

/** Get (the compose files, their `.env`, env_files, included and extended files) → transform. */
export function collectCompose(input: string | undefined, opts: ComposeCollectOptions = {}): Collected {
  const env = opts.env ?? {};
  const chosen = findComposeFiles(input, { ...opts, env });
  const dotEnvText = readIfExists(chosen.dotEnvPath);
  if (opts.envFile && dotEnvText === undefined) throw new CollectError('env file not found', opts.envFile);
  const project = parseComposeProject({
    files: chosen.files.map((file) => ({ file, text: readFileSync(file, 'utf8') })),
    dir: chosen.dir,
    dotEnv: dotEnvText === undefined ? undefined : { file: chosen.dotEnvPath, text: dotEnvText },
    env,
    readFile: readIfExists,
    readMount: readMountedConfig,
    projectName: opts.projectName,
    profiles: opts.profiles,
  });
  const collected = transformCompose(project, { environment: opts.environment, scope: opts.scope });
  return { ...collected, warnings: [...chosen.notes, ...collected.warnings] };
}

const opt = (o: CollectInput['options'], k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
const opts = (o: CollectInput['options'], k: string): string[] | undefined => {
  const v = o[k];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : undefined;
};

export const composeCollector: Collector = {
  source: 'compose',
  summary: 'services, data stores and dependencies from a Compose project: compose.yaml / docker-compose.yml with its override file, .env, include and extends',
  usage: 'servicegraph collect compose <folder-or-file> | -f FILE [-f FILE ...] [--profile NAME ...] [--env-file PATH] [--project-name NAME] [--environment ENV]  (-f is --file)',
  options: { file: { type: 'string', short: 'f', multiple: true }, profile: { type: 'string', multiple: true } },
  async collect(input: CollectInput): Promise<Collected> {
    const files = opts(input.options, 'file');
    if (input.inputs.length > 1 || (files && input.inputs.length)) throw new CollectError('compose reads one project per run (one scope): a folder, a file, or -f files');
    input.progress(`reading ${files ? files.join(', ') : input.inputs[0]}`);
    return collectCompose(input.inputs[0], {
      files,
      profiles: opts(input.options, 'profile')?.flatMap((p) => p.split(',')),
      envFile: opt(input.options, 'env-file'),
      projectName: opt(input.options, 'project-name'),
      environment: opt(input.options, 'environment'),
      scope: opt(input.options, 'scope'),
      env: input.env,
    });
  },
};
