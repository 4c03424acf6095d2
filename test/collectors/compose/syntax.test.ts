import { describe, expect, it } from 'vitest';
import { collectCompose } from '../../../collectors/compose/index.ts';
import { interpolate, parseDotEnv } from '../../../collectors/compose/interpolate.ts';
import { dependsOnEdges } from '../answer-keys.ts';
import { collectError, project } from './project-dir.ts';

describe('compose interpolation, as docker compose config does it', () => {
  const vars: Record<string, string> = { SET: 'x', EMPTY: '' };
  const lookup = (k: string) => vars[k];
  it.each([
    ['${SET}', 'x'],
    ['$SET-y', 'x-y'],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${SET:+alt}', 'alt'],
    ['${UNSET:+alt}', ''],
    ['${UNSET:-${SET}}', 'x'],
    ['$$SET', '$SET'],
    ['cost: $$5', 'cost: $5'],
  ])('%s → %s', (input, expected) => {
    expect(interpolate(input, lookup).value).toBe(expected);
  });

  it('reports unset variables and fails on ${VAR:?message}', () => {
    expect(interpolate('${NOPE}', lookup).unset).toEqual(['NOPE']);
    expect(() => interpolate('${NOPE:?must be set}', lookup)).toThrow(/NOPE.*must be set/);
  });

  it('parses .env: export, quotes, comments and references to earlier variables', () => {
    const env = parseDotEnv(['# c', 'export A=1', "B='$A literal'", 'C="${A}-two"', 'D=plain # comment', 'E=${A}:${D}'].join('\n'), '.env');
    expect(Object.fromEntries(env)).toEqual({ A: '1', B: '$A literal', C: '1-two', D: 'plain', E: '1:plain' });
  });
});

describe('compose syntax variants', () => {
  it('takes bare list entries from .env, map-form environment, env_file, and the shell over .env', () => {
    const dir = project({
      '.env': 'DB_HOST=db\nCACHE_ADDR=cache:6379\n',
      'app.env': 'QUEUE_URL=amqp://guest@mq:5672/\n',
      'compose.yaml': [
        'services:',
        '  app:',
        '    image: example/app',
        '    env_file: app.env',
        '    environment:',
        '      - DB_HOST',
        '      - CACHE_ADDR',
        '  worker:',
        '    image: example/worker',
        '    environment:',
        '      SEARCH: http://${SEARCH_HOST:-search}:9200',
        '  db: {image: "postgres:16"}',
        '  cache: {image: "redis:7"}',
        '  mq: {image: "rabbitmq:3-management"}',
        '  search: {image: "docker.elastic.co/elasticsearch/elasticsearch:8.14.0"}',
        '  other: {image: "postgres:16"}',
      ].join('\n'),
    });
    const c = collectCompose(dir, { env: { DB_HOST: 'other' } });
    expect(dependsOnEdges(c)).toEqual(new Set(['app -> other', 'app -> cache', 'app -> mq', 'worker -> search']));
    expect(Object.fromEntries(c.cis.map((ci) => [ci.name, ci.class]))).toMatchObject({ db: 'database', cache: 'cache', mq: 'queue', search: 'database' });
  });

  it('reads depends_on as a list and as a map, links with aliases, and hostnames, container names and network aliases', () => {
    const dir = project({
      'docker-compose.yml': [
        'name: Shop',
        'services:',
        '  web:',
        '    image: web',
        '    depends_on: [api]',
        '    links: ["legacy:old"]',
        '    environment:',
        '      - OLD_URL=http://old/',
        '      - PAY_HOST=payments.internal',
        '      - LOG_HOST=logs-box',
        '  api:',
        '    image: api',
        '    depends_on:',
        '      users: {condition: service_healthy}',
        '  users: {image: users, hostname: user-svc}',
        '  legacy: {image: legacy}',
        '  pay:',
        '    image: pay',
        '    networks: {default: {aliases: [payments.internal]}}',
        '  logs: {image: logs, container_name: logs-box}',
        '  audit:',
        '    image: audit',
        '    environment: {USERS: "user-svc:8080"}',
      ].join('\n'),
    });
    const c = collectCompose(dir, { env: {} });
    expect(c.scope).toBe('shop');
    expect(dependsOnEdges(c)).toEqual(new Set(['web -> api', 'web -> legacy', 'web -> pay', 'web -> logs', 'api -> users', 'audit -> users']));
  });

  it('warns about an unset variable and a host that names no service, and ignores self references', () => {
    const dir = project({
      'compose.yml': 'services:\n  a:\n    image: a\n    environment:\n      - SELF=http://a:80\n      - PEER_HOST=ghost\n      - X=${NOT_SET}\n',
    });
    const c = collectCompose(dir, { env: {} });
    expect(c.relations).toEqual([]);
    expect(c.warnings.join('\n')).toMatch(/NOT_SET variable is not set/);
    expect(c.warnings.join('\n')).toMatch(/PEER_HOST names "ghost"/);
  });
});

