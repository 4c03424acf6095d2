import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { loadDemo } from '../../server/demo/load-demo.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { storeFile } from '../../server/ops/backup.ts';

const root = join(import.meta.dirname, '..', '..');

/**
 * A backup holds every token's hash and the whole estate: no other local user may read it at any moment, not only
 * once it is complete. The CLI runs in a process of its own while this one watches the directory it writes into and
 * reads the mode of every file that appears there, as another user's process could open it.
 */
describe('backup and restore files are private from their creation', () => {
  const dirs: string[] = [];
  const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'sg-backup-mode-')); dirs.push(d); return d; };
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tmp();
    const store = new SqliteStore({ file: storeFile(dataDir) });
    await store.init();
    // Large enough that SQLite's copy takes a while (the window in which a file made 0644 could be read).
    await loadDemo(store, defaultLimits, { cis: 20_000 });
    await store.close();
  }, 120_000);
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  /** Runs `servicegraph <args>`, noting the mode of each file in `dir` each time the directory changes meanwhile. */
  function watching(dir: string, args: string[]): Promise<{ code: number; err: string; modes: Map<string, Set<number>> }> {
    const modes = new Map<string, Set<number>>();
    const note = (name: string | null) => {
      if (!name) return;
      try { (modes.get(name) ?? modes.set(name, new Set()).get(name)!).add(statSync(join(dir, name)).mode & 0o777); } catch { /* gone again */ }
    };
    const watcher = watch(dir, (_event, name) => note(name));
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [join(root, 'bin', 'servicegraph.js'), ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => { err += d; });
      child.on('close', (code) => { watcher.close(); resolve({ code: code ?? -1, err, modes }); });
    });
  }

  it('a backup is 0600 from the moment it exists', { timeout: 120_000 }, async () => {
    const out = tmp();
    const r = await watching(out, ['backup', join(out, 'sg.backup'), '--data-dir', dataDir]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect([...r.modes.get('sg.backup') ?? []]).toEqual([0o600]);
    expect(statSync(join(out, 'sg.backup')).mode & 0o777).toBe(0o600);
    // SQLite's journal beside it, if any, takes the file's mode.
    for (const [name, seen] of r.modes) expect([...seen], name).toEqual([0o600]);
  });

  it('a restore from a backup someone left world-readable stages and puts a 0600 store in place', { timeout: 120_000 }, async () => {
    const out = tmp();
    const backup = join(out, 'sg.backup');
    expect((await watching(out, ['backup', backup, '--data-dir', dataDir])).code).toBe(0);
    chmodSync(backup, 0o644);
    const target = tmp();
    const r = await watching(target, ['restore', backup, '--data-dir', target]);
    expect(r).toMatchObject({ code: 0 });
    expect(r.modes.get('servicegraph.db.restoring')?.size ?? 0).toBeGreaterThan(0);
    for (const [name, seen] of r.modes) expect([...seen], name).toEqual([0o600]);
    expect(statSync(storeFile(target)).mode & 0o777).toBe(0o600);
  });
});
