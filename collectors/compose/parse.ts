import { basename, relative, resolve } from 'node:path';
import { CollectError } from '../types.ts';
import { parseDotEnv, type Lookup } from './interpolate.ts';
import { loadModel, type Path, type ServiceDraft } from './load.ts';
import { isMap } from './merge.ts';
import { commandTokens } from '../shared/command-hosts.ts';
import type { ComposeProject, ComposeService, MountedConfig } from './model.ts';

export interface ComposeSource {
  /** Compose files in the order Compose merges them: the `-f` list, or the default file then its override. */
  files: { file: string; text: string }[];
  /** Project folder: relative paths of every `-f` file resolve from here (the first file's folder). */
  dir: string;
  /** Contents of the project's `.env`, when there is one. */
  dotEnv?: { file: string; text: string };
  /** The shell environment; it wins over `.env`, as in Compose. */
  env: Record<string, string | undefined>;
  /** Reads an `env_file`, an `include`d or `extends` file; undefined when it does not exist. */
  readFile: (path: string) => string | undefined;
  /**
   * Reads the configuration files of a bind mount's source (a file, or the config files of a folder);
   * undefined when it does not exist. Without it, mounts are not read.
   */
  readMount?: (path: string) => { path: string; text: string }[] | undefined;
  projectName?: string;
  /** Profiles enabled on the command line (`--profile`); COMPOSE_PROFILES adds to them. */
  profiles?: string[];
}

/** The project's variables: the shell environment over `.env`. */
export function projectLookup(src: Pick<ComposeSource, 'dotEnv' | 'env'>): Lookup {
  const dotEnv = src.dotEnv ? parseDotEnv(src.dotEnv.text, src.dotEnv.file, (k) => src.env[k]) : new Map<string, string>();
  return (k) => src.env[k] ?? dotEnv.get(k);
}

/** Loads, merges, interpolates and normalises a compose project; malformed input throws CollectError with the line. */
export function parseComposeProject(src: ComposeSource): ComposeProject {
  const warnings: string[] = [];
  const lookup = projectLookup(src);
  const unsetSeen = new Set<string>();
  const model = loadModel(src.files, src.dir, lookup, {
    readFile: src.readFile,
    warnings,
    onUnset: (file, name) => {
      if (unsetSeen.has(name)) return;
      unsetSeen.add(name);
      warnings.push(`${file}: the ${name} variable is not set; an empty string is used`);
    },
  });
  const file = src.files[0].file;
  if (model.services.size === 0) throw new CollectError('no services: a compose project defines `services` (or includes a project that does)', file);
  const name = normaliseProjectName(src.projectName ?? model.name ?? lookup('COMPOSE_PROJECT_NAME') ?? basename(src.dir));
  const active = activeProfiles(src.profiles ?? [], lookup);

  const services: ComposeService[] = [];
  for (const [svcName, draft] of model.services) {
    services.push(readService(svcName, draft.def, [], { fail: failAt(draft), lookup, dir: draft.dir, rootDir: src.dir, src, warnings, file: draft.origins[draft.origins.length - 1].doc.file, line: lineOf(draft, []), active }));
  }
  const names = new Set(services.map((s) => s.name));
  for (const s of services) {
    const fail = failAt(model.services.get(s.name)!);
    for (const d of s.dependsOn) if (!names.has(d)) fail(`service "${s.name}" depends on undefined service "${d}"`, ['depends_on']);
    for (const l of s.links) if (!names.has(l.service)) fail(`service "${s.name}" links to undefined service "${l.service}"`, ['links']);
  }
  return { name, file, files: src.files.map((f) => f.file), services, warnings, activeProfiles: [...active].sort() };
}

/** `--profile` values and COMPOSE_PROFILES (comma-separated), as Compose reads them; `*` enables every profile. */
function activeProfiles(cli: string[], lookup: Lookup): Set<string> {
  return new Set([...cli, ...(lookup('COMPOSE_PROFILES') ?? '').split(',')].map((p) => p.trim()).filter(Boolean));
}