describe('compose mounts and builds', () => {
  it('reads config files and folders the project bind-mounts, not the host paths, and not a file several services share', () => {
    const dir = project({
      'compose.yaml': [
        'services:',
        '  proxy:',
        '    image: nginx',
        '    environment: [API_PORT=8080]',
        '    volumes:',
        '      - ./conf/nginx.conf:/etc/nginx/nginx.conf:ro',
        '      - /etc/resolv.conf:/etc/resolv.conf',
        '      - cache:/var/cache',
        '  grafana:',
        '    image: grafana/grafana',
        '    environment: {PROM: prom}',
        '    volumes:',
        '      - type: bind',
        '        source: ./provisioning',
        '        target: /etc/grafana/provisioning',
        '  a: {image: a, volumes: ["./shared/config.json:/cfg/config.json"]}',
        '  b: {image: b, volumes: ["./shared/config.json:/cfg/config.json"]}',
        '  api: {image: api}',
        '  prom: {image: prom/prometheus}',
        '  loki: {image: grafana/loki}',
        'volumes: {cache: {}}',
      ].join('\n'),
      'conf/nginx.conf': 'upstream api { server api:${API_PORT}; }\nlocation / { proxy_pass http://api:8080; }\n',
      'provisioning/datasources/ds.yaml': 'datasources:\n  - url: http://${PROM}:9090\n  - url: http://loki:3100\n',
      'provisioning/notes.txt': 'http://a:1 is not a config file',
      'shared/config.json': '{"aAddress": "a:1", "bAddress": "b:2", "apiAddress": "api:8080"}',
    });
    const c = collectCompose(dir, { env: {} });
    expect(dependsOnEdges(c)).toEqual(new Set(['proxy -> api', 'grafana -> prom', 'grafana -> loki']));
    expect(c.relations.find((r) => 'name' in r.from && r.from.name === 'grafana' && 'name' in r.to && r.to.name === 'prom')?.attributes?.via).toEqual(['file:provisioning/datasources/ds.yaml']);
    expect(c.warnings.join('\n')).toMatch(/shared\/config\.json is mounted by a, b; .* address book/);
  });

  it('classifies a built service by the image its build names (args ending in IMAGE, cache_from)', () => {
    const dir = project({
      '.env': 'SEARCH_IMAGE=opensearchproject/opensearch:3\n',
      'compose.yaml': [
        'services:',
        '  search: {build: {context: ., args: [SEARCH_IMAGE]}}',
        '  queue: {build: {context: ., args: {BASE_IMAGE: "rabbitmq:3"}}}',
        '  cache: {build: {context: ., cache_from: ["ghcr.io/acme/shop:1.0-redis"]}}',
        '  app: {build: {context: ., args: {NODE_VERSION: "20"}}}',
      ].join('\n'),
    });
    const classOf = Object.fromEntries(collectCompose(dir, { env: {} }).cis.map((ci) => [ci.name, ci.class]));
    expect(classOf).toEqual({ search: 'database', queue: 'queue', cache: 'cache', app: 'service' });
  });
});

describe('malformed compose files fail with the file and line, before anything is pushed', () => {
  it('broken YAML', () => {
    const dir = project({ 'compose.yaml': 'services:\n  a:\n    image: [unclosed\n' });
    const e = collectError(() => collectCompose(dir, { env: {} }));
    expect(e.file).toMatch(/compose\.yaml$/);
    expect(e.line).toBeGreaterThan(0);
  });

  it('an unknown service key (a typo loses edges silently otherwise)', () => {
    const dir = project({ 'compose.yaml': 'services:\n  a:\n    image: a\n    enviroment:\n      - X=1\n' });
    const e = collectError(() => collectCompose(dir, { env: {} }));
    expect(e.message).toMatch(/unknown key "enviroment"/);
    expect(e.line).toBe(4);
  });

  it('depends_on naming a service that does not exist', () => {
    const dir = project({ 'compose.yaml': 'services:\n  a:\n    image: a\n    depends_on:\n      - b\n' });
    const e = collectError(() => collectCompose(dir, { env: {} }));
    expect(e.message).toMatch(/undefined service "b"/);
    expect(e.line).toBe(4);
  });

  it('services that are not a mapping, and a .env line that is not KEY=VALUE', () => {
    expect(collectError(() => collectCompose(project({ 'compose.yaml': 'services:\n  - a\n' }), { env: {} })).line).toBe(1);
    const e = collectError(() => collectCompose(project({ 'compose.yaml': 'services: {}\n', '.env': 'A=1\nnot a pair\n' }), { env: {} }));
    expect(e.file).toMatch(/\.env$/);
    expect(e.line).toBe(2);
  });
});
