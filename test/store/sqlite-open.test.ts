import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { StoreOpenError } from '../../server/store/port.ts';

const root = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];
const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'sg-open-')); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

/** `npm start`'s entry with `env`: its exit code and what it printed. */
function start(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'server', 'main.ts')], {
    cwd: root, encoding: 'utf8', timeout: 30_000,
    env: { ...process.env, HOST: '127.0.0.1', SERVICEGRAPH_ADMIN_TOKEN: 'sg_open_test', SERVICEGRAPH_OTLP_GRPC_PORT: 'off', ...env },
  });
}

describe('opening the embedded store', () => {
  it('closes only once a count of its live topology under way on its own thread is done with the file', async () => {
    const file = join(tempDir(), 'servicegraph.db');
    const store = new SqliteStore({ file });
    await store.init();
    let counted = false;
    const size = store.topologySize().then((s) => { counted = true; return s; });
    // The thread takes tens of ms to start; a close that did not wait for it returned long before its answer.
    await store.close();
    expect(counted).toBe(true);
    await expect(size).resolves.toEqual({ cis: 0, relations: 0 });
  });

  it('refuses an existing empty file instead of making it a new empty store', async () => {
    const file = join(tempDir(), 'servicegraph.db');
    writeFileSync(file, '');
    const store = new SqliteStore({ file });
    await expect(store.init()).rejects.toThrow(StoreOpenError);
    await expect(new SqliteStore({ file }).init()).rejects.toThrow(/servicegraph\.db is empty \(0 bytes\).*restore it from a backup/);
    expect(statSync(file).size).toBe(0);
  });

  it('refuses a file that is not a database, naming it', async () => {
    const file = join(tempDir(), 'servicegraph.db');
    writeFileSync(file, 'this is not a database file, just some text that went where the store was'.repeat(100));
    await expect(new SqliteStore({ file }).init()).rejects.toThrow(/servicegraph\.db cannot be opened as a servicegraph store.*restore it from a backup/);
  });

  it('creates the data directory and store files for their owner only', async () => {
    const dir = join(tempDir(), 'data');
    const file = join(dir, 'servicegraph.db');
    const store = new SqliteStore({ file });
    await store.init();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(existsSync(`${file}-wal`)).toBe(true);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(statSync(f).mode & 0o777).toBe(0o600);
    await store.close();
  });

  it('a start on an empty store file stops with one line that names it', () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'servicegraph.db'), '');
    const r = start({ PORT: '0', SERVICEGRAPH_DATA_DIR: dataDir });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^servicegraph: .*servicegraph\.db is empty \(0 bytes\).*backup/)]);
  });

  it('a second server on a taken port stops with one line', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = start({ PORT: String(port), SERVICEGRAPH_DATA_DIR: tempDir() });
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe(`servicegraph: port ${port} on 127.0.0.1 is taken by another process; stop it or set PORT`);
    } finally {
      taken.close();
    }
  });
});