/** The latest document that holds `path` under the service (the file that set it last), and its line. */
function locate(draft: ServiceDraft, path: Path): { file: string; line?: number } {
  for (let i = draft.origins.length - 1; i >= 0; i--) {
    const o = draft.origins[i];
    let v: unknown = o.doc.value;
    for (const k of [...o.prefix, ...path]) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
    if (v !== undefined) return { file: o.doc.file, line: o.doc.lineOf([...o.prefix, ...path]) };
  }
  const first = draft.origins[draft.origins.length - 1];
  return { file: first.doc.file, line: first.doc.lineOf(first.prefix) };
}

function lineOf(draft: ServiceDraft, path: Path): number | undefined {
  return locate(draft, path).line;
}

function failAt(draft: ServiceDraft): (message: string, path: Path) => never {
  return (message, path) => {
    const at = locate(draft, path);
    throw new CollectError(message, at.file, at.line);
  };
}

/** Compose lower-cases project names and keeps letters, digits, `-` and `_`. */
function normaliseProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '') || 'default';
}

interface ServiceContext {
  fail: (message: string, path: Path) => never;
  lookup: Lookup;
  /** Folder the service's relative paths resolve from (the project's, or an included project's). */
  dir: string;
  /** The project folder: evidence paths are written relative to it. */
  rootDir: string;
  src: ComposeSource;
  warnings: string[];
  /** The file that last defined the service, for warnings. */
  file: string;
  line?: number;
  active: Set<string>;
}

