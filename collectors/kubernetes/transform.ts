import type { CiRef } from '../../server/model/ingest.ts';
import type { MinUp } from '../../server/model/relations.ts';
import type { Collected } from '../types.ts';
import { configEntries } from '../shared/config-text.ts';
import { commandEndpoints } from '../shared/command-hosts.ts';
import { EdgeSet, type EvidenceKind } from '../shared/edges.ts';
import { isHealthCheck } from '../shared/health-check.ts';
import { extractEndpoints } from '../shared/endpoints.ts';
import { classifyImage } from '../../common/image-class.ts';
import { containerEnv, expandK8s, type ConfigMapData, type ResolvedEnv } from './env.ts';
import { ClusterGraph } from './graph.ts';
import type { K8sObject } from './objects.ts';
import { looksInCluster, readService, resolveServiceHost, selectedWorkloads, selects, type ServiceInfo } from './services.ts';
import { readWorkload, WORKLOAD_KINDS, type Container, type Workload } from './workloads.ts';

export interface K8sTransformOptions {
  cluster: string;
  /** Namespace of objects that name none (what `kubectl apply -n` would use). */
  defaultNamespace?: string;
  environment?: string;
  /** Manifests are checked strictly; objects read from a live API server are trusted. */
  strict: boolean;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const nsKey = (ns: string, name: string) => `${ns}/${name}`;

/**
 * Kubernetes objects → cluster, namespaces, workloads, the software they run, Services, Ingresses and
 * DEPENDS_ON edges from env values and ConfigMap contents that name a Service. Pure. See README.md for
 * the model and why.
 */
export function transformKubernetes(objects: K8sObject[], opts: K8sTransformOptions): Collected {
  const warnings: string[] = [];
  const declaredNamespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
  const defaultNs = opts.defaultNamespace ?? (declaredNamespaces.length === 1 ? declaredNamespaces[0] : 'default');
  if (!opts.defaultNamespace && declaredNamespaces.length === 1 && objects.some((o) => o.kind !== 'Namespace' && !o.metadata.namespace)) {
    warnings.push(`objects without a namespace are placed in ${defaultNs}, the only Namespace the input declares (set --namespace to choose)`);
  }
  const nsOf = (o: K8sObject) => o.metadata.namespace ?? defaultNs;
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);

  const configMaps = new Map<string, ConfigMapData>();
  const configMapLabels = new Map<string, Record<string, string>>();
  for (const o of ofKind('ConfigMap')) {
    const data: Record<string, string> = {};
    if (isMap(o.data)) for (const [k, v] of Object.entries(o.data)) if (typeof v === 'string') data[k] = v;
    configMaps.set(nsKey(nsOf(o), o.metadata.name), { namespace: nsOf(o), name: o.metadata.name, data });
    configMapLabels.set(nsKey(nsOf(o), o.metadata.name), o.metadata.labels ?? {});
  }
  const services = ofKind('Service').map((o) => readService(o, nsOf(o)));
  const serviceIndex = new Map(services.map((s) => [nsKey(s.namespace, s.name), s]));
  const lookupService = (ns: string, name: string) => serviceIndex.get(nsKey(ns, name));

  const workloads: Workload[] = objects
    .filter((o) => (WORKLOAD_KINDS as readonly string[]).includes(o.kind) || (o.kind === 'Pod' && !o.metadata.ownerReferences?.length))
    .map((o) => readWorkload(o, nsOf(o), opts.strict));
  const workloadKey = (w: Workload) => nsKey(w.namespace, `${w.kind}/${w.name}`);
  const softwareClass = new Map(workloads.map((w) => [workloadKey(w), workloadClass(w)]));

  const g = new ClusterGraph(opts.cluster, opts.environment);
  const clusterRef = g.clusterRef();
  const namespaces = new Set([...declaredNamespaces, ...objects.filter((o) => o.kind !== 'Namespace').map(nsOf)]);
  const nsRefs = new Map<string, CiRef>();
  for (const ns of [...namespaces].sort()) {
    const ref = g.namespaceRef(ns, {
      configMaps: ofKind('ConfigMap').filter((o) => nsOf(o) === ns).map((o) => o.metadata.name).sort(),
      secrets: ofKind('Secret').filter((o) => nsOf(o) === ns).map((o) => o.metadata.name).sort(),
    });
    nsRefs.set(ns, ref);
    g.relate('PART_OF', ref, clusterRef);
  }

