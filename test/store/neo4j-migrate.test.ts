import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ManagedTransaction } from 'neo4j-driver';
import { exportTables, openSqliteExport, type ExportTable, type SqliteExport } from '../../server/store/sqlite/export-rows.ts';
import { migrateSqliteToNeo4j } from '../../server/store/neo4j/migrate.ts';
import { runMigrateCommand } from '../../server/cli/migrate.ts';
import type { QueryName } from '../../server/store/neo4j/queries.ts';
import { seedEmbeddedStore } from './neo4j-seed.ts';
import { fakeTx, offlineNeo4jStore } from './neo4j-fake-tx.ts';

const keyOfRow: Partial<Record<QueryName, (r: Record<string, unknown>) => string>> = {
  'upsert-cis': (r) => String(r.id), 'merge-ci-versions': (r) => `${r.ciId}|${r.version}`, 'merge-keys': (r) => String(r.key),
  'upsert-relations': (r) => String(r.id), 'merge-relation-versions': (r) => `${r.relId}|${r.version}`,
  'upsert-assertions': (r) => `${r.targetId}|${r.source}|${r.scope}`, 'upsert-runs': (r) => String(r.runId),
  'import-events': (r) => String(r.seq), 'merge-tokens': (r) => String(r.id), 'put-docs': (r) => `${r.kind}|${r.id}`,
};
const countKeys: Record<string, QueryName> = {
  cis: 'upsert-cis', ciVersions: 'merge-ci-versions', ciKeys: 'merge-keys', relations: 'upsert-relations',
  relationVersions: 'merge-relation-versions', assertions: 'upsert-assertions', runs: 'upsert-runs', events: 'import-events',
  tokens: 'merge-tokens', docs: 'put-docs',
};

/** A pretend Neo4j: keeps imported rows by key and checkpoints, and commits a transaction's writes only if it succeeds. */
function pretendNeo4j(failOn?: { query: QueryName; call: number }) {
  type State = { rows: Map<QueryName, Map<string, unknown>>; checkpoints: Map<string, Record<string, unknown>> };
  let state: State = { rows: new Map(), checkpoints: new Map() };
  const clone = (s: State): State => ({ rows: new Map([...s.rows].map(([k, v]) => [k, new Map(v)])), checkpoints: new Map(s.checkpoints) });
  let stage = state;
  const calls = new Map<QueryName | 'schema', number>();
  const fake = fakeTx(new Proxy({}, {
    get: (_, name: QueryName) => (params: Record<string, unknown>) => {
      const n = (calls.get(name) ?? 0) + 1; calls.set(name, n);
      if (failOn && failOn.query === name && failOn.call === n) throw new Error(`injected failure in ${name}`);
      if (name === 'get-checkpoints') return [...stage.checkpoints.values()];
      if (name === 'save-checkpoint') { stage.checkpoints.set(String(params.table), { ...params, rows: Number(params.rows) }); return []; }
      if (name === 'count-all') return [Object.fromEntries(Object.entries(countKeys).map(([k, q]) => [k, stage.rows.get(q)?.size ?? 0]))];
      const key = keyOfRow[name];
      if (key) {
        const rows = params.rows as Record<string, unknown>[];
        const m = stage.rows.get(name) ?? new Map(); stage.rows.set(name, m);
        for (const r of rows) m.set(key(r), r);
        if (name === 'upsert-relations') return [{ written: rows.length }];
      }
      return [];
    },
  }));
  const run = async <T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> => {
    stage = clone(state);
    const out = await work(fake.tx);
    state = stage;
    return out;
  };
  return { fake, run, state: () => state };
}

describe('migration from the embedded store (no server)', () => {
  let dir: string;
  let file: string;
  let source: SqliteExport;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sg-migrate-'));
    file = join(dir, 'servicegraph.db');
    await seedEmbeddedStore(file);
    source = openSqliteExport(file);
  });
  afterAll(() => { source.close(); rmSync(dir, { recursive: true, force: true }); });

  it('pages every table in key order, each row exactly once', () => {
    for (const { table } of exportTables) {
      const seen: string[] = [];
      for (let after = null as (string | number)[] | null; ;) {
        const rows = source.page(table, after, 3);
        if (!rows.length) break;
        seen.push(...rows.map((r) => JSON.stringify(source.keyOf(table, r))));
        after = source.keyOf(table, rows[rows.length - 1]);
      }
      expect(seen.length, table).toBe(source.count(table));
      expect(new Set(seen).size, table).toBe(seen.length);
      expect(source.count(table), table).toBeGreaterThan(0);
    }
  });

  async function migrateWith(pretend: ReturnType<typeof pretendNeo4j>, batchSize = 4) {
    const store = await offlineNeo4jStore(pretend.fake.tx);
    (store as unknown as { session: unknown }).session = (_mode: unknown, work: (tx: ManagedTransaction) => Promise<unknown>) => pretend.run(work);
    try { return await migrateSqliteToNeo4j(source, store, { batchSize }); } finally { await store.close(); }
  }

  it('copies every table with the write queries and passes its count check', async () => {
    const pretend = pretendNeo4j();
    const out = await migrateWith(pretend);
    expect(pretend.fake.problems).toEqual([]);
    expect(out.ok).toBe(true);
    expect(out.counts.map((c) => c.table)).toEqual(exportTables.map((t) => t.table));
    expect([...pretend.state().checkpoints.values()].every((c) => c.done === true)).toBe(true);
    // CIs before the relationships between them.
    const order = pretend.fake.calls.map((c) => c.name).filter((n) => n === 'upsert-cis' || n === 'upsert-relations');
    expect(order.lastIndexOf('upsert-cis')).toBeLessThan(order.indexOf('upsert-relations'));
  });

  it('resumes after a failure mid-table without losing or repeating a batch', async () => {
    const pretend = pretendNeo4j({ query: 'save-checkpoint', call: 3 });
    await expect(migrateWith(pretend)).rejects.toThrow(/injected failure/);
    const cp = pretend.state().checkpoints.get('cis' satisfies ExportTable)!;
    expect(cp).toMatchObject({ rows: 8, done: false });
    const out = await migrateWith(pretend);
    expect(out.resumed).toBe(true);
    expect(out.ok).toBe(true);
    expect(pretend.fake.problems).toEqual([]);
  });

  it('refuses a target that already holds data without checkpoints', async () => {
    const pretend = pretendNeo4j();
    pretend.state().rows.set('upsert-cis', new Map([['x', {}]]));
    await expect(migrateWith(pretend)).rejects.toThrow(/already holds data/);
  });

  it('the command checks its arguments before touching anything', async () => {
    const quiet = () => {};
    expect(await runMigrateCommand(['--from', 'neo4j', '--to', 'sqlite'], {}, quiet)).toBe(2);
    expect(await runMigrateCommand(['--from', 'sqlite', '--to', 'neo4j', '--sqlite-file', join(dir, 'missing.db')], {}, quiet)).toBe(2);
    expect(await runMigrateCommand(['--from', 'sqlite', '--to', 'neo4j', '--sqlite-file', file], {}, quiet)).toBe(2);
  });
});
