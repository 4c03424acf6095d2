import type { AlertBinding, BindingConfig, BindingRule } from '../../model/alerts.ts';
import { identifierKeys } from '../reconcile/identify.ts';

/**
 * Binding is identification by another name (design.md section 11): ordered rules turn an alert's
 * labels into CI references, which are looked up by the same identifier keys ingest indexes. The
 * first rule with a target that resolves wins. Pure: the caller looks the keys up (in one batch).
 */

/** What a binding needs besides the labels: the known clusters (for alerts without a `cluster` label). */
export interface BindContext { clusters: readonly string[]; defaults: BindingConfig['defaults'] }

export interface BindAttempt {
  rule: string;
  class: string;
  /** Identifier keys in the class's rule order; the first known one identifies the CI. */
  keys: string[];
  /** The reference in words, for the reason. */
  describe: string;
}

/** The defaults for kube-prometheus, node-exporter and blackbox-exporter label sets. Order matters: subject labels before scrape-target labels. */
export const defaultBindingConfig: BindingConfig = {
  defaults: { environment: 'production' },
  rules: [
    // node-exporter and blackbox alerts are about `instance` (the node, the probed target), while their
    // namespace/pod/service labels name the exporter that was scraped.
    { name: 'node-exporter-instance', requires: ['instance'], unless: [], match: { job: '.*node.*' }, targets: hostTargets() },
    { name: 'blackbox-probe-target', requires: ['instance'], unless: [], match: { job: '.*(blackbox|probe).*' }, targets: [...hostTargets(), { class: 'dns_name', identifiers: { fqdn: 'host($instance)' } }, { class: 'load_balancer', name: 'host($instance)', environment: '$environment|env|*environment', identifiers: {} }] },
    {
      name: 'pod', requires: ['namespace', 'pod'], unless: [], match: {}, targets: [
        { class: 'pod', name: '$pod', identifiers: { cluster: '$cluster|*clusters', namespace: '$namespace' } },
        { class: 'k8s_workload', name: 'workload($pod)', identifiers: { cluster: '$cluster|*clusters', namespace: '$namespace' } },
      ],
    },
    { name: 'workload', requires: ['namespace', 'deployment|statefulset|daemonset'], unless: [], match: {}, targets: [
      { class: 'k8s_workload', name: '$deployment|statefulset|daemonset', identifiers: { cluster: '$cluster|*clusters', namespace: '$namespace' } },
    ] },
    // kube-state-metrics' own `service`/`instance` labels describe the exporter: an alert naming a
    // Kubernetes subject (or a volume claim) never binds through them.
    { name: 'namespace-service', requires: ['namespace', 'service'], unless: ['pod', 'deployment', 'statefulset', 'daemonset', 'persistentvolumeclaim', 'job_name', 'horizontalpodautoscaler'], match: {}, targets: [
      { class: 'service', name: '$service', identifiers: { cluster: '$cluster|*clusters', namespace: '$namespace' } },
      { class: 'service', name: '$service', environment: '$environment|env|*environment', identifiers: {} },
    ] },
    { name: 'service-name', requires: ['service|service_name|app.kubernetes.io/name'], unless: ['pod', 'deployment', 'statefulset', 'daemonset', 'persistentvolumeclaim'], match: {}, targets: [
      ...['service', 'application', 'application_service', 'database', 'cache', 'queue'].map((c) => ({ class: c, name: '$service_name|app.kubernetes.io/name|service', environment: '$environment|env|deployment_environment|*environment', identifiers: {} })),
      { class: 'service', name: '$service_name|app.kubernetes.io/name|service', identifiers: { cluster: '$cluster|*clusters', namespace: '$namespace' } },
    ] },
    { name: 'instance-host', requires: ['instance'], unless: ['pod', 'deployment', 'statefulset', 'daemonset', 'persistentvolumeclaim'], match: {}, targets: hostTargets() },
    { name: 'cluster', requires: ['cluster'], unless: [], match: {}, targets: [{ class: 'k8s_cluster', name: '$cluster', identifiers: {} }] },
  ],
};

function hostTargets(): BindingRule['targets'] {
  return [
    { class: 'host', identifiers: { fqdn: 'host($instance)' } },
    { class: 'host', identifiers: { ip: 'host($instance)' } },
    { class: 'vm', identifiers: { fqdn: 'host($instance)' } },
    { class: 'host', name: 'host($instance)', environment: '$environment|env|*environment', identifiers: {} },
  ];
}

/** The host of `host:port`, `[v6]:port` or a URL. */
export function hostPart(v: string): string {
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return new URL(v).hostname.replace(/^\[|\]$/g, '');
  } catch { /* not a URL after all */ }
  const v6 = /^\[([^\]]+)\](:\d+)?$/.exec(v);
  if (v6) return v6[1];
  const colons = v.split(':').length - 1;
  return colons === 1 ? v.slice(0, v.indexOf(':')) : v;
}

const K8S_ALNUM = '[bcdfghjklmnpqrstvwxz2456789]';

/**
 * Workload names a pod name may derive from, most likely first: a Deployment's pods are
 * `<name>-<replicaset hash>-<5 chars>`, a StatefulSet's `<name>-<ordinal>`, a DaemonSet's or Job's `<name>-<5 chars>`.
 */
