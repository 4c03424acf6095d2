import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectCompose, findComposeFiles } from '../../../collectors/compose/index.ts';
import type { Collected } from '../../../collectors/types.ts';
import { dependsOnEdges } from '../answer-keys.ts';
import { collectError, project } from './project-dir.ts';

/**
 * How the compose collector chooses and combines files, rule by rule, as `docker compose config` does:
 * the override file, several -f files, COMPOSE_FILE, include:, extends:, profiles.
 */

const ci = (c: Collected, name: string) => c.cis.find((x) => x.name === name);
const via = (c: Collected, from: string, to: string) => c.relations.find((r) => 'name' in r.from && r.from.name === from && 'name' in r.to && r.to.name === to)?.attributes?.via;

const BASE = ['services:', '  app:', '    image: shop/app:1', '    depends_on: [db]', '  db: {image: "postgres:16"}', '  cache: {image: "redis:7"}'];

describe('which files a folder stands for', () => {
  it('reads the override file beside the default file, and only the first override found', () => {
    const dir = project({
      'compose.yaml': BASE,
      'compose.override.yml': ['services:', '  app:', '    environment:', '      CACHE_URL: redis://cache:6379'],
      'docker-compose.override.yml': ['services:', '  app:', '    environment: [QUEUE=ignored:1]'],
    });
    const chosen = findComposeFiles(dir, { env: {} });
    expect(chosen.files.map((f) => f.slice(dir.length + 1))).toEqual(['compose.yaml', 'compose.override.yml']);
    const c = collectCompose(dir, { env: {} });
    expect(dependsOnEdges(c)).toEqual(new Set(['app -> db', 'app -> cache']));
    expect(c.warnings.join('\n')).toMatch(/override files compose.override.yml, docker-compose.override.yml; using compose.override.yml/);
  });

  it('reads docker-compose.override.yml with docker-compose.yml', () => {
    const dir = project({
      'docker-compose.yml': BASE,
      'docker-compose.override.yml': ['services:', '  app:', '    environment: [CACHE_HOST=cache]'],
    });
    expect(dependsOnEdges(collectCompose(dir, { env: {} }))).toEqual(new Set(['app -> db', 'app -> cache']));
  });

  it('given a file, reads that file alone, as `docker compose -f file` does', () => {
    const dir = project({ 'compose.yaml': BASE, 'compose.override.yaml': ['services:', '  app:', '    environment: [CACHE_HOST=cache]'] });
    expect(dependsOnEdges(collectCompose(join(dir, 'compose.yaml'), { env: {} }))).toEqual(new Set(['app -> db']));
  });

  it('reads several -f files in order, later files winning, relative paths from the first file\'s folder', () => {
    const dir = project({
      'base/compose.yaml': BASE,
      'base/app.env': 'CACHE_HOST=cache\n',
      'envs/prod.yaml': ['services:', '  app:', '    image: shop/app:2', '    env_file: app.env'],
    });
    const c = collectCompose(undefined, { env: {}, files: [join(dir, 'base/compose.yaml'), join(dir, 'envs/prod.yaml')] });
    expect(ci(c, 'app')?.attributes?.image).toBe('shop/app:2');
    expect(dependsOnEdges(c)).toEqual(new Set(['app -> db', 'app -> cache']));
    expect(c.scope).toBe('base');
  });

  it('takes COMPOSE_FILE from .env (split by COMPOSE_PATH_SEPARATOR) and then reads no override file', () => {
    const dir = project({
      '.env': 'COMPOSE_FILE=compose.yaml;compose.prod.yaml\nCOMPOSE_PATH_SEPARATOR=;\n',
      'compose.yaml': BASE,
      'compose.prod.yaml': ['services:', '  app:', '    environment: [CACHE_HOST=cache]'],
      'compose.override.yaml': ['services:', '  app:', '    environment: [DB2_HOST=nowhere]'],
    });
    const c = collectCompose(dir, { env: {} });
    expect(dependsOnEdges(c)).toEqual(new Set(['app -> db', 'app -> cache']));
    expect(c.warnings.join('\n')).toMatch(/COMPOSE_FILE from .env: compose.yaml, compose.prod.yaml/);
    expect(c.warnings.join('\n')).not.toMatch(/nowhere/);
  });

  it('lets the shell\'s COMPOSE_FILE win over .env, and fails on a file it names that does not exist', () => {
    const dir = project({ '.env': 'COMPOSE_FILE=missing.yaml\n', 'compose.yaml': BASE });
    expect(dependsOnEdges(collectCompose(dir, { env: { COMPOSE_FILE: 'compose.yaml' } }))).toEqual(new Set(['app -> db']));
    expect(collectError(() => collectCompose(dir, { env: {} })).message).toMatch(/COMPOSE_FILE names .*missing.yaml, which does not exist/);
  });

  it('an error in the override file names that file and line', () => {
    const dir = project({ 'compose.yaml': BASE, 'compose.override.yaml': ['services:', '  app:', '    enviroment: [A=1]'] });
    const e = collectError(() => collectCompose(dir, { env: {} }));
    expect(e.file).toMatch(/compose.override.yaml$/);
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/unknown key "enviroment"/);
  });
});

