import type { Container } from './workloads.ts';

export interface ConfigMapData {
  namespace: string;
  name: string;
  data: Record<string, string>;
}

export interface ResolvedEnv {
  key: string;
  value: string;
  /** Evidence for the edge, e.g. `env:checkout/CART_ADDR` or `configmap:app-config/DB_URL`. */
  via: string;
}

/**
 * Kubernetes dependent environment variables: `$(VAR)` expands to a variable defined earlier in the
 * same container (envFrom first, then env in order); `$$(VAR)` is a literal `$(VAR)`; a reference to an
 * unknown variable stays as written, as the kubelet leaves it.
 */
export function expandK8s(value: string, vars: Map<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return vars.get(name!) ?? m;
  });
}

/**
 * The environment a container sees, as far as the manifests tell: literal values, ConfigMap keys
 * (`envFrom`, `configMapKeyRef`), and `fieldRef`s to the pod's labels and namespace. Secret values are
 * never read.
 */
export function containerEnv(
  c: Container,
  ctx: { namespace: string; podLabels: Record<string, string>; configMap: (name: string) => ConfigMapData | undefined },
): ResolvedEnv[] {
  const vars = new Map<string, string>();
  const out: ResolvedEnv[] = [];
  for (const from of c.envFrom) {
    const cm = from.configMapRef ? ctx.configMap(from.configMapRef.name) : undefined;
    if (!cm) continue;
    for (const [k, v] of Object.entries(cm.data)) {
      const key = (from.prefix ?? '') + k;
      vars.set(key, v);
      out.push({ key, value: v, via: `configmap:${cm.name}/${k}` });
    }
  }
  for (const e of c.env) {
    let raw: string | undefined;
    let via = `env:${c.name}/${e.name}`;
    if (typeof e.value === 'string') raw = e.value;
    else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      raw = ctx.configMap(ref.name)?.data[ref.key];
      via = `configmap:${ref.name}/${ref.key}`;
    } else if (e.valueFrom?.fieldRef) raw = fieldValue(e.valueFrom.fieldRef.fieldPath, ctx);
    if (raw === undefined) continue;
    const value = expandK8s(raw, vars);
    vars.set(e.name, value);
    out.push({ key: e.name, value, via });
  }
  return out;
}

function fieldValue(path: string, ctx: { namespace: string; podLabels: Record<string, string> }): string | undefined {
  if (path === 'metadata.namespace') return ctx.namespace;
  const label = /^metadata\.labels\['([^']+)'\]$/.exec(path);
  return label ? ctx.podLabels[label[1]] : undefined;
}
