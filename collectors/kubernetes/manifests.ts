import { basename, dirname, sep } from 'node:path';
import type { InputFile } from '../shared/inputs.ts';
import { parseYamlDocuments, type SourceDoc } from '../shared/yaml-source.ts';
import { readObjects, type K8sObject } from './objects.ts';

export const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * Every object in the given manifest files (multi-document YAML, JSON, `List` kinds). Throws CollectError
 * on a malformed Kubernetes object. A folder of manifests often holds other YAML (a docker-compose.yml,
 * Helm values, a kustomization, CI config): a document that is no Kubernetes object is skipped with one
 * warning per file, and a Helm chart's folder (its templates are not YAML until rendered) with one line
 * saying how to render it.
 */
export function readManifests(files: InputFile[], warnings: string[]): K8sObject[] {
  const charts = helmChartRoots(files);
  for (const root of charts) warnings.push(`${root}: a Helm chart; its templates are not manifests until rendered: helm template <release> ${root} | servicegraph collect kubernetes -`);
  const docs: SourceDoc[] = [];
  for (const f of files) {
    if (charts.some((root) => f.path === root || f.path.startsWith(root + sep))) continue;
    const parsed = parseYamlDocuments(f.text, f.path);
    const foreign = parsed.filter((d) => !isKubernetesObject(d.value));
    if (foreign.length) warnings.push(`${f.path}: ${foreignKind(f.path, foreign[0].value)}; skipped${foreign.length > 1 ? ` (${foreign.length} documents)` : ''}`);
    docs.push(...parsed.filter((d) => isKubernetesObject(d.value)));
  }
  return readObjects(docs, warnings);
}

/** Folders holding a Chart.yaml: everything under them is the chart. */
function helmChartRoots(files: InputFile[]): string[] {
  return files.filter((f) => /^Chart\.ya?ml$/.test(basename(f.path))).map((f) => dirname(f.path));
}

/**
 * A Kubernetes object has a `kind` and `metadata`; an empty document (between `---`) is nothing. A
 * mapping with either is read as one, so that a typo in the other still fails with its line; an
 * `apiVersion` alone is not enough (Grafana provisioning files have `apiVersion: 1`).
 */
function isKubernetesObject(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return o.kind !== undefined || o.metadata !== undefined;
}

/** What a foreign document most likely is, for the warning. */
function foreignKind(path: string, v: unknown): string {
  const name = basename(path).toLowerCase();
  const o = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  if (o && o.services && typeof o.services === 'object') return 'a Compose file, not Kubernetes objects (collect it with `servicegraph collect compose`)';
  if (/^kustomization\.ya?ml$/.test(name) || (o && (Array.isArray(o.resources) || Array.isArray(o.bases)) && !o.kind)) {
    return 'a kustomization, not Kubernetes objects (render it: kubectl kustomize <dir> | servicegraph collect kubernetes -)';
  }
  if (/^values([.-].*)?\.ya?ml$/.test(name)) return 'Helm values, not Kubernetes objects';
  return 'not a Kubernetes object (no kind, no metadata)';
}
