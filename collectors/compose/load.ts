import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { CollectError } from '../types.ts';
import { parseYamlDocument, type SourceDoc } from '../shared/yaml-source.ts';
import { interpolate, parseDotEnv, type Lookup } from './interpolate.ts';
import { SERVICE_KEYS, TOP_LEVEL_KEYS } from './keys.ts';
import { isMap, mergeService, stripTags, Tagged, type Tree } from './merge.ts';

/**
 * Loading a compose application model the way `docker compose config` builds it: each file parsed and
 * interpolated on its own, `extends:` resolved within it, the files merged in order (compose-spec
 * 13-merge.md), then `include:` loading other projects whose services join this one (14-include.md).
 * Reads files through `readFile` only, so tests and callers decide what exists.
 */

export type Path = (string | number)[];

/** Where part of a service definition was written: its document and the path of the service there. */
export interface Origin {
  doc: SourceDoc;
  prefix: Path;
}

/** A service definition after extends and merging, with the folder its relative paths resolve from. */
export interface ServiceDraft {
  def: Tree;
  dir: string;
  /** Every document that contributed, earliest first; messages point at the latest that has the key. */
  origins: Origin[];
}

export interface LoadedModel {
  name?: string;
  services: Map<string, ServiceDraft>;
}

export interface LoadContext {
  readFile: (path: string) => string | undefined;
  warnings: string[];
  /** Called once per variable name that was referenced but not set. */
  onUnset: (file: string, name: string) => void;
}

interface LoadedFile {
  file: string;
  /** Folder relative paths in this file resolve from (the project's, for every `-f` file). */
  dir: string;
  doc: SourceDoc;
  tree: Tree;
}

const MAX_DEPTH = 32;

/** A `-f` list (or default file + override) → merged services, includes loaded. */
export function loadModel(files: { file: string; text: string }[], dir: string, lookup: Lookup, ctx: LoadContext, stack: string[] = []): LoadedModel {
  if (stack.length > MAX_DEPTH) throw new CollectError(`include nested deeper than ${MAX_DEPTH} levels`, stack[stack.length - 1]);
  const loaded = files.map((f) => loadFile(f.file, f.text, dir, lookup, ctx, false));
  const cache = new Map<string, LoadedFile>(loaded.map((f) => [f.file, f]));
  const services = new Map<string, ServiceDraft>();
  let name: string | undefined;
  const includes: { entry: unknown; file: LoadedFile; index: number }[] = [];
  for (const f of loaded) {
    if (typeof f.tree.name === 'string' && f.tree.name) name = f.tree.name;
    if (Array.isArray(f.tree.include)) f.tree.include.forEach((entry, index) => includes.push({ entry, file: f, index }));
    const defs = isMap(f.tree.services) ? f.tree.services : {};
    for (const [svc, raw] of Object.entries(defs)) {
      if (raw instanceof Tagged && raw.tag === '!reset') {
        services.delete(svc);
        continue;
      }
      const draft = resolveExtends(f, svc, [], lookup, ctx, cache);
      const prev = services.get(svc);
      // Tags act on what earlier files set, then are spent.
      if (!prev || raw instanceof Tagged) services.set(svc, { ...draft, def: stripTags(draft.def) as Tree });
      else services.set(svc, { def: stripTags(mergeService(prev.def, draft.def)) as Tree, dir: prev.dir, origins: [...prev.origins, ...draft.origins] });
    }
  }
  for (const inc of includes) addInclude(inc, dir, lookup, ctx, [...stack, ...files.map((f) => f.file)], services);
  return { name, services };
}

