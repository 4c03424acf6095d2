/**
 * `npm run migrate -- --from sqlite --to neo4j [--sqlite-file FILE] [--batch N] [--force]`
 *
 * Copies the embedded store (current graph, history, identifier keys, provenance, runs, the change-event
 * log, tokens, documents) into the Neo4j named by NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE.
 * Progress goes to stderr; run it again after an interruption and it resumes from its checkpoints.
 * Exits 0 when every table's count matches, 1 when one does not, 2 on bad arguments.
 */
import { parseArgs } from 'node:util';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { openSqliteExport } from '../store/sqlite/export-rows.ts';
import { createNeo4jStore, neo4jConfigFrom } from '../store/neo4j/index.ts';
import { ConfigError, loadConfig, processEnvironment } from '../config.ts';
import { migrateSqliteToNeo4j, type MigrationProgress } from '../store/neo4j/migrate.ts';

const usage = 'usage: npm run migrate -- --from sqlite --to neo4j [--sqlite-file FILE] [--batch N] [--force]\n' +
  '  FILE defaults to $SERVICEGRAPH_DATA_DIR/servicegraph.db (./data/servicegraph.db); Neo4j from NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE';

export async function runMigrateCommand(argv: string[], env: Readonly<Record<string, string | undefined>> = processEnvironment(), log: (line: string) => void = (l) => console.error(l)): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv, allowPositionals: false,
      options: { from: { type: 'string' }, to: { type: 'string' }, 'sqlite-file': { type: 'string' }, batch: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean' } },
    }).values;
  } catch (e) {
    log(`${(e as Error).message}\n${usage}`);
    return 2;
  }
  if (args.help) { log(usage); return 0; }
  if (args.from !== 'sqlite' || args.to !== 'neo4j') { log(`only --from sqlite --to neo4j is supported\n${usage}`); return 2; }
  const batchSize = args.batch ? Number(args.batch) : 2000;
  if (!Number.isInteger(batchSize) || batchSize < 1) { log(`--batch must be a positive whole number\n${usage}`); return 2; }
  let settings;
  try { settings = loadConfig(env); } catch (e) { if (e instanceof ConfigError) { log(e.message); return 2; } throw e; }
  const file = resolve(args['sqlite-file'] ?? join(settings.dataDir, 'servicegraph.db'));
  if (!existsSync(file)) { log(`no embedded store at ${file}\n${usage}`); return 2; }
  const config = neo4jConfigFrom(settings.neo4j);
  if (!config) { log(`NEO4J_URI is not set\n${usage}`); return 2; }

  const source = openSqliteExport(file);
  const target = createNeo4jStore(config);
  try {
    await target.init();
    log(`migrating ${file} → ${config.uri} (database ${config.database}), batches of ${batchSize}`);
    const started = Date.now();
    const progress = (p: MigrationProgress) => {
      const pct = p.total ? Math.floor((p.copied / p.total) * 100) : 100;
      log(`${p.table.padEnd(18)} ${String(p.copied).padStart(9)} / ${String(p.total).padEnd(9)} ${String(pct).padStart(3)}%${p.done ? '  done' : ''}`);
    };
    const out = await migrateSqliteToNeo4j(source, target, { batchSize, force: args.force, onProgress: progress });
    if (out.resumed) log('(resumed from checkpoints)');
    log('\ncount check (embedded → neo4j):');
    for (const c of out.counts) log(`  ${c.table.padEnd(18)} ${String(c.source).padStart(9)} → ${String(c.target).padEnd(9)} ${c.ok ? 'ok' : 'MISMATCH'}`);
    log(out.ok ? `\nmigration complete in ${((Date.now() - started) / 1000).toFixed(1)} s` : '\nmigration finished with count mismatches');
    return out.ok ? 0 : 1;
  } catch (e) {
    log(`migration failed: ${(e as Error).message}\n(run the same command again to resume from the last checkpoint)`);
    return 1;
  } finally {
    source.close();
    await target.close();
  }
}

// Run directly (npm run migrate); importing the module (tests, the servicegraph CLI) runs nothing.
if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('server/cli/migrate.ts')) {
  process.exitCode = await runMigrateCommand(process.argv.slice(2));
}
