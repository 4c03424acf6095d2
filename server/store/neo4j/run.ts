import neo4j, { type ManagedTransaction, type RecordShape } from 'neo4j-driver';
import { query, schemaQueries, type QueryName } from './queries.ts';

/**
 * The one place a query is sent: by file name, with parameters only. Query text is never built from
 * input (test/store/neo4j-queries.test.ts checks that no other module calls `.run(`).
 */
export async function runQuery<R extends RecordShape = RecordShape>(tx: ManagedTransaction, name: QueryName, params: Record<string, unknown> = {}): Promise<R[]> {
  const result = await tx.run<R>(query(name), params);
  return result.records.map((r) => r.toObject() as R);
}

/** Runs a write statement only when it has rows: an UNWIND over nothing is a wasted round trip. */
export async function runRows(tx: ManagedTransaction, name: QueryName, rows: unknown[], extra: Record<string, unknown> = {}): Promise<void> {
  if (rows.length) await runQuery(tx, name, { rows, ...extra });
}

/** Integer parameters go out as Integers: a JS number is sent as a Cypher FLOAT, which LIMIT refuses. */
export const intParam = (n: number) => neo4j.int(Math.trunc(n));

/** The i-th statement of cypher/schema.cypher (constraints and indexes). */
export async function runSchemaStatement(tx: ManagedTransaction, i: number): Promise<void> {
  await tx.run(schemaQueries()[i]);
}