function loadFile(file: string, text: string | undefined, dir: string, lookup: Lookup, ctx: LoadContext, fragment: boolean): LoadedFile {
  const body = text ?? ctx.readFile(file);
  if (body === undefined) throw new CollectError('compose file not found', file);
  const doc = parseYamlDocument(body, file);
  const fail = (message: string, path: Path): never => {
    throw new CollectError(message, file, doc.lineOf(path));
  };
  // An empty override file is allowed: it changes nothing.
  if (doc.value !== null && !isMap(doc.value)) fail('a compose file is a mapping with a `services` key', []);
  let tree = interpolateTree(doc.value ?? {}, [], lookup, doc, (n) => ctx.onUnset(file, n)) as Tree;
  tree = applyTags(tree, doc, ctx.warnings);
  if (!fragment) {
    for (const key of Object.keys(tree)) {
      if (!TOP_LEVEL_KEYS.has(key) && !key.startsWith('x-')) fail(`unknown top-level key "${key}"`, [key]);
    }
    if (tree.include !== undefined && !Array.isArray(tree.include)) fail('`include` must be a list', ['include']);
  }
  if (tree.services !== undefined && tree.services !== null && !isMap(tree.services)) fail('`services` must be a mapping of service names to definitions', ['services']);
  for (const [svc, raw] of Object.entries(isMap(tree.services) ? tree.services : {})) {
    const def = raw instanceof Tagged ? raw.value : raw;
    if (raw instanceof Tagged && raw.tag === '!reset') continue;
    if (!isMap(def)) fail(`service "${svc}" must be a mapping`, ['services', svc]);
    for (const key of Object.keys(def as Tree)) {
      if (!SERVICE_KEYS.has(key) && !key.startsWith('x-')) fail(`unknown key "${key}" in service "${svc}"`, ['services', svc, key]);
    }
  }
  return { file, dir, doc, tree };
}

/** Wraps the values tagged `!reset` / `!override` so the merge can see them; other local tags are read as untagged. */
function applyTags(tree: Tree, doc: SourceDoc, warnings: string[]): Tree {
  for (const { path, tag } of doc.tags) {
    if (tag !== '!reset' && tag !== '!override') {
      warnings.push(`${doc.file}:${doc.lineOf(path) ?? '?'}: unknown tag ${tag}; the value is read as written`);
      continue;
    }
    if (path.length === 0) continue;
    let parent: unknown = tree;
    for (const key of path.slice(0, -1)) parent = parent instanceof Tagged ? (parent.value as Tree)[key as string] : (parent as Tree)[key as string];
    const holder = (parent instanceof Tagged ? parent.value : parent) as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (holder && typeof holder === 'object') holder[last] = new Tagged(tag, holder[last]);
  }
  return tree;
}

export function interpolateTree(v: unknown, path: Path, lookup: Lookup, doc: SourceDoc, onUnset: (name: string) => void): unknown {
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
    const out: Tree = {};
    for (const [k, x] of Object.entries(v)) out[k] = interpolateTree(x, [...path, k], lookup, doc, onUnset);
    return out;
  }
  return v;
}

/**
 * A service with its `extends:` chain merged in, base first. The base may live in this file or in
 * another (`extends: {file, service}`), which need not be a whole compose file; its relative paths are
 * rebased onto this file's folder, as Compose does.
 */
function resolveExtends(file: LoadedFile, name: string, chain: string[], lookup: Lookup, ctx: LoadContext, cache: Map<string, LoadedFile>): ServiceDraft {
  const at: Path = ['services', name];
  const fail = (message: string, path: Path = at): never => {
    throw new CollectError(message, file.file, file.doc.lineOf(path));
  };
  const raw = (file.tree.services as Tree)[name];
  const def = (raw instanceof Tagged ? raw.value : raw) as Tree;
  const origin: Origin = { doc: file.doc, prefix: at };
  if (def.extends === undefined || def.extends === null) return { def, dir: file.dir, origins: [origin] };

  const ext = typeof def.extends === 'string' ? { service: def.extends } : isMap(def.extends) ? def.extends : undefined;
  if (!ext || typeof ext.service !== 'string' || (ext.file !== undefined && typeof ext.file !== 'string')) {
    fail('`extends` is a service name or {service, file}', [...at, 'extends']);
  }
  const key = `${file.file}#${name}`;
  if (chain.includes(key)) fail(`extends cycle: ${[...chain, key].map((k) => k.split('#')[1]).join(' → ')}`, [...at, 'extends']);
  if (chain.length > MAX_DEPTH) fail(`extends chain longer than ${MAX_DEPTH}`, [...at, 'extends']);

  let baseFile = file;
  if (typeof ext!.file === 'string') {
    const path = resolve(dirname(file.file), ext!.file as string);
    baseFile = cache.get(path) ?? loadFile(path, undefined, dirname(path), lookup, ctx, true);
    cache.set(path, baseFile);
  }
  const baseDefs = isMap(baseFile.tree.services) ? baseFile.tree.services : {};
  if (!isMap(baseDefs[ext!.service as string]) && !(baseDefs[ext!.service as string] instanceof Tagged)) {
    fail(`extends: no service "${ext!.service}" in ${baseFile === file ? 'this file' : relative(file.dir, baseFile.file)}`, [...at, 'extends']);
  }
  const base = resolveExtends(baseFile, ext!.service as string, [...chain, key], lookup, ctx, cache);
  const baseDef = base.dir === file.dir ? base.def : rebasePaths(base.def, base.dir, file.dir);
  const own: Tree = { ...def };
  delete own.extends;
  return { def: mergeService(baseDef, own), dir: file.dir, origins: [...base.origins, origin] };
}

