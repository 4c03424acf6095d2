/**
 * The API over a bench database in its own process, so that load generators do not share its event
 * loop: prints one JSON line `{url, token}` once listening, and stops when its stdin closes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnv } from '../../server/config.ts';
import { startServer } from '../../server/server.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: impact-server.ts <sqlite file>');
const dataDir = mkdtempSync(join(tmpdir(), 'sg-bench-'));
const token = 'sg_bench_' + Date.now();
const server = await startServer({ ...configFromEnv({}), port: 0, host: '127.0.0.1', dataDir, adminToken: token, pollMs: 60_000 }, { store: new SqliteStore({ file, synchronous: 'NORMAL' }) });
process.stdout.write(JSON.stringify({ url: server.url, token }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => { void server.close().then(() => { rmSync(dataDir, { recursive: true, force: true }); process.exit(0); }); });
