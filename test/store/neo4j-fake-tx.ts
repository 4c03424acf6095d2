import type { ManagedTransaction } from 'neo4j-driver';
import { query, queryNames, schemaQueries, type QueryName } from '../../server/store/neo4j/queries.ts';

/** `$name` parameters a statement uses (string literals and comments removed first). */
export function statementParams(text: string): Set<string> {
  const code = text.split('\n').filter((l) => !l.trim().startsWith('//')).join('\n').replace(/'[^']*'/g, "''");
  return new Set([...code.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
}

export interface RecordedCall { name: QueryName | 'schema'; params: Record<string, unknown> }

/**
 * A stand-in for a driver transaction, for tests without a server: it names each statement it is sent,
 * checks that the parameters sent are exactly those the statement uses, and answers with canned rows.
 */
export function fakeTx(answers: Partial<Record<QueryName | 'schema', (params: Record<string, unknown>) => Record<string, unknown>[]>> = {}) {
  const byText = new Map<string, QueryName | 'schema'>([...queryNames.map((n) => [query(n), n] as const), ...schemaQueries().map((s) => [s, 'schema'] as const)]);
  const calls: RecordedCall[] = [];
  const problems: string[] = [];
  const tx = {
    async run(text: string, params: Record<string, unknown> = {}) {
      const name = byText.get(text);
      if (!name) throw new Error(`not a query from cypher/: ${text.slice(0, 60)}`);
      const used = statementParams(text);
      for (const p of used) if (!(p in params)) problems.push(`${name}: parameter $${p} not sent`);
      for (const p of Object.keys(params)) if (!used.has(p)) problems.push(`${name}: parameter ${p} sent but unused`);
      calls.push({ name, params });
      const rows = answers[name]?.(params) ?? [];
      return { records: rows.map((r) => ({ toObject: () => r })) };
    },
  };
  return { tx: tx as unknown as ManagedTransaction, calls, problems };
}

/** A Neo4jStore whose sessions run their work against `tx` instead of a server (nothing connects). */
export async function offlineNeo4jStore(tx: ManagedTransaction) {
  const { createNeo4jStore } = await import('../../server/store/neo4j/index.ts');
  const store = createNeo4jStore({ uri: 'bolt://127.0.0.1:1', user: 'neo4j', password: 'x', database: 'neo4j' });
  const s = store as unknown as { session: (mode: unknown, work: (tx: ManagedTransaction) => Promise<unknown>) => Promise<unknown>; driver: { verifyConnectivity(): Promise<void> } };
  s.session = async (_mode, work) => work(tx);
  s.driver.verifyConnectivity = async () => {};
  return store;
}