export function workloadNames(pod: string): string[] {
  const out: string[] = [];
  // Kubernetes' generated suffixes use an alphabet without vowels (and without 0, 1, 3): "exporter" is a word, not a hash.
  const deploy = new RegExp(`^(.+)-${K8S_ALNUM}{6,10}-${K8S_ALNUM}{5}$`).exec(pod);
  if (deploy) out.push(deploy[1]);
  const ordinal = /^(.+)-\d+$/.exec(pod);
  if (ordinal) out.push(ordinal[1]);
  const suffix = new RegExp(`^(.+)-${K8S_ALNUM}{5}$`).exec(pod);
  if (suffix) out.push(suffix[1]);
  return [...new Set(out)];
}

/** Values of an expression (several when it fans out over clusters or pod-name readings). */
export function evaluate(expr: string, labels: Record<string, string>, ctx: BindContext): string[] {
  const fn = /^(host|workload)\(\$([^)]+)\)$/.exec(expr);
  if (fn) {
    const v = firstLabel(fn[2], labels);
    if (v === undefined) return [];
    return fn[1] === 'host' ? [hostPart(v)] : workloadNames(v);
  }
  if (!expr.startsWith('$')) return [expr];
  for (const alt of expr.slice(1).split('|')) {
    if (alt === '*clusters') return [...ctx.clusters];
    if (alt === '*environment') return [ctx.defaults.environment];
    const v = label(labels, alt);
    if (v !== undefined) return [v];
  }
  return [];
}

const label = (labels: Record<string, string>, name: string) => (Object.hasOwn(labels, name) && labels[name] !== '' ? labels[name] : undefined);
const firstLabel = (alts: string, labels: Record<string, string>) => {
  for (const a of alts.split('|')) { const v = label(labels, a); if (v !== undefined) return v; }
  return undefined;
};

const regexCache = new Map<string, RegExp>();
const anchored = (re: string) => {
  let r = regexCache.get(re);
  if (!r) { r = new RegExp(`^(?:${re})$`); regexCache.set(re, r); }
  return r;
};

export function ruleApplies(rule: BindingRule, labels: Record<string, string>): boolean {
  if (!rule.requires.every((req) => firstLabel(req, labels) !== undefined)) return false;
  if (rule.unless.some((u) => label(labels, u) !== undefined)) return false;
  for (const [name, re] of Object.entries(rule.match)) {
    const v = label(labels, name);
    if (v === undefined || !anchored(re).test(v)) return false;
  }
  return true;
}

/** Cartesian product of the expression values, bounded: a rule names a handful of fields. */
function combinations(fields: [string, string[]][]): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const [k, values] of fields) {
    if (!values.length) return [];
    out = out.flatMap((o) => values.map((v) => ({ ...o, [k]: v }))).slice(0, 64);
  }
  return out;
}

/** Every reference the rules propose for these labels, in the order they are to be tried. */
export function bindAttempts(labels: Record<string, string>, config: BindingConfig, ctx: BindContext): BindAttempt[] {
  const out: BindAttempt[] = [];
  for (const rule of config.rules) {
    if (!ruleApplies(rule, labels)) continue;
    for (const t of rule.targets) {
      const fields: [string, string[]][] = Object.entries(t.identifiers).map(([k, e]) => [k, evaluate(e, labels, ctx)]);
      if (t.name !== undefined) fields.push(['\u0000name', evaluate(t.name, labels, ctx)]);
      if (t.environment !== undefined) fields.push(['\u0000environment', evaluate(t.environment, labels, ctx)]);
      for (const combo of combinations(fields)) {
        const { '\u0000name': name, '\u0000environment': environment, ...identifiers } = combo;
        const keys = identifierKeys({ class: t.class, name, environment, identifiers }).map((k) => k.key);
        if (!keys.length) continue;
        const parts = [...(name !== undefined ? [`name ${name}`] : []), ...(environment !== undefined ? [`environment ${environment}`] : []), ...Object.entries(identifiers).map(([k, v]) => `${k} ${v}`)];
        out.push({ rule: rule.name, class: t.class, keys, describe: `${t.class} with ${parts.join(', ')}` });
      }
    }
  }
  return out;
}

/** The first attempt whose key the index knows; otherwise the reason, naming what was tried. */
export function resolveBinding(attempts: BindAttempt[], lookup: (key: string) => string | undefined, describeCi: (id: string) => { name: string; class: string } | undefined): AlertBinding {
  for (const a of attempts) {
    for (const key of a.keys) {
      const ci = lookup(key);
      if (ci === undefined) continue;
      const d = describeCi(ci);
      if (!d) continue; // retired since it was indexed
      return { ci, name: d.name, class: d.class, rule: a.rule, reason: `rule ${a.rule}: ${a.describe}` };
    }
  }
  if (!attempts.length) return { ci: null, name: null, class: null, rule: null, reason: 'no binding rule applies to these labels' };
  const tried = [...new Set(attempts.map((a) => `${a.rule}: ${a.describe}`))];
  return { ci: null, name: null, class: null, rule: null, reason: `no CI matches: tried ${tried.slice(0, 6).join('; ')}${tried.length > 6 ? `; and ${tried.length - 6} more` : ''}` };
}