  // Workloads, the app each runs (software RUNS_ON workload), and their replicas.
  const workloadRefs = new Map<string, CiRef>();
  const appRefs = new Map<string, CiRef>();
  for (const w of workloads) {
    const used = usedConfig(w, configMaps, configMapLabels);
    const wref = g.ci({
      class: 'k8s_workload',
      name: w.name,
      identifiers: { cluster: opts.cluster, namespace: w.namespace, kind: w.kind, ...(w.uid ? { uid: w.uid } : {}) },
      attributes: {
        kind: w.kind,
        images: w.containers.map((c) => c.image).filter(Boolean),
        ...(w.replicas !== undefined ? { replicas: w.replicas } : {}),
        ...(w.serviceAccount ? { serviceAccount: w.serviceAccount } : {}),
        configMaps: [...used.configMapNames].sort(),
        secrets: [...used.secrets].sort(),
      },
    });
    workloadRefs.set(workloadKey(w), wref);
    g.relate('PART_OF', wref, nsRefs.get(w.namespace)!);
    const cls = softwareClass.get(workloadKey(w))!;
    const product = w.containers.map((c) => classifyImage(c.image)?.product).find(Boolean);
    const app = g.software(cls, w.namespace, w.name, { workloadKind: w.kind, ...(product ? { product } : {}) });
    appRefs.set(workloadKey(w), app);
    g.relate('RUNS_ON', app, wref);
  }
  addReplicas(g, objects, workloads, workloadRefs, nsOf);

  // Services: software CIs running on the workloads they select.
  const serviceRefs = new Map<string, CiRef>();
  for (const s of services) {
    const targets = selectedWorkloads(s, workloads);
    const classes = new Set(targets.map((w) => softwareClass.get(workloadKey(w))));
    const cls = classes.size === 1 ? [...classes][0]! : 'service';
    const ref = g.software(cls, s.namespace, s.name, {
      k8sService: true,
      ...(s.type ? { serviceType: s.type } : {}),
      ports: s.ports.map((p) => p.port),
      ...(s.externalName ? { externalName: s.externalName } : {}),
    });
    serviceRefs.set(nsKey(s.namespace, s.name), ref);
    for (const w of targets) g.relate('RUNS_ON', ref, workloadRefs.get(workloadKey(w))!);
    if (s.selector && targets.length === 0) warnings.push(`Service ${s.namespace}/${s.name} selects no workload in the input`);
  }

  // Dependencies named in env values and in the ConfigMaps a workload reads.
  const edges = new EdgeSet();
  const dangling = new Set<string>();
  for (const w of workloads) {
    const from = appRefs.get(workloadKey(w))!;
    const fromKey = JSON.stringify(from);
    const point = (key: string, value: string, via: string, kind: EvidenceKind = isHealthCheck(key, value) ? 'health' : 'config') => {
      for (const e of extractEndpoints(key, value)) {
        const svc = resolveServiceHost(e.host, w.namespace, lookupService);
        if (!svc) {
          if (looksInCluster(e.host)) dangling.add(`${w.kind} ${w.namespace}/${w.name}: ${via} names "${e.host}", which no Service in the input defines`);
          continue;
        }
        if (selects(svc.selector, w.podLabels) && svc.namespace === w.namespace) continue; // its own address
        const to = serviceRefs.get(nsKey(svc.namespace, svc.name))!;
        edges.add(fromKey, from, JSON.stringify(to), to, via, kind);
      }
    };
    const used = usedConfig(w, configMaps, configMapLabels);
    for (const c of [...w.containers, ...w.initContainers]) {
      const env = containerEnv(c, { namespace: w.namespace, podLabels: w.podLabels, configMap: (name) => configMaps.get(nsKey(w.namespace, name)) });
      // Init containers only wait for what the main containers use; their `nc -z` commands are not env.
      for (const e of env) point(e.key, e.value, e.via);
      if (w.containers.includes(c)) pointCommand(c, env, point);
    }
    for (const [cmName, keys] of used.files) {
      const cm = configMaps.get(nsKey(w.namespace, cmName));
      if (!cm) continue;
      for (const [k, text] of Object.entries(cm.data)) {
        if (keys && !keys.has(k)) continue;
        for (const entry of configEntries(text)) point(entry.key, entry.value, `configmap:${cmName}/${k}`);
      }
    }
  }
  warnings.push(...dangling);

  addIngresses(g, edges, ofKind('Ingress'), nsOf, serviceRefs, warnings);

  return { scope: opts.cluster, cis: g.allCis(), relations: [...g.allRelations(), ...edges.relations()], warnings };
}

/**
 * Hosts on a main container's command line (`command` + `args`, `$(VAR)` expanded from its env), as
 * medium-confidence evidence `command:<container>`. Each endpoint goes through `point` as a host:port
 * value, so it resolves to a Service exactly as env values do; a health-check URL there is health evidence.
 */
