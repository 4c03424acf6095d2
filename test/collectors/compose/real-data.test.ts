import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectCompose } from '../../../collectors/compose/index.ts';
import { DATA, dependsOnEdges, describeScore, pct, readKey, score, union } from '../answer-keys.ts';

const OTEL = join(DATA, 'opentelemetry-demo');
const key = (name: string) => readKey(join(OTEL, name));

// The shell environment must not leak into what the files say.
const demo = collectCompose(OTEL, { env: {} });
const viaEnv = dependsOnEdges(demo, (v) => v.startsWith('env:'));
const viaDependsOn = dependsOnEdges(demo, (v) => v === 'depends_on');
const all = dependsOnEdges(demo);

const application = key('EXPECTED_EDGES_compose.txt');
const flagd = key('EXPECTED_EDGES_compose_flagd.txt');
const telemetry = key('EXPECTED_EDGES_compose_telemetry.txt');
const declared = key('EXPECTED_DEPENDS_ON_compose.txt');

const appScore = score(viaEnv, union(application, flagd));
const envScore = score(viaEnv, union(application, flagd, telemetry));
const dependsOnScore = score(viaDependsOn, declared);
const allScore = score(all, union(application, flagd, telemetry, declared));
const telemetryFound = score(new Set([...all].filter((e) => telemetry.has(e))), telemetry);

