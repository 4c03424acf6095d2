import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { expandK8s } from '../../../collectors/kubernetes/env.ts';
import { collectManifests } from '../../../collectors/kubernetes/index.ts';
import { CollectError, type Collected } from '../../../collectors/types.ts';
import { dependsOnEdges } from '../answer-keys.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-k8s-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A Deployment manifest with one container; env as [name, value] pairs. */
function deployment(name: string, opts: { ns?: string; env?: [string, string][]; image?: string; replicas?: number; extra?: string } = {}): string {
  const env = (opts.env ?? []).map(([k, v]) => `            - name: ${k}\n              value: "${v}"`).join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${opts.ns ? `  namespace: ${opts.ns}\n` : ''}spec:
  replicas: ${opts.replicas ?? 1}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: ${name}
          image: ${opts.image ?? `example/${name}:1`}
${env ? `          env:\n${env}\n` : ''}${opts.extra ?? ''}`;
}

function service(name: string, ns?: string, app = name): string {
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n${ns ? `  namespace: ${ns}\n` : ''}spec:\n  selector: {app: ${app}}\n  ports: [{port: 80}]\n`;
}

const docs = (...d: string[]) => d.join('\n---\n');

async function collectError(p: Promise<unknown>): Promise<CollectError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CollectError) return e;
    throw e;
  }
  throw new Error('expected a CollectError');
}

describe('kubernetes env values naming Services', () => {
  it('expands $(VAR) from earlier variables, keeps $$(VAR) literal and unknown references as written', () => {
    const vars = new Map([['HOST', 'db']]);
    expect(expandK8s('postgres://$(HOST):5432', vars)).toBe('postgres://db:5432');
    expect(expandK8s('$$(HOST)', vars)).toBe('$(HOST)');
    expect(expandK8s('$(NOPE)', vars)).toBe('$(NOPE)');
  });

  it('resolves bare names, name.ns, FQDNs, headless pod names, connection strings and $(VAR)', async () => {
    const dir = folder({
      'shop.yaml': docs(
        deployment('web', {
          ns: 'shop',
          env: [
            ['API_HOST', 'api'],
            ['USERS_URL', 'http://users.identity:8080'],
            ['DB_HOST', 'pg'],
            ['DATABASE_URL', 'postgres://app@$(DB_HOST).shop.svc.cluster.local:5432/shop'],
            ['KAFKA_BOOTSTRAP_SERVERS', 'kafka-0.kafka-headless.data.svc.cluster.local:9092'],
            ['SEARCH', 'Host=search;Port=9200'],
            ['SELF', 'http://web:8080'],
          ],
        }),
        service('web', 'shop'),
        deployment('api', { ns: 'shop' }),
        service('api', 'shop'),
        deployment('pg', { ns: 'shop', image: 'postgres:16' }),
        service('pg', 'shop'),
        deployment('search', { ns: 'shop', image: 'opensearchproject/opensearch:2' }),
        service('search', 'shop'),
      ),
      'nested/identity.yml': docs(deployment('users', { ns: 'identity' }), service('users', 'identity')),
      'nested/deeper/data.json': JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'kafka', namespace: 'data' }, spec: { replicas: 3, selector: { matchLabels: { app: 'kafka' } }, template: { metadata: { labels: { app: 'kafka' } }, spec: { containers: [{ name: 'kafka', image: 'bitnami/kafka:3.7' }] } } } },
          { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kafka-headless', namespace: 'data' }, spec: { clusterIP: 'None', selector: { app: 'kafka' } } },
        ],
      }),
      'README.md': 'not a manifest',
    });
    const c = await collectManifests([dir], { cluster: 'prod' });
    expect(dependsOnEdges(c)).toEqual(new Set(['web -> api', 'web -> users', 'web -> pg', 'web -> kafka-headless', 'web -> search']));
    const pg = c.cis.find((ci) => ci.name === 'pg' && ci.class === 'database');
    expect(pg?.identifiers).toEqual({ cluster: 'prod', namespace: 'shop', endpoint: 'k8s://prod/shop/pg' });
    expect(c.cis.find((ci) => ci.name === 'kafka-headless')?.class).toBe('queue');
  });

  it('reads ConfigMaps through envFrom, configMapKeyRef and volumes, but never Secret values', async () => {
    const extra = `          envFrom:
            - configMapRef: {name: endpoints}
            - secretRef: {name: creds}
      volumes:
        - name: cfg
          configMap: {name: app-config}
        - name: tls
          secret: {secretName: tls-cert}
`;
    const manifest = docs(
      deployment('web', { extra }),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: endpoints}\ndata:\n  CART_ADDR: "cart:7070"\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config}\ndata:\n  app.yaml: |\n    upstreams:\n      - url: http://pricing:8080/v1\n',
      'apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData:\n  DB_URL: "postgres://u:p@secretdb:5432/x"\n',
      deployment('cart'),
      service('cart'),
      deployment('pricing'),
      service('pricing'),
      deployment('secretdb'),
      service('secretdb'),
    );
    const c = await collectManifests(['-'], { stdin: Readable.from([manifest]) });
    expect(dependsOnEdges(c)).toEqual(new Set(['web -> cart', 'web -> pricing']));
    const web = c.cis.find((ci) => ci.class === 'k8s_workload' && ci.name === 'web');
    expect(web?.attributes).toMatchObject({ configMaps: ['app-config', 'endpoints'], secrets: ['creds', 'tls-cert'] });
    expect(JSON.stringify(c)).not.toContain('u:p@');
  });
});

