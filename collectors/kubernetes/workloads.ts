import { CollectError } from '../types.ts';
import type { K8sObject } from './objects.ts';

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'] as const;

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string };
    secretKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
  };
}

export interface EnvFrom {
  prefix?: string;
  configMapRef?: { name: string };
  secretRef?: { name: string };
}

export interface Container {
  name: string;
  image?: string;
  env: EnvVar[];
  envFrom: EnvFrom[];
  /** `command` then `args`, as the container runs them (`$(VAR)` not yet expanded). */
  commandLine: string[];
}

export interface Volume {
  name: string;
  configMap?: { name: string; items?: { key: string }[] };
  secret?: { secretName: string };
  projected?: { sources?: { configMap?: { name: string; items?: { key: string }[] }; secret?: { name: string } }[] };
}

export interface Workload {
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
  /** Labels of the pods it makes: what Service selectors and PDBs match. */
  podLabels: Record<string, string>;
  replicas?: number;
  containers: Container[];
  initContainers: Container[];
  volumes: Volume[];
  serviceAccount?: string;
  object: K8sObject;
}

/** Fields of a container in the core/v1 API; another key in a manifest is a typo that would hide edges. */
const CONTAINER_KEYS = new Set([
  'name', 'image', 'command', 'args', 'workingDir', 'ports', 'envFrom', 'env', 'resources', 'resizePolicy',
  'restartPolicy', 'restartPolicyRules', 'volumeMounts', 'volumeDevices', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle',
  'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty',
]);
const ENV_KEYS = new Set(['name', 'value', 'valueFrom']);

type Path = (string | number)[];

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where the pod template of each workload kind lives. */
function templatePath(kind: string): Path {
  if (kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template'];
  if (kind === 'Pod') return [];
  return ['spec', 'template'];
}

function dig(o: unknown, path: Path): unknown {
  let v = o;
  for (const p of path) v = isMap(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

/**
 * Reads the pod template of a workload (or a bare Pod). `strict` (manifests) fails on unknown container
 * and env fields; objects from a live API server are trusted as they are.
 */
export function readWorkload(obj: K8sObject, namespace: string, strict: boolean): Workload {
  const tpl = templatePath(obj.kind);
  const fail = (message: string, path: Path): never => {
    throw new CollectError(`${obj.kind} ${obj.metadata.name}: ${message}`, obj.origin.file, obj.origin.lineOf?.(path) ?? obj.origin.line);
  };
  const template = obj.kind === 'Pod' ? obj : dig(obj, tpl);
  if (!isMap(template)) fail('missing pod template', tpl);
  const podSpecPath = [...tpl, 'spec'];
  const spec = dig(obj, podSpecPath);
  if (!isMap(spec)) fail('missing pod spec', podSpecPath);
  const podMeta = obj.kind === 'Pod' ? obj.metadata : dig(template, ['metadata']);
  const podLabels = isMap(podMeta) && isMap(podMeta.labels) ? (podMeta.labels as Record<string, string>) : {};

  const containers = (key: 'containers' | 'initContainers'): Container[] => {
    const list = (spec as Record<string, unknown>)[key];
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) return fail(`${key} must be a list`, [...podSpecPath, key]);
    return list.map((c, i) => readContainer(c, [...podSpecPath, key, i], strict, fail));
  };
  const main = containers('containers');
  if (main.length === 0) fail('a pod needs at least one container', [...podSpecPath, 'containers']);
  const volumes = (spec as Record<string, unknown>).volumes;
  if (volumes !== undefined && volumes !== null && !Array.isArray(volumes)) fail('volumes must be a list', [...podSpecPath, 'volumes']);

  const rawReplicas = dig(obj, ['spec', 'replicas']);
  const replicas = obj.kind === 'Deployment' || obj.kind === 'StatefulSet' ? (typeof rawReplicas === 'number' ? rawReplicas : 1) : undefined;
  return {
    kind: obj.kind,
    name: obj.metadata.name,
    namespace,
    uid: obj.metadata.uid,
    podLabels,
    replicas,
    containers: main,
    initContainers: containers('initContainers'),
    volumes: ((volumes as unknown[]) ?? []).filter(isMap) as unknown as Volume[],
    serviceAccount: typeof (spec as Record<string, unknown>).serviceAccountName === 'string' ? ((spec as Record<string, unknown>).serviceAccountName as string) : undefined,
    object: obj,
  };
}

function readContainer(c: unknown, at: Path, strict: boolean, fail: (m: string, p: Path) => never): Container {
  if (!isMap(c)) return fail('a container must be a mapping', at);
  if (typeof c.name !== 'string') fail('container without a name', at);
  if (strict) for (const k of Object.keys(c)) if (!CONTAINER_KEYS.has(k)) fail(`unknown container field "${k}"`, [...at, k]);
  const env = c.env ?? [];
  if (!Array.isArray(env)) fail('env must be a list', [...at, 'env']);
  (env as unknown[]).forEach((e, i) => {
    if (!isMap(e) || typeof e.name !== 'string') fail('env entries need a name', [...at, 'env', i]);
    const entry = e as Record<string, unknown>;
    if (strict) for (const k of Object.keys(entry)) if (!ENV_KEYS.has(k)) fail(`unknown env field "${k}"`, [...at, 'env', i, k]);
    if (entry.value !== undefined && entry.value !== null && typeof entry.value !== 'string') fail(`env ${entry.name} must have a string value (quote numbers)`, [...at, 'env', i, 'value']);
  });
  const envFrom = c.envFrom ?? [];
  if (!Array.isArray(envFrom)) fail('envFrom must be a list', [...at, 'envFrom']);
  const words = (k: 'command' | 'args'): string[] => {
    const v = c[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return fail(`${k} must be a list of strings`, [...at, k]);
    return v as string[];
  };
  return {
    name: c.name as string,
    image: typeof c.image === 'string' ? c.image : undefined,
    env: env as EnvVar[],
    envFrom: (envFrom as unknown[]).filter(isMap) as EnvFrom[],
    commandLine: [...words('command'), ...words('args')],
  };
}
