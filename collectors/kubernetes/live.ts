import * as k8s from '@kubernetes/client-node';
import { CollectError, type Collected } from '../types.ts';
import type { K8sObject } from './objects.ts';
import { transformKubernetes } from './transform.ts';

export interface LiveOptions {
  context?: string;
  kubeconfig?: string;
  namespace?: string;
  cluster?: string;
  environment?: string;
  progress?: (message: string) => void;
}

/** The user's kubeconfig (`--kubeconfig`, else $KUBECONFIG / ~/.kube/config / in-cluster), at `--context`. */
export function loadKubeConfig(opts: Pick<LiveOptions, 'context' | 'kubeconfig'>): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
  else kc.loadFromDefault();
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) throw new CollectError(`no context "${opts.context}" in the kubeconfig`);
    kc.setCurrentContext(opts.context);
  }
  if (!kc.getCurrentCluster()) throw new CollectError('the kubeconfig has no current cluster (use --context or --kubeconfig)');
  return kc;
}

interface ListResult {
  items: object[];
}

/**
 * Lists what the transform reads, cluster-wide or in one namespace. A dumb fetch: any API error
 * (unreachable server, forbidden list) throws and the run pushes nothing. Secrets are not listed:
 * their names are known from the workloads that reference them, and their values must never travel.
 */
export async function fetchClusterObjects(kc: k8s.KubeConfig, namespace: string | undefined, progress: (m: string) => void): Promise<K8sObject[]> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  const net = kc.makeApiClient(k8s.NetworkingV1Api);
  const policy = kc.makeApiClient(k8s.PolicyV1Api);
  const ns = namespace ? { namespace } : undefined;
  const origin = { file: `<cluster ${kc.getCurrentContext()}>` };
  const kinds: [string, string, () => Promise<ListResult>][] = [
    ['v1', 'Namespace', () => (ns ? core.readNamespace({ name: namespace! }).then((n) => ({ items: [n] })) : core.listNamespace())],
    ['apps/v1', 'Deployment', () => (ns ? apps.listNamespacedDeployment(ns) : apps.listDeploymentForAllNamespaces())],
    ['apps/v1', 'StatefulSet', () => (ns ? apps.listNamespacedStatefulSet(ns) : apps.listStatefulSetForAllNamespaces())],
    ['apps/v1', 'DaemonSet', () => (ns ? apps.listNamespacedDaemonSet(ns) : apps.listDaemonSetForAllNamespaces())],
    ['apps/v1', 'ReplicaSet', () => (ns ? apps.listNamespacedReplicaSet(ns) : apps.listReplicaSetForAllNamespaces())],
    ['batch/v1', 'Job', () => (ns ? batch.listNamespacedJob(ns) : batch.listJobForAllNamespaces())],
    ['batch/v1', 'CronJob', () => (ns ? batch.listNamespacedCronJob(ns) : batch.listCronJobForAllNamespaces())],
    ['v1', 'Pod', () => (ns ? core.listNamespacedPod(ns) : core.listPodForAllNamespaces())],
    ['v1', 'Service', () => (ns ? core.listNamespacedService(ns) : core.listServiceForAllNamespaces())],
    ['v1', 'ConfigMap', () => (ns ? core.listNamespacedConfigMap(ns) : core.listConfigMapForAllNamespaces())],
    ['networking.k8s.io/v1', 'Ingress', () => (ns ? net.listNamespacedIngress(ns) : net.listIngressForAllNamespaces())],
    ['policy/v1', 'PodDisruptionBudget', () => (ns ? policy.listNamespacedPodDisruptionBudget(ns) : policy.listPodDisruptionBudgetForAllNamespaces())],
  ];
  const out: K8sObject[] = [];
  for (const [apiVersion, kind, list] of kinds) {
    let result: ListResult;
    try {
      result = await list();
    } catch (e) {
      throw new CollectError(`listing ${kind}: ${(e as Error).message}`, origin.file);
    }
    // List items come without apiVersion/kind; JSON round-trip turns the client's model classes into plain manifests.
    for (const item of result.items) out.push({ ...JSON.parse(JSON.stringify(item)), apiVersion, kind, origin });
    progress(`listed ${result.items.length} ${kind}(s)`);
  }
  return out;
}

/** The cluster's name as the kubeconfig knows it: the current context's cluster entry. */
export function clusterName(kc: k8s.KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.cluster ?? kc.getCurrentCluster()?.name ?? kc.getCurrentContext();
}

export async function collectLive(opts: LiveOptions): Promise<Collected> {
  const kc = loadKubeConfig(opts);
  const progress = opts.progress ?? (() => {});
  const objects = await fetchClusterObjects(kc, opts.namespace, progress);
  return transformKubernetes(objects, {
    cluster: opts.cluster ?? clusterName(kc),
    defaultNamespace: opts.namespace,
    environment: opts.environment,
    strict: false,
  });
}
