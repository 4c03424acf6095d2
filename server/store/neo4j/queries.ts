import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `cypher/` at the repository root: one file per query, named as below. */
export const cypherDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'cypher');

/**
 * Every query the Neo4j store runs, by file name. A name missing here cannot be run (QueryName is the
 * only key `query()` accepts), and test/store/neo4j-queries.test.ts checks this list against the folder.
 */
export const queryNames = [
  'append-entries', 'append-event', 'await-indexes', 'bench-reachability', 'ci-detail', 'ci-status', 'close-ci-versions',
  'close-relation-versions', 'count-all', 'count-tokens', 'create-cis', 'create-relations', 'create-token', 'delete-all',
  'diff-ci-ids', 'diff-cis', 'diff-relation-ids', 'diff-relations', 'doc-version', 'ensure-counter', 'events-since', 'events-taken', 'find-token', 'get-checkpoints', 'get-cis',
  'get-cis-as-of', 'get-doc', 'get-run', 'import-events', 'last-seen', 'latest-seq', 'list-cis', 'list-tokens', 'list-alerts', 'list-alerts-as-of', 'list-docs', 'list-entries', 'load-cis',
  'load-relations-by-id', 'load-relations-by-triple', 'lock-writes', 'lookup-keys', 'merge-ci-versions', 'merge-keys',
  'merge-relation-versions', 'merge-tokens', 'purge-idempotency', 'put-docs', 'recall-idempotency', 'relations-among',
  'relations-among-as-of', 'relations-as-of', 'relations-from', 'relations-of-limited', 'relations-touching', 'relations-touching-limited', 'remember-idempotency', 'revoke-token',
  'save-checkpoint', 'scope-assertions', 'scope-stale', 'server-version', 'set-last-batch-at', 'topology-cis', 'topology-cis-as-of',
  'topology-relations', 'topology-relations-as-of', 'topology-size', 'touch-token', 'update-cis', 'update-relations', 'upsert-alerts', 'upsert-assertions', 'upsert-runs',
] as const;
export type QueryName = (typeof queryNames)[number];

export interface QueryFile {
  name: string;
  /** The leading `//` comment block: what the query does, its parameters and what it returns. */
  header: string;
  /** The statement text as sent (comments included: the server ignores them). */
  text: string;
}

export function parseQueryFile(name: string, source: string): QueryFile {
  const lines = source.split('\n');
  const header: string[] = [];
  for (const l of lines) {
    if (!l.startsWith('//')) break;
    header.push(l.replace(/^\/\/ ?/, ''));
  }
  return { name, header: header.join('\n'), text: source.trim() };
}

/** `schema.cypher` holds several statements; Bolt runs one per call, so split after removing comments. */
export function schemaStatements(source: string): string[] {
  return source.replace(/^\s*\/\/.*$/gm, '').split(';').map((s) => s.trim()).filter(Boolean);
}

export function listQueryFiles(dir = cypherDir): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.cypher')).map((f) => f.slice(0, -'.cypher'.length)).sort();
}

export function loadQueryFile(name: string, dir = cypherDir): QueryFile {
  return parseQueryFile(name, readFileSync(join(dir, `${name}.cypher`), 'utf8'));
}

let cache: Map<QueryName, string> | null = null;

/** The text of a named query; all files are read once, on first use. */
export function query(name: QueryName): string {
  if (!cache) cache = new Map(queryNames.map((n) => [n, loadQueryFile(n).text]));
  return cache.get(name)!;
}

export function schemaQueries(): string[] {
  return schemaStatements(readFileSync(join(cypherDir, 'schema.cypher'), 'utf8'));
}
