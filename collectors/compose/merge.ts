/**
 * The Compose specification's merge rules (compose-spec 13-merge.md), over interpolated YAML trees:
 * what `docker compose -f a.yml -f b.yml config` does with several files, an override file, and an
 * `extends:` base under its service.
 *
 * - mappings merge key by key, the later file winning on scalars;
 * - sequences append (`dns`, `expose`, `cap_add`, `env_file`, ...);
 * - `command`, `entrypoint` and `healthcheck.test` are replaced, never appended;
 * - `ports`, `volumes`, `secrets` and `configs` are unique by their key (target, or ip/target/published/
 *   protocol for ports): an entry with the same key replaces the earlier one, others append;
 * - `environment`, `labels`, `annotations`, `sysctls`, `extra_hosts`, `build.args`, `depends_on` and
 *   `networks` merge by key whatever syntax (list or mapping) each file used: merges apply to the
 *   expanded form;
 * - `!reset` removes what earlier files set, `!override` replaces it without merging.
 *
 * Pure: plain data in, plain data out.
 */

/** A value the YAML carried a `!reset` or `!override` tag on. */
export class Tagged {
  constructor(
    readonly tag: '!reset' | '!override',
    readonly value: unknown,
  ) {}
}

export type Tree = Record<string, unknown>;

export function isMap(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tagged);
}

/** Sequences whose entries are unique by a key computed from each entry. */
const UNIQUE_BY: Record<string, (entry: unknown) => string> = {
  ports: portKey,
  volumes: volumeTarget,
  secrets: (e) => fileTarget(e, '/run/secrets/'),
  configs: (e) => fileTarget(e, '/'),
};

/** Keys replaced by the later file rather than appended (shell commands). */
const REPLACED = new Set(['command', 'entrypoint']);

/** Keys written as `KEY=VALUE` lists or mappings; merged by key. */
const KEYED = new Set(['environment', 'labels', 'annotations', 'sysctls', 'extra_hosts']);

/** Merges two whole compose files (top level): services by name with the service rules, the rest generically. */
export function mergeFiles(base: Tree, override: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (key === 'services' && isMap(value) && isMap(base.services)) {
      const services: Tree = { ...base.services };
      for (const [name, def] of Object.entries(value)) {
        const prev = services[name];
        const merged = isMap(prev) && isMap(def) ? mergeService(prev, def) : mergeValue(prev, def);
        setMerged(services, name, merged);
      }
      out.services = services;
    } else {
      setMerged(out, key, mergeValue(base[key], value));
    }
  }
  return out;
}

/** Merges a service definition over an earlier one (another file's, or the base of `extends`). */
export function mergeService(base: Tree, override: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const prev = base[key];
    let merged: unknown;
    if (value instanceof Tagged || prev === undefined) merged = mergeValue(prev, value);
    else if (REPLACED.has(key)) merged = value;
    else if (key === 'healthcheck' && isMap(prev) && isMap(value)) merged = { ...mergeValue(prev, value) as Tree, ...('test' in value ? { test: value.test } : {}) };
    else if (KEYED.has(key)) merged = mergeKeyed(keyedMap(prev, key === 'extra_hosts' ? /[=:]/ : /=/), keyedMap(value, key === 'extra_hosts' ? /[=:]/ : /=/));
    else if (key === 'depends_on') merged = mergeKeyed(dependsOnMap(prev), dependsOnMap(value));
    else if (key === 'networks') merged = mergeKeyed(namesMap(prev), namesMap(value));
    else if (key === 'build') merged = mergeBuild(prev, value);
    else if (key in UNIQUE_BY) merged = mergeUnique(asList(prev), asList(value), UNIQUE_BY[key]);
    else merged = mergeValue(prev, value);
    setMerged(out, key, merged);
  }
  return out;
}

/** Generic rule: mappings merge recursively, sequences append, anything else is replaced. */
export function mergeValue(base: unknown, override: unknown): unknown {
  if (override instanceof Tagged) return override.tag === '!reset' ? RESET : stripTags(override.value);
  if (isMap(base) && isMap(override)) {
    const out: Tree = { ...base };
    for (const [k, v] of Object.entries(override)) setMerged(out, k, mergeValue(base[k], v));
    return out;
  }
  if (Array.isArray(base) && Array.isArray(override)) return [...base, ...(stripTags(override) as unknown[])];
  // A string where the other file has a list (`dns: 8.8.8.8` vs `dns: [1.1.1.1]`) is a one-entry list.
  if (Array.isArray(base) && typeof override === 'string') return [...base, override];
  if (typeof base === 'string' && Array.isArray(override)) return [base, ...(stripTags(override) as unknown[])];
  return stripTags(override);
}