/** Relative `env_file`, bind-mount sources and build contexts of `def`, re-expressed from `to`. */
function rebasePaths(def: Tree, from: string, to: string): Tree {
  const move = (p: string) => {
    if (isAbsolute(p) || p.startsWith('~')) return p;
    const r = relative(to, resolve(from, p)) || '.';
    return r.startsWith('..') ? r : `./${r}`;
  };
  const out: Tree = { ...def };
  if (typeof out.env_file === 'string') out.env_file = move(out.env_file);
  else if (Array.isArray(out.env_file)) out.env_file = out.env_file.map((e) => (typeof e === 'string' ? move(e) : isMap(e) && typeof e.path === 'string' ? { ...e, path: move(e.path) } : e));
  if (Array.isArray(out.volumes)) {
    out.volumes = out.volumes.map((v) => {
      if (typeof v === 'string' && /^\.\.?(?:\/|:|$)/.test(v)) {
        const [src, ...rest] = v.split(':');
        return [move(src), ...rest].join(':');
      }
      if (isMap(v) && (v.type === undefined || v.type === 'bind') && typeof v.source === 'string' && /^\.\.?(?:\/|$)/.test(v.source)) return { ...v, source: move(v.source) };
      return v;
    });
  }
  if (typeof out.build === 'string') out.build = move(out.build);
  else if (isMap(out.build) && typeof out.build.context === 'string' && !/^[a-z]+:\/\//i.test(out.build.context)) out.build = { ...out.build, context: move(out.build.context) };
  return out;
}

/**
 * One `include:` entry: another project loaded on its own (its folder, its `.env`, overridden by this
 * project's environment), whose services join this model. A name this project already defines stays
 * this project's, with a warning (the spec: conflicts are reported, not merged).
 */
function addInclude(inc: { entry: unknown; file: LoadedFile; index: number }, dir: string, lookup: Lookup, ctx: LoadContext, stack: string[], services: Map<string, ServiceDraft>): void {
  const fail = (message: string): never => {
    throw new CollectError(message, inc.file.file, inc.file.doc.lineOf(['include', inc.index]));
  };
  const list = (v: unknown, what: string): string[] | undefined => {
    if (v === undefined || v === null) return undefined;
    const arr = Array.isArray(v) ? v : [v];
    if (!arr.every((x) => typeof x === 'string' && x)) fail(`include: \`${what}\` is a path or a list of paths`);
    return arr as string[];
  };
  const e = inc.entry;
  const spec = typeof e === 'string' ? { path: e } : isMap(e) ? e : fail('include entries are paths or {path, project_directory, env_file}');
  const paths = (list(spec.path, 'path') ?? fail('include: `path` is required')).map((p) => resolve(dir, p));
  for (const p of paths) if (stack.includes(p)) fail(`include cycle: ${relative(dir, p)} includes itself`);
  const subDir = typeof spec.project_directory === 'string' ? resolve(dir, spec.project_directory) : dirname(paths[0]);
  const envFiles = list(spec.env_file, 'env_file')?.map((p) => resolve(dir, p));
  const subEnv = new Map<string, string>();
  for (const envFile of envFiles ?? [join(subDir, '.env')]) {
    const text = ctx.readFile(envFile);
    if (text === undefined) {
      if (envFiles) fail(`include: env_file ${relative(dir, envFile)} not found`);
      continue;
    }
    for (const [k, v] of parseDotEnv(text, envFile, lookup)) subEnv.set(k, v);
  }
  const texts = paths.map((p) => {
    const text = ctx.readFile(p);
    return text === undefined ? fail(`include: ${relative(dir, p)} not found`) : { file: p, text };
  });
  const sub = loadModel(texts, subDir, (k) => lookup(k) ?? subEnv.get(k), ctx, stack);
  for (const [name, draft] of sub.services) {
    if (services.has(name)) ctx.warnings.push(`${inc.file.file}: included ${relative(dir, paths[0])} defines service "${name}", which this project defines too; this project's definition is kept`);
    else services.set(name, draft);
  }
}