describe('compose collector on the OpenTelemetry demo (docker-compose.yml + .env)', () => {
  it('reads the project name and one CI per service', () => {
    expect(demo.scope).toBe('opentelemetry-demo');
    expect(demo.cis).toHaveLength(28);
    expect(new Set(demo.cis.map((c) => c.environment))).toEqual(new Set(['opentelemetry-demo']));
  });

  it(`finds every application and feature-flag edge from .env-interpolated env values — app+flagd recall ${pct(appScore.recall)} (${appScore.expected}); env edges vs app+flagd+telemetry precision ${pct(envScore.precision)} (${envScore.found})`, () => {
    expect(appScore.missing).toEqual([]);
    // Env edges outside the application and flagd keys must all be telemetry edges.
    expect(envScore.extra).toEqual([]);
  });

  it(`reads depends_on exactly — ${describeScore('depends_on', dependsOnScore)}`, () => {
    expect(dependsOnScore.missing).toEqual([]);
    expect(dependsOnScore.extra).toEqual([]);
  });

  it(`adds no edge that no answer key lists — ${describeScore('all keys', allScore)}`, () => {
    expect(allScore.extra).toEqual([]);
  });

  it(`without the mounted config files beside it (the data folder), misses only edges those files hold — ${describeScore('telemetry', telemetryFound)}`, () => {
    // NOTES.md: those edges come from otelcol-config.yml and the grafana datasources (supporting-config/),
    // which the compose file mounts from ./src: the next suite lays them out there and finds them all.
    const configText = readdirSync(join(OTEL, 'supporting-config'))
      .map((f) => readFileSync(join(OTEL, 'supporting-config', f), 'utf8'))
      .join('\n');
    for (const edge of telemetryFound.missing) {
      const callee = edge.split(' -> ')[1];
      expect(configText, edge).toContain(callee);
    }
    expect(telemetryFound.recall).toBeGreaterThan(0.8);
  });

  it('classifies data stores by image: postgres → database, valkey → cache, the demo kafka image → queue, opensearch by the image its build names', () => {
    const classOf = Object.fromEntries(demo.cis.map((c) => [c.name, c.class]));
    expect(classOf).toMatchObject({ 'astronomy-db': 'database', 'valkey-cart': 'cache', kafka: 'queue', opensearch: 'database', cart: 'service' });
  });

  it('keeps the evidence of each edge but never an environment value (passwords live there)', () => {
    const edge = demo.relations.find((r) => 'name' in r.from && r.from.name === 'accounting' && 'name' in r.to && r.to.name === 'astronomy-db');
    expect(edge?.attributes?.via).toEqual(['env:DB_CONNECTION_STRING']);
    const text = JSON.stringify(demo);
    for (const secret of ['astronomy_password', 'changeit', 'yYrECL4qbNwleYInGJYvVnSkwJuSQJ4ijPTx5tirGUXrbznFIBFVJdPl5t6O9ASw']) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('compose collector on the OpenTelemetry demo checkout, with the config files its services mount', () => {
  // The files of supporting-config/ copied to the paths SOURCES.md gives for them in the upstream
  // repository, which are the paths docker-compose.yml mounts: a checkout as a user has it.
  const LAYOUT: Record<string, string> = {
    'docker-compose.yml': 'docker-compose.yml',
    '.env': '.env',
    'supporting-config/otelcol-config.yml': 'src/otel-collector/otelcol-config.yml',
    'supporting-config/jaeger-config.yml': 'src/jaeger/config.yml',
    'supporting-config/envoy.tmpl.yaml': 'src/frontend-proxy/envoy.tmpl.yaml',
    'supporting-config/grafana-datasource-default.yaml': 'src/grafana/provisioning/datasources/default.yaml',
    'supporting-config/grafana-datasource-jaeger.yaml': 'src/grafana/provisioning/datasources/jaeger.yaml',
    'supporting-config/grafana-datasource-opensearch.yaml': 'src/grafana/provisioning/datasources/opensearch.yaml',
  };
  const checkout = mkdtempSync(join(tmpdir(), 'sg-otel-demo-'));
  afterAll(() => rmSync(checkout, { recursive: true, force: true }));
  for (const [from, to] of Object.entries(LAYOUT)) {
    mkdirSync(dirname(join(checkout, to)), { recursive: true });
    cpSync(join(OTEL, from), join(checkout, to));
  }
  const collected = collectCompose(checkout, { env: {}, projectName: 'opentelemetry-demo' });
  const edges = dependsOnEdges(collected);
  const everyKey = score(edges, union(application, flagd, telemetry, declared));
  const telemetryScore = score(new Set([...edges].filter((e) => telemetry.has(e))), telemetry);

  it(`finds every edge of every key and nothing else — ${describeScore('all keys', everyKey)}; ${describeScore('telemetry', telemetryScore)}`, () => {
    expect(everyKey.missing).toEqual([]);
    expect(everyKey.extra).toEqual([]);
  });

  it('names the mounted file as the evidence of edges only config files show', () => {
    const via = (from: string, to: string) => collected.relations.find((r) => 'name' in r.from && r.from.name === from && 'name' in r.to && r.to.name === to)?.attributes?.via;
    expect(via('grafana', 'opensearch')).toEqual(['file:src/grafana/provisioning/datasources/opensearch.yaml']);
    expect(via('otel-collector', 'valkey-cart')).toEqual(['file:src/otel-collector/otelcol-config.yml']);
    // `${env:FRONTEND_PROXY_ADDR}` in the collector config, expanded from the collector's environment.
    expect(via('otel-collector', 'frontend-proxy')).toEqual(['env:FRONTEND_PROXY_ADDR', 'file:src/otel-collector/otelcol-config.yml']);
    expect(JSON.stringify(collected)).not.toContain('monitoring_user');
  });
});

describe('compose collector on DeathStarBench (depends_on only; the call graph is in code)', () => {
  const apps = ['socialNetwork', 'hotelReservation'] as const;
  for (const app of apps) {
    const dir = join(DATA, 'deathstarbench', app);
    const collected = collectCompose(dir, { env: {} });
    const found = dependsOnEdges(collected);
    const declaredScore = score(found, readKey(join(dir, 'EXPECTED_DEPENDS_ON.txt')));
    const callGraph = score(found, readKey(join(dir, 'EXPECTED_EDGES.txt')));

    it(`${app}: ${describeScore('depends_on', declaredScore)}; partial evidence of the true call graph, ${describeScore('call graph', callGraph)}`, () => {
      expect(declaredScore.missing).toEqual([]);
      expect(declaredScore.extra).toEqual([]);
    });
  }

  it('socialNetwork: the telemetry key is the 13 depends_on edges to jaeger-agent, all found', () => {
    const dir = join(DATA, 'deathstarbench', 'socialNetwork');
    const s = score(dependsOnEdges(collectCompose(dir, { env: {} })), readKey(join(dir, 'EXPECTED_EDGES_telemetry.txt')));
    expect(s.expected).toBe(13);
    expect(s.missing).toEqual([]);
  });

  it('hotelReservation: the registry key (10 X -> consul) is found; the telemetry key is in config.json, which compose neither mounts nor names, so it is not guessed', () => {
    const dir = join(DATA, 'deathstarbench', 'hotelReservation');
    const found = dependsOnEdges(collectCompose(dir, { env: {} }));
    const registry = score(found, readKey(join(dir, 'EXPECTED_EDGES_registry.txt')));
    expect(registry.expected).toBe(10);
    expect(registry.missing).toEqual([]);
    const telemetryKey = score(found, readKey(join(dir, 'EXPECTED_EDGES_telemetry.txt')));
    expect(telemetryKey.expected).toBe(10);
    expect(telemetryKey.missing).toHaveLength(10);
  });

  it('hotelReservation: every data-store edge of the call graph is declared in depends_on', () => {
    const dir = join(DATA, 'deathstarbench', 'hotelReservation');
    const found = dependsOnEdges(collectCompose(dir, { env: {} }));
    const dataStoreEdges = [...readKey(join(dir, 'EXPECTED_EDGES.txt'))].filter((e) => /-> (mongodb|memcached)-/.test(e));
    expect(dataStoreEdges).toHaveLength(12);
    expect(dataStoreEdges.filter((e) => !found.has(e))).toEqual([]);
  });

  it('mediaMicroservices: no depends_on and no env, so 33 CIs and no edge; nginx-web-server keeps its hostname nginx-thrift', () => {
    const collected = collectCompose(join(DATA, 'deathstarbench', 'mediaMicroservices'), { env: {} });
    expect(collected.cis).toHaveLength(33);
    expect(collected.relations).toEqual([]);
    expect(collected.cis.find((c) => c.name === 'nginx-web-server')?.attributes?.hostname).toBe('nginx-thrift');
    expect(collected.cis.filter((c) => c.class === 'database').map((c) => c.name)).toContain('movie-id-mongodb');
  });
});