describe('the merge rules (compose-spec 13-merge.md), each on a base and an override file', () => {
  const merged = (base: string[], override: string[]) => collectCompose(project({ 'compose.yaml': base, 'compose.override.yaml': override }), { env: {} });

  it('mappings merge: keys the override adds join the base\'s, scalars it repeats replace them', () => {
    const c = merged(['services:', '  app: {image: a:1, hostname: app-host}', '  db: {image: "postgres:16"}'], ['services:', '  app: {image: a:2, container_name: the-app}']);
    expect(ci(c, 'app')?.attributes).toMatchObject({ image: 'a:2', hostname: 'app-host', containerName: 'the-app' });
  });

  it('environment merges by key across list and mapping syntax: the override wins a key, keeps the rest', () => {
    const c = merged(
      ['services:', '  app:', '    image: a', '    environment: [DB_HOST=old-db, CACHE_HOST=cache]', '  old-db: {image: "postgres:15"}', '  db: {image: "postgres:16"}', '  cache: {image: "redis:7"}'],
      ['services:', '  app:', '    environment:', '      DB_HOST: db'],
    );
    expect(dependsOnEdges(c)).toEqual(new Set(['app -> db', 'app -> cache']));
  });

  it('ports append, and an entry with the same {ip, target, published, protocol} is not doubled', () => {
    const c = merged(['services:', '  app:', '    image: a', '    ports: ["8080:80", "9090:90"]'], ['services:', '  app:', '    ports: ["8080:80", "8443:443"]']);
    expect(ci(c, 'app')?.attributes?.ports).toEqual(['8080:80', '9090:90', '8443:443']);
  });

  it('volumes are unique by target: the override\'s mount at the same path replaces the base\'s', () => {
    const dir = project({
      'compose.yaml': ['services:', '  proxy:', '    image: envoy', '    volumes: ["./dev.yaml:/etc/proxy.yaml", "./extra.yaml:/etc/extra.yaml"]', '  dev-api: {image: a}', '  prod-api: {image: a}', '  metrics: {image: m}'],
      'compose.override.yaml': ['services:', '  proxy:', '    volumes:', '      - {type: bind, source: ./prod.yaml, target: /etc/proxy.yaml}'],
      'dev.yaml': 'upstream: http://dev-api:8080\n',
      'prod.yaml': 'upstream: http://prod-api:8080\n',
      'extra.yaml': 'metrics_endpoint: metrics:9100\n',
    });
    expect(dependsOnEdges(collectCompose(dir, { env: {} }))).toEqual(new Set(['proxy -> prod-api', 'proxy -> metrics']));
  });

  it('command and entrypoint are replaced, not appended', () => {
    const c = merged(
      ['services:', '  load:', '    image: wrk', '    command: ["-c", "2", "-h", "old-target"]', '    entrypoint: /bin/load --redis=redis://cache:6379', '  old-target: {image: a}', '  new-target: {image: a}', '  cache: {image: "redis:7"}'],
      ['services:', '  load:', '    command: "-c 4 -h new-target"', '    entrypoint: ["/bin/load"]'],
    );
    expect(dependsOnEdges(c)).toEqual(new Set(['load -> new-target']));
  });

  it('depends_on merges by service across list and mapping syntax', () => {
    const c = merged(['services:', '  app: {image: a, depends_on: [db]}', '  db: {image: "postgres:16"}', '  cache: {image: "redis:7"}'], ['services:', '  app:', '    depends_on:', '      cache: {condition: service_healthy}']);
    expect(dependsOnEdges(c)).toEqual(new Set(['app -> db', 'app -> cache']));
  });

  it('!reset removes what the base set, !override replaces it without merging', () => {
    const c = merged(
      ['services:', '  app:', '    image: a', '    depends_on: [db]', '    environment: {CACHE_HOST: cache, Q_HOST: mq}', '    ports: ["8080:80"]', '  db: {image: "postgres:16"}', '  cache: {image: "redis:7"}', '  mq: {image: "rabbitmq:3"}'],
      ['services:', '  app:', '    depends_on: !reset []', '    environment:', '      CACHE_HOST: !reset null', '    ports: !override ["8443:443"]'],
    );
    expect(dependsOnEdges(c)).toEqual(new Set(['app -> mq']));
    expect(ci(c, 'app')?.attributes?.ports).toEqual(['8443:443']);
  });

  it('a service the override alone defines is added; one it resets is gone', () => {
    const c = merged(['services:', '  app: {image: a}', '  debug: {image: d}'], ['services:', '  debug: !reset {}', '  worker: {image: w, environment: [APP_URL=http://app:80]}']);
    expect(c.cis.map((x) => x.name).sort()).toEqual(['app', 'worker']);
    expect(dependsOnEdges(c)).toEqual(new Set(['worker -> app']));
  });
});

