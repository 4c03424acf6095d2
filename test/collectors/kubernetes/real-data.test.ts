import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectManifests } from '../../../collectors/kubernetes/index.ts';
import type { Collected } from '../../../collectors/types.ts';
import { DATA, describeScore, readKey, score, union } from '../answer-keys.ts';

const OTEL = join(DATA, 'opentelemetry-demo');
const key = (name: string) => readKey(join(OTEL, name));
const refKey = (r: unknown) => JSON.stringify(r);

/**
 * The answer keys name workloads; the collector's DEPENDS_ON edges run between software CIs (the app
 * a workload runs, the Service a caller names). Following RUNS_ON from each end gives the workloads.
 */
function workloadEdges(c: Collected): Set<string> {
  const workloadsOf = new Map<string, string[]>();
  for (const r of c.relations) {
    if (r.type !== 'RUNS_ON' || !('class' in r.to) || r.to.class !== 'k8s_workload') continue;
    workloadsOf.set(refKey(r.from), [...(workloadsOf.get(refKey(r.from)) ?? []), r.to.name!]);
  }
  const out = new Set<string>();
  for (const r of c.relations) {
    if (r.type !== 'DEPENDS_ON') continue;
    for (const from of workloadsOf.get(refKey(r.from)) ?? []) for (const to of workloadsOf.get(refKey(r.to)) ?? []) out.add(`${from} -> ${to}`);
  }
  return out;
}

const collected = await collectManifests([join(OTEL, 'kubernetes-opentelemetry-demo.yaml')], { cluster: 'demo' });
const found = workloadEdges(collected);
const expected = union(key('EXPECTED_EDGES_k8s.txt'), key('EXPECTED_EDGES_k8s_flagd.txt'), key('EXPECTED_EDGES_k8s_telemetry.txt'));
const s = score(found, expected);
const appOnly = score(new Set([...found].filter((e) => key('EXPECTED_EDGES_k8s.txt').has(e))), key('EXPECTED_EDGES_k8s.txt'));

describe('kubernetes collector on the OpenTelemetry demo manifest (v2.1.3, 637 KB)', () => {
  it(`finds every application, feature-flag and telemetry edge and nothing else — ${describeScore('k8s app+flagd+telemetry', s)}; ${describeScore('application', appOnly)}`, () => {
    expect(s.missing).toEqual([]);
    // The k8s keys were derived from env only (NOTES.md); jaeger's SPM reads Prometheus through its
    // args (`--prometheus.server-url=http://prometheus:9090`), the edge the compose key lists from
    // PROMETHEUS_ADDR. Found from the command line, with medium confidence.
    expect(s.extra).toEqual(['jaeger -> prometheus']);
    expect(key('EXPECTED_EDGES_compose_telemetry.txt').has('jaeger -> prometheus')).toBe(true);
    const spm = collected.relations.find((r) => r.type === 'DEPENDS_ON' && 'name' in r.from && r.from.name === 'jaeger' && 'name' in r.to && r.to.name === 'prometheus');
    expect(spm?.attributes).toEqual({ via: ['command:jaeger'], confidence: 'medium' });
  });

  it('flags the references the key calls ambiguous as dangling instead of guessing', () => {
    const ambiguous = [...key('EXPECTED_EDGES_k8s_AMBIGUOUS.txt')];
    expect(ambiguous).toHaveLength(2);
    for (const edge of ambiguous) expect(found.has(edge)).toBe(false);
    const text = collected.warnings.join('\n');
    expect(text).toMatch(/frontend-proxy: env:frontend-proxy\/FLAGD_UI_HOST names "flagd-ui"/);
    expect(text).toMatch(/grafana: configmap:grafana-datasources\/jaeger\.yaml names "jaeger"/);
  });

  it('models cluster, namespace, 25 workloads (24 Deployments, 1 StatefulSet) and the software they run', () => {
    const byClass = (cls: string) => collected.cis.filter((c) => c.class === cls);
    expect(byClass('k8s_cluster').map((c) => c.name)).toEqual(['demo']);
    expect(byClass('k8s_namespace').map((c) => c.name)).toEqual(['otel-demo']);
    const workloads = byClass('k8s_workload');
    expect(workloads).toHaveLength(25);
    expect(workloads.filter((w) => w.identifiers?.kind === 'StatefulSet').map((w) => w.name)).toEqual(['opensearch']);
    const classOf = Object.fromEntries(collected.cis.filter((c) => c.identifiers?.namespace && c.class !== 'k8s_workload').map((c) => [c.name, c.class]));
    expect(classOf).toMatchObject({ postgresql: 'database', 'valkey-cart': 'cache', kafka: 'queue', opensearch: 'database', cart: 'service', 'jaeger-query': 'service' });
  });

  it('lists ConfigMaps and Secrets by name and never copies a value', () => {
    const grafana = collected.cis.find((c) => c.class === 'k8s_workload' && c.name === 'grafana');
    expect(grafana?.attributes?.secrets).toEqual(['grafana']);
    expect(grafana?.attributes?.configMaps).toEqual(expect.arrayContaining(['grafana', 'grafana-datasources']));
    const text = JSON.stringify(collected);
    expect(text).not.toContain('YWRtaW4='); // the grafana Secret's admin password
    expect(text).not.toContain('otelp'); // the password inside accounting's connection string
  });
});

describe('kubernetes collector pointed at the whole OpenTelemetry demo folder (manifest, docker-compose.yml, config files)', async () => {
  const whole = await collectManifests([OTEL], { cluster: 'demo' });

  it('finds exactly what the manifest alone gives, skipping each foreign file with one warning', () => {
    expect(workloadEdges(whole)).toEqual(found);
    expect(whole.cis).toHaveLength(collected.cis.length);
    const skipped = whole.warnings.filter((w) => /; skipped/.test(w));
    expect(skipped.find((w) => w.includes('docker-compose.yml'))).toMatch(/a Compose file, not Kubernetes objects/);
    // The collector config, the jaeger config, the envoy template and the three Grafana datasources.
    expect(skipped.map((w) => w.split(':')[0].split('/').pop()).sort()).toEqual([
      'docker-compose.yml', 'envoy.tmpl.yaml', 'grafana-datasource-default.yaml', 'grafana-datasource-jaeger.yaml', 'grafana-datasource-opensearch.yaml', 'jaeger-config.yml', 'otelcol-config.yml',
    ]);
  });
});
