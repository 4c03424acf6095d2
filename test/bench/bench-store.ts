import type { GraphStore } from '../../server/store/port.ts';
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
