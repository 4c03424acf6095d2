import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/server.ts';

const dirs: string[] = [];
const tempDir = () => { const d = mkdtempSync(join(tmpdir(), 'sg-wal-')); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const walBytes = (file: string) => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
const until = async (what: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};
/** One commit of ~`kb` KiB on the store's main connection (a record document). */
const commit = (store: SqliteStore, i: number, kb: number) => store.putDoc({ kind: 'note', id: `n${i % 4}`, createdAt: 'x', updatedAt: 'x', data: 'x'.repeat(kb * 1024) + i });

describe('the WAL checkpointed by a thread of its own (SqliteOptions.checkpoint)', () => {
  it('keeps the WAL small while its connection commits, and stops with the store', async () => {
    const file = join(tempDir(), 'servicegraph.db');
    const store = new SqliteStore({ file, checkpoint: { intervalMs: 10 } });
    await store.init();
    let largest = 0;
    // 48 commits of 512 KiB (24 MiB) with no auto-checkpoint on this connection: without the thread the WAL
    // would hold them all; the thread copies each into the file and the WAL restarts from its start.
    for (let i = 0; i < 48; i++) {
      const rounds = store.walCheckpoint!.report.rounds;
      await commit(store, i, 512);
      largest = Math.max(largest, walBytes(file));
      await until(() => store.walCheckpoint!.report.rounds > rounds + 1);
    }
    const { status, report } = store.walCheckpoint!;
    expect(status).toMatchObject({ name: 'wal checkpoint', ok: true, failures: 0 });
    expect(report.rounds).toBeGreaterThan(48);
    // Every frame of the last round's WAL is in the database file.
    expect(report.checkpointedFrames).toBe(report.walFrames);
    expect(largest).toBeLessThan(4 * 1024 * 1024);
    expect((await store.getDoc<string>('note', 'n3'))!.data.endsWith('47')).toBe(true);
    await store.close();
    expect(store.walCheckpoint).toBeNull();
  });

  it('restarts a WAL that writes coming one after another would let grow, pausing only its own connection\'s writes', async () => {
    const file = join(tempDir(), 'servicegraph.db');
    // A small bound (2 MiB of 8 KiB pages) so that a few MB of commits pass it.
    const store = new SqliteStore({ file, checkpoint: { intervalMs: 5, maxFrames: 256 } });
    await store.init();
    let largest = 0;
    // 120 commits of 256 KiB back to back (30 MiB): a PASSIVE round never finds a moment with the WAL all copied
    // and no write since, so the WAL would only grow; the restarts start it over.
    for (let i = 0; i < 120; i++) {
      await commit(store, i, 256);
      largest = Math.max(largest, walBytes(file));
    }
    // On a loaded machine the commits come slower than the rounds, each round catches up and the WAL starts over
    // by itself, never past its bound: then no restart is wanted (rightly). One last commit larger than the bound
    // puts the WAL past it whatever the machine's speed, so the restart is always shown.
    await commit(store, 120, 3 * 1024);
    largest = Math.max(largest, walBytes(file));
    await until(() => store.walCheckpoint!.report.restarts > 0);
    const { report, status } = store.walCheckpoint!;
    expect(status.ok).toBe(true);
    expect(report.restarts).toBeGreaterThan(0);
    expect(largest).toBeLessThan(12 * 1024 * 1024);
    expect((await store.getDoc<string>('note', 'n3'))!.data.endsWith('119')).toBe(true);
    await store.close();
  });

  it('is off by default: a store checkpoints at commit, as SQLite does, with no thread', async () => {
    const store = new SqliteStore({ file: join(tempDir(), 'servicegraph.db') });
    await store.init();
    expect(store.walCheckpoint).toBeNull();
    await store.close();
  });

  it('the server checkpoints its main connection in the background and says how on /healthz', async () => {
    const dataDir = tempDir();
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', SERVICEGRAPH_DATA_DIR: dataDir, SERVICEGRAPH_ADMIN_TOKEN: 'sg_wal_test', SERVICEGRAPH_OTLP_GRPC_PORT: 'off', SERVICEGRAPH_WAL_CHECKPOINT_MS: '20' });
    const server = await startServer(config);
    try {
      await until(() => (server.health() as unknown as { walCheckpoint?: { rounds: number } }).walCheckpoint!.rounds > 0);
      const body = await (await fetch(`${server.url}/healthz`)).json();
      expect(body.loops).toContainEqual(expect.objectContaining({ name: 'wal checkpoint', ok: true }));
      expect(body.walCheckpoint).toMatchObject({ rounds: expect.any(Number), walFrames: expect.any(Number), checkpointedFrames: expect.any(Number) });
    } finally {
      await server.close();
    }
    const off = await startServer(loadConfig({ PORT: '0', HOST: '127.0.0.1', SERVICEGRAPH_DATA_DIR: tempDir(), SERVICEGRAPH_ADMIN_TOKEN: 'sg_wal_test', SERVICEGRAPH_OTLP_GRPC_PORT: 'off', SERVICEGRAPH_WAL_CHECKPOINT_MS: '0' }));
    try {
      const body = await (await fetch(`${off.url}/healthz`)).json();
      expect(body.walCheckpoint).toBeUndefined();
      expect(body.loops.map((l: { name: string }) => l.name)).not.toContain('wal checkpoint');
    } finally {
      await off.close();
    }
  });
});
