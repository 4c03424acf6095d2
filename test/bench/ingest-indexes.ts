import { parseArgs } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { generateEstate } from '../../server/demo/generate-estate.ts';
import { parseIngestBatch } from '../../server/model/ingest.ts';
import { ingest } from '../../server/ingest/ingest-service.ts';
import { defaultLimits } from '../../server/model/limits.ts';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.ts';
import { changesText, encodeChanges } from '../../server/store/sqlite/event-codec.ts';
import { toBatches } from './ingest.ts';
import { writeResult } from './bench-util.ts';
import { keyHash } from '../../server/store/sqlite/key-hash.ts';

/**
 * What each B-tree costs a first load (issue 14: the embedded store's first load against the bare insert).
 *
 * 1. Inventory: a first load of the seeded estate, in process, into the store as it is; then every table and index
 *    of the file with the entries that load wrote into it (B-tree inserts), per batch, per CI and per relation.
 * 2. The same rows (CIs, identifier keys, relations, assertions, the event), batch by batch, written again with the
 *    store's own statements into fresh files of the store's schema, as it is and with one index (or table's rows)
 *    left out at a time; rounds interleaved. CPU (process, so SQLite's own included), statements and COMMIT per
 *    batch, WAL pages per batch, bytes per CI: what leaving each out would save, the rest of a batch (reading,
 *    planning) aside. The event is encoded in the timed part as the store does (event-codec.ts).
 * 3. Layouts the store could take instead or took before (issue 14, first load), in the same rounds: `cis` and
 *    `relations` as WITHOUT ROWID tables keyed by id (no second B-tree for the id), an event stored as (kind, id,
 *    version) only (the writer thread still makes the full JSON, which it hands to the main thread's projection), and
 *    identifier keys in one B-tree keyed by their text (stop 28's layout; schema.sql, ci_keys), and the index on
 *    (name, id) that lists were read through until stop 30 (reads.ts, listCis), and relations_live_to as a partial
 *    index on live rows (every reader of it wants live rows; on a first load every row is live), and a batch's
 *    identifier key hashes written in hash order (adjacent entries share leaves) instead of each after its text.
 */
interface Rows { cis: any[]; rels: any[]; asserts: any[]; keys: any[]; event: { at: string; source: string | null; changes: any[] } | null }

const schemaSql = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../server/store/sqlite/schema.sql'), 'utf8');
// The indexes sqlite-store.ts (migrateSchema) adds over columns it may have added.
const ASSERTION_INDEXES = `CREATE INDEX IF NOT EXISTS assertions_scope_sighting ON assertions (source, scope, active, sighting);
  CREATE INDEX IF NOT EXISTS assertions_unbatched_seen ON assertions (source, scope, last_seen) WHERE active = 1 AND sighting IS NULL`;

