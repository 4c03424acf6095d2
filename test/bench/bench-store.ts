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
