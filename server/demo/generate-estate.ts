import type { IngestCi, IngestRelation, CiRef } from '../model/ingest.ts';
import { seededRandom } from './random.ts';

export interface EstateOptions {
  seed?: number;
  /** Approximate number of CIs; the generator stops adding units once it is reached. */
  cis: number;
}

export interface Estate { cis: IngestCi[]; relations: IngestRelation[] }

const DOMAINS = ['checkout', 'payments', 'catalog', 'search', 'accounts', 'shipping', 'inventory', 'pricing', 'loyalty', 'reviews', 'ads', 'recommendations', 'notifications', 'billing', 'fraud', 'identity', 'media', 'analytics', 'support', 'partners'];
const PARTS = ['api', 'worker', 'gateway', 'reader', 'writer', 'scheduler', 'importer', 'exporter', 'web', 'edge'];
const DB_ENGINES = ['postgres', 'mysql', 'mongodb'];
const TEAMS = ['platform', 'sre', 'core', 'growth', 'commerce', 'data', 'mobile', 'web', 'security', 'finance-eng'];

/**
 * A realistic, seeded estate: business services made of application services, microservices in
 * prod and staging on Kubernetes (workloads, pods, nodes), databases on replica hosts, caches and
 * queues in redundancy groups, load balancers, teams as owners, and a few hubs (DNS, auth) that
 * nearly everything depends on. About three relations per CI.
 */
