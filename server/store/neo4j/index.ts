import type { GraphStore } from '../port.ts';
import { neo4jConfigFrom, type Neo4jConfig } from './config.ts';
import { Neo4jStore } from './neo4j-store.ts';

export { Neo4jStore } from './neo4j-store.ts';
export { neo4jConfigFrom, type Neo4jConfig } from './config.ts';

/** The Neo4j GraphStore (call `init()` before use: it checks the server version and applies the schema). */
export function createNeo4jStore(config: Neo4jConfig): Neo4jStore {
  return new Neo4jStore({ ...config });
}

/**
 * For benchmarks and tools taking `--store neo4j`: the store from the NEO4J_* settings, already initialised.
 */
export async function openNeo4jStore(settings: Parameters<typeof neo4jConfigFrom>[0], extra: Partial<Neo4jConfig> = {}): Promise<GraphStore> {
  const config = neo4jConfigFrom(settings);
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
