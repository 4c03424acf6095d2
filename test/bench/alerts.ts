/**
 * `npm run bench -- alerts [--cis 1000000] [--alerts 10000]`: an alert storm over the bench estate
 * (the impact bench's SQLite file under data/bench/, loaded once). Failures strike a few dozen CIs;
 * each fails with its dependents (the alerts their monitoring would send, with the label sets real
 * exporters carry: service names, node-exporter instances, pods), plus unrelated noise, all within one
 * simulated minute. Deliveries of 100 alerts go through the alert service as the receivers call it.
 * Measured: per-alert bind + correlate latency (p50/p99), throughput, situations formed, memory, the
 * longest event-loop stall during the storm; and side by side the naive baseline of one incident per
 * alert (ServiceNow's default without event rules). Writes bench-results/alerts.json.
 */
import { spawnSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import Database from 'better-sqlite3';
import { TopologyService } from '../../server/topology/topology-service.ts';
import { Records } from '../../server/impact/records.ts';
import { ImpactService } from '../../server/impact/impact-service.ts';
import { IncidentService } from '../../server/impact/incident-service.ts';
import { AlertService } from '../../server/alerts/alert-service.ts';
import { loadConfig } from '../../server/config.ts';
import { defaultPriorityConfig } from '../../server/domain/priority/priority.ts';
import { propagateImpact } from '../../server/domain/impact/propagate.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import type { GenericAlert } from '../../server/model/alerts.ts';
import type { CiRecord } from '../../server/model/records.ts';
import { memory, percentile, sampler, writeResult } from './bench-util.ts';
import { estateStore } from './impact.ts';

const log = (msg: string) => process.stderr.write(`[bench alerts] ${msg}\n`);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;



/** The labels a real exporter would put on an alert about this CI. */
function labelsFor(ci: CiRecord, alertname: string, severity: string): Record<string, string> {
  const base = { alertname, severity };
  if (ci.class === 'host') return { ...base, job: 'node-exporter', instance: `${ci.identifiers.fqdn ?? ci.name}:9100` };
  if (ci.class === 'pod') return { ...base, namespace: ci.identifiers.namespace ?? '', pod: ci.name, cluster: ci.identifiers.cluster ?? '', job: 'kube-state-metrics', service: 'kube-state-metrics' };
  if (ci.class === 'k8s_workload') return { ...base, namespace: ci.identifiers.namespace ?? '', deployment: ci.name, cluster: ci.identifiers.cluster ?? '', job: 'kube-state-metrics' };
  return { ...base, service: ci.name, environment: ci.environment, job: ci.name };
}

export async function benchAlerts(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      cis: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '7' },
      alerts: { type: 'string', default: '10000' },
      failures: { type: 'string', default: '40' },
      noise: { type: 'string', default: '0.2' },
      delivery: { type: 'string', default: '100' },
      naive: { type: 'string', default: '1000' },
      out: { type: 'string', default: 'alerts' },
    },
    allowPositionals: true,
  });
  if (getHeapStatistics().heap_size_limit < 8e9 && !process.env.SG_BENCH_CHILD) {
    const r = spawnSync(process.execPath, [...process.execArgv, '--max-old-space-size=16384', process.argv[1], ...process.argv.slice(2)],
      { stdio: 'inherit', env: { ...process.env, SG_BENCH_CHILD: '1' } });
    process.exitCode = r.status ?? 1;
    return;
  }
  const cis = Number(values.cis), seed = Number(values.seed), total = Number(values.alerts);
  const { store, file } = await estateStore('sqlite', cis, seed);
  // Alerts of an earlier run would make this one's deliveries duplicates: start from none.
  const db = new Database(file!);
  db.exec("DELETE FROM alerts; DELETE FROM alert_versions; DELETE FROM docs WHERE kind IN ('situation', 'incident')");
  db.close();

  const before = memory();
  const topology = new TopologyService(store);
  await topology.start();
  const topo = topology.current;
  log(`projection: ${JSON.stringify(topo.stats())}`);
  const records = new Records(store);
  const impact = new ImpactService({ topology, records, limits: defaultLimits });
  const incidents = new IncidentService({ impact, records, priority: defaultPriorityConfig });
  const latencies: number[] = [];
  const settings = { ...loadConfig({}).alerts, autoIncidentPriority: null };
  // The storm is one simulated minute; the clock stands still at its end so that nothing expires mid-run.
  const start = Date.now();
  const alerts = new AlertService({ store, topology, impact, records, incidents, priority: defaultPriorityConfig, settings, observe: (ms) => latencies.push(ms), now: () => start + 60_000 });
  await alerts.start();
  alerts.stop();
  const afterBuild = memory();

  // The storm: failures with their dependents' alerts, then noise on random CIs, shuffled within the minute.
  const pick = sampler(seed);
  const live = [...topo.liveNodeIds()];
  const targets: { node: number; severity: string; name: string }[] = [];
  const failureClasses = new Set(['database', 'cache', 'queue', 'host', 'service']);
  const failures = Number(values.failures), noiseShare = Number(values.noise);
  const perFailure = Math.floor((total * (1 - noiseShare)) / failures);
  for (let f = 0; f < failures; f++) {
    let n = live[pick(live.length)];
    while (!failureClasses.has(topo.classOf(n))) n = live[pick(live.length)];
    targets.push({ node: n, severity: 'critical', name: 'TargetDown' });
    const reach = propagateImpact(topo, [{ node: n, state: 'down' }], { limit: 0 });
    // Monitoring watches services, databases and hosts, not every pod: take the nearest of those.
    let taken = 0;
    for (let i = 1; i < reach.total && taken < perFailure - 1; i++) {
      const d = reach.all[i];
      if (!failureClasses.has(topo.classOf(d))) continue;
      targets.push({ node: d, severity: reach.allStates[i] === 2 ? 'critical' : 'warning', name: reach.allStates[i] === 2 ? 'HighErrorRate' : 'HighLatency' });
      taken++;
    }
  }
  while (targets.length < total) targets.push({ node: live[pick(live.length)], severity: pick(2) ? 'warning' : 'critical', name: 'KubePodCrashLooping' });
  for (let i = targets.length - 1; i > 0; i--) { const j = pick(i + 1); [targets[i], targets[j]] = [targets[j], targets[i]]; }
  const recs = new Map<string, CiRecord>();
  const ids = [...new Set(targets.map((t) => topo.idOf(t.node)))];
  for (let i = 0; i < ids.length; i += 5_000) for (const c of await store.getCis(ids.slice(i, i + 5_000))) recs.set(c.id, c);
  const storm: GenericAlert[] = targets.map((t, i) => {
    const ci = recs.get(topo.idOf(t.node))!;
    return {
      source: 'alertmanager', fingerprint: `${t.name}-${ci.id}-${i}`, status: 'firing', severity: undefined,
      labels: labelsFor(ci, t.name, t.severity), annotations: { summary: `${t.name} on ${ci.name}` },
      startsAt: new Date(start + Math.floor((i / targets.length) * 60_000)).toISOString(), endsAt: null,
    };
  });
  log(`storm: ${storm.length} alerts from ${failures} failures and ${Math.round(noiseShare * 100)}% noise`);

  // Warm-up on a copy that is then forgotten would skew the state; the first delivery is simply part of the run.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const size = Number(values.delivery);
  let bound = 0, unbound = 0;
  const t0 = performance.now();
  for (let i = 0; i < storm.length; i += size) {
    const r = await alerts.receive(storm.slice(i, i + size));
    bound += r.bound; unbound += r.unbound;
  }
  const seconds = (performance.now() - t0) / 1000;
  await alerts.refresh();
  loop.disable();
  const afterStorm = memory();
  const { items } = await alerts.listSituations({ status: 'open', limit: 500 });
  const noise = (await alerts.health()).noise;
  const sorted = [...latencies].sort((a, b) => a - b);

  // The naive baseline: one incident per bound alert, each with its impact and priority (as POST /incidents does).
  const naiveCount = Math.min(Number(values.naive), bound);
  const naive: number[] = [];
  const boundAlerts = (await store.listAlerts({ status: 'firing', bound: true, limit: naiveCount }));
  const tn = performance.now();
  for (const a of boundAlerts) {
    const s = performance.now();
    await incidents.open({ title: a.name, cis: [{ ci: a.binding.ci!, state: a.health === 'down' ? 'down' : 'degraded' }], urgency: a.health === 'down' ? 1 : 2 }, 'bench');
    naive.push(performance.now() - s);
  }
  const naiveSeconds = (performance.now() - tn) / 1000;
  naive.sort((a, b) => a - b);

  const result = {
    cis: topo.stats().cis, alerts: storm.length, bound, unbound,
    alertsPerSec: Math.round(storm.length / seconds),
    p50Ms: round(percentile(sorted, 50), 3), p99Ms: round(percentile(sorted, 99), 3), maxMs: round(sorted[sorted.length - 1], 1),
    targetP99Ms: 20,
    situations: noise.situations, openSituations: items.length,
    noiseReduction: noise.reduction,
    biggestSituations: items.slice().sort((a, b) => b.alerts.length - a.alerts.length).slice(0, 5).map((s) => ({ cause: `${s.cause.name} (${s.cause.class})`, alerts: s.alerts.length, priority: s.priority.priority })),
    stormSeconds: round(seconds), deliveries: Math.ceil(storm.length / size), alertsPerDelivery: size,
    eventLoopMaxStallMs: round(loop.max / 1e6, 1), eventLoopP99StallMs: round(loop.percentile(99) / 1e6, 1),
    memoryMb: { projectionAndService: Math.round((afterBuild - before) / 1e6), stormState: Math.round((afterStorm - afterBuild) / 1e6) },
    naiveBaseline: {
      incidents: bound, timedIncidents: naive.length,
      p50Ms: round(percentile(naive, 50)), p99Ms: round(percentile(naive, 99)),
      projectedSecondsForAll: round((naiveSeconds / Math.max(1, naive.length)) * bound, 1),
    },
  };
  console.log(JSON.stringify(result, null, 2));
  log(`wrote ${writeResult(values.out!, result)}`);
  await store.close();
}