export function generateEstate(opts: EstateOptions): Estate {
  const rnd = seededRandom(opts.seed ?? 42);
  const cis: IngestCi[] = [];
  const relations: IngestRelation[] = [];
  const ref = (ci: IngestCi): CiRef => ({ class: ci.class, name: ci.name, environment: ci.environment, ...(ci.identifiers ? { identifiers: ci.identifiers } : {}) });
  const add = (ci: IngestCi) => { cis.push(ci); return ci; };
  const rel = (type: IngestRelation['type'], from: IngestCi, to: IngestCi, extra: Partial<IngestRelation> = {}) =>
    relations.push({ type, from: ref(from), to: ref(to), ...extra });

  const teamCount = Math.max(4, Math.round(opts.cis / 400));
  const teams = Array.from({ length: teamCount }, (_, i) => add({ class: 'team', name: i < TEAMS.length ? TEAMS[i] : `${rnd.pick(TEAMS)}-${i}` }));
  const envs = ['production', 'staging'] as const;
  const clusters = new Map<string, { cluster: IngestCi; nodes: IngestCi[] }>();
  const hubs = new Map<string, { dns: IngestCi; auth: IngestCi; lb: IngestCi; logs: IngestCi; config: IngestCi }>();
  const apis = new Map<string, IngestCi[]>();
  for (const env of envs) {
    const nodeCount = Math.max(3, Math.round(opts.cis / (env === 'production' ? 150 : 400)));
    const cluster = add({ class: 'k8s_cluster', name: `k8s-${env}`, environment: env, tier: env === 'production' ? 1 : 3, owner: 'platform' });
    const nodes = Array.from({ length: nodeCount }, (_, i) => {
      const n = add({ class: 'host', name: `node-${env.slice(0, 4)}-${String(i + 1).padStart(3, '0')}`, environment: env, identifiers: { fqdn: `node-${env.slice(0, 4)}-${i + 1}.${env}.example.internal` }, attributes: { os: 'linux', cpu: rnd.pick([8, 16, 32]), zone: `zone-${(i % 3) + 1}` } });
      rel('PART_OF', n, cluster);
      return n;
    });
    clusters.set(env, { cluster, nodes });
    const dns = add({ class: 'dns_name', name: 'dns-resolver', environment: env, tier: 1, owner: 'platform', attributes: { role: 'hub' } });
    const auth = add({ class: 'service', name: 'auth', environment: env, tier: 1, owner: 'security', attributes: { role: 'hub' } });
    const lb = add({ class: 'load_balancer', name: 'edge-lb', environment: env, tier: 1, owner: 'platform' });
    rel('DEPENDS_ON', auth, dns);
    rel('DEPENDS_ON', lb, dns);
    rel('OWNED_BY', auth, teams[Math.min(8, teams.length - 1)]);
    const logs = add({ class: 'queue', name: 'log-pipeline', environment: env, tier: 3, owner: 'sre', attributes: { engine: 'kafka', role: 'hub' } });
    const config = add({ class: 'service', name: 'config-service', environment: env, tier: 2, owner: 'platform', attributes: { role: 'hub' } });
    rel('DEPENDS_ON', config, dns);
    hubs.set(env, { dns, auth, lb, logs, config });
    apis.set(env, []);
  }

  let unit = 0;
  while (cis.length < opts.cis) {
    const domain = DOMAINS[unit % DOMAINS.length] + (unit >= DOMAINS.length ? `-${Math.floor(unit / DOMAINS.length) + 1}` : '');
    const owner = teams[unit % teams.length];
    const tier = rnd.pick([1, 1, 2, 2, 2, 3, 3, 4]);
    const business = add({
      class: 'business_service', name: `${domain} experience`, environment: 'production', tier, owner: owner.name,
      attributes: { slo: tier <= 2 ? '99.95%' : '99.5%', downtimeCostPerHour: tier === 1 ? rnd.int(20, 90) * 1000 : rnd.int(1, 15) * 1000, users: rnd.int(1, 500) * 1000 },
    });
    rel('OWNED_BY', business, owner);
    for (const env of envs) {
      if (env === 'staging' && !rnd.chance(0.35)) continue;
      const { nodes } = clusters.get(env)!;
      const hub = hubs.get(env)!;
      const appSvc = add({ class: 'application_service', name: `${domain}`, environment: env, tier: env === 'production' ? tier : 4, owner: owner.name });
      if (env === 'production') rel('PART_OF', appSvc, business);
      rel('DEPENDS_ON', appSvc, hub.lb);
      // Shared state of the domain: a database on three hosts (needs 2: quorum), a cache of three (needs 1), a queue.
      const engine = rnd.pick(DB_ENGINES);
      const db = add({ class: 'database', name: `${domain}-db`, environment: env, tier, owner: owner.name, attributes: { engine, version: `${rnd.int(12, 16)}.${rnd.int(0, 9)}` } });
      for (let i = 1; i <= 3; i++) {
        const h = add({ class: 'host', name: `${domain}-db-${i}.${env}`, environment: env, identifiers: { fqdn: `${domain}-db-${i}.${env}.example.internal` }, attributes: { os: 'linux', role: 'database' } });
        rel('RUNS_ON', db, h, { redundancy: { group: `${domain}-db-hosts`, minUp: 2 } });
      }
      const cache = add({ class: 'cache', name: `${domain}-cache`, environment: env, tier: Math.min(4, tier + 1), owner: owner.name, attributes: { engine: 'redis' } });
      const queue = rnd.chance(0.6) ? add({ class: 'queue', name: `${domain}-events`, environment: env, tier, owner: owner.name, attributes: { engine: 'kafka' } }) : null;
      const serviceCount = rnd.int(3, 7);
      const services: IngestCi[] = [];
      for (let s = 0; s < serviceCount; s++) {
        const name = `${domain}-${PARTS[s % PARTS.length]}`;
        const svc = add({ class: 'service', name, environment: env, tier: env === 'production' ? tier : 4, owner: owner.name, attributes: { language: rnd.pick(['go', 'java', 'node', 'python', 'kotlin']), version: `1.${rnd.int(0, 40)}.${rnd.int(0, 9)}` } });
        services.push(svc);
        rel('DEPENDS_ON', s === 0 ? appSvc : services[rnd.int(0, s - 1)], svc);
        rel('DEPENDS_ON', svc, hub.dns);
        if (rnd.chance(0.7)) rel('DEPENDS_ON', svc, hub.auth);
        if (rnd.chance(0.6)) rel('DEPENDS_ON', svc, db);
        if (rnd.chance(0.4)) {
          // Several services read through one of three cache nodes: any one will do.
          rel('DEPENDS_ON', svc, cache, { redundancy: { group: `${domain}-cache`, minUp: 1 } });
        }
        if (queue && rnd.chance(0.5)) rel('DEPENDS_ON', svc, queue);
        if (rnd.chance(0.8)) rel('DEPENDS_ON', svc, hub.logs);
        if (rnd.chance(0.5)) rel('DEPENDS_ON', svc, hub.config);
        // Microservices fan out: a couple of calls inside the domain and one across, now and then.
        for (let k = 0; k < s && k < 3; k++) if (rnd.chance(0.8)) rel('DEPENDS_ON', svc, services[rnd.int(0, s - 1)]);
        const envApis = apis.get(env)!;
        for (let x = 0; x < 2 && envApis.length; x++) if (rnd.chance(0.7)) {
          const target = rnd.pick(envApis);
          if (!target.name.startsWith(domain + '-')) rel('DEPENDS_ON', svc, target);
        }
        const ids = { cluster: `k8s-${env}`, namespace: domain };
        const workload = add({ class: 'k8s_workload', name, environment: env, identifiers: { ...ids, kind: 'Deployment' }, attributes: { kind: 'Deployment', image: `registry.example/${name}:1.${rnd.int(0, 40)}` } });
        rel('RUNS_ON', svc, workload);
        const replicas = env === 'production' ? rnd.int(2, 3) : 1;
        for (let p = 0; p < replicas; p++) {
          const pod = add({ class: 'pod', name: `${name}-${rnd.int(0x10000, 0xfffff).toString(16)}`, environment: env, identifiers: { ...ids } });
          rel('PART_OF', pod, workload, { redundancy: { group: `${name}-pods`, minUp: '50%' } });
          rel('RUNS_ON', pod, rnd.pick(nodes));
        }
      }
      apis.get(env)!.push(services[0]);
    }
    unit++;
  }
  return { cis, relations };
}