/** Removes the tags of a file that nothing came before (`!reset` there resets nothing). */
export function stripTags(v: unknown): unknown {
  if (v instanceof Tagged) return v.tag === '!reset' ? undefined : stripTags(v.value);
  if (Array.isArray(v)) return v.map(stripTags).filter((x) => x !== undefined);
  if (isMap(v)) {
    const out: Tree = {};
    for (const [k, x] of Object.entries(v)) {
      const s = stripTags(x);
      if (s !== undefined) out[k] = s;
    }
    return out;
  }
  return v;
}

const RESET = Symbol('reset');

function setMerged(out: Tree, key: string, value: unknown): void {
  if (value === RESET) delete out[key];
  else out[key] = value;
}

function mergeKeyed(base: Map<string, unknown>, override: Map<string, unknown>): Tree {
  const out = new Map(base);
  for (const [k, v] of override) {
    const merged = mergeValue(out.get(k), v);
    if (merged === RESET) out.delete(k);
    else out.set(k, merged);
  }
  return Object.fromEntries(out);
}

/** `["K=V", "K"]` or `{K: V}` → Map (a bare `K` keeps null: its value comes from the environment). */
function keyedMap(v: unknown, sep: RegExp): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (Array.isArray(v)) {
    for (const e of v) {
      if (typeof e !== 'string') continue;
      const m = sep.exec(e);
      if (m) out.set(e.slice(0, m.index), e.slice(m.index + 1));
      else out.set(e, null);
    }
  } else if (isMap(v)) for (const [k, x] of Object.entries(v)) out.set(k, x);
  return out;
}

function dependsOnMap(v: unknown): Map<string, unknown> {
  if (Array.isArray(v)) return new Map(v.filter((x): x is string => typeof x === 'string').map((s) => [s, { condition: 'service_started' }]));
  return keyedMap(v, /=/);
}

function namesMap(v: unknown): Map<string, unknown> {
  if (Array.isArray(v)) return new Map(v.filter((x): x is string => typeof x === 'string').map((s) => [s, null]));
  return keyedMap(v, /=/);
}

/** `build: ./dir` is `build: {context: ./dir}`; `args` merge by key. */
function mergeBuild(base: unknown, override: unknown): unknown {
  const norm = (b: unknown): unknown => (typeof b === 'string' ? { context: b } : b);
  const b = norm(base);
  const o = norm(override);
  if (!isMap(b) || !isMap(o)) return mergeValue(b, o);
  const merged = mergeValue(b, o) as Tree;
  if (b.args !== undefined && o.args !== undefined && !(o.args instanceof Tagged)) merged.args = mergeKeyed(keyedMap(b.args, /=/), keyedMap(o.args, /=/));
  return merged;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

function mergeUnique(base: unknown[], override: unknown[], keyOf: (e: unknown) => string): unknown[] {
  const out = [...base];
  for (const e of override) {
    const k = keyOf(e);
    const at = out.findIndex((x) => keyOf(x) === k);
    if (at >= 0) out[at] = isMap(out[at]) && isMap(e) ? mergeValue(out[at], e) : e;
    else out.push(e);
  }
  return out;
}

/** Ports are unique by {ip, target, published, protocol}; `"127.0.0.1:8080:80/tcp"` and the long form. */
function portKey(e: unknown): string {
  if (isMap(e)) return [e.host_ip ?? '', e.target ?? '', e.published ?? '', e.protocol ?? 'tcp'].join('|');
  const s = String(e);
  const [addr, protocol = 'tcp'] = s.split('/');
  const parts = addr.split(':');
  const target = parts.pop() ?? '';
  const published = parts.pop() ?? '';
  const ip = parts.join(':');
  return [ip, target, published, protocol].join('|');
}

/** Volumes are unique by their target in the container: `src:/target[:mode]`, `/anonymous`, `{target}`. */
function volumeTarget(e: unknown): string {
  if (isMap(e)) return String(e.target ?? '');
  const parts = String(e).split(':');
  return parts.length === 1 ? parts[0] : parts[1];
}

/** Secrets and configs: `name` mounts at a default path, `{source, target}` where it says. */
function fileTarget(e: unknown, defaultDir: string): string {
  if (isMap(e)) return String(e.target ?? `${defaultDir}${String(e.source ?? '')}`);
  return `${defaultDir}${String(e)}`;
}