export async function benchIngestIndexes(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { cis: { type: 'string', default: '30000' }, rounds: { type: 'string', default: '3' }, seed: { type: 'string', default: '1' }, only: { type: 'string' } } });
  const n = Number(values.cis), rounds = Number(values.rounds);
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-indexes-'));
  try {
    const loadBefore = loadavg()[0];
    const src = join(dir, 'first-load.db');
    const estate = generateEstate({ cis: n, seed: Number(values.seed) });
    const batches = toBatches(estate.cis, estate.relations, 1000);
    const store = new SqliteStore({ file: src, synchronous: 'NORMAL' });
    await store.init();
    for (const [i, b] of batches.entries()) {
      const p = parseIngestBatch({ source: 'bench', scope: 'bench', runId: 'bench-run', complete: i === batches.length - 1, force: true, cis: b.cis, relations: b.relations });
      if (!p.success) throw p.error;
      await ingest(store, p.data, { limits: defaultLimits, maxRetireShare: 0.2 });
    }
    await store.close();

    const db = new Database(src, { readonly: true });
    const inventory = btreeInventory(db);
    const per = rowsByBatch(db);
    db.close();
    const cis = per.reduce((s, p) => s + p.cis.length, 0), rels = per.reduce((s, p) => s + p.rels.length, 0);
    console.log(`first load of ${cis} CIs and ${rels} relations in ${per.length} batches: B-tree entries written (inserts), per batch`);
    for (const b of inventory) console.log(`  ${b.name.padEnd(28)} ${b.kind.padEnd(6)} ${b.table.padEnd(18)} ${(b.entries / per.length).toFixed(b.entries < per.length * 10 ? 1 : 0).padStart(6)}   ${b.sql ?? ''}`);
    const total = inventory.reduce((s, b) => s + b.entries, 0);
    console.log(`  total ${Math.round(total / per.length)} per batch (${(total / cis).toFixed(1)} per CI with its relations); the bare insert: ${Math.round((cis + rels) / per.length)}`);

    const secondary = inventory.filter((b) => b.kind === 'index' && b.sql && ['cis', 'relations', 'assertions'].includes(b.table)).map((b) => b.name);
    const all: Variant[] = [
      { label: 'as it is', drop: [] },
      ...secondary.map((ix) => ({ label: `without ${ix}`, drop: [ix] })),
      { label: 'no secondary index on cis, relations, assertions', drop: secondary },
      { label: 'no identifier key rows', drop: [], skip: 'keys' as const },
      { label: 'no assertions rows', drop: [], skip: 'asserts' as const },
      { label: 'cis and relations WITHOUT ROWID', drop: [], schema: withoutRowid },
      { label: 'event stored as (kind, id, version)', drop: [], slimEvent: true },
      { label: 'identifier keys keyed by their text (stop 28)', drop: [], keys: 'text' as const },
      { label: 'identifier key hashes in hash order (stop 33)', drop: [], keys: 'hash-order' as const },
      { label: 'relations_live_to partial: (to_id) WHERE valid_to IS NULL', drop: ['relations_live_to'], schema: (sql: string) => `${sql}\nCREATE INDEX relations_live_to_partial ON relations (to_id) WHERE valid_to IS NULL;` },
      { label: 'with cis_by_name (name, id) (stop 29)', drop: [], schema: (sql: string) => `${sql}\nCREATE INDEX cis_by_name ON cis (name, id);` },
    ];
    // `--only a,b`: "as it is" and the variants whose label contains one of those texts (more rounds in the same time).
    const only = values.only?.split(',').filter(Boolean);
    const variants = only ? all.filter((v, i) => i === 0 || only.some((t) => v.label.includes(t))) : all;
    const results = new Map<string, ReplayResult[]>();
    // Each round starts one variant further on: none is always first (a fresh process's first files are slower).
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < variants.length; i++) {
        const v = variants[(i + r) % variants.length];
        (results.get(v.label) ?? results.set(v.label, []).get(v.label)!).push(replay(dir, per, v, cis));
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const rowsOut = variants.map((v) => {
      const xs = results.get(v.label)!;
      return { variant: v.label, cpuMsPerBatch: median(xs.map((x) => x.cpuMs)), writeMsPerBatch: median(xs.map((x) => x.writeMs)), commitMsPerBatch: median(xs.map((x) => x.commitMs)),
        walPagesPerBatch: xs[0].walPages, walPagesLast5: xs[0].walPagesLast5, bytesPerCi: xs[0].bytesPerCi };
    });
    const base = rowsOut[0];
    console.log(`\nthe same rows written again, median of ${rounds} interleaved rounds (ms per batch; saved: against "as it is")`);
    for (const r of rowsOut) {
      const saved = r === base ? '' : `  saved cpu ${(base.cpuMsPerBatch - r.cpuMsPerBatch).toFixed(1)}, wall ${(base.writeMsPerBatch + base.commitMsPerBatch - r.writeMsPerBatch - r.commitMsPerBatch).toFixed(1)}`;
      console.log(`  ${r.variant.padEnd(50)} cpu ${r.cpuMsPerBatch.toFixed(1).padStart(5)}  statements ${r.writeMsPerBatch.toFixed(1).padStart(5)}  commit ${r.commitMsPerBatch.toFixed(1).padStart(5)}  WAL pages ${String(r.walPagesPerBatch).padStart(4)} (last 5: ${String(r.walPagesLast5).padStart(4)})  bytes/CI ${r.bytesPerCi}${saved}`);
    }
    const loadAfter = loadavg()[0];
    console.log(`load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`);
    writeResult('ingest-indexes', {
      cis, relations: rels, batches: per.length,
      btrees: inventory.map((b) => ({ name: b.name, kind: b.kind, table: b.table, entriesPerBatch: Number((b.entries / per.length).toFixed(1)) })),
      btreeInsertsPerBatch: Math.round(total / per.length), bareInsertsPerBatch: Math.round((cis + rels) / per.length),
      replay: rowsOut, loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadAfter.toFixed(2)) },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Btree { name: string; kind: 'table' | 'index'; table: string; sql: string | null; entries: number }

/** Every table and index of the file, with the entries in it (a first load only inserts: its B-tree inserts). */
function btreeInventory(db: Database.Database): Btree[] {
  const objects = db.prepare<[], { type: 'table' | 'index'; name: string; tbl_name: string; sql: string | null }>(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_stat%' AND name <> 'sqlite_sequence' ORDER BY tbl_name, type DESC, name").all();
  const count = (table: string, where = '') => db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM "${table}" ${where}`).get()!.n;
  return objects
    // A WITHOUT ROWID table is its primary key's B-tree: no second one.
    .filter((o) => !(o.type === 'index' && o.sql === null && /WITHOUT ROWID/i.test(objects.find((t) => t.type === 'table' && t.name === o.tbl_name)?.sql ?? '')))
    .map((o) => {
      const where = o.type === 'index' && o.sql ? o.sql.match(/\sWHERE\s(.+)$/is)?.[1] : undefined;
      return { name: o.name, kind: o.type, table: o.tbl_name, sql: o.sql?.replace(/\s+/g, ' ').replace(/^CREATE (UNIQUE )?INDEX \S+ ON /i, '') ?? null, entries: count(o.tbl_name, where ? `WHERE ${where}` : '') };
    })
    .filter((b) => b.entries > 0)
    .map((b) => (b.kind === 'table' ? { ...b, sql: null } : b));
}

/** The rows a first load wrote, by the batch that wrote them (every row of a batch carries its instant). */
function rowsByBatch(db: Database.Database): Rows[] {
  const cis = db.prepare('SELECT * FROM cis ORDER BY rowid').all() as any[];
  const rels = db.prepare('SELECT * FROM relations ORDER BY rowid').all() as any[];
  // Integers as BigInt: a key mask in `vals` bound back as a JS number would be stored as a REAL (compact-layout.ts).
  const asserts = db.prepare('SELECT * FROM assertions').safeIntegers(true).all() as any[];
  const keys = db.prepare('SELECT key, ci_id FROM identifier_keys ORDER BY id').all() as any[];
  const events = (db.prepare('SELECT * FROM events ORDER BY seq').all() as any[]).map((e) => ({ at: e.at, source: e.source, changes: JSON.parse(changesText(e.changes)) }));
  const instants = [...new Set(cis.map((c) => c.valid_from as number))].sort((a, b) => a - b);
  const batchOf = new Map(instants.map((t, i) => [t, i]));
  const ciBatch = new Map(cis.map((c) => [c.id, batchOf.get(c.valid_from)!]));
  const per: Rows[] = instants.map((_, i) => ({ cis: [], rels: [], asserts: [], keys: [], event: events[i] ?? null }));
  for (const c of cis) per[batchOf.get(c.valid_from)!].cis.push(c);
  for (const r of rels) per[batchOf.get(r.valid_from)!].rels.push(r);
  for (const a of asserts) per[batchOf.get(Number(a.first_seen))!].asserts.push(a);
  for (const k of keys) per[ciBatch.get(k.ci_id)!].keys.push(k);
  return per;
}

interface Variant { label: string; drop: string[]; skip?: 'keys' | 'asserts'; schema?: (sql: string) => string; slimEvent?: boolean; keys?: 'text' | 'hash-order' }
interface ReplayResult { cpuMs: number; writeMs: number; commitMs: number; walPages: number; walPagesLast5: number; bytesPerCi: number }

/** The schema with `cis` and `relations` keyed by id in their own B-tree (WITHOUT ROWID) instead of a rowid and an index. */
function withoutRowid(sql: string): string {
  let out = sql;
  for (const table of ['cis', 'relations']) {
    const next = out.replace(new RegExp(`(CREATE TABLE IF NOT EXISTS ${table} \\([^;]*?\\n\\))`), '$1 WITHOUT ROWID');
    if (next === out) throw new Error(`schema.sql: no table ${table} to make WITHOUT ROWID`);
    out = next;
  }
  return out;
}
/** What a slim event would keep of each change: what it is and which version of what (a consumer reads the rest). */
const slimChanges = (changes: any[]) => changes.map((c) => ({ kind: c.kind, id: c.ci?.id ?? c.relation?.id ?? c.ref, version: c.ci?.version ?? c.relation?.version }));

function replay(dir: string, per: Rows[], v: Variant, cis: number): ReplayResult {
  const file = join(dir, 'replay.db');
  const db = new Database(file);
  // The store's settings (sqlite-store.ts, open); its commits never checkpoint (the checkpoint thread does), nor do
  // these: the WAL only grows, so its growth at each commit is the pages that commit wrote.
  db.pragma('page_size = 8192'); db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma('cache_size = -65536'); db.pragma('wal_autocheckpoint = 0');
  db.exec(v.schema ? v.schema(schemaSql) : schemaSql); db.exec(ASSERTION_INDEXES);
  for (const ix of v.drop) db.exec(`DROP INDEX "${ix}"`);
  const insCi = db.prepare('INSERT INTO cis (id, class, name, environment, tier, owner, lifecycle, attributes, identifiers, version, valid_from, valid_to) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)');
  // The store's (batch-tx.ts, write: each text appended, then its hash), the same with a batch's hashes written in hash
  // order after its texts (tried in stop 33: no CPU saved measurably, the same WAL pages), or the layout before: one
  // B-tree keyed by the text.
  const insKeys = v.keys === 'text' ? (() => {
    const ins = db.prepare('INSERT OR IGNORE INTO ci_keys (key, ci_id) VALUES (?, ?)');
    return (keys: { key: string; ci_id: string }[]) => { for (const k of keys) ins.run(k.key, k.ci_id); };
  })() : (() => {
    const text = db.prepare('INSERT INTO identifier_keys (key, ci_id) VALUES (?, ?)'), hash = db.prepare('INSERT INTO identifier_key_hashes (hash, key_id) VALUES (?, ?)');
    if (v.keys !== 'hash-order') return (keys: { key: string; ci_id: string }[]) => { for (const k of keys) hash.run(keyHash(k.key), text.run(k.key, k.ci_id).lastInsertRowid); };
    return (keys: { key: string; ci_id: string }[]) => {
      const entries = keys.map((k) => [keyHash(k.key), text.run(k.key, k.ci_id).lastInsertRowid] as const).sort((a, b) => a[0] - b[0]);
      for (const [h, id] of entries) hash.run(h, id);
    };
  })();
  const insRel = db.prepare('INSERT INTO relations (id, type, from_id, to_id, attributes, redundancy, provenance, observed, version, valid_from, valid_to) VALUES (?,?,?,?,?,?,?,?,?,?,?)');
  const insA = db.prepare('INSERT INTO assertions (target_id, source, scope, kind, run_id, first_seen, last_seen, active, vals, digest, sighting) VALUES (?,?,?,?,?,?,?,?,?,?,?)');
  const insE = db.prepare('INSERT INTO events (at, source, changes) VALUES (?, ?, ?)');
  let write = 0, commit = 0, cpu = 0, pages = 0, pagesLast5 = 0;
  const walSize = () => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
  for (const [i, p] of per.entries()) {
    const wal0 = walSize();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    db.exec('BEGIN IMMEDIATE');
    for (const c of p.cis) insCi.run(c.id, c.class, c.name, c.environment, c.tier, c.owner, c.lifecycle, c.attributes, c.identifiers, c.version, c.valid_from, c.valid_to);
    if (v.skip !== 'keys') insKeys(p.keys);
    for (const r of p.rels) insRel.run(r.id, r.type, r.from_id, r.to_id, r.attributes, r.redundancy, r.provenance, r.observed, r.version, r.valid_from, r.valid_to);
    if (v.skip !== 'asserts') for (const a of p.asserts) insA.run(a.target_id, a.source, a.scope, a.kind, a.run_id, a.first_seen, a.last_seen, a.active, a.vals, a.digest, a.sighting);
    if (p.event) {
      // A fresh array each time: the codec keeps each array's JSON text once made (event-codec.ts, changesJson). A slim
      // event still has its full JSON made: the writer thread hands that to the main thread (ingest-thread-main.ts).
      if (v.slimEvent) JSON.stringify(p.event.changes);
      insE.run(p.event.at, p.event.source, encodeChanges(v.slimEvent ? slimChanges(p.event.changes) : [...p.event.changes]));
    }
    const t1 = performance.now();
    db.exec('COMMIT');
    const t2 = performance.now();
    const cu = process.cpuUsage(c0);
    write += t1 - t0; commit += t2 - t1; cpu += (cu.user + cu.system) / 1000;
    const written = (walSize() - wal0) / (8192 + 24);
    pages += written;
    if (i >= per.length - 5) pagesLast5 += written;
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const bytes = statSync(file).size;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const k = per.length;
  return { cpuMs: +(cpu / k).toFixed(1), writeMs: +(write / k).toFixed(1), commitMs: +(commit / k).toFixed(1), walPages: Math.round(pages / k),
    walPagesLast5: Math.round(pagesLast5 / Math.min(5, k)), bytesPerCi: Math.round(bytes / cis) };
}
