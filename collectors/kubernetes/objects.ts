import { CollectError } from '../types.ts';

/** A Kubernetes object as read from a manifest or the API, with where it came from for messages. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; uid?: string; ownerReferences?: { kind: string; name: string; uid?: string }[] };
  [field: string]: unknown;
  /** File and line, or `<cluster>` for live objects. */
  origin: { file: string; line?: number; lineOf?: (path: (string | number)[]) => number | undefined };
}

/** The kinds the transform reads, with the API group each must come from (a `v1` Deployment is a wrong kind). */
export const READ_KINDS: Record<string, string[]> = {
  Namespace: [''],
  Deployment: ['apps'],
  StatefulSet: ['apps'],
  DaemonSet: ['apps'],
  ReplicaSet: ['apps'],
  Job: ['batch'],
  CronJob: ['batch'],
  Pod: [''],
  Service: [''],
  Ingress: ['networking.k8s.io', 'extensions'],
  ConfigMap: [''],
  Secret: [''],
  PodDisruptionBudget: ['policy'],
};

/** Built-in kinds that say nothing about dependencies; read and skipped. */
const IGNORED_KINDS = new Set([
  'ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolumeClaim',
  'PersistentVolume', 'StorageClass', 'NetworkPolicy', 'HorizontalPodAutoscaler', 'LimitRange', 'ResourceQuota',
  'Endpoints', 'EndpointSlice', 'CustomResourceDefinition', 'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'PriorityClass',
  'IngressClass', 'APIService', 'Lease', 'Event', 'Node', 'ReplicationController', 'ControllerRevision', 'CSIDriver',
  'CSINode', 'CSIStorageCapacity', 'VolumeAttachment', 'RuntimeClass', 'PodTemplate', 'CertificateSigningRequest',
  'FlowSchema', 'PriorityLevelConfiguration', 'ComponentStatus', 'Binding',
]);

/** API groups that belong to Kubernetes itself: an unknown kind there is a typo, not a custom resource. */
const BUILT_IN_GROUPS = new Set([
  '', 'apps', 'batch', 'extensions', 'policy', 'autoscaling', 'networking.k8s.io', 'rbac.authorization.k8s.io',
  'storage.k8s.io', 'apiextensions.k8s.io', 'admissionregistration.k8s.io', 'scheduling.k8s.io',
  'coordination.k8s.io', 'discovery.k8s.io', 'node.k8s.io', 'certificates.k8s.io', 'apiregistration.k8s.io',
  'events.k8s.io', 'flowcontrol.apiserver.k8s.io', 'resource.k8s.io',
]);

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface RawDoc {
  value: unknown;
  file: string;
  lineOf?: (path: (string | number)[]) => number | undefined;
}

/**
 * Checks the envelope of every document and flattens `List` kinds (`kubectl get -o yaml` output).
 * Returns the objects the transform reads; custom resources are skipped with a warning.
 */
export function readObjects(docs: RawDoc[], warnings: string[]): K8sObject[] {
  const out: K8sObject[] = [];
  const visit = (value: unknown, doc: RawDoc, path: (string | number)[]) => {
    if (value === null || value === undefined) return; // an empty document between `---`
    const line = doc.lineOf?.(path);
    const fail = (message: string, at: (string | number)[] = path): never => {
      throw new CollectError(message, doc.file, doc.lineOf?.(at) ?? line);
    };
    if (!isMap(value)) fail('a Kubernetes object must be a mapping with apiVersion, kind and metadata');
    const obj = value as Record<string, unknown>;
    if (typeof obj.kind !== 'string' || !obj.kind) fail('missing `kind`');
    if (typeof obj.apiVersion !== 'string' || !obj.apiVersion) fail('missing `apiVersion`');
    const kind = obj.kind as string;
    const apiVersion = obj.apiVersion as string;
    if (kind === 'List' || (kind.endsWith('List') && Array.isArray(obj.items))) {
      if (!Array.isArray(obj.items)) fail('a List needs `items`', [...path, 'kind']);
      (obj.items as unknown[]).forEach((item, i) => visit(item, doc, [...path, 'items', i]));
      return;
    }
    const group = groupOf(apiVersion);
    const groups = READ_KINDS[kind];
    if (!groups) {
      if (IGNORED_KINDS.has(kind)) return;
      if (BUILT_IN_GROUPS.has(group)) fail(`unknown kind "${kind}" for apiVersion ${apiVersion}`, [...path, 'kind']);
      warnings.push(`${doc.file}${line ? `:${line}` : ''}: skipped custom resource ${kind} (${apiVersion})`);
      return;
    }
    if (!groups.includes(group)) fail(`kind ${kind} does not belong to apiVersion ${apiVersion}`, [...path, 'kind']);
    const md = obj.metadata;
    if (!isMap(md) || typeof md.name !== 'string' || !md.name) fail(`${kind} without metadata.name`, [...path, 'metadata']);
    const meta = md as Record<string, unknown>;
    if (meta.namespace !== undefined && typeof meta.namespace !== 'string') fail('metadata.namespace must be a string', [...path, 'metadata', 'namespace']);
    if (meta.labels !== undefined && meta.labels !== null && !isMap(meta.labels)) fail('metadata.labels must be a mapping', [...path, 'metadata', 'labels']);
    out.push({
      ...obj,
      apiVersion,
      kind,
      metadata: meta as K8sObject['metadata'],
      origin: { file: doc.file, line, lineOf: doc.lineOf ? (p) => doc.lineOf!([...path, ...p]) : undefined },
    });
  };
  for (const doc of docs) visit(doc.value, doc, []);
  return out;
}