function pointCommand(c: Container, env: ResolvedEnv[], point: (key: string, value: string, via: string, kind: EvidenceKind) => void): void {
  if (!c.commandLine.length) return;
  const vars = new Map(env.map((e) => [e.key, e.value]));
  for (const e of commandEndpoints(c.commandLine.map((w) => expandK8s(w, vars)))) {
    point('host', e.port ? `${e.host}:${e.port}` : e.host, `command:${c.name}`, e.health ? 'health' : 'command');
  }
}

/** A workload whose main container runs a known data store image is that data store. */
function workloadClass(w: Workload): string {
  for (const c of w.containers) {
    const kind = classifyImage(c.image);
    if (kind) return kind.class;
  }
  return 'service';
}

interface UsedConfig {
  /** Every ConfigMap the workload reads, for its attributes (names only). */
  configMapNames: Set<string>;
  /** ConfigMaps read as files (volumes, sidecar-loaded) → the keys mounted (undefined: all). */
  files: Map<string, Set<string> | undefined>;
  secrets: Set<string>;
}

/**
 * Which ConfigMaps and Secrets a workload reads: volumes (plain and projected), envFrom, key refs, and
 * ConfigMaps picked up by a k8s-sidecar container watching a label (how Grafana charts load datasources).
 * ConfigMaps read through env (envFrom, configMapKeyRef) are judged as env values by containerEnv.
 */
function usedConfig(w: Workload, configMaps: Map<string, ConfigMapData>, labels: Map<string, Record<string, string>>): UsedConfig {
  const files = new Map<string, Set<string> | undefined>();
  const names = new Set<string>();
  const secrets = new Set<string>();
  const addFile = (name: string, items?: { key: string }[]) => {
    names.add(name);
    const keys = items?.length ? items.map((i) => i.key) : undefined;
    const prev = files.get(name);
    const all = (files.has(name) && prev === undefined) || keys === undefined;
    files.set(name, all ? undefined : new Set([...(prev ?? []), ...keys]));
  };
  for (const v of w.volumes) {
    if (v.configMap?.name) addFile(v.configMap.name, v.configMap.items);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) addFile(s.configMap.name, s.configMap.items);
      if (s.secret?.name) secrets.add(s.secret.name);
    }
  }
  for (const c of [...w.containers, ...w.initContainers]) {
    for (const f of c.envFrom) {
      if (f.configMapRef?.name) names.add(f.configMapRef.name);
      if (f.secretRef?.name) secrets.add(f.secretRef.name);
    }
    for (const e of c.env) {
      if (e.valueFrom?.configMapKeyRef?.name) names.add(e.valueFrom.configMapKeyRef.name);
      if (e.valueFrom?.secretKeyRef?.name) secrets.add(e.valueFrom.secretKeyRef.name);
    }
    const sidecarLabel = /k8s-sidecar/.test(c.image ?? '') ? c.env.find((e) => e.name === 'LABEL')?.value : undefined;
    if (sidecarLabel) {
      const wanted = c.env.find((e) => e.name === 'LABEL_VALUE')?.value;
      for (const [key, cm] of configMaps) {
        const l = labels.get(key) ?? {};
        if (cm.namespace === w.namespace && sidecarLabel in l && (wanted === undefined || l[sidecarLabel] === wanted)) addFile(cm.name);
      }
    }
  }
  return { configMapNames: names, files, secrets };
}

/**
 * Replicas as a redundancy group: the pods of a workload are PART_OF it in one group, so losing some
 * leaves it degraded and losing more than the budget allows takes it down. Live pods are used when the
 * input has them; otherwise a Deployment or StatefulSet with more than one replica gets its declared
 * replicas (StatefulSet pods have stable names `name-0…`, Deployment pods are named the same way here).
 */
