import { CollectError, type Collected, type Collector, type CollectInput } from '../types.ts';
import { readInputs } from '../shared/inputs.ts';
import { MANIFEST_EXTENSIONS, readManifests } from './manifests.ts';
import { transformKubernetes } from './transform.ts';

const opt = (o: CollectInput['options'], k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);

export interface ManifestCollectOptions {
  cluster?: string;
  namespace?: string;
  environment?: string;
  stdin?: NodeJS.ReadableStream;
  progress?: (message: string) => void;
}

/** Get (read manifests from files, folders, stdin) → transform. */
export async function collectManifests(inputs: string[], opts: ManifestCollectOptions = {}): Promise<Collected> {
  if (inputs.length === 0) throw new CollectError('give manifest files, folders or - for stdin, or --live for a cluster');
  const files = await readInputs(inputs, MANIFEST_EXTENSIONS, opts.stdin);
  opts.progress?.(`read ${files.length} manifest file(s)`);
  const warnings: string[] = [];
  const objects = readManifests(files, warnings);
  const collected = transformKubernetes(objects, {
    cluster: opts.cluster ?? 'manifests',
    defaultNamespace: opts.namespace,
    environment: opts.environment,
    strict: true,
  });
  return { ...collected, warnings: [...warnings, ...collected.warnings] };
}

export const kubernetesCollector: Collector = {
  source: 'kubernetes',
  summary: 'cluster, namespaces, workloads, Services, Ingresses and dependencies from manifests or a live cluster',
  usage:
    'servicegraph collect kubernetes <manifest files/folders | -> [--cluster NAME] [--namespace NS] [--environment ENV]\n' +
    '      servicegraph collect kubernetes --live [--context CTX] [--kubeconfig PATH] [--namespace NS] [--cluster NAME]',
  async collect(input: CollectInput): Promise<Collected> {
    const o = input.options;
    if (o.live === true) {
      const { collectLive } = await import('./live.ts');
      return collectLive({
        context: opt(o, 'context'),
        kubeconfig: opt(o, 'kubeconfig'),
        namespace: opt(o, 'namespace'),
        cluster: opt(o, 'cluster'),
        environment: opt(o, 'environment'),
        progress: input.progress,
      });
    }
    return collectManifests(input.inputs, {
      cluster: opt(o, 'cluster'),
      namespace: opt(o, 'namespace'),
      environment: opt(o, 'environment'),
      progress: input.progress,
    });
  },
};
