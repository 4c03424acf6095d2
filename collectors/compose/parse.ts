import { basename, dirname, relative, resolve } from 'node:path';
import { CollectError } from '../types.ts';
import { parseYamlDocument, type SourceDoc } from '../shared/yaml-source.ts';
import { interpolate, parseDotEnv, type Lookup } from './interpolate.ts';
import { SERVICE_KEYS, TOP_LEVEL_KEYS } from './keys.ts';
import type { ComposeProject, ComposeService, MountedConfig } from './model.ts';

export interface ComposeSource {
  /** Path of the compose file (for messages and to resolve relative `env_file` paths). */
  file: string;
  text: string;
  /** Contents of the project's `.env`, when there is one. */
  dotEnv?: { file: string; text: string };
  /** The shell environment; it wins over `.env`, as in Compose. */
  env: Record<string, string | undefined>;
  /** Reads an `env_file`; undefined when it does not exist. */
  readFile: (path: string) => string | undefined;
  /**
   * Reads the configuration files of a bind mount's source (a file, or the config files of a folder);
   * undefined when it does not exist. Without it, mounts are not read.
   */
  readMount?: (path: string) => { path: string; text: string }[] | undefined;
  projectName?: string;
}

type Path = (string | number)[];

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses, interpolates and normalises a compose file; malformed input throws CollectError with the line. */
export function parseComposeProject(src: ComposeSource): ComposeProject {
  const doc = parseYamlDocument(src.text, src.file);
  const fail = (message: string, path: Path): never => {
    throw new CollectError(message, src.file, doc.lineOf(path));
  };
  if (!isMap(doc.value)) fail('a compose file is a mapping with a `services` key', []);
  const warnings: string[] = [];

  const dotEnv = src.dotEnv ? parseDotEnv(src.dotEnv.text, src.dotEnv.file, (k) => src.env[k]) : new Map<string, string>();
  const lookup: Lookup = (k) => src.env[k] ?? dotEnv.get(k);

  const unsetSeen = new Set<string>();
  const raw = interpolateTree(doc.value, [], lookup, doc, (name) => {
    if (!unsetSeen.has(name)) {
      unsetSeen.add(name);
      warnings.push(`${src.file}: the ${name} variable is not set; an empty string is used`);
    }
  }) as Record<string, unknown>;

  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL_KEYS.has(key) && !key.startsWith('x-')) fail(`unknown top-level key "${key}"`, [key]);
  }
  if (!isMap(raw.services)) fail('`services` must be a mapping of service names to definitions', ['services']);
  const serviceDefs = raw.services as Record<string, unknown>;

  const dir = dirname(resolve(src.file));
  const name = normaliseProjectName(src.projectName ?? (typeof raw.name === 'string' && raw.name ? raw.name : undefined) ?? lookup('COMPOSE_PROJECT_NAME') ?? basename(dir));

  const services: ComposeService[] = [];
  for (const [svcName, def] of Object.entries(serviceDefs)) {
    const at: Path = ['services', svcName];
    if (!isMap(def)) fail(`service "${svcName}" must be a mapping`, at);
    services.push(readService(svcName, def as Record<string, unknown>, at, { fail, lookup, dir, src, warnings, line: doc.lineOf(at) }));
  }
  const names = new Set(services.map((s) => s.name));
  for (const s of services) {
    for (const d of s.dependsOn) if (!names.has(d)) fail(`service "${s.name}" depends on undefined service "${d}"`, ['services', s.name, 'depends_on']);
    for (const l of s.links) if (!names.has(l.service)) fail(`service "${s.name}" links to undefined service "${l.service}"`, ['services', s.name, 'links']);
  }
  return { name, file: src.file, services, warnings };
}

/** Compose lower-cases project names and keeps letters, digits, `-` and `_`. */
function normaliseProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '') || 'default';
}

function interpolateTree(v: unknown, path: Path, lookup: Lookup, doc: SourceDoc, onUnset: (name: string) => void): unknown {
  if (typeof v === 'string') {
    try {
      const r = interpolate(v, lookup);
      r.unset.forEach(onUnset);
      return r.value;
    } catch (e) {
      throw new CollectError((e as Error).message, doc.file, doc.lineOf(path));
    }
  }
  if (Array.isArray(v)) return v.map((x, i) => interpolateTree(x, [...path, i], lookup, doc, onUnset));
  if (isMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = interpolateTree(x, [...path, k], lookup, doc, onUnset);
    return out;
  }
  return v;
}

interface ServiceContext {
  fail: (message: string, path: Path) => never;
  lookup: Lookup;
  dir: string;
  src: ComposeSource;
  warnings: string[];
  line?: number;
}

function readService(name: string, def: Record<string, unknown>, at: Path, ctx: ServiceContext): ComposeService {
  const { fail } = ctx;
  for (const key of Object.keys(def)) {
    if (!SERVICE_KEYS.has(key) && !key.startsWith('x-')) fail(`unknown key "${key}" in service "${name}"`, [...at, key]);
  }
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
    profiles: Array.isArray(def.profiles) ? def.profiles.map(String) : [],
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
      ctx.warnings.push(`${ctx.src.file}: env_file ${path} not found; its variables are not read`);
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
    if (files) out.push({ source, files: files.map((f) => ({ path: relative(ctx.dir, f.path) || f.path, text: f.text })) });
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
