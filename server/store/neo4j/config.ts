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

/** The connection settings (server/config.ts reads NEO4J_URI, NEO4J_USER, ...); null without a URI. */
export function neo4jConfigFrom(settings: { uri?: string; user: string; password: string; database: string }): Neo4jConfig | null {
  if (!settings.uri) return null;
  return { uri: settings.uri, user: settings.user, password: settings.password, database: settings.database };
}