describe('kubernetes structure', () => {
  let c: Collected;
  it('turns replicas into a redundancy group whose minUp follows the PodDisruptionBudget', async () => {
    const dir = folder({
      'app.yaml': docs(
        deployment('api', { replicas: 3 }),
        'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: api}\nspec:\n  maxUnavailable: 1\n  selector: {matchLabels: {app: api}}\n',
        deployment('web', { replicas: 2 }),
      ),
    });
    c = await collectManifests([dir], { namespace: 'prod' });
    const partOf = (workload: string) => c.relations.filter((r) => r.type === 'PART_OF' && 'name' in r.to && r.to.name === workload && 'class' in r.from && r.from.class === 'pod');
    expect(partOf('api').map((r) => r.redundancy)).toEqual(Array(3).fill({ group: 'prod/Deployment/api/replicas', minUp: 2 }));
    expect(partOf('web').map((r) => r.redundancy?.minUp)).toEqual([1, 1]);
  });

  it('links software RUNS_ON workload PART_OF namespace PART_OF cluster', () => {
    const rel = (type: string, from: string, to: string) =>
      c.relations.some((r) => r.type === type && 'name' in r.from && r.from.name === from && 'name' in r.to && r.to.name === to);
    expect(rel('RUNS_ON', 'api', 'api')).toBe(true);
    expect(rel('PART_OF', 'api', 'prod')).toBe(true);
    expect(rel('PART_OF', 'prod', 'manifests')).toBe(true);
  });

  it('reads every workload kind (DaemonSet, Job, CronJob beside Deployment and StatefulSet) and typed lists like ServiceList', async () => {
    const podSpec = (indent: string, container: string) => container.split('\n').map((l) => indent + l).join('\n');
    const manifest = docs(
      `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: ops}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec:\n${podSpec('      ', 'containers:\n  - name: agent\n    image: agent:1\n    env: [{name: COLLECTOR_HOST, value: collector}]')}\n`,
      `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: ops}\nspec:\n  schedule: "0 0 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n${podSpec('          ', 'restartPolicy: Never\ncontainers:\n  - name: job\n    image: job:1\n    env:\n      - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}\n      - {name: DB_URL, value: "postgres://u@db.$(NS).svc:5432/x"}')}\n`,
      `apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate, namespace: ops}\nspec:\n  template:\n    spec:\n${podSpec('      ', 'restartPolicy: Never\ncontainers:\n  - name: m\n    image: m:1\n    env: [{name: PASSWORD, valueFrom: {secretKeyRef: {name: dbpass, key: pw}}}, {name: TARGET, value: "db:5432"}]')}\n`,
      'apiVersion: v1\nkind: ServiceList\nitems:\n  - {apiVersion: v1, kind: Service, metadata: {name: collector, namespace: ops}, spec: {selector: {app: col}}}\n  - {apiVersion: v1, kind: Service, metadata: {name: db, namespace: ops}, spec: {selector: {app: db}}}\n',
      `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: ops}\nspec:\n  replicas: 3\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: "postgres:16"}]}\n`,
      deployment('col', { ns: 'ops', image: 'otel/opentelemetry-collector:0.120.0' }),
    );
    const r = await collectManifests(['-'], { stdin: Readable.from([manifest]), cluster: 'k' });
    const kinds = Object.fromEntries(r.cis.filter((ci) => ci.class === 'k8s_workload').map((ci) => [ci.name, ci.attributes?.kind]));
    expect(kinds).toEqual({ agent: 'DaemonSet', nightly: 'CronJob', migrate: 'Job', db: 'StatefulSet', col: 'Deployment' });
    // The CronJob's $(NS) comes from a fieldRef to its namespace; the Job's Secret is named, never read.
    expect(dependsOnEdges(r)).toEqual(new Set(['agent -> collector', 'nightly -> db', 'migrate -> db']));
    expect(r.cis.find((ci) => ci.class === 'k8s_workload' && ci.name === 'migrate')?.attributes?.secrets).toEqual(['dbpass']);
    const replicas = r.relations.filter((rel) => rel.type === 'PART_OF' && rel.redundancy);
    expect(replicas.map((rel) => (rel.from as { name: string }).name)).toEqual(['db-0', 'db-1', 'db-2']);
    expect(new Set(replicas.map((rel) => JSON.stringify(rel.redundancy)))).toEqual(new Set([JSON.stringify({ group: 'ops/StatefulSet/db/replicas', minUp: 1 })]));
    expect(r.warnings).toEqual([]);
  });

  it('makes an Ingress a load balancer that depends on its backend Services', async () => {
    const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: public}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /api
            pathType: Prefix
            backend: {service: {name: api, port: {number: 80}}}
`;
    const r = await collectManifests(['-'], { stdin: Readable.from([docs(deployment('web'), service('web'), deployment('api'), service('api'), ingress)]) });
    expect(dependsOnEdges(r)).toEqual(new Set(['public -> web', 'public -> api']));
    expect(r.cis.find((ci) => ci.name === 'public')).toMatchObject({ class: 'load_balancer', attributes: { hosts: ['shop.example.com'] } });
  });
});

describe('kubernetes evidence kinds', () => {
  it('a Service reached only through health-check URLs is MONITORS; hosts in command/args are medium-confidence dependencies', async () => {
    const status = deployment('status', { env: [['HealthChecksUI__HealthChecks__0__Uri', 'http://web/hc'], ['API_HEALTH', 'http://api:8080/healthz']] });
    const loadgen = deployment('loadgen', { env: [['SUT', 'web']], extra: '          args: ["-d", "60", "-h", "$(SUT)"]\n' });
    const r = await collectManifests(['-'], { stdin: Readable.from([docs(status, service('status'), deployment('web'), service('web'), deployment('api'), service('api'), loadgen)]) });
    const rel = (from: string, to: string) => r.relations.find((x) => x.type !== 'RUNS_ON' && x.type !== 'PART_OF' && 'name' in x.from && x.from.name === from && 'name' in x.to && x.to.name === to);
    expect(rel('status', 'web')).toMatchObject({ type: 'MONITORS', attributes: { via: ['env:status/HealthChecksUI__HealthChecks__0__Uri'] } });
    expect(rel('status', 'api')).toMatchObject({ type: 'MONITORS' });
    expect(rel('loadgen', 'web')).toMatchObject({ type: 'DEPENDS_ON', attributes: { via: ['command:loadgen'], confidence: 'medium' } });
    expect(dependsOnEdges(r)).toEqual(new Set(['loadgen -> web']));
  });
});

describe('a folder that holds more than manifests', () => {
  it('skips a compose file, Helm values, a kustomization and other YAML with one warning each, and reads the manifests', async () => {
    const dir = folder({
      'k8s/app.yaml': docs(deployment('web', { env: [['API_URL', 'http://api:8080']] }), service('web'), deployment('api'), service('api')),
      'k8s/kustomization.yaml': 'resources:\n  - app.yaml\nimages:\n  - name: example/web\n    newTag: "2"\n',
      'k8s/kustomize-kind.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml]\n',
      'docker-compose.yml': 'services:\n  web:\n    image: example/web\n    depends_on: [api]\n  api: {image: example/api}\n',
      'values.yaml': 'replicaCount: 2\nimage: {repository: example/web}\n',
      '.github/workflows/ci.yml': 'on: [push]\njobs:\n  test: {runs-on: ubuntu-latest}\n',
      'mixed.yaml': docs(service('extra', undefined, 'web'), 'just: a note\n', '- a list\n'),
    });
    const r = await collectManifests([dir]);
    expect(dependsOnEdges(r)).toEqual(new Set(['web -> api']));
    const w = r.warnings.join('\n');
    expect(w).toMatch(/docker-compose\.yml: a Compose file, not Kubernetes objects \(collect it with `servicegraph collect compose`\); skipped/);
    expect(w).toMatch(/values\.yaml: Helm values, not Kubernetes objects; skipped/);
    expect(w).toMatch(/kustomization\.yaml: a kustomization, not Kubernetes objects \(render it: kubectl kustomize/);
    expect(w).toMatch(/skipped custom resource Kustomization/);
    expect(w).toMatch(/ci\.yml: not a Kubernetes object \(no kind, no metadata\); skipped/);
    expect(w).toMatch(/mixed\.yaml: not a Kubernetes object \(no kind, no metadata\); skipped \(2 documents\)/);
    // One warning per file, never one per document.
    expect(r.warnings.filter((x) => x.includes('mixed.yaml'))).toHaveLength(1);
    expect(r.cis.some((c) => c.name === 'extra')).toBe(true);
  });

  it('skips a Helm chart folder, whose templates are not YAML, with one line saying to run helm template', async () => {
    const dir = folder({
      'app.yaml': docs(deployment('web'), service('web')),
      'charts/shop/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 0.1.0\n',
      'charts/shop/values.yaml': 'image: {tag: "1"}\n',
      'charts/shop/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "shop.fullname" . }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n',
    });
    const r = await collectManifests([dir]);
    expect(r.cis.filter((c) => c.class === 'k8s_workload').map((c) => c.name)).toEqual(['web']);
    const helm = r.warnings.filter((w) => w.includes('charts/shop'));
    expect(helm).toHaveLength(1);
    expect(helm[0]).toMatch(/a Helm chart; .*helm template <release> .*charts\/shop \| servicegraph collect kubernetes -/);
  });

  it('still fails on a Kubernetes object missing its kind or apiVersion (a typo, not foreign YAML)', async () => {
    const e = await collectError(collectManifests(['-'], { stdin: Readable.from(['kind: Service\nmetadata: {name: a}\n']) }));
    expect(e.message).toMatch(/missing `apiVersion`/);
    const k = await collectError(collectManifests(['-'], { stdin: Readable.from(['apiVersion: v1\nmetadata: {name: a}\n']) }));
    expect(k.message).toMatch(/missing `kind`/);
  });
});

describe('malformed manifests fail with the file and line and yield nothing', () => {
  it('broken YAML', async () => {
    const dir = folder({ 'bad.yaml': docs(service('a'), 'apiVersion: v1\nkind: Service\nmetadata: {name: b\n') });
    const e = await collectError(collectManifests([dir]));
    expect(e.file).toMatch(/bad\.yaml$/);
    expect(e.line).toBeGreaterThan(8);
  });

  it('truncated JSON', async () => {
    const dir = folder({ 'list.json': '{"apiVersion": "v1", "kind": "List", "items": [\n  {"apiVersion": "v1", "kind": "Service",\n' });
    const e = await collectError(collectManifests([dir]));
    expect(e.file).toMatch(/list\.json$/);
    expect(e.line).toBeGreaterThanOrEqual(2);
  });

  it('a kind that does not belong to its apiVersion, and an unknown built-in kind', async () => {
    const wrong = await collectError(collectManifests(['-'], { stdin: Readable.from([docs(service('a'), 'apiVersion: v1\nkind: Deployment\nmetadata: {name: x}\n')]) }));
    expect(wrong.message).toMatch(/<stdin>:11: kind Deployment does not belong to apiVersion v1/);
    const typo = await collectError(collectManifests(['-'], { stdin: Readable.from(['apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: x}\n']) }));
    expect(typo.message).toMatch(/unknown kind "Deploymnet"/);
    expect(typo.line).toBe(2);
  });

  it('an unknown container field (a misspelt env would silently lose edges)', async () => {
    const text = deployment('a').replace('          image:', '          evn: []\n          image:');
    const e = await collectError(collectManifests(['-'], { stdin: Readable.from([text]) }));
    expect(e.message).toMatch(/unknown container field "evn"/);
    expect(e.line).toBe(13);
  });

  it('skips custom resources with a warning rather than failing', async () => {
    const r = await collectManifests(['-'], { stdin: Readable.from(['apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: x}\n']) });
    expect(r.warnings.join('\n')).toMatch(/skipped custom resource ServiceMonitor/);
  });

  it('a missing path', async () => {
    await expect(collectManifests(['/nonexistent/manifests'])).rejects.toThrow(/no such file or folder/);
  });
});
