import type { IngestCi, IngestRelation, CiRef } from '../model/ingest.ts';
import { seededRandom } from './random.ts';

export interface EstateOptions {
  seed?: number;
  /** Approximate number of CIs; the generator stops adding units once it is reached. */
  cis: number;
}

export interface Estate { cis: IngestCi[]; relations: IngestRelation[] }

/**
 * Domains by the level they sit at in the company: a domain calls only domains of a lower level, so
 * dependencies flow one way (experience → core → foundation), as in the service maps of real companies.
 * They are generated in this order, so the domains a domain may call already exist.
 */
const DOMAIN_LEVELS: readonly (readonly string[])[] = [
  ['identity', 'notifications', 'media', 'analytics'],
  ['payments', 'pricing', 'inventory', 'fraud', 'billing', 'shipping'],
  ['checkout', 'catalog', 'search', 'accounts', 'loyalty', 'reviews', 'ads', 'recommendations', 'support', 'partners'],
];
const DOMAINS = DOMAIN_LEVELS.flat();
const levelOf = new Map(DOMAIN_LEVELS.flatMap((names, level) => names.map((n) => [n, level] as const)));
/** Callers degrade without these rather than fail: a checkout without recommendations still sells. */
const OPTIONAL_DOMAINS = new Set(['analytics', 'media', 'loyalty', 'reviews', 'ads', 'recommendations', 'notifications']);
const PARTS = ['api', 'worker', 'gateway', 'reader', 'writer', 'scheduler', 'importer', 'exporter', 'web', 'edge'];
const DB_ENGINES = ['postgres', 'mysql', 'mongodb'];
const TEAMS = ['platform', 'sre', 'core', 'growth', 'commerce', 'data', 'mobile', 'web', 'security', 'finance-eng'];
/** Kubernetes nodes per node pool; each domain's pods are scheduled within one pool (taints and affinity). */
const POOL_NODES = 3;

interface DomainUnit { name: string; level: number; entry: IngestCi }

/**
 * A realistic, seeded estate laid out like a company's: business services made of application
 * services, each backed by a domain's microservices (in production, and in staging for about a third)
 * on Kubernetes (workloads, pods on node pools), a database on three hosts (needs two), a cache
 * cluster (any node will do, and services fall back to the database without it), a queue on three
 * brokers (needs two), and teams as owners. Domains call only lower-level domains; calls to optional
 * domains degrade their callers instead of taking them down. Shared hubs (DNS, auth, the edge load
 * balancer) rightly reach nearly everything. One cycle is kept on purpose, and says so: search's
 * gateway and worker call each other (in production). About two relations per CI.
 */