describe('extends', () => {
  it('takes a service of the same file as the base, merged under the extending service', () => {
    const c = collectCompose(
      project({
        'compose.yaml': [
          'services:',
          '  common:',
          '    image: shop/base',
          '    environment: [DB_HOST=db, LOG_LEVEL=info]',
          '  orders:',
          '    extends: common',
          '    environment: [CACHE_HOST=cache]',
          '  billing:',
          '    extends: {service: orders}',
          '    image: shop/billing',
          '  db: {image: "postgres:16"}',
          '  cache: {image: "redis:7"}',
        ],
      }),
      { env: {} },
    );
    expect(dependsOnEdges(c)).toEqual(new Set(['common -> db', 'orders -> db', 'orders -> cache', 'billing -> db', 'billing -> cache']));
    expect(ci(c, 'billing')?.attributes?.image).toBe('shop/billing');
    expect(ci(c, 'orders')?.attributes?.image).toBe('shop/base');
  });

  it('takes a base from another file, whose relative paths resolve from that file\'s folder', () => {
    const dir = project({
      'compose.yaml': ['services:', '  web:', '    extends: {file: shared/common.yaml, service: webapp}', '    environment: [API_URL=http://api:8080]', '  api: {image: api}', '  db: {image: "postgres:16"}'],
      'shared/common.yaml': ['services:', '  webapp:', '    image: shop/web', '    env_file: web.env', '    ports: ["8000:80"]'],
      'shared/web.env': 'DATABASE_URL=postgres://u@db:5432/web\n',
    });
    const c = collectCompose(dir, { env: {} });
    expect(dependsOnEdges(c)).toEqual(new Set(['web -> api', 'web -> db']));
    expect(ci(c, 'web')?.attributes).toMatchObject({ image: 'shop/web', ports: ['8000:80'] });
    // The base lives in the other file only: it is no service of this project.
    expect(ci(c, 'webapp')).toBeUndefined();
  });

  it('fails on a cycle and on a base that does not exist, at the extends line', () => {
    const cycle = collectError(() => collectCompose(project({ 'compose.yaml': ['services:', '  a: {image: x, extends: b}', '  b: {image: y, extends: a}'] }), { env: {} }));
    expect(cycle.message).toMatch(/extends cycle: a → b → a/);
    const missing = collectError(() => collectCompose(project({ 'compose.yaml': ['services:', '  a:', '    image: x', '    extends: nothere'] }), { env: {} }));
    expect(missing.message).toMatch(/extends: no service "nothere" in this file/);
    expect(missing.line).toBe(4);
  });
});

