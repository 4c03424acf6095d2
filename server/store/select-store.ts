import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { GraphStore } from './port.ts';
import { SqliteStore, type SqliteOptions } from './sqlite/sqlite-store.ts';

/**
 * The main thread's connection never blocks on the write lock another connection holds (the ingest writer thread,
 * another API process): a write refused for it is retried on a timer, the event loop serving reads meanwhile.
 */
export const MAIN_THREAD_BUSY = { waitMs: 0, retryForMs: 30_000 };

/** The store named by the configuration; Neo4j's driver is loaded only when it is chosen. */
export async function createStore(config: Pick<Config, 'store' | 'dataDir' | 'neo4j' | 'sqliteSync' | 'walCheckpointMs'>): Promise<GraphStore> {
  if (config.store === 'neo4j') {
    if (!config.neo4j.uri) throw new Error('SERVICEGRAPH_STORE=neo4j needs NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD)');
    const modulePath = './neo4j/index.ts';
    const mod = (await import(modulePath)) as { createNeo4jStore(o: { uri: string; user: string; password: string; database: string }): GraphStore };
    return mod.createNeo4jStore({ uri: config.neo4j.uri, user: config.neo4j.user, password: config.neo4j.password, database: config.neo4j.database });
  }
  return new SqliteStore(mainThreadSqlite(join(config.dataDir, 'servicegraph.db'), config));
}

/** How the server's main thread opens a SQLite store file (the bench's API opens its estate alike). */
export function mainThreadSqlite(file: string, config: Pick<Config, 'sqliteSync' | 'walCheckpointMs'>): SqliteOptions {
  return {
    file, synchronous: config.sqliteSync, busy: MAIN_THREAD_BUSY,
    // Commits on this connection hold the event loop: the WAL is copied into the file by a thread (wal-checkpointer.ts).
    checkpoint: config.walCheckpointMs > 0 ? { intervalMs: config.walCheckpointMs } : 'commit',
  };
}
