import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { GraphStore } from '../../server/store/port.ts';
import type { ChangeEvent } from '../../server/model/records.ts';
import { decodeChanges } from '../../server/store/sqlite/event-codec.ts';
import { listCis, prepareReads, topology } from '../../server/store/sqlite/reads.ts';
import { topologySizeOffLoop } from '../../server/store/sqlite/topology-size.ts';
import { loadConfig } from '../../server/config.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';

export type BenchStoreKind = 'sqlite' | 'neo4j';

/** `--store sqlite|neo4j` for benchmarks; anything else is an error, not a silent default. */
export function benchStoreKind(value: string | undefined): BenchStoreKind {
  if (value === undefined || value === 'sqlite') return 'sqlite';
  if (value === 'neo4j') return 'neo4j';
  throw new Error(`--store must be sqlite or neo4j, not ${value}`);
}

/**
 * A benchmark gives up quickly on an unreachable or failing Neo4j instead of waiting out the driver's
 * retries (its default keeps retrying a refused connection for about a minute).
 */
const neo4jBenchOptions = { maxTransactionRetryTime: 3_000, connectionTimeout: 5_000 };

/** Where the NEO4J_* variables point, for messages (never the password). */
export function neo4jTarget(env: NodeJS.ProcessEnv = process.env): string {
  return `${env.NEO4J_URI ?? '(NEO4J_URI unset)'} database ${env.NEO4J_DATABASE ?? 'neo4j'}`;
}

/**
 * An initialised store for a benchmark: SQLite at `sqliteFile`, or the Neo4j named by NEO4J_URI,
 * NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE (loaded only when asked for). A Neo4j database is not
 * emptied: point NEO4J_DATABASE at a scratch database, or check `latestSeq()` before loading an estate.
 * Failing to reach Neo4j is one error naming the target.
 */
export async function openBenchStore(kind: BenchStoreKind, sqliteFile: string): Promise<GraphStore> {
  if (kind === 'neo4j') {
    const { openNeo4jStore } = await import('../../server/store/neo4j/index.ts');
    try {
      return await openNeo4jStore(loadConfig().neo4j, neo4jBenchOptions);
    } catch (e) {
      throw new Error(`cannot open the Neo4j store at ${neo4jTarget()}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const store = new SqliteStore({ file: sqliteFile, synchronous: 'NORMAL' });
  await store.init();
  return store;
}

/**
 * The reads a benchmark of the server's start and maps makes, over a SQLite estate opened read only: the shared bench
 * estates (data/bench) must not be written to, and a SqliteStore sets up its schema and checkpoints on close. The
 * topology is streamed by the store's own code (`topology` over `prepareReads`), on a connection set up as the store's
 * reader is.
 */
export function openReadOnlyEstate(file: string): Pick<GraphStore, 'latestSeq' | 'eventsSince' | 'streamTopology' | 'topologySize' | 'listCis' | 'close'> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('cache_size = -65536');
  const reads = prepareReads(db);
  return {
    latestSeq: async () => db.prepare<[], { s: number | null }>('SELECT max(seq) AS s FROM events').get()!.s ?? 0,
    eventsSince: async (seq, limit) => db.prepare<[number, number], { seq: number; at: string; source: string | null; changes: string | Buffer }>(
      'SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit)
      .map((r) => ({ seq: r.seq, at: r.at, source: r.source, changes: decodeChanges<ChangeEvent['changes']>(r.changes) })),
    async *streamTopology(asOf, chunkSize = 10_000) { yield* topology(reads, asOf, chunkSize); },
    topologySize: () => topologySizeOffLoop(file),
    listCis: (q) => listCis(db, q),
    close: async () => { db.close(); },
  };
}

/** Whether the SQLite file at `file` holds an estate (any event), looked at read only. */
export function estateLoaded(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try { return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM (SELECT 1 FROM events LIMIT 1)').get()!.n > 0; } finally { db.close(); }
}

/**
 * A copy of the estate at `file` as `dir`/`name`.db, for a benchmark that writes (tokens, alerts, batches): the estates
 * under data/bench are shared by every benchmark and by runs of other checkouts, and each must measure the same estate.
 * The file and its WAL (commits not yet copied into the file, if any) together hold every commit.
 */
export function copyEstate(file: string, dir: string, name = 'estate'): string {
  const copy = join(dir, `${name}.db`);
  copyFileSync(file, copy);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
  return copy;
}

/** `copyEstate` into a scratch directory of its own, removed when the process exits (or is interrupted: 1.5 GB at 1M CIs). */
export function scratchEstate(file: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-estate-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { remove(); process.kill(process.pid, signal); });
  return copyEstate(file, dir);
}
