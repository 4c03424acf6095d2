import type { GraphStore } from '../port.ts';
import { neo4jConfigFromEnv, type Neo4jConfig } from './config.ts';
import { Neo4jStore } from './neo4j-store.ts';

export { Neo4jStore } from './neo4j-store.ts';
export { neo4jConfigFromEnv, type Neo4jConfig } from './config.ts';

/** The Neo4j GraphStore (call `init()` before use: it checks the server version and applies the schema). */
export function createNeo4jStore(config: Neo4jConfig): Neo4jStore {
  return new Neo4jStore({ ...config });
}

/**
 * For benchmarks and tools taking `--store neo4j`: the store from NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD,
 * NEO4J_DATABASE, already initialised.
 */
export async function createNeo4jStoreFromEnv(env: NodeJS.ProcessEnv = process.env, extra: Partial<Neo4jConfig> = {}): Promise<GraphStore> {
  const config = neo4jConfigFromEnv(env);
  if (!config) throw new Error('the neo4j store needs NEO4J_URI (and NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE)');
  const store = createNeo4jStore({ ...config, ...extra });
  try {
    await store.init();
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}
