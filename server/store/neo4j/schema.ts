import type { ManagedTransaction } from 'neo4j-driver';
import { schemaQueries } from './queries.ts';
import { intParam, runQuery, runSchemaStatement } from './run.ts';

/** Oldest server the queries are written for: dynamic labels and types (`SET n:$(x)`, `MERGE ()-[:$(t)]->()`) came in 5.26. */
export const MIN_VERSION = [5, 26] as const;

/** True for 5.26+, 5.27-aura and calendar versions (2025.01 …). */
export function supportedVersion(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > MIN_VERSION[0] || (major === MIN_VERSION[0] && minor >= MIN_VERSION[1]);
}

export async function serverVersion(tx: ManagedTransaction): Promise<{ version: string; edition: string }> {
  const rows = await runQuery<{ name: string; version: string; edition: string }>(tx, 'server-version');
  const kernel = rows.find((r) => r.name === 'Neo4j Kernel') ?? rows[0];
  return { version: kernel?.version ?? 'unknown', edition: kernel?.edition ?? 'unknown' };
}

/**
 * Each schema statement in its own transaction (schema and data changes cannot share one).
 * Re-running is a no-op thanks to IF NOT EXISTS, so every API instance may apply it at start.
 */
export async function applySchema(write: <T>(fn: (tx: ManagedTransaction) => Promise<T>) => Promise<T>): Promise<void> {
  const statements = schemaQueries();
  for (let i = 0; i < statements.length; i++) await write((tx) => runSchemaStatement(tx, i));
  await write((tx) => runQuery(tx, 'await-indexes', { seconds: intParam(300) }));
  await write((tx) => runQuery(tx, 'ensure-counter'));
}
