import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectLive } from '../../../collectors/kubernetes/live.ts';
import { CollectError } from '../../../collectors/types.ts';
import { dependsOnEdges } from '../answer-keys.ts';

const labels = { app: 'api' };
const podSpec = { containers: [{ name: 'api', image: 'example/api:1', env: [{ name: 'DB_HOST', value: 'pg' }, { name: 'DATABASE_URL', value: 'postgres://app@$(DB_HOST):5432/app' }] }] };
const pod = (name: string, uid: string) => ({
  metadata: { name, namespace: 'shop', uid, labels, ownerReferences: [{ kind: 'ReplicaSet', name: 'api-7d9f', uid: 'rs-1' }] },
  spec: podSpec,
  status: { phase: 'Running' },
});

/** What a tiny cluster's API server answers to the collector's list calls (items carry no kind, as in real lists). */
const lists: Record<string, object[]> = {
  '/api/v1/namespaces': [{ metadata: { name: 'shop', uid: 'ns-1' } }],
  '/apis/apps/v1/deployments': [
    { metadata: { name: 'api', namespace: 'shop', uid: 'dep-1' }, spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } } },
    { metadata: { name: 'pg', namespace: 'shop', uid: 'dep-2' }, spec: { replicas: 1, selector: { matchLabels: { app: 'pg' } }, template: { metadata: { labels: { app: 'pg' } }, spec: { containers: [{ name: 'pg', image: 'postgres:16' }] } } } },
  ],
  '/apis/apps/v1/statefulsets': [],
  '/apis/apps/v1/daemonsets': [],
  '/apis/apps/v1/replicasets': [{ metadata: { name: 'api-7d9f', namespace: 'shop', uid: 'rs-1', ownerReferences: [{ kind: 'Deployment', name: 'api', uid: 'dep-1' }] }, spec: { selector: { matchLabels: labels } } }],
  '/apis/batch/v1/jobs': [],
  '/apis/batch/v1/cronjobs': [],
  '/api/v1/pods': [pod('api-7d9f-abcde', 'pod-1'), pod('api-7d9f-fghij', 'pod-2')],
  '/api/v1/services': [
    { metadata: { name: 'api', namespace: 'shop' }, spec: { selector: labels, ports: [{ port: 80 }] } },
    { metadata: { name: 'pg', namespace: 'shop' }, spec: { selector: { app: 'pg' }, ports: [{ port: 5432 }] } },
  ],
  '/api/v1/configmaps': [],
  '/apis/networking.k8s.io/v1/ingresses': [],
  '/apis/policy/v1/poddisruptionbudgets': [{ metadata: { name: 'api', namespace: 'shop' }, spec: { minAvailable: 1, selector: { matchLabels: labels } } }],
};

describe('kubernetes --live against an API server, with the user kubeconfig', () => {
  let server: Server;
  let dir: string;
  let forbid: string | undefined;
  const seen: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      seen.push(`${req.headers.authorization} ${path}`);
      if (path === forbid) {
        res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Status', status: 'Failure', message: 'forbidden', reason: 'Forbidden', code: 403 }));
        return;
      }
      const items = lists[path];
      if (!items) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: {}, items }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dir = mkdtempSync(join(tmpdir(), 'sg-kube-'));
    const port = (server.address() as AddressInfo).port;
    // client-node refuses plain http unless TLS checks are off; a real cluster speaks https.
    writeFileSync(
      join(dir, 'config'),
      `apiVersion: v1
kind: Config
clusters:
  - {name: staging-eu, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}
  - {name: other, cluster: {server: "http://127.0.0.1:1"}}
users: [{name: dev, user: {token: t0ken}}]
contexts:
  - {name: dev@staging, context: {cluster: staging-eu, user: dev}}
  - {name: dev@other, context: {cluster: other, user: dev}}
current-context: dev@other
`,
    );
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists workloads, pods, Services and PDBs with the context credentials and builds the same graph as manifests', async () => {
    const c = await collectLive({ kubeconfig: join(dir, 'config'), context: 'dev@staging' });
    expect(seen.every((s) => s.startsWith('Bearer t0ken '))).toBe(true);
    expect(c.scope).toBe('staging-eu');
    expect(dependsOnEdges(c)).toEqual(new Set(['api -> pg']));
    const podEdges = c.relations.filter((r) => r.type === 'PART_OF' && 'class' in r.from && r.from.class === 'pod');
    expect(podEdges.map((r) => [(r.from as { name: string }).name, (r.to as { name: string }).name, r.redundancy])).toEqual([
      ['api-7d9f-abcde', 'api', { group: 'shop/Deployment/api/replicas', minUp: 1 }],
      ['api-7d9f-fghij', 'api', { group: 'shop/Deployment/api/replicas', minUp: 1 }],
    ]);
    expect(c.cis.find((ci) => ci.class === 'k8s_workload' && ci.name === 'api')?.identifiers).toMatchObject({ uid: 'dep-1', cluster: 'staging-eu' });
    expect(seen.some((s) => s.includes('/secrets'))).toBe(false);
  });

  it('fails (and so pushes nothing) when a list is forbidden, and on an unknown context', async () => {
    forbid = '/api/v1/services';
    const err = await collectLive({ kubeconfig: join(dir, 'config'), context: 'dev@staging' }).catch((e) => e);
    forbid = undefined;
    expect(err).toBeInstanceOf(CollectError);
    expect(err.message).toMatch(/listing Service/);
    await expect(collectLive({ kubeconfig: join(dir, 'config'), context: 'nope' })).rejects.toThrow(/no context "nope"/);
  });
});
