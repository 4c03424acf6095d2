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
 * What a schema command fails with when another instance created the same rule between this command's
 * IF NOT EXISTS check and its own creation (two instances starting at once on an empty database).
 * These are client errors, so the driver does not retry them.
 */
const CREATED_CONCURRENTLY = /^Neo\.ClientError\.Schema\.(EquivalentSchemaRuleAlreadyExists|ConstraintAlreadyExists|IndexAlreadyExists|ConstraintWithNameAlreadyExists|IndexWithNameAlreadyExists)$/;

export function createdConcurrently(e: unknown): boolean {
  return CREATED_CONCURRENTLY.test(String((e as { code?: unknown } | null)?.code ?? ''));
}

/**
 * Each schema statement in its own transaction (schema and data changes cannot share one).
 * Re-running is a no-op thanks to IF NOT EXISTS, so every API instance may apply it at start; a statement
 * that lost a race with another instance's identical one is run once more, when IF NOT EXISTS sees the rule.
 */
export async function applySchema(write: <T>(fn: (tx: ManagedTransaction) => Promise<T>) => Promise<T>): Promise<void> {
  const statements = schemaQueries();
  for (let i = 0; i < statements.length; i++) {
    try {
      await write((tx) => runSchemaStatement(tx, i));
    } catch (e) {
      if (!createdConcurrently(e)) throw e;
      await write((tx) => runSchemaStatement(tx, i));
    }
  }
  await write((tx) => runQuery(tx, 'await-indexes', { seconds: intParam(300) }));
  await write((tx) => runQuery(tx, 'ensure-counter'));
}
