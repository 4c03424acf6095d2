import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { loadDemo } from '../../server/demo/load-demo.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { freePort } from '../helpers/child-server.ts';

/**
 * API workers listen before their projection is loaded (503 starting meanwhile). A worker counts as started
 * only once that load is done: one whose load fails would fail again, so the group stops with the reason
 * instead of forking workers over and over.
 */
describe('API workers whose projection cannot load', () => {
  it('stop the group with exit code 1 and say which worker could not start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sg-workers-fail-'));
    try {
      const file = join(dir, 'servicegraph.db');
      const store = new SqliteStore({ file });
      await store.init();
      await loadDemo(store, defaultLimits, { cis: 60 });
      await store.close();
      // A CI whose attributes are not JSON: the store opens, the projection's load throws.
      const db = new Database(file);
      db.prepare("UPDATE cis SET attributes = 'not json' WHERE rowid = (SELECT min(rowid) FROM cis WHERE lifecycle = 'active')").run();
      db.close();

      const port = await freePort();
      const child = spawn(process.execPath, ['--import', 'tsx', resolve('server/main.ts')], {
        env: {
          ...process.env, PORT: String(port), HOST: '127.0.0.1', SERVICEGRAPH_DATA_DIR: dir, SERVICEGRAPH_WORKERS: '2',
          SERVICEGRAPH_ADMIN_TOKEN: 'sg_workers_fail_admin', SERVICEGRAPH_WEB_DIST: join(dir, 'no-web'), SERVICEGRAPH_OTLP_GRPC_PORT: 'off', SERVICEGRAPH_LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => { out += String(d); });
      child.stderr.on('data', (d) => { out += String(d); });
      const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
      expect(code).toBe(1);
      expect(out).toMatch(/API worker \d+ could not start/);
      expect(out).not.toMatch(/starting another/);
      // Never greeted as if it were up.
      expect(out).not.toContain('Open the map');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
