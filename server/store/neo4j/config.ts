/** How to reach Neo4j. `database` is always named explicitly (no reliance on the server's default). */
export interface Neo4jConfig {
  uri: string;
  user: string;
  password: string;
  database: string;
  /** How long the driver keeps retrying a transaction function on transient errors (driver default 30 s). */
  maxTransactionRetryTime?: number;
  /** Bolt connection pool per API instance (driver default 100). */
  maxConnectionPoolSize?: number;
  /** Give up connecting after this long (ms). */
  connectionTimeout?: number;
  /** Server-side timeout of each transaction (ms); unset: the server's db.transaction.timeout. */
  transactionTimeout?: number;
}

/** NEO4J_URI, NEO4J_USER (default neo4j), NEO4J_PASSWORD, NEO4J_DATABASE (default neo4j); null without a URI. */
export function neo4jConfigFromEnv(env: NodeJS.ProcessEnv = process.env): Neo4jConfig | null {
  if (!env.NEO4J_URI) return null;
  return {
    uri: env.NEO4J_URI,
    user: env.NEO4J_USER ?? 'neo4j',
    password: env.NEO4J_PASSWORD ?? '',
    database: env.NEO4J_DATABASE ?? 'neo4j',
  };
}