function readService(name: string, def: Record<string, unknown>, at: Path, ctx: ServiceContext): ComposeService {
  const { fail } = ctx;
  const str = (key: string): string | undefined => {
    const v = def[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') fail(`"${key}" of service "${name}" must be a string`, [...at, key]);
    return v as string;
  };
  const env = new Map<string, string>();
  for (const [k, v] of readEnvFiles(def.env_file, [...at, 'env_file'], ctx)) env.set(k, v);
  for (const [k, v] of readEnvironment(def.environment, [...at, 'environment'], ctx)) env.set(k, v);

  const replicasRaw = isMap(def.deploy) ? def.deploy.replicas : def.scale;
  const replicas = replicasRaw === undefined || replicasRaw === null ? undefined : Number(replicasRaw);
  if (replicas !== undefined && !Number.isInteger(replicas)) fail(`replicas of service "${name}" must be a whole number`, [...at, 'deploy']);

  const profiles = Array.isArray(def.profiles) ? [...new Set(def.profiles.map(String))] : [];
  return {
    name,
    line: ctx.line,
    image: str('image'),
    build: def.build !== undefined,
    buildImages: readBuildImages(def.build, ctx.lookup),
    hostname: str('hostname'),
    containerName: str('container_name'),
    aliases: readAliases(def.networks, [...at, 'networks'], fail),
    environment: [...env].map(([key, value]) => ({ key, value })),
    dependsOn: readDependsOn(def.depends_on, [...at, 'depends_on'], fail),
    links: readLinks(def.links, [...at, 'links'], fail),
    ports: Array.isArray(def.ports) ? def.ports.map((p) => (isMap(p) ? String(p.target ?? '') : String(p))) : [],
    mounts: readMounts(def.volumes, ctx),
    replicas,
    profiles,
    startedByDefault: profiles.length === 0 || ctx.active.has('*') || profiles.some((p) => ctx.active.has(p)),
    command: commandTokens(def.command),
    entrypoint: commandTokens(def.entrypoint),
  };
}

function scalarText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** `environment:` as a list (`K=V`, or a bare `K` taken from the shell or `.env`) or as a map. */
function readEnvironment(v: unknown, at: Path, ctx: ServiceContext): [string, string][] {
  if (v === undefined || v === null) return [];
  const out: [string, string][] = [];
  const bare = (key: string) => {
    const value = ctx.lookup(key);
    if (value !== undefined) out.push([key, value]);
  };
  if (Array.isArray(v)) {
    v.forEach((entry, i) => {
      if (typeof entry !== 'string') ctx.fail('environment list entries must be strings "KEY=VALUE" or "KEY"', [...at, i]);
      const eq = (entry as string).indexOf('=');
      if (eq < 0) bare(entry as string);
      else out.push([(entry as string).slice(0, eq), (entry as string).slice(eq + 1)]);
    });
  } else if (isMap(v)) {
    for (const [key, value] of Object.entries(v)) {
      if (value === null) bare(key);
      else {
        const text = scalarText(value);
        if (text === undefined) ctx.fail(`environment value of ${key} must be a string, number or boolean`, [...at, key]);
        out.push([key, text as string]);
      }
    }
  } else ctx.fail('`environment` must be a list or a mapping', at);
  return out;
}

function readEnvFiles(v: unknown, at: Path, ctx: ServiceContext): [string, string][] {
  if (v === undefined || v === null) return [];
  const entries = Array.isArray(v) ? v : [v];
  const out: [string, string][] = [];
  entries.forEach((e, i) => {
    const path = typeof e === 'string' ? e : isMap(e) && typeof e.path === 'string' ? e.path : undefined;
    if (path === undefined) ctx.fail('`env_file` entries are paths or {path, required}', Array.isArray(v) ? [...at, i] : at);
    const full = resolve(ctx.dir, path as string);
    const text = ctx.src.readFile(full);
    if (text === undefined) {
      // Not the collected input: a missing env_file loses edges, it does not corrupt anything.
      if (!(isMap(e) && e.required === false)) ctx.warnings.push(`${ctx.file}: env_file ${path} not found; its variables are not read`);
      return;
    }
    out.push(...parseDotEnv(text, full, ctx.lookup));
  });
  return out;
}

/** `build.args` whose name ends in IMAGE (list, bare names from `.env`, or map) and `build.cache_from`. */
function readBuildImages(build: unknown, lookup: Lookup): string[] {
  if (!isMap(build)) return [];
  const out: string[] = [];
  const arg = (key: string, value: string | undefined) => {
    if (/(?:^|_)IMAGE$/i.test(key) && value) out.push(value);
  };
  if (Array.isArray(build.args)) {
    for (const a of build.args) {
      if (typeof a !== 'string') continue;
      const eq = a.indexOf('=');
      if (eq < 0) arg(a, lookup(a));
      else arg(a.slice(0, eq), a.slice(eq + 1));
    }
  } else if (isMap(build.args)) {
    for (const [k, v] of Object.entries(build.args)) arg(k, v === null ? lookup(k) : scalarText(v));
  }
  if (Array.isArray(build.cache_from)) out.push(...build.cache_from.filter((c): c is string => typeof c === 'string'));
  return out;
}

/**
 * Bind mounts whose source is a relative path (the project's own files; absolute paths are the
 * host's, named volumes hold data): `./src/x.yml:/etc/x.yml[:ro]` or `{type: bind, source, target}`.
 */
function readMounts(v: unknown, ctx: ServiceContext): MountedConfig[] {
  if (!ctx.src.readMount || !Array.isArray(v)) return [];
  const out: MountedConfig[] = [];
  for (const m of v) {
    const source = typeof m === 'string' ? m.split(':')[0] : isMap(m) && (m.type === undefined || m.type === 'bind') && typeof m.source === 'string' ? m.source : undefined;
    if (!source || !/^\.\.?(?:\/|$)/.test(source)) continue;
    const files = ctx.src.readMount(resolve(ctx.dir, source));
    // Paths relative to the project, so that the evidence reads the same on every machine.
    if (files) out.push({ source, files: files.map((f) => ({ path: relative(ctx.rootDir, f.path) || f.path, text: f.text })) });
  }
  return out;
}

function readDependsOn(v: unknown, at: Path, fail: ServiceContext['fail']): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) {
    return v.map((d, i) => (typeof d === 'string' ? d : fail('depends_on list entries must be service names', [...at, i])));
  }
  if (isMap(v)) return Object.keys(v);
  return fail('`depends_on` must be a list of services or a mapping', at);
}

function readLinks(v: unknown, at: Path, fail: ServiceContext['fail']): { service: string; alias: string }[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail('`links` must be a list', at);
  return (v as unknown[]).map((l, i) => {
    if (typeof l !== 'string') fail('links entries are "service" or "service:alias"', [...at, i]);
    const [service, alias] = (l as string).split(':');
    return { service, alias: alias ?? service };
  });
}

function readAliases(v: unknown, at: Path, fail: ServiceContext['fail']): string[] {
  if (v === undefined || v === null || Array.isArray(v)) return [];
  if (!isMap(v)) fail('`networks` must be a list or a mapping', at);
  const out: string[] = [];
  for (const cfg of Object.values(v as Record<string, unknown>)) {
    if (isMap(cfg) && Array.isArray(cfg.aliases)) out.push(...cfg.aliases.map(String));
  }
  return out;
}
