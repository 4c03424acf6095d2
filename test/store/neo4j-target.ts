import type { Neo4jConfig } from '../../server/store/neo4j/config.ts';

export type Neo4jTarget =
  | { kind: 'env'; config: Neo4jConfig }
  | { kind: 'container' }
  | { kind: 'none'; reason: string };

/** Test stores give up quickly: the driver's default retries a refused connection for about 30 s. */
export const testTimeouts = { maxTransactionRetryTime: 2_000, connectionTimeout: 5_000 } as const;

/**
 * Where the Neo4j suite runs: NEO4J_URI when set, else a throw-away container when a container runtime
 * answers, else nowhere. Finding no runtime takes milliseconds; the race caps a runtime that hangs.
 */
export async function findNeo4jTarget(env: NodeJS.ProcessEnv = process.env, budgetMs = 4_000): Promise<Neo4jTarget> {
  if (env.NEO4J_URI) {
    return {
      kind: 'env',
      config: { uri: env.NEO4J_URI, user: env.NEO4J_USER ?? 'neo4j', password: env.NEO4J_PASSWORD ?? '', database: env.NEO4J_DATABASE ?? 'neo4j' },
    };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${budgetMs} ms`)), budgetMs); });
  try {
    // Imported only when needed: testcontainers takes seconds to load.
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([getContainerRuntimeClient(), timeout]);
    return { kind: 'container' };
  } catch (e) {
    return { kind: 'none', reason: `NEO4J_URI is not set and no container runtime was found (${(e as Error).message})` };
  } finally {
    clearTimeout(timer);
  }
}
