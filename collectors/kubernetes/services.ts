import type { K8sObject } from './objects.ts';
import type { Workload } from './workloads.ts';

export interface ServiceInfo {
  namespace: string;
  name: string;
  selector?: Record<string, string>;
  type?: string;
  ports: { name?: string; port: number; protocol?: string }[];
  externalName?: string;
  object: K8sObject;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function readService(obj: K8sObject, namespace: string): ServiceInfo {
  const spec = isMap(obj.spec) ? obj.spec : {};
  const selector = isMap(spec.selector) && Object.keys(spec.selector).length ? (spec.selector as Record<string, string>) : undefined;
  const ports = Array.isArray(spec.ports) ? spec.ports.filter(isMap).map((p) => ({ name: p.name as string | undefined, port: Number(p.port), protocol: p.protocol as string | undefined })) : [];
  return {
    namespace,
    name: obj.metadata.name,
    selector,
    type: typeof spec.type === 'string' ? spec.type : undefined,
    ports,
    externalName: typeof spec.externalName === 'string' ? spec.externalName : undefined,
    object: obj,
  };
}

/** A selector matches pods carrying every one of its labels (an empty selector matches nothing, as for Services). */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === String(v));
}

export function selectedWorkloads(svc: ServiceInfo, workloads: Workload[]): Workload[] {
  return workloads.filter((w) => w.namespace === svc.namespace && selects(svc.selector, w.podLabels));
}

/**
 * In-cluster DNS: which Service a host name reaches from a pod in `fromNamespace`.
 * `name` (same namespace), `name.ns`, `name.ns.svc`, `name.ns.svc.<cluster domain>`, and a StatefulSet
 * pod behind a headless Service, `pod.name.ns.svc.<cluster domain>`.
 */
export function resolveServiceHost(host: string, fromNamespace: string, lookup: (ns: string, name: string) => ServiceInfo | undefined): ServiceInfo | undefined {
  const labels = host.toLowerCase().split('.');
  if (labels.length === 1) return lookup(fromNamespace, labels[0]);
  if (labels.length === 2) return lookup(labels[1], labels[0]);
  if (labels[2] === 'svc') return lookup(labels[1], labels[0]);
  if (labels.length >= 4 && labels[3] === 'svc') return lookup(labels[2], labels[1]);
  return undefined;
}

/** Names that look in-cluster (a bare word or `*.svc…`): if they resolve to nothing, the user should hear of it. */
export function looksInCluster(host: string): boolean {
  return !host.includes('.') || /\.svc(\.|$)/.test(host);
}
