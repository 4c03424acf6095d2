import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCis, startTestServer, type TestServer } from '../helpers/test-server.ts';
import { alertmanagerBody, firingFrom, grafanaDocBody, ksmScrape } from '../fixtures/alerts.ts';

/**
 * Event management through HTTP on the demo estate: receivers with real payload shapes, binding,
 * a storm on a database, flapping, duplicates and reordering, expected alerts, situations and incidents.
 */
describe('alerts and situations API on the demo estate', () => {
  let s: TestServer;
  let viewer: string, collector: string, manager: string;
  type Ci = { id: string; name: string; class: string; environment: string; identifiers: Record<string, string> };
  let cis: Ci[];
  const t0 = Date.now() - 60_000;
  const at = (sec: number) => new Date(t0 + sec * 1000).toISOString();

  beforeAll(async () => {
    s = await startTestServer({ demo: { cis: 1500, seed: 7 }, config: {} });
    [viewer, collector, manager] = await Promise.all([s.tokenFor('viewer'), s.tokenFor('collector'), s.tokenFor('change-manager')]);
    cis = await allCis<Ci>(s);
  });
  afterAll(async () => { await s?.close(); });

  const post = (path: string, body: unknown, token = collector) => s.api(path, { body, token });

  /** A production database and the services that need it, directly or not. */
  async function databaseWithDependents(min: number) {
    for (const db of cis.filter((c) => c.class === 'database' && c.environment === 'production')) {
      const r = await s.api('/api/v1/impact', { body: { failed: [{ ci: db.id }] }, token: viewer });
      const deps = r.body.impacted.filter((i: any) => i.depth > 0 && i.class === 'service');
      if (deps.length >= min) return { db, deps: deps as { id: string; name: string }[] };
    }
    throw new Error(`no demo database with ${min} dependent services`);
  }

  it('takes an Alertmanager webhook (version 4), binds a real KubePodCrashLooping to its pod and lists it', async () => {
    // Staging: far from the production storm below, which must stay a situation of its own.
    const pod = cis.find((c) => c.class === 'pod' && c.environment === 'staging')!;
    const { labels, annotations } = firingFrom('KubePodCrashLooping', { ...ksmScrape, namespace: pod.identifiers.namespace, pod: pod.name, container: 'app', reason: 'CrashLoopBackOff', cluster: pod.identifiers.cluster });
    const body = alertmanagerBody([{ labels, annotations, startsAt: at(0), fingerprint: 'crashloop-1' }]);

    const r = await post('/api/v1/alerts/alertmanager', body);

    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ received: 1, changed: 1, bound: 1, unbound: 0, truncatedAlerts: 0 });
    const list = await s.api('/api/v1/alerts?status=firing&bound=true', { token: viewer });
    const mine = list.body.items.find((a: any) => a.fingerprint === 'crashloop-1');
    expect(mine).toMatchObject({ name: 'KubePodCrashLooping', severity: 'warning', health: 'degraded', binding: { ci: pod.id, rule: 'pod', class: 'pod' } });
    expect(mine.annotations.description).toContain(`Pod ${pod.identifiers.namespace}/${pod.name} (app)`);
  });

  it('keeps an alert that binds to nothing, with the reason, and lists it as unbound', async () => {
    const { labels } = firingFrom('KubePersistentVolumeFillingUp', { ...ksmScrape, namespace: 'shop', persistentvolumeclaim: 'data-0' });
    const r = await post('/api/v1/alerts/alertmanager', alertmanagerBody([{ labels, startsAt: at(1), fingerprint: 'pvc-1' }]));
    expect(r.body).toMatchObject({ bound: 0, unbound: 1 });
    const list = await s.api('/api/v1/alerts?bound=false', { token: viewer });
    expect(list.body.items.find((a: any) => a.fingerprint === 'pvc-1').binding).toMatchObject({ ci: null, reason: 'no binding rule applies to these labels' });
  });

  it('takes Grafana\'s documented webhook body and the generic list', async () => {
    const g = await post('/api/v1/alerts/grafana', grafanaDocBody);
    expect(g.status).toBe(200);
    expect(g.body).toMatchObject({ received: 2, changed: 2, unbound: 2 });
    const svc = cis.find((c) => c.class === 'service' && c.environment === 'production')!;
    const generic = await post('/api/v1/alerts', { alerts: [{ source: 'zabbix', fingerprint: 'z-1', status: 'firing', severity: 'info', labels: { service: svc.name, environment: 'production' }, annotations: {}, startsAt: at(2) }] });
    expect(generic.body).toMatchObject({ bound: 1 });
    const list = await s.api('/api/v1/alerts?bound=true', { token: viewer });
    expect(list.body.items.find((a: any) => a.fingerprint === 'z-1')).toMatchObject({ source: 'zabbix', health: 'none', binding: { ci: svc.id, rule: 'service-name' } });
  });

  it('refuses a bad delivery whole with 400 naming the field and the expected format, and keeps nothing', async () => {
    const before = (await s.api('/api/v1/alerts?limit=1000', { token: viewer })).body.items.length;
    const v3 = await post('/api/v1/alerts/alertmanager', { ...alertmanagerBody([]), version: '3' });
    expect(v3.status).toBe(400);
    expect(v3.body.error.message).toContain('version');
    for (const path of ['/api/v1/alerts', '/api/v1/alerts/alertmanager', '/api/v1/alerts/grafana']) {
      const tooMany = await post(path, { alerts: Array.from({ length: 10_001 }, () => ({ labels: { a: '[,{"' } })) });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error).toMatchObject({ code: 'too_many_alerts', message: expect.stringMatching(/at most 10000 alerts/), details: { limit: 10_000 } });
    }
    // 10,000 is allowed: judged, each refused alone here.
    const atLimit = await post('/api/v1/alerts', { alerts: Array.from({ length: 10_000 }, () => ({ labels: { a: '[,{"' } })) });
    expect(atLimit.status).toBe(200);
    expect(atLimit.body.refused).toHaveLength(10_000);
    expect((await post('/api/v1/alerts', { alerts: [] })).status).toBe(400);
    expect((await s.api('/api/v1/alerts?limit=1000', { token: viewer })).body.items.length).toBe(before);
  });

  it('refuses one bad alert of a delivery alone, naming it and why, and takes the others, on every receiver', async () => {
    const { labels } = firingFrom('KubePersistentVolumeFillingUp', { ...ksmScrape, namespace: 'shop', persistentvolumeclaim: 'mixed-0' });
    const am = await post('/api/v1/alerts/alertmanager', alertmanagerBody([
      { labels, startsAt: at(3), fingerprint: 'mixed-am-1' },
      { labels: { alertname: 'X' }, startsAt: 'yesterday', fingerprint: 'mixed-am-bad' },
      { labels, startsAt: at(3), fingerprint: 'mixed-am-2' },
    ]));
    expect(am.status).toBe(200);
    expect(am.body).toMatchObject({ received: 2, changed: 2 });
    expect(am.body.refused).toEqual([{ at: 'alerts.1', code: expect.any(String), message: expect.stringMatching(/^startsAt: expected an RFC 3339 time/) }]);

    const grafana = await post('/api/v1/alerts/grafana', { ...grafanaDocBody, alerts: [grafanaDocBody.alerts[0], { ...grafanaDocBody.alerts[1], status: 'burning' }] });
    expect(grafana.status).toBe(200);
    expect(grafana.body).toMatchObject({ received: 1, refused: [{ at: 'alerts.1', message: expect.stringMatching(/^status: /) }] });

    const generic = await post('/api/v1/alerts', { alerts: [
      { source: 'x', fingerprint: 'mixed-g-bad', status: 'burning', startsAt: at(0) },
      { source: 'x', fingerprint: 'mixed-g-1', status: 'firing', startsAt: at(0) },
    ] });
    expect(generic.body).toMatchObject({ received: 1, changed: 1, refused: [{ at: 'alerts.0', message: expect.stringMatching(/^status: /) }] });
    const kept = (await s.api('/api/v1/alerts?limit=1000', { token: viewer })).body.items.map((a: { fingerprint: string }) => a.fingerprint);
    expect(kept).toEqual(expect.arrayContaining(['mixed-am-1', 'mixed-am-2', 'mixed-g-1']));
    expect(kept).not.toContain('mixed-am-bad');
    expect(kept).not.toContain('mixed-g-bad');
  });

  it('lets the collector role post alerts but not read them; viewers may not post', async () => {
    expect((await s.api('/api/v1/alerts', { token: collector })).status).toBe(403);
    expect((await post('/api/v1/alerts', { alerts: [] }, viewer)).status).toBe(403);
    expect((await s.api('/api/v1/alerts', { token: null })).status).toBe(401);
  });

  it('a storm on a database and 30 of its dependents within a minute is one situation caused by the database', async () => {
    const { db, deps } = await databaseWithDependents(30);
    const alerts = [
      { labels: { alertname: 'PostgresqlDown', severity: 'critical', service: db.name, environment: 'production' }, startsAt: at(10), fingerprint: `db-${db.id}` },
      ...deps.slice(0, 30).map((d, i) => ({ labels: { alertname: 'HighErrorRate', severity: 'warning', service: d.name, environment: 'production' }, startsAt: at(11 + i), fingerprint: `err-${d.id}` })),
    ];
    // Dependents first, in several deliveries, the database's own alert in the middle.
    const order = [...alerts.slice(1, 16), alerts[0], ...alerts.slice(16)];
    for (let i = 0; i < order.length; i += 8) expect((await post('/api/v1/alerts/alertmanager', alertmanagerBody(order.slice(i, i + 8)))).status).toBe(200);

    const list = await s.api('/api/v1/situations?status=open', { token: viewer });
    const mine = list.body.items.filter((x: any) => x.alerts.some((a: any) => a.id && alerts.some((y) => a.labels.alertname === y.labels.alertname && (a.binding.ci === db.id || deps.some((d) => d.id === a.binding.ci)))));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: 'open', cause: { ci: db.id, name: db.name, class: 'database' } });
    expect(mine[0].alerts).toHaveLength(31);
    expect(mine[0].impactedServices.length).toBeGreaterThan(0);
    expect(mine[0].priority.priority).toMatch(/^P[1-4]$/);
    expect(list.body.noise.reduction).toBeGreaterThan(0.5);
    const one = await s.api(`/api/v1/situations/${mine[0].id}`, { token: viewer });
    expect(one.body.timeline[0].text).toMatch(/^opened by HighErrorRate/);
    expect(one.body.timeline.map((e: any) => e.text)).toContainEqual(expect.stringMatching(new RegExp(`probable cause is now ${db.name}|^PostgresqlDown on ${db.name} joined`)));

    // Live health: the database is down, its dependents are drawn as impacted.
    const health = await s.api('/api/v1/alerts/health', { token: viewer });
    expect(health.body.alerting).toContainEqual({ ci: db.id, name: db.name, state: 'down', alerts: 1 });
    expect(health.body.total).toBeGreaterThan(31);
    expect(health.body.impacted.length).toBeGreaterThan(0);
    // Each dependent names the alerting CI it suffers through: the first one of a shortest path to it.
    for (const i of health.body.impacted) expect(health.body.alerting[i.via]).toBeDefined();
    const first = health.body.impacted[0];
    const path = (await s.api('/api/v1/impact', { token: viewer, body: { failed: health.body.alerting.map((a: any) => ({ ci: a.ci, state: a.state })), limit: 5000 } }))
      .body.impacted.find((x: any) => x.id === first.ci).path;
    expect(health.body.alerting[first.via].ci).toBe(path[0]);
  });

  it('a duplicate or reordered delivery changes nothing; flapping opens no duplicate situation', async () => {
    const svc = cis.filter((c) => c.class === 'cache' && c.environment === 'production')[0];
    const labels = { alertname: 'RedisDown', severity: 'critical', service: svc.name, environment: 'production' };
    const firing = alertmanagerBody([{ labels, startsAt: at(100), fingerprint: 'flap-1' }]);
    const resolved = alertmanagerBody([{ status: 'resolved', labels, startsAt: at(100), endsAt: at(120), fingerprint: 'flap-1' }]);
    const first = await post('/api/v1/alerts/alertmanager', firing);
    expect(first.body.changed).toBe(1);
    expect((await post('/api/v1/alerts/alertmanager', firing)).body.changed).toBe(0);
    expect((await post('/api/v1/alerts/alertmanager', resolved)).body.changed).toBe(1);
    // The firing copy of the same episode arriving after its resolution is stale.
    expect((await post('/api/v1/alerts/alertmanager', firing)).body.changed).toBe(0);
    const sit = first.body.situations[0];
    expect((await s.api(`/api/v1/situations/${sit}`, { token: viewer })).body.status).toBe('resolved');
    // Fires again (a new episode) within the minute: the same situation reopens.
    const again = await post('/api/v1/alerts/alertmanager', alertmanagerBody([{ labels, startsAt: at(125), fingerprint: 'flap-1' }]));
    expect(again.body.situations).toEqual([sit]);
    const view = await s.api(`/api/v1/situations/${sit}`, { token: viewer });
    expect(view.body.status).toBe('open');
    expect(view.body.timeline.map((e: any) => e.text)).toContainEqual(expect.stringMatching(/^reopened: RedisDown/));
  });

  it('answers what was firing at a time from history', async () => {
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const labels = { alertname: 'Short', severity: 'warning', service: 'nothing-like-this', environment: 'production' };
    await post('/api/v1/alerts', { alerts: [{ source: 'test', fingerprint: 'hist-1', status: 'firing', labels, startsAt: at(200) }] });
    const during = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await post('/api/v1/alerts', { alerts: [{ source: 'test', fingerprint: 'hist-1', status: 'resolved', labels, startsAt: at(200), endsAt: at(210) }] });
    const q = (asOf: string) => s.api(`/api/v1/alerts?asOf=${encodeURIComponent(asOf)}&limit=1000`, { token: viewer });
    expect((await q(before)).body.items.some((a: any) => a.fingerprint === 'hist-1')).toBe(false);
    expect((await q(during)).body.items.find((a: any) => a.fingerprint === 'hist-1')).toMatchObject({ status: 'firing' });
    expect((await q(new Date().toISOString())).body.items.some((a: any) => a.fingerprint === 'hist-1')).toBe(false);
  });

  it('marks alerts on a CI inside an active change expected: they open nothing', async () => {
    const svc = cis.filter((c) => c.class === 'queue' && c.environment === 'production')[0];
    // A standard change is pre-approved (a normal one needs every approver team's approval first).
    const change = await s.api('/api/v1/changes', { token: manager, body: { title: 'upgrade broker', type: 'standard', window: { start: new Date(Date.now() - 60_000).toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() }, cis: [svc.id] } });
    expect(change.status).toBe(201);
    expect(change.body.status).toBe('approved');
    const r = await post('/api/v1/alerts', { alerts: [{ source: 'test', fingerprint: 'maint-1', status: 'firing', severity: 'critical', labels: { service: svc.name, environment: 'production' }, startsAt: at(300) }] });
    expect(r.body).toMatchObject({ expected: 1, situations: [] });
    const a = (await s.api('/api/v1/alerts?bound=true&limit=1000', { token: viewer })).body.items.find((x: any) => x.fingerprint === 'maint-1');
    expect(a.expected).toMatchObject({ kind: 'change', id: change.body.id, title: 'upgrade broker' });
  });

  it('opens a situation\'s incident in one click, linked both ways; resolving its alerts proposes to resolve it', async () => {
    const host = cis.find((c) => c.class === 'host' && c.identifiers.fqdn?.includes('-db-') && c.environment === 'staging')!;
    const labels = { alertname: 'NodeDown', severity: 'critical', job: 'node-exporter', instance: `${host.identifiers.fqdn}:9100` };
    const r = await post('/api/v1/alerts/alertmanager', alertmanagerBody([{ labels, startsAt: at(400), fingerprint: 'node-1' }]));
    const sit = r.body.situations[0];
    const situation = await s.api(`/api/v1/situations/${sit}`, { token: viewer });
    expect(situation.body.cause).toMatchObject({ ci: host.id, class: 'host' });
    if (!situation.body.incident) {
      expect((await s.api(`/api/v1/situations/${sit}/incident`, { token: viewer, body: {} })).status).toBe(403);
      const opened = await s.api(`/api/v1/situations/${sit}/incident`, { token: manager, body: {} });
      expect(opened.status).toBe(201);
    }
    const linked = (await s.api(`/api/v1/situations/${sit}`, { token: viewer })).body.incident;
    expect(linked).toMatch(/^inc-/);
    expect((await s.api(`/api/v1/incidents/${linked}`, { token: viewer })).body).toMatchObject({ situation: sit, cis: [{ ci: host.id, state: 'down' }] });
    expect((await s.api(`/api/v1/situations/${sit}/incident`, { token: manager, body: {} })).status).toBe(409);

    await post('/api/v1/alerts/alertmanager', alertmanagerBody([{ status: 'resolved', labels, startsAt: at(400), endsAt: at(460), fingerprint: 'node-1' }]));
    const done = await s.api(`/api/v1/situations/${sit}`, { token: viewer });
    expect(done.body).toMatchObject({ status: 'resolved', proposeResolveIncident: true });
  });

  it('publishes the bindings in force', async () => {
    const b = await s.api('/api/v1/alerts/bindings', { token: viewer });
    expect(b.body.source).toBe('built-in defaults');
    expect(b.body.rules.map((r: any) => r.name)).toEqual(['node-exporter-instance', 'blackbox-probe-target', 'pod', 'workload', 'namespace-service', 'service-name', 'instance-host', 'cluster']);
  });
});