export function generateEstate(opts: EstateOptions): Estate {
  const rnd = seededRandom(opts.seed ?? 42);
  const cis: IngestCi[] = [];
  const relations: IngestRelation[] = [];
  const ref = (ci: IngestCi): CiRef => ({ class: ci.class, name: ci.name, environment: ci.environment, ...(ci.identifiers ? { identifiers: ci.identifiers } : {}) });
  const add = (ci: IngestCi) => { cis.push(ci); return ci; };
  const rel = (type: IngestRelation['type'], from: IngestCi, to: IngestCi, extra: Partial<IngestRelation> = {}) =>
    relations.push({ type, from: ref(from), to: ref(to), ...extra });
  const host = (name: string, env: string, role: string) =>
    add({ class: 'host', name: `${name}.${env}`, environment: env, identifiers: { fqdn: `${name}.${env}.example.internal` }, attributes: { os: 'linux', role } });
  /** A clustered CI on `size` hosts of which `minUp` must be up. */
  const onHosts = (ci: IngestCi, size: number, minUp: number, role: string) => {
    for (let i = 1; i <= size; i++) rel('RUNS_ON', ci, host(`${ci.name}-${i}`, ci.environment!, role), { redundancy: { group: `${ci.name}-hosts`, minUp } });
  };

  const teamCount = Math.max(4, Math.round(opts.cis / 400));
  const teams = Array.from({ length: teamCount }, (_, i) => add({ class: 'team', name: i < TEAMS.length ? TEAMS[i] : `${rnd.pick(TEAMS)}-${i}` }));
  const envs = ['production', 'staging'] as const;
  const clusters = new Map<string, { cluster: IngestCi; pools: IngestCi[][]; nextPool: number }>();
  const hubs = new Map<string, { dns: IngestCi; auth: IngestCi; lb: IngestCi; config: IngestCi }>();
  const units = new Map<string, DomainUnit[]>();
  for (const env of envs) {
    const nodeCount = Math.max(POOL_NODES, Math.round(opts.cis / (env === 'production' ? 60 : 300)));
    const cluster = add({ class: 'k8s_cluster', name: `k8s-${env}`, environment: env, tier: env === 'production' ? 1 : 3, owner: 'platform' });
    const pools: IngestCi[][] = [];
    for (let i = 0; i < nodeCount; i++) {
      const pool = Math.floor(i / POOL_NODES);
      const n = add({ class: 'host', name: `node-${env.slice(0, 4)}-${String(i + 1).padStart(3, '0')}`, environment: env, identifiers: { fqdn: `node-${env.slice(0, 4)}-${i + 1}.${env}.example.internal` }, attributes: { os: 'linux', cpu: rnd.pick([16, 32, 64]), zone: `zone-${(i % 3) + 1}`, pool: `pool-${pool + 1}` } });
      rel('PART_OF', n, cluster);
      (pools[pool] ??= []).push(n);
    }
    clusters.set(env, { cluster, pools, nextPool: 0 });
    // The shared hubs: a resolver pair (either will do), the edge load balancer pair, auth and config.
    const dns = add({ class: 'dns_name', name: 'dns-resolver', environment: env, tier: 1, owner: 'platform', attributes: { role: 'hub' } });
    onHosts(dns, 2, 1, 'dns');
    const lb = add({ class: 'load_balancer', name: 'edge-lb', environment: env, tier: 1, owner: 'platform' });
    onHosts(lb, 2, 1, 'load balancer');
    rel('DEPENDS_ON', lb, dns);
    const auth = add({ class: 'service', name: 'auth', environment: env, tier: 1, owner: 'security', attributes: { role: 'hub' } });
    rel('DEPENDS_ON', auth, dns);
    rel('OWNED_BY', auth, teams[Math.min(8, teams.length - 1)]);
    const authDb = add({ class: 'database', name: 'auth-db', environment: env, tier: 1, owner: 'security', attributes: { engine: 'postgres', version: '16.2' } });
    onHosts(authDb, 3, 2, 'database');
    rel('DEPENDS_ON', auth, authDb);
    const config = add({ class: 'service', name: 'config-service', environment: env, tier: 2, owner: 'platform', attributes: { role: 'hub' } });
    rel('DEPENDS_ON', config, dns);
    // Logs are shipped by a node agent: a service does not fail with them, so nothing depends on the pipeline.
    const logs = add({ class: 'queue', name: 'log-pipeline', environment: env, tier: 3, owner: 'sre', attributes: { engine: 'kafka', role: 'hub' } });
    onHosts(logs, 3, 2, 'broker');
    const indexer = add({ class: 'service', name: 'log-indexer', environment: env, tier: 3, owner: 'sre' });
    rel('DEPENDS_ON', indexer, logs);
    rel('DEPENDS_ON', indexer, dns);
    hubs.set(env, { dns, auth, lb, config });
    units.set(env, []);
  }

  let unit = 0;
  while (cis.length < opts.cis) {
    const base = DOMAINS[unit % DOMAINS.length];
    const domain = base + (unit >= DOMAINS.length ? `-${Math.floor(unit / DOMAINS.length) + 1}` : '');
    const level = levelOf.get(base)!;
    const owner = teams[unit % teams.length];
    const tier = level === 0 ? rnd.pick([1, 2, 2, 3]) : rnd.pick([1, 1, 2, 2, 2, 3, 3, 4]);
    const business = add({
      class: 'business_service', name: `${domain} experience`, environment: 'production', tier, owner: owner.name,
      attributes: { slo: tier <= 2 ? '99.95%' : '99.5%', downtimeCostPerHour: tier === 1 ? rnd.int(20, 90) * 1000 : rnd.int(1, 15) * 1000, users: rnd.int(1, 500) * 1000 },
    });
    rel('OWNED_BY', business, owner);
    // Which lower-level domains this one calls, the same in every environment it runs in.
    const calls = level === 0 ? 0 : rnd.int(level, level + 2);
    for (const env of envs) {
      if (env === 'staging' && !rnd.chance(0.35)) continue;
      const k8s = clusters.get(env)!;
      // Each domain's pods go to the next node pool in turn.
      const pool = k8s.pools[k8s.nextPool++ % k8s.pools.length];
      const hub = hubs.get(env)!;
      const prodTier = env === 'production' ? tier : 4;
      const appSvc = add({ class: 'application_service', name: domain, environment: env, tier: prodTier, owner: owner.name });
      if (env === 'production') rel('PART_OF', appSvc, business);
      rel('DEPENDS_ON', appSvc, hub.lb);
      const engine = rnd.pick(DB_ENGINES);
      const db = add({ class: 'database', name: `${domain}-db`, environment: env, tier, owner: owner.name, attributes: { engine, version: `${rnd.int(12, 16)}.${rnd.int(0, 9)}` } });
      onHosts(db, 3, 2, 'database');
      const cache = add({ class: 'cache', name: `${domain}-cache`, environment: env, tier: Math.min(4, tier + 1), owner: owner.name, attributes: { engine: 'redis' } });
      onHosts(cache, 3, 1, 'cache');
      const queue = rnd.chance(0.6) ? add({ class: 'queue', name: `${domain}-events`, environment: env, tier, owner: owner.name, attributes: { engine: 'kafka' } }) : null;
      if (queue) onHosts(queue, 3, 2, 'broker');
      const serviceCount = rnd.int(3, 7);
      const services: IngestCi[] = [];
      for (let s = 0; s < serviceCount; s++) {
        const name = `${domain}-${PARTS[s % PARTS.length]}`;
        services.push(add({ class: 'service', name, environment: env, tier: prodTier, owner: owner.name, attributes: { language: rnd.pick(['go', 'java', 'node', 'python', 'kotlin']), version: `1.${rnd.int(0, 40)}.${rnd.int(0, 9)}` } }));
      }
      rel('DEPENDS_ON', appSvc, services[0]);
      const cycle = domain === 'search' && env === 'production';
      for (let s = 0; s < serviceCount; s++) {
        const svc = services[s];
        // Inside a domain, calls go from the entry service inwards only: each service is called by an earlier one.
        // The one cycle, on purpose: search's gateway hands work to the worker, which reads back through the gateway.
        if (cycle && s === 2) {
          const note = { attributes: { note: 'deliberate cycle: search-gateway and search-worker call each other' } };
          rel('DEPENDS_ON', services[1], svc, note);
          rel('DEPENDS_ON', svc, services[1], note);
        } else if (s > 0) rel('DEPENDS_ON', services[rnd.int(0, s - 1)], svc);
        if (s > 1 && rnd.chance(0.3)) rel('DEPENDS_ON', services[rnd.int(0, s - 2)], svc);
        rel('DEPENDS_ON', svc, hub.dns);
        // The entry service checks tokens; services behind it trust it.
        if (s === 0) rel('DEPENDS_ON', svc, hub.auth);
        if (rnd.chance(0.3)) rel('DEPENDS_ON', svc, hub.config);
        if (s === 0 || rnd.chance(0.5)) rel('DEPENDS_ON', svc, db);
        // Read-through: without the cache a service is slower (degraded), not down.
        if (rnd.chance(0.4)) rel('DEPENDS_ON', svc, cache, { redundancy: { group: `${svc.name}: ${cache.name} (falls back to ${db.name})`, minUp: 0 } });
        if (queue && rnd.chance(0.4)) rel('DEPENDS_ON', svc, queue);
        const ids = { cluster: `k8s-${env}`, namespace: domain };
        const workload = add({ class: 'k8s_workload', name: svc.name, environment: env, identifiers: { ...ids, kind: 'Deployment' }, attributes: { kind: 'Deployment', image: `registry.example/${svc.name}:1.${rnd.int(0, 40)}` } });
        rel('RUNS_ON', svc, workload);
        const replicas = env === 'production' ? rnd.int(2, 3) : 1;
        for (let p = 0; p < replicas; p++) {
          const pod = add({ class: 'pod', name: `${svc.name}-${rnd.int(0x10000, 0xfffff).toString(16)}`, environment: env, identifiers: { ...ids } });
          rel('PART_OF', pod, workload, { redundancy: { group: `${svc.name}-pods`, minUp: '50%' } });
          // Replicas on different nodes of the pool (anti-affinity).
          rel('RUNS_ON', pod, pool[(p + s) % pool.length]);
        }
      }
      // Calls to other domains leave from one service and reach the other domain's entry service.
      const lower = units.get(env)!.filter((u) => u.level < level);
      for (let c = 0; c < calls && lower.length; c++) {
        const target = rnd.pick(lower);
        const from = services[rnd.int(0, services.length - 1)];
        const optional = OPTIONAL_DOMAINS.has(target.name.replace(/-\d+$/, ''));
        rel('DEPENDS_ON', from, target.entry, optional ? { redundancy: { group: `${from.name}: ${target.name} (optional)`, minUp: 0 } } : {});
      }
      units.get(env)!.push({ name: domain, level, entry: services[0] });
    }
    unit++;
  }
  return { cis, relations };
}