describe('include', () => {
  it('loads another project (its folder, its .env) whose services the including project can depend on', () => {
    const dir = project({
      'compose.yaml': ['include:', '  - infra/compose.yaml', 'services:', '  app:', '    image: a', '    depends_on: [db]', '    environment: [MQ_URL=amqp://mq:5672]'],
      'infra/compose.yaml': ['services:', '  db: {image: "postgres:${PG_VERSION}"}', '  mq:', '    image: rabbitmq:3', '    env_file: mq.env', '  mq-exporter:', '    image: exporter', '    environment: [TARGET_HOST=mq]'],
      'infra/.env': 'PG_VERSION=16\n',
      'infra/mq.env': 'RABBITMQ_DEFAULT_USER=shop\n',
    });
    const c = collectCompose(dir, { env: {} });
    expect(c.cis.map((x) => x.name).sort()).toEqual(['app', 'db', 'mq', 'mq-exporter']);
    expect(ci(c, 'db')?.attributes?.image).toBe('postgres:16');
    expect(dependsOnEdges(c)).toEqual(new Set(['app -> db', 'app -> mq', 'mq-exporter -> mq']));
    expect(c.warnings.join('\n')).not.toMatch(/mq.env not found/);
  });

  it('long syntax: several files merged, project_directory, env_file; the including project\'s variables win', () => {
    const dir = project({
      'compose.yaml': ['include:', '  - path: [lib/compose.yaml, lib/compose.extra.yaml]', '    env_file: lib/lib.env', 'services:', '  app: {image: a, environment: [SEARCH=http://search:9200]}'],
      '.env': 'SEARCH_TAG=8.15.0\n',
      'lib/compose.yaml': ['services:', '  search: {image: "elasticsearch:${SEARCH_TAG}"}'],
      'lib/compose.extra.yaml': ['services:', '  search:', '    environment: [CACHE_HOST=cache]', '  cache: {image: "redis:${REDIS_TAG}"}'],
      'lib/lib.env': 'SEARCH_TAG=7.0.0\nREDIS_TAG=7\n',
    });
    const c = collectCompose(dir, { env: {} });
    expect(ci(c, 'search')?.attributes?.image).toBe('elasticsearch:8.15.0');
    expect(ci(c, 'cache')?.attributes?.image).toBe('redis:7');
    expect(dependsOnEdges(c)).toEqual(new Set(['app -> search', 'search -> cache']));
  });

  it('keeps the including project\'s service on a name conflict, with a warning, and fails on an include cycle', () => {
    const dir = project({
      'compose.yaml': ['include: [other/compose.yaml]', 'services:', '  db: {image: "postgres:16"}'],
      'other/compose.yaml': ['services:', '  db: {image: "mysql:8"}'],
    });
    const c = collectCompose(dir, { env: {} });
    expect(ci(c, 'db')?.attributes?.image).toBe('postgres:16');
    expect(c.warnings.join('\n')).toMatch(/included other\/compose.yaml defines service "db", which this project defines too/);
    const loop = project({ 'compose.yaml': ['include: [a/compose.yaml]', 'services: {x: {image: x}}'], 'a/compose.yaml': ['include: [../compose.yaml]', 'services: {y: {image: y}}'] });
    expect(collectError(() => collectCompose(loop, { env: {} })).message).toMatch(/include cycle/);
  });
});

