import type { Neo4jConfig } from '../../server/store/neo4j/config.ts';

export type Neo4jTarget =
  | { kind: 'env'; config: Neo4jConfig }
  | { kind: 'container' }
  | { kind: 'none'; reason: string };

/** Test stores give up quickly: the driver's default retries a refused connection for about 30 s. */
export const testTimeouts = { maxTransactionRetryTime: 2_000, connectionTimeout: 5_000 } as const;

/** Resolves when a container runtime answers, rejects when there is none. */
export type RuntimeProbe = () => Promise<unknown>;

/** testcontainers, imported only when needed (it takes about a second to load, more on a busy machine). */
const testcontainersProbe: RuntimeProbe = async () => (await import('testcontainers')).getContainerRuntimeClient();

/**
 * Where the Neo4j suite runs: NEO4J_URI when set, else a throw-away container when a container runtime
 * answers, else nowhere. The budget covers loading testcontainers as well as asking for a runtime, so
 * the answer comes within `budgetMs` whatever hangs; finding no runtime usually takes about a second.
 */
export async function findNeo4jTarget(env: NodeJS.ProcessEnv = process.env, budgetMs = 4_000, probe: RuntimeProbe = testcontainersProbe): Promise<Neo4jTarget> {
  if (env.NEO4J_URI) {
    return {
      kind: 'env',
      config: { uri: env.NEO4J_URI, user: env.NEO4J_USER ?? 'neo4j', password: env.NEO4J_PASSWORD ?? '', database: env.NEO4J_DATABASE ?? 'neo4j' },
    };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${budgetMs} ms`)), budgetMs); });
  // The probe starts after the timer and both are raced at once: a timeout that fires while the import
  // is still loading is handled, not an unhandled rejection (which would fail the whole test run).
  const answer = probe();
  answer.catch(() => {}); // a probe that fails after the timeout has won must not surface either
  try {
    await Promise.race([answer, timeout]);
    return { kind: 'container' };
  } catch (e) {
    return { kind: 'none', reason: `NEO4J_URI is not set and no container runtime was found (${(e as Error).message})` };
  } finally {
    clearTimeout(timer);
  }
}
