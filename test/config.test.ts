import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, cliSettings, loadConfig, variablesOf } from '../server/config.ts';
import { defaultPriorityConfig } from '../server/domain/priority/priority.ts';

const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(p);
    return /\.(ts|js|mjs|svelte)$/.test(name) ? [p] : [];
  });
}

describe('settings: the environment is read once, in one schema', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', store: 'sqlite', sqliteSync: 'NORMAL', workers: 1, pollMs: 1000, maxRetireShare: 0.2 });
    expect(c.limits.bodyBytes).toBe(16 * 1024 * 1024);
    expect(c.priority).toEqual(defaultPriorityConfig);
    expect(c.adminToken).toBeUndefined();
  });

  it('reads each value through its schema', () => {
    const c = loadConfig({ PORT: '9000', SERVICEGRAPH_WORKERS: '4', SERVICEGRAPH_LIMIT_LIST_LIMIT: '50', SERVICEGRAPH_RETIRE_GUARD: '0.5', SERVICEGRAPH_SQLITE_SYNC: 'FULL' });
    expect(c).toMatchObject({ port: 9000, workers: 4, maxRetireShare: 0.5, sqliteSync: 'FULL' });
    expect(c.limits.listLimit).toBe(50);
  });

  it.each([
    ['SERVICEGRAPH_WORKERS', 'abc'],
    ['SERVICEGRAPH_WORKERS', '0'],
    ['SERVICEGRAPH_PRIORITY', '{not json'],
    ['SERVICEGRAPH_PRIORITY', '{"untiered": 9}'],
    ['SERVICEGRAPH_LIMIT_LIST_LIMIT', '-5'],
    ['SERVICEGRAPH_LIMIT_BODY_BYTES', '1.5'],
    ['PORT', '99999'],
    ['SERVICEGRAPH_STORE', 'mysql'],
    ['SERVICEGRAPH_SQLITE_SYNC', 'OFF'],
    ['SERVICEGRAPH_RETIRE_GUARD', '2'],
    ['SERVICEGRAPH_OTLP_FLUSH_MS', 'soon'],
    ['SERVICEGRAPH_SITUATION_AUTO_INCIDENT', 'P9'],
    ['SERVICEGRAPH_ALERT_SEVERITY_HEALTH', '{"critical": "on fire"}'],
    ['SERVICEGRAPH_ALERT_SEVERITY_HEALTH', '[not json'],
    ['SERVICEGRAPH_ALERT_TIMEOUT_MINUTES', '-1'],
    ['SERVICEGRAPH_SITUATION_WINDOW_MINUTES', 'ten'],
    ['SERVICEGRAPH_ALERT_BINDINGS', '/nonexistent/bindings.yaml'],
  ])('refuses %s=%s with one line naming the variable', (name, value) => {
    let error: unknown;
    try { loadConfig({ [name]: value }); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message.startsWith(`${name}=`)).toBe(true);
    expect(message).not.toContain('\n');
    expect((error as ConfigError).variable).toBe(name);
  });

  it('reads event management\'s settings in the same schema', () => {
    const d = loadConfig({}).alerts;
    expect(d).toMatchObject({ timeoutMs: 360 * 60_000, windowMs: 10 * 60_000, autoIncidentPriority: 'P1' });
    expect(d.bindings.source).toBe('built-in defaults');
    const c = loadConfig({
      SERVICEGRAPH_SITUATION_AUTO_INCIDENT: 'off', SERVICEGRAPH_ALERT_TIMEOUT_MINUTES: '90', SERVICEGRAPH_SITUATION_WINDOW_MINUTES: '2.5',
      SERVICEGRAPH_ALERT_SEVERITY_HEALTH: '{"Disaster": "down", "__proto__": "none"}',
    }).alerts;
    expect(c).toMatchObject({ autoIncidentPriority: null, timeoutMs: 90 * 60_000, windowMs: 150_000 });
    expect(c.severityHealth.disaster).toBe('down');
    // Keys come from configuration and are looked up with alert input: no prototype to reach.
    expect(Object.getPrototypeOf(c.severityHealth)).toBeNull();
    expect(({} as Record<string, unknown>).none).toBeUndefined();
  });

  it('documents every variable in README\'s settings table', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const missing = [...variablesOf(), ...variablesOf(cliSettings)].filter((v) => !readme.includes('`' + v + '`'));
    expect(missing).toEqual([]);
  });

  it('no module but server/config.ts reads process.env', () => {
    const readers = ['server', 'collectors', 'common', 'bin', 'web']
      .flatMap((d) => sourceFiles(join(root, d)))
      .filter((f) => /process\.env\b/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f));
    expect(readers).toEqual(['server/config.ts']);
  });

  it('a start with a bad value stops with that one line and no stack', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'server', 'main.ts')], {
      cwd: root, env: { ...process.env, SERVICEGRAPH_WORKERS: 'abc' }, encoding: 'utf8', timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('servicegraph: SERVICEGRAPH_WORKERS="abc": must be a whole number from 1 to 64');
    expect(r.stdout).toBe('');
  });
});
