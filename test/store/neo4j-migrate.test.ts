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
import { push } from './contract.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { fakeTx, offlineNeo4jStore } from './neo4j-fake-tx.ts';

const keyOfRow: Partial<Record<QueryName, (r: Record<string, unknown>) => string>> = {
  'create-cis': (r) => String(r.id), 'merge-ci-versions': (r) => `${r.ciId}|${r.version}`, 'merge-keys': (r) => String(r.key),
  'create-relations': (r) => String(r.id), 'merge-relation-versions': (r) => `${r.relId}|${r.version}`,
  'upsert-assertions': (r) => `${r.targetId}|${r.source}|${r.scope}`, 'upsert-runs': (r) => String(r.runId),
  'import-events': (r) => String(r.seq), 'merge-tokens': (r) => String(r.id), 'put-docs': (r) => `${r.kind}|${r.id}`,
  'append-entries': (r) => `${r.recordId}|${r.id}`,
};
const countKeys: Record<string, QueryName> = {
  cis: 'create-cis', ciVersions: 'merge-ci-versions', ciKeys: 'merge-keys', relations: 'create-relations',
  relationVersions: 'merge-relation-versions', assertions: 'upsert-assertions', runs: 'upsert-runs', events: 'import-events',
  tokens: 'merge-tokens', docs: 'put-docs', entries: 'append-entries',
};

/** Queries that CREATE: a key already present fails, as on the server's uniqueness constraints. */
const creates = new Set<QueryName>(['create-cis', 'create-relations', 'import-events']);

/**
 * A pretend Neo4j: keeps imported rows by key and checkpoints, and commits a transaction's writes only if it
 * succeeds. `replayCommitted` runs every transaction function a second time after its commit, as the driver
 * does when a COMMIT's answer is lost.
 */
function pretendNeo4j(failOn?: { query: QueryName; call: number }, opts: { replayCommitted?: boolean } = {}) {
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
      if (name === 'events-taken') return (params.seqs as unknown[]).filter((q) => stage.rows.get('import-events')?.has(String(q))).map((seq) => ({ seq }));
      if (name === 'count-all') return [Object.fromEntries(Object.entries(countKeys).map(([k, q]) => [k, stage.rows.get(q)?.size ?? 0]))];
      const key = keyOfRow[name];
      if (key) {
        const rows = params.rows as Record<string, unknown>[];
        const m = stage.rows.get(name) ?? new Map(); stage.rows.set(name, m);
        for (const r of rows) {
          if (creates.has(name) && m.has(key(r))) throw new Error(`Neo.ClientError.Schema.ConstraintValidationFailed: ${name} ${key(r)} exists`);
          m.set(key(r), r);
        }
        if (name === 'create-relations') return [{ written: rows.length }];
      }
      return [];
    },
  }));
  const run = async <T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> => {
    stage = clone(state);
    const out = await work(fake.tx);
    state = stage;
    if (!opts.replayCommitted) return out;
    stage = clone(state);
    const again = await work(fake.tx);
    state = stage;
    return again;
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

  async function migrateWith(pretend: ReturnType<typeof pretendNeo4j>, opts: { from?: SqliteExport; force?: boolean } = {}) {
    const store = await offlineNeo4jStore(pretend.fake.tx);
    (store as unknown as { session: unknown }).session = (_mode: unknown, work: (tx: ManagedTransaction) => Promise<unknown>) => pretend.run(work);
    try { return await migrateSqliteToNeo4j(opts.from ?? source, store, { batchSize: 4, force: opts.force }); } finally { await store.close(); }
  }

  it('copies every table with the write queries and passes its count check', async () => {
    const pretend = pretendNeo4j();
    const out = await migrateWith(pretend);
    expect(pretend.fake.problems).toEqual([]);
    expect(out.ok).toBe(true);
    expect(out.counts.map((c) => c.table)).toEqual(exportTables.map((t) => t.table));
    expect([...pretend.state().checkpoints.values()].every((c) => c.done === true)).toBe(true);
    // CIs before the relationships between them.
    const order = pretend.fake.calls.map((c) => c.name).filter((n) => n === 'create-cis' || n === 'create-relations');
    expect(order.lastIndexOf('create-cis')).toBeLessThan(order.indexOf('create-relations'));
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
    pretend.state().rows.set('create-cis', new Map([['x', {}]]));
    await expect(migrateWith(pretend)).rejects.toThrow(/already holds data/);
  });

  it('writes each batch once when the driver runs a committed transaction again', async () => {
    const pretend = pretendNeo4j(undefined, { replayCommitted: true });
    const out = await migrateWith(pretend);
    expect(out.ok).toBe(true);
    const batches = Math.ceil(source.count('cis') / 4);
    expect(pretend.fake.calls.filter((c) => c.name === 'create-cis')).toHaveLength(batches);
  });

  it('refuses to resume from checkpoints made copying another file, or this one before it was written to', async () => {
    const seeded = async (name: string) => { const f = join(dir, name); await seedEmbeddedStore(f); return f; };
    const resumeFile = await seeded('resume.db');
    const first = openSqliteExport(resumeFile);
    const other = openSqliteExport(await seeded('other.db'));
    const pretend = pretendNeo4j({ query: 'save-checkpoint', call: 3 });
    const migrateFrom = (from: SqliteExport) => migrateWith(pretend, { from });
    try {
      await expect(migrateFrom(first)).rejects.toThrow(/injected failure/);
      expect([...pretend.state().checkpoints.values()].map((c) => c.source)).toEqual([first.identity()]);
      // Same content, another file: its own store id.
      expect(other.identity()).not.toBe(first.identity());
      await expect(migrateFrom(other)).rejects.toThrow(/cannot resume/);
      // The first file after one more batch.
      const writer = new SqliteStore({ file: resumeFile });
      await writer.init();
      await push(writer, { source: 'manual', cis: [{ class: 'service', name: 'late', environment: 'prod' }] });
      await writer.close();
      await expect(migrateFrom(first)).rejects.toThrow(/cannot resume/);
    } finally { first.close(); other.close(); }
  });

  it('refuses to copy an event over one of the same seq (--force into a database with its own log)', async () => {
    const pretend = pretendNeo4j();
    pretend.state().rows.set('import-events', new Map([['2', { seq: 2 }]]));
    await expect(migrateWith(pretend, { force: true })).rejects.toThrow(/already holds events with seq 2; refusing to overwrite/);
    expect(pretend.state().rows.get('import-events')!.get('2')).toEqual({ seq: 2 });
  });

  it('the command checks its arguments before touching anything', async () => {
    const quiet = () => {};
    expect(await runMigrateCommand(['--from', 'neo4j', '--to', 'sqlite'], {}, quiet)).toBe(2);
    expect(await runMigrateCommand(['--from', 'sqlite', '--to', 'neo4j', '--sqlite-file', join(dir, 'missing.db')], {}, quiet)).toBe(2);
    expect(await runMigrateCommand(['--from', 'sqlite', '--to', 'neo4j', '--sqlite-file', file], {}, quiet)).toBe(2);
  });
});