function addReplicas(g: ClusterGraph, objects: K8sObject[], workloads: Workload[], refs: Map<string, CiRef>, nsOf: (o: K8sObject) => string): void {
  const ownerOf = new Map<string, { kind: string; name: string }>();
  for (const o of objects) {
    const owner = o.metadata.ownerReferences?.[0];
    if (owner && (o.kind === 'ReplicaSet' || o.kind === 'Job')) ownerOf.set(nsKey(nsOf(o), `${o.kind}/${o.metadata.name}`), owner);
  }
  const livePods = new Map<string, K8sObject[]>();
  for (const pod of objects.filter((o) => o.kind === 'Pod' && o.metadata.ownerReferences?.length)) {
    let owner = pod.metadata.ownerReferences![0];
    const ns = nsOf(pod);
    const up = ownerOf.get(nsKey(ns, `${owner.kind}/${owner.name}`));
    if (up) owner = up;
    const key = nsKey(ns, `${owner.kind}/${owner.name}`);
    livePods.set(key, [...(livePods.get(key) ?? []), pod]);
  }
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  for (const w of workloads) {
    const key = nsKey(w.namespace, `${w.kind}/${w.name}`);
    const pods = livePods.get(key);
    const declared = !pods && (w.replicas ?? 0) > 1 ? Array.from({ length: w.replicas! }, (_, i) => `${w.name}-${i}`) : [];
    const names = pods ? pods.map((p) => p.metadata.name) : declared;
    if (!names.length) continue;
    const redundancy = { group: `${w.namespace}/${w.kind}/${w.name}/replicas`, minUp: minUpFor(w, names.length, pdbs, nsOf) };
    names.forEach((name, i) => {
      const pod = pods?.[i];
      const ref = g.ci({
        class: 'pod',
        name,
        identifiers: { cluster: g.cluster, namespace: w.namespace, ...(pod?.metadata.uid ? { uid: pod.metadata.uid } : {}) },
        attributes: pod ? { phase: (pod.status as { phase?: string } | undefined)?.phase } : { declaredReplica: i },
      });
      g.relate('PART_OF', ref, refs.get(key)!, redundancy);
    });
  }
}

/** How many replicas must be up: the PodDisruptionBudget's promise when there is one, else one. */
function minUpFor(w: Workload, replicas: number, pdbs: K8sObject[], nsOf: (o: K8sObject) => string): MinUp {
  for (const pdb of pdbs) {
    const spec = (isMap(pdb.spec) ? pdb.spec : {}) as { selector?: { matchLabels?: Record<string, string> }; minAvailable?: number | string; maxUnavailable?: number | string };
    if (nsOf(pdb) !== w.namespace || !selects(spec.selector?.matchLabels, w.podLabels)) continue;
    if (typeof spec.minAvailable === 'number') return spec.minAvailable;
    if (typeof spec.minAvailable === 'string' && /^\d+%$/.test(spec.minAvailable)) return spec.minAvailable;
    if (typeof spec.maxUnavailable === 'number') return Math.max(replicas - spec.maxUnavailable, 0);
    if (typeof spec.maxUnavailable === 'string' && /^\d+%$/.test(spec.maxUnavailable)) return `${100 - Number.parseInt(spec.maxUnavailable, 10)}%`;
  }
  return 1;
}

/** Ingresses are load balancers that depend on the Services their rules send traffic to. */
function addIngresses(g: ClusterGraph, edges: EdgeSet, ingresses: K8sObject[], nsOf: (o: K8sObject) => string, serviceRefs: Map<string, CiRef>, warnings: string[]): void {
  for (const ing of ingresses) {
    const ns = nsOf(ing);
    const spec = (isMap(ing.spec) ? ing.spec : {}) as Record<string, unknown>;
    const backends: { name: string; via: string }[] = [];
    const backendName = (b: unknown): string | undefined => {
      if (!isMap(b)) return undefined;
      if (isMap(b.service) && typeof b.service.name === 'string') return b.service.name;
      return typeof b.serviceName === 'string' ? b.serviceName : undefined; // extensions/v1beta1
    };
    const def = backendName(spec.defaultBackend ?? spec.backend);
    if (def) backends.push({ name: def, via: 'ingress:default' });
    const hosts: string[] = [];
    for (const rule of Array.isArray(spec.rules) ? spec.rules.filter(isMap) : []) {
      if (typeof rule.host === 'string') hosts.push(rule.host);
      const paths = isMap(rule.http) && Array.isArray(rule.http.paths) ? rule.http.paths.filter(isMap) : [];
      for (const p of paths) {
        const name = backendName(p.backend);
        if (name) backends.push({ name, via: `ingress:${rule.host ?? '*'}${typeof p.path === 'string' ? p.path : '/'}` });
      }
    }
    const ref = g.ci({
      class: 'load_balancer',
      name: ing.metadata.name,
      identifiers: { endpoint: `k8s://${g.cluster}/${ns}/ingress/${ing.metadata.name}`, cluster: g.cluster, namespace: ns },
      ...(g.environment ? { environment: g.environment } : {}),
      attributes: { kind: 'Ingress', hosts, ...(typeof spec.ingressClassName === 'string' ? { ingressClass: spec.ingressClassName } : {}) },
    });
    for (const b of backends) {
      const to = serviceRefs.get(nsKey(ns, b.name));
      if (to) edges.add(JSON.stringify(ref), ref, JSON.stringify(to), to, b.via);
      else warnings.push(`Ingress ${ns}/${ing.metadata.name}: backend Service ${b.name} is not in the input`);
    }
  }
}

export type { ServiceInfo };
