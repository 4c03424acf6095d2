import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnServer } from '../helpers/child-server.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import type { TopologyCi, TopologyRelation } from '../../server/store/port.ts';

const root = join(import.meta.dirname, '..', '..');

/** `servicegraph <args>` as a user runs it; resolves with its exit code and output. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'servicegraph.js'), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

async function topologyOf(store: SqliteStore, asOf?: string) {
  const cis: TopologyCi[] = [], relations: TopologyRelation[] = [];
  for await (const chunk of store.streamTopology(asOf)) { cis.push(...chunk.cis); relations.push(...chunk.relations); }
  const byId = <T extends { id: string }>(xs: T[]) => xs.sort((a, b) => a.id.localeCompare(b.id));
  return { cis: byId(cis), relations: byId(relations) };
}

describe('servicegraph backup / restore (embedded store)', () => {
  const dirs: string[] = [];
  const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'sg-backup-')); dirs.push(d); return d; };
  let server: ChildProcess | undefined;
  afterAll(() => { server?.kill('SIGKILL'); for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

  it('a backup taken during ingest restores to a store that answers as the original did at the backup\'s sequence; restore refuses a running server\'s data dir', { timeout: 120_000 }, async () => {
    const dataDir = tmp();
    const token = 'sg_backup_test';
    const port = await freePort();
    server = await spawnServer({ dataDir, port, token });
    let stop = false;
    let batches = 0;
    const ingest = (async () => {
      for (let i = 0; !stop && i < 2000; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/ingest`, {
          method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ source: 'manual', scope: 'backup-test', cis: [{ class: 'service', name: `svc-${i}`, environment: 'prod' }, { class: 'database', name: `db-${i % 7}`, environment: 'prod' }],
            relations: [{ type: 'DEPENDS_ON', from: { class: 'service', name: `svc-${i}`, environment: 'prod' }, to: { class: 'database', name: `db-${i % 7}`, environment: 'prod' } }] }),
        });
        if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
        batches++;
      }
    })();
    let failed: unknown = null;
    ingest.catch((e) => { failed = e; });
    /** Wait until `n` batches committed (or the ingest loop failed: then say why). */
    const until = async (n: number) => {
      while (batches < n) {
        if (failed) throw failed;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(20);
    const file = join(tmp(), 'sg.backup');
    const backup = await cli(['backup', file, '--data-dir', dataDir]);
    expect(backup).toMatchObject({ code: 0, out: expect.stringMatching(/^backed up .* up to change event \d+/) });
    const again = await cli(['backup', file, '--data-dir', dataDir]);
    expect(again).toMatchObject({ code: 1, err: expect.stringContaining('never overwrites') });
    const refused = await cli(['restore', file, '--data-dir', dataDir]);
    expect(refused).toMatchObject({ code: 1, err: expect.stringMatching(/a server \(pid \d+\) is running on/) });
    const afterBackup = batches;
    await until(afterBackup + 20);
    stop = true;
    await ingest;
    server.kill('SIGTERM');
    await new Promise((r) => server!.once('exit', r));
    server = undefined;

    const target = tmp();
    const restored = await cli(['restore', file, '--data-dir', target]);
    expect(restored).toMatchObject({ code: 0, out: expect.stringContaining('restored') });
    const copy = new SqliteStore({ file: join(target, 'servicegraph.db') });
    const original = new SqliteStore({ file: join(dataDir, 'servicegraph.db') });
    await copy.init();
    await original.init();
    try {
      const seq = await copy.latestSeq();
      expect(seq).toBeGreaterThan(0);
      expect(await original.latestSeq()).toBeGreaterThan(seq); // ingest went on after the backup
      const log = await original.eventsSince(0, 100_000);
      expect(await copy.eventsSince(0, 100_000)).toEqual(log.filter((e) => e.seq <= seq));
      // The whole graph as the original had it once the backup's last batch had committed.
      const at = log.find((e) => e.seq === seq)!.at;
      const next = log.find((e) => e.seq > seq);
      if (next?.at !== at) expect(await topologyOf(copy)).toEqual(await topologyOf(original, at));
      expect((await copy.listCis({ limit: 1000 })).items.length).toBeGreaterThan(20);
    } finally {
      await copy.close();
      await original.close();
    }
    // Restoring over an existing store keeps the one it replaces.
    const over = await cli(['restore', file, '--data-dir', dataDir]);
    expect(over).toMatchObject({ code: 0, out: expect.stringMatching(/kept as .*before-restore-/) });
    expect(existsSync(join(dataDir, 'servicegraph.db'))).toBe(true);
    const damaged = await cli(['restore', join(root, 'README.md'), '--data-dir', target]);
    expect(damaged).toMatchObject({ code: 1, err: expect.stringContaining('not a SQLite database') });
  });
});