describe('profiles', () => {
  const files = {
    'compose.yaml': ['services:', '  app: {image: a, depends_on: [db]}', '  db: {image: "postgres:16"}', '  debug:', '    image: adminer', '    profiles: [debug]', '    environment: [ADMINER_DEFAULT_SERVER=db]', '  seed: {image: s, profiles: [tools, test]}'],
  };

  it('a service outside the active profiles is still a CI, with its edges, marked as not started by default', () => {
    const c = collectCompose(project(files), { env: {} });
    expect(ci(c, 'debug')?.attributes).toMatchObject({ profiles: ['debug'], startedByDefault: false });
    expect(ci(c, 'app')?.attributes?.startedByDefault).toBeUndefined();
    expect(dependsOnEdges(c)).toEqual(new Set(['app -> db', 'debug -> db']));
  });

  it('--profile and COMPOSE_PROFILES (shell or .env) activate profiles; * activates all', () => {
    const started = (c: Collected) => c.cis.filter((x) => x.attributes?.startedByDefault !== false).map((x) => x.name).sort();
    expect(started(collectCompose(project(files), { env: {}, profiles: ['debug'] }))).toEqual(['app', 'db', 'debug']);
    expect(started(collectCompose(project({ ...files, '.env': 'COMPOSE_PROFILES=test\n' }), { env: {} }))).toEqual(['app', 'db', 'seed']);
    expect(started(collectCompose(project(files), { env: { COMPOSE_PROFILES: 'debug,tools' } }))).toEqual(['app', 'db', 'debug', 'seed']);
    expect(started(collectCompose(project(files), { env: {}, profiles: ['*'] }))).toEqual(['app', 'db', 'debug', 'seed']);
  });
});

describe('hosts in command and entrypoint', () => {
  it('reads -h, -H, --host=, --flag value, URLs and host:port, in strings, lists and sh -c scripts', () => {
    const c = collectCompose(
      project({
        'compose.yaml': [
          'services:',
          '  loadgen: {image: wrk, command: "-d 60 -r 200 -c 2 -h edge-router"}',
          '  cli: {image: redis, command: ["redis-cli", "-H", "cache", "ping"]}',
          '  migrate: {image: flyway, entrypoint: ["flyway", "--host=db", "migrate"]}',
          '  worker: {image: w, command: "worker --broker-url redis://queue:6379/0"}',
          '  waiter: {image: w, entrypoint: ["sh", "-c", "wait-for search:9200 && exec app --listen 0.0.0.0:80"]}',
          '  poller: {image: curl, command: "curl -fsS http://app:8080/healthz"}',
          '  app: {image: a, command: "app --port 8080 --name orders -h"}',
          '  edge-router: {image: e}',
          '  cache: {image: "redis:7"}',
          '  queue: {image: "redis:7"}',
          '  db: {image: "postgres:16"}',
          '  search: {image: "opensearchproject/opensearch:2"}',
        ],
      }),
      { env: {} },
    );
    expect(dependsOnEdges(c)).toEqual(new Set(['loadgen -> edge-router', 'cli -> cache', 'migrate -> db', 'worker -> queue', 'waiter -> search']));
    expect(via(c, 'migrate', 'db')).toEqual(['entrypoint']);
    expect(c.relations.filter((r) => r.type === 'DEPENDS_ON').every((r) => r.attributes?.confidence === 'medium')).toBe(true);
    // A health-check URL in a command is monitoring, like one in the environment.
    expect(c.relations.find((r) => r.type === 'MONITORS')).toMatchObject({ from: { name: 'poller' }, to: { name: 'app' }, attributes: { via: ['command'] } });
  });

  it('an edge an environment variable also shows keeps high confidence', () => {
    const c = collectCompose(project({ 'compose.yaml': ['services:', '  app: {image: a, command: "--db-host db", environment: [DB_HOST=db]}', '  db: {image: "postgres:16"}'] }), { env: {} });
    expect(c.relations).toEqual([expect.objectContaining({ type: 'DEPENDS_ON', attributes: { via: ['command', 'env:DB_HOST'], confidence: 'high' } })]);
  });
});
