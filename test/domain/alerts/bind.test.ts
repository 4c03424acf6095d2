import { describe, expect, it } from 'vitest';
import { bindAttempts, defaultBindingConfig, hostPart, resolveBinding, workloadNames } from '../../../server/domain/alerts/bind.ts';
import { identifierKeys } from '../../../server/domain/reconcile/identify.ts';
import { firingFrom, ksmScrape } from '../../fixtures/alerts.ts';

/**
 * Binding real kube-prometheus, node-exporter and blackbox label sets with the default rules against a
 * small identifier index built the way ingest builds it (identifierKeys of each CI).
 */
const cis: { id: string; class: string; name: string; environment?: string; identifiers?: Record<string, string> }[] = [
  { id: 'ci-pod', class: 'pod', name: 'checkout-api-7d9f8b6c5-x2x9k', identifiers: { cluster: 'k8s-production', namespace: 'shop' } },
  { id: 'ci-wl', class: 'k8s_workload', name: 'checkout-api', identifiers: { cluster: 'k8s-production', namespace: 'shop', kind: 'Deployment' } },
  { id: 'ci-sts', class: 'k8s_workload', name: 'orders-db', identifiers: { cluster: 'k8s-production', namespace: 'shop', kind: 'StatefulSet' } },
  { id: 'ci-svc', class: 'service', name: 'checkout', environment: 'production' },
  { id: 'ci-host', class: 'host', name: 'node-prod-001', environment: 'production', identifiers: { fqdn: 'node-prod-1.production.example.internal', ip: '10.0.1.5' } },
  { id: 'ci-dns', class: 'dns_name', name: 'shop.example.com', environment: 'production', identifiers: { fqdn: 'shop.example.com' } },
  { id: 'ci-cluster', class: 'k8s_cluster', name: 'k8s-production' },
];
const index = new Map<string, string>();
for (const c of cis) for (const k of identifierKeys(c)) index.set(k.key, c.id);
const names = new Map(cis.map((c) => [c.id, { name: c.name, class: c.class }]));
const ctx = { clusters: ['k8s-production'], defaults: { environment: 'production' } };
const bind = (labels: Record<string, string>) => resolveBinding(bindAttempts(labels, defaultBindingConfig, ctx), (k) => index.get(k), (id) => names.get(id));

describe('binding alerts to CIs with the default rules', () => {
  it('binds KubePodCrashLooping to its pod, not to kube-state-metrics that reported it', () => {
    const { labels } = firingFrom('KubePodCrashLooping', { ...ksmScrape, namespace: 'shop', pod: 'checkout-api-7d9f8b6c5-x2x9k', container: 'api', reason: 'CrashLoopBackOff', uid: 'a1b2' });
    expect(bind(labels)).toMatchObject({ ci: 'ci-pod', rule: 'pod', class: 'pod' });
  });

  it('binds a pod the CMDB no longer knows to its workload through the pod-name pattern', () => {
    const { labels } = firingFrom('KubePodCrashLooping', { ...ksmScrape, namespace: 'shop', pod: 'checkout-api-7d9f8b6c5-zzzzz', container: 'api', reason: 'CrashLoopBackOff' });
    expect(bind(labels)).toMatchObject({ ci: 'ci-wl', rule: 'pod', class: 'k8s_workload' });
    expect(workloadNames('orders-db-0')).toEqual(['orders-db']);
    expect(workloadNames('node-exporter-7xk2p')).toEqual(['node-exporter']);
  });

  it('binds KubeDeploymentReplicasMismatch to the workload named by the deployment label', () => {
    const { labels, annotations } = firingFrom('KubeDeploymentReplicasMismatch', { ...ksmScrape, namespace: 'shop', deployment: 'checkout-api', cluster: 'k8s-production' });
    expect(labels.severity).toBe('warning');
    expect(annotations.description).toContain('Deployment shop/checkout-api has not matched');
    expect(bind(labels)).toMatchObject({ ci: 'ci-wl', rule: 'workload' });
  });

  it('binds TargetDown (cluster, job, namespace, service) to the service', () => {
    const { labels } = firingFrom('TargetDown', { job: 'checkout', namespace: 'shop', service: 'checkout' });
    expect(bind(labels)).toMatchObject({ ci: 'ci-svc', rule: 'namespace-service' });
  });

  it('binds NodeFilesystemSpaceFillingUp to the node by instance, not to the node-exporter pod that was scraped', () => {
    const { labels } = firingFrom('NodeFilesystemSpaceFillingUp', {
      job: 'node-exporter', instance: 'node-prod-1.production.example.internal:9100', namespace: 'monitoring', pod: 'node-exporter-7xk2p', service: 'node-exporter',
      device: '/dev/nvme0n1p1', fstype: 'ext4', mountpoint: '/',
    });
    expect(bind(labels)).toMatchObject({ ci: 'ci-host', rule: 'node-exporter-instance', class: 'host' });
    expect(bind({ ...labels, instance: '10.0.1.5:9100' })).toMatchObject({ ci: 'ci-host' });
    expect(bind({ ...labels, instance: 'node-prod-001' })).toMatchObject({ ci: 'ci-host' });
  });

  it('binds a blackbox ProbeFailure to the probed target named in instance (a URL)', () => {
    const labels = { alertname: 'BlackboxProbeFailed', job: 'blackbox', instance: 'https://shop.example.com/health', severity: 'critical' };
    expect(bind(labels)).toMatchObject({ ci: 'ci-dns', rule: 'blackbox-probe-target' });
    expect(hostPart('https://shop.example.com:8443/x')).toBe('shop.example.com');
    expect(hostPart('[fd00::7]:9100')).toBe('fd00::7');
  });

  it('keeps KubePersistentVolumeFillingUp unbound with the reason (no CI class holds volume claims)', () => {
    const { labels } = firingFrom('KubePersistentVolumeFillingUp', { ...ksmScrape, namespace: 'shop', persistentvolumeclaim: 'data-orders-db-0' });
    const b = bind(labels);
    expect(b.ci).toBeNull();
    expect(b.reason).toBe('no binding rule applies to these labels');
  });

  it('names what it tried when labels fit a rule but no CI matches', () => {
    const b = bind({ alertname: 'TargetDown', namespace: 'shop', service: 'ghost', job: 'ghost' });
    expect(b.ci).toBeNull();
    expect(b.reason).toMatch(/^no CI matches: tried namespace-service: service with name ghost/);
  });

  it('reads label names from input only as own keys', () => {
    expect(bind({ alertname: 'X', constructor: 'y', __proto__: 'z' } as Record<string, string>).ci).toBeNull();
  });
});
