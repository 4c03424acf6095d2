/**
 * The API over a bench estate in its own process, so that load generators do not share its event
 * loop: `impact-server.ts [--store sqlite] <sqlite file>` or `impact-server.ts --store neo4j` (the
 * NEO4J_* database). Prints one JSON line `{url, token}` once listening, and stops when its stdin closes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { configFromEnv } from '../../server/config.ts';
import { startServer } from '../../server/server.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { benchStoreKind, openBenchStore } from './bench-store.ts';

const { values, positionals } = parseArgs({ options: { store: { type: 'string', default: 'sqlite' } }, allowPositionals: true });
const kind = benchStoreKind(values.store);
const file = positionals[0];
if (kind === 'sqlite' && !file) throw new Error('usage: impact-server.ts [--store sqlite] <sqlite file> | --store neo4j');
// SQLite: startServer initialises the store (twice would open the file twice). Neo4j: opened here so an
// unreachable server fails at once with one line; startServer's second init() only re-checks the schema.
const store = kind === 'sqlite' ? new SqliteStore({ file, synchronous: 'NORMAL' }) : await openBenchStore('neo4j', '');
const dataDir = mkdtempSync(join(tmpdir(), 'sg-bench-'));
const token = 'sg_bench_' + Date.now();
const server = await startServer({ ...configFromEnv({}), port: 0, host: '127.0.0.1', dataDir, adminToken: token, pollMs: 60_000 }, { store });
process.stdout.write(JSON.stringify({ url: server.url, token }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => { void server.close().then(() => { rmSync(dataDir, { recursive: true, force: true }); process.exit(0); }); });
