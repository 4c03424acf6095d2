import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateEstate } from '../../server/demo/generate-estate.ts';
import { parseIngestBatch } from '../../server/model/ingest.ts';
import { ingest } from '../../server/ingest/ingest-service.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { toBatches } from './ingest.ts';
import { writeResult } from './bench-util.ts';

/**
 * Where an embedded store's bytes go after a first load: the seeded estate ingested in process (the same
 * batches as the ingest benchmark), then SQLite's dbstat per table and index (pages, payload, rows).
 * `--keep <file>` leaves the store there for EXPLAIN QUERY PLAN and the like.
 */
export async function benchStorage(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { cis: { type: 'string', default: '30000' }, 'batch-cis': { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' }, keep: { type: 'string' } } });
  const n = Number(values.cis);
  const estate = generateEstate({ cis: n, seed: Number(values.seed) });
  const batches = toBatches(estate.cis, estate.relations, Number(values['batch-cis']));
  const dir = mkdtempSync(join(tmpdir(), 'sg-storage-'));
  const file = values.keep ?? join(dir, 'servicegraph.db');
  const store = new SqliteStore({ file, synchronous: 'NORMAL' });
  await store.init();
  try {
    for (const [i, b] of batches.entries()) {
      const parsed = parseIngestBatch({ source: 'bench', scope: 'bench', runId: 'bench-run', complete: i === batches.length - 1, force: true, ...b });
      if (!parsed.success) throw parsed.error;
      await ingest(store, parsed.data, { limits: defaultLimits, maxRetireShare: 0.2 });
    }
  } finally {
    await store.close();
  }
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const rows = db.prepare<[], { name: string; tbl: string; pages: number; bytes: number; payload: number; cells: number }>(
      `SELECT d.name, coalesce(m.tbl_name, d.name) AS tbl, count(*) AS pages, sum(d.pgsize) AS bytes, sum(d.payload) AS payload, sum(d.ncell) AS cells
       FROM dbstat d LEFT JOIN sqlite_schema m ON m.name = d.name GROUP BY d.name ORDER BY bytes DESC`).all();
    const total = statSync(file).size;
    const perCi = (b: number) => Math.round(b / estate.cis.length);
    console.log(`${estate.cis.length} CIs, ${estate.relations.length} relations: ${(total / 1e6).toFixed(1)} MB, ${perCi(total)} bytes per CI`);
    console.log('name'.padEnd(36) + 'table'.padEnd(20) + 'B/CI'.padStart(7) + 'payload/CI'.padStart(12) + 'cells'.padStart(10));
    for (const r of rows) console.log(r.name.padEnd(36) + r.tbl.padEnd(20) + String(perCi(r.bytes)).padStart(7) + String(perCi(r.payload)).padStart(12) + String(r.cells).padStart(10));
    writeResult('storage', { cis: estate.cis.length, relations: estate.relations.length, bytes: total, bytesPerCi: perCi(total),
      objects: rows.map((r) => ({ name: r.name, table: r.tbl, bytesPerCi: perCi(r.bytes), payloadPerCi: perCi(r.payload), cells: r.cells })) });
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
