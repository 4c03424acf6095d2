import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreOpenError, type GraphStore, type BatchTx, type StoredDoc, type AlertQuery, type AlertWrite, type RecordWrite, type StoredEntry, type TopologySize } from '../port.ts';
import type { ChangeEvent, Role, TokenInfo } from '../../model/records.ts';
import { prepareBatchStatements, sqliteBatchTx, type BatchStatements } from './batch-tx.ts';
import { prepareBatchMeta, type BatchMetaStatements } from './batch-meta.ts';
import { notBefore } from '../../domain/reconcile/batch-time.ts';
import { getCi, getCiDetail, getCis, lastSeen, listCis, prepareReads, relationsAmong, relationsFrom, relationsOf, topology, type ReadStatements } from './reads.ts';
import { diff } from './diff.ts';
import { listAlerts, writeAlerts } from './alerts.ts';
import { decodeChanges, encodeChanges } from './event-codec.ts';
import { registerLayoutFunctions } from './compact-layout.ts';
import { topologySizeHere, topologySizeOffLoop } from './topology-size.ts';
import { WalCheckpointer, type CheckpointOptions, type CheckpointReport } from './wal-checkpointer.ts';
import type { LoopStatus } from '../../live/supervision.ts';

const schemaSql = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'schema.sql'), 'utf8');

export interface SqliteOptions {
  /** File path, or ':memory:' for throw-away tests. */
  file: string;
  /**
   * NORMAL (default): in WAL mode a commit is in the OS before the reply, so a killed server loses
   * nothing; FULL also fsyncs every commit, surviving power loss at ~25 ms per batch on our disks.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /**
   * When another connection holds the write lock (the ingest writer thread's, another API process's): how long
   * a write waits for it blocking its thread (`waitMs`, SQLite's busy timeout; default 5,000), then how long it
   * keeps retrying without blocking (`retryForMs`: short waits between attempts, the event loop free; default 0).
   * The main thread waits briefly and retries for long; the writer thread, which serves nothing else, blocks.
   */
  busy?: { waitMs: number; retryForMs: number };
  /**
   * Who copies the WAL into the database file. 'commit' (default): SQLite's auto-checkpoint, run by the connection
   * whose commit takes the WAL past 8,192 pages, inside that commit. 'background': this store's commits never do;
   * a thread of its own checkpoints every `intervalMs` (wal-checkpointer.ts). The server's main connection uses it:
   * at 1M CIs a checkpoint at commit held the event loop 0.5-0.9 s (`npm run bench -- sweep --hub`).
   */
  checkpoint?: 'commit' | CheckpointOptions;
  /**
   * For tests only: the hash identifier keys are found by (key-hash.ts), one that collides showing that no key is
   * taken for another. A file must always be opened with the hash it was written with: the default.
   */
  keyHash?: (key: string) => number;
}

/** The WAL file is cut back to this size when it restarts (SQLite otherwise keeps it as large as it ever grew). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

/**
 * One mutex per store: SQLite has one writer; queuing here keeps this connection's writes from waiting on each
 * other. A write refused because another connection holds the lock (SQLITE_BUSY, raised before it changed
 * anything) is tried again after a short timer, for up to `retryForMs`.
 */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  constructor(private readonly retryForMs = 0) {}
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(() => this.retryBusy(fn));
    this.tail = result.then(() => undefined, () => undefined);
    return result;
  }
  private async retryBusy<T>(fn: () => Promise<T>): Promise<T> {
    const until = performance.now() + this.retryForMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 10)) {
      try {
        return await fn();
      } catch (e) {
        if ((e as { code?: string }).code !== 'SQLITE_BUSY' || performance.now() + delay > until) throw e;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}

/**
 * Columns added after a store file may have been created (CREATE TABLE IF NOT EXISTS leaves an old table as it
 * was). An assertion without a digest is simply never taken for a re-sighting, and gains one when next written.
 */
function migrateSchema(db: Database.Database) {
  const cols = new Set(db.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'assertions\')').all().map((c) => c.name));
  if (!cols.has('digest')) db.exec('ALTER TABLE assertions ADD COLUMN digest TEXT');
  // ... and the batch whose run and sighting they read (schema.sql, scope_batches): none for an old row.
  if (!cols.has('sighting')) db.exec('ALTER TABLE assertions ADD COLUMN sighting INTEGER');
  // Scope reads by that column too (schema.sql); it replaces the index without it.
  db.exec(`${ASSERTION_INDEXES}; DROP INDEX IF EXISTS assertions_scope`);
  // Tokens gained the team they approve changes for.
  const tokenCols = new Set(db.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'tokens\')').all().map((c) => c.name));
  if (!tokenCols.has('team')) db.exec('ALTER TABLE tokens ADD COLUMN team TEXT');
  // ... and an optional expiry and their last use.
  if (!tokenCols.has('expires_at')) db.exec('ALTER TABLE tokens ADD COLUMN expires_at TEXT');
  if (!tokenCols.has('last_used_at')) db.exec('ALTER TABLE tokens ADD COLUMN last_used_at TEXT');
  // Files written before stop 30 have an index on (name, id) alone that no reader uses and that every new CI and
  // every rename wrote at a random place (schema.sql): dropped once. On the 1M-CI estate ~0.1 s of CPU (0.35 s of
  // wall on a loaded machine); its ~7,000 pages go to the freelist, for the next writes to reuse.
  db.exec('DROP INDEX IF EXISTS cis_by_name');
  openVersionsInRows(db);
  compactLayout(db);
  countScopes(db);
}

/** The indexes of assertions over the columns migrateSchema may add (schema.sql, assertions). */
const ASSERTION_INDEXES = `CREATE INDEX IF NOT EXISTS assertions_scope_sighting ON assertions (source, scope, active, sighting);
  CREATE INDEX IF NOT EXISTS assertions_unbatched_seen ON assertions (source, scope, last_seen) WHERE active = 1 AND sighting IS NULL`;

/**
 * The per-scope active counts (schema.sql, scope_counts) of a file written before they were kept: counted once, in
 * one transaction under the write lock (re-checked there: another connection may have counted them since), and
 * marked so that later opens count nothing. From then on every write keeps them.
 */
function countScopes(db: Database.Database) {
  const counted = db.prepare("SELECT 1 FROM meta WHERE key = 'scope_counts' AND value = 'kept'");
  if (counted.get()) return;
  db.transaction(() => {
    if (counted.get()) return;
    db.exec(`DELETE FROM scope_counts;
      INSERT INTO scope_counts (source, scope, active) SELECT source, scope, count(*) FROM assertions WHERE active = 1 GROUP BY source, scope;
      INSERT INTO meta (key, value) VALUES ('scope_counts', 'kept') ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
  }).immediate();
}

/**
 * Open versions live in the rows (schema.sql): a store written before kept a copy of each in ci_versions and
 * relation_versions (valid_to NULL), which every read would now see twice and every update would collide with.
 * Those copies are dropped once, in one transaction, and the store is marked so later starts skip the scan.
 */
function openVersionsInRows(db: Database.Database) {
  const marked = db.prepare("SELECT 1 FROM meta WHERE key = 'open_versions' AND value = 'rows'").get();
  if (marked) return;
  db.transaction(() => {
    db.exec('DELETE FROM ci_versions WHERE valid_to IS NULL; DELETE FROM relation_versions WHERE valid_to IS NULL');
    db.exec("INSERT INTO meta (key, value) VALUES ('open_versions', 'rows') ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  }).immediate();
}

/**
 * The compact layout (compact-layout.ts, schema.sql): a file written before declared its instants TEXT (which turns
 * an integer into text), kept the full JSON of every assertion's values, plain batch targets, and a run and
 * sighting in rows that read their batch's. Each table still declaring an instant TEXT is rebuilt from what it
 * holds (rowids kept: topology pages by them), all in one transaction, then schema.sql makes the indexes again. A
 * table already rebuilt is left alone, so a second open converts nothing, and a rebuild cut short leaves the old
 * tables as they were. Values become a key mask only where the row rebuilds them exactly, the same check as when
 * an assertion is written.
 */
function compactLayout(db: Database.Database) {
  const old = (table: string, column: string) =>
    db.prepare<[string, string], { type: string }>('SELECT type FROM pragma_table_info(?) WHERE name = ?').get(table, column)?.type.toUpperCase() === 'TEXT';
  const rebuilds: { table: string; column: string; columns: string; select: string }[] = [
    { table: 'cis', column: 'valid_from', columns: 'rowid, id, class, name, environment, tier, owner, lifecycle, attributes, identifiers, version, valid_from, valid_to',
      select: 'SELECT rowid, id, class, name, environment, tier, owner, lifecycle, attributes, identifiers, version, sg_ms(valid_from), sg_ms(valid_to) FROM cis' },
    { table: 'relations', column: 'valid_from', columns: 'rowid, id, type, from_id, to_id, attributes, redundancy, provenance, observed, version, valid_from, valid_to',
      select: 'SELECT rowid, id, type, from_id, to_id, attributes, redundancy, provenance, observed, version, sg_ms(valid_from), sg_ms(valid_to) FROM relations' },
    { table: 'ci_versions', column: 'valid_from', columns: 'ci_id, version, valid_from, valid_to, data',
      select: 'SELECT ci_id, version, sg_ms(valid_from), sg_ms(valid_to), data FROM ci_versions' },
    { table: 'relation_versions', column: 'valid_from', columns: 'rel_id, version, type, from_id, to_id, valid_from, valid_to, data',
      select: 'SELECT rel_id, version, type, from_id, to_id, sg_ms(valid_from), sg_ms(valid_to), data FROM relation_versions' },
    { table: 'scope_batches', column: 'last_seen', columns: 'id, source, scope, anchor, digest, targets, run_id, last_seen',
      select: 'SELECT id, source, scope, anchor, digest, sg_deflate(targets), run_id, sg_ms(last_seen) FROM scope_batches' },
    // After scope_batches (the batch a row points at) and the rows (the values a mask rebuilds).
    { table: 'assertions', column: 'first_seen', columns: 'target_id, source, scope, kind, run_id, first_seen, last_seen, active, vals, digest, sighting',
      select: `SELECT a.target_id, a.source, a.scope, a.kind,
          CASE WHEN sb.id IS NULL THEN a.run_id ELSE '' END, sg_ms(a.first_seen), CASE WHEN sb.id IS NULL THEN sg_ms(a.last_seen) ELSE 0 END,
          a.active,
          coalesce(CASE WHEN a.kind = 'ci'
            THEN (SELECT sg_compact_ci_vals(a.vals, c.name, c.environment, c.tier, c.owner, c.attributes, c.identifiers) FROM cis c WHERE c.id = a.target_id)
            ELSE (SELECT sg_compact_relation_vals(a.vals, r.provenance, r.attributes, r.redundancy, r.observed) FROM relations r WHERE r.id = a.target_id) END, a.vals),
          a.digest, a.sighting
        FROM assertions a LEFT JOIN scope_batches sb ON sb.id = a.sighting` },
  ];
  if (!rebuilds.some((r) => old(r.table, r.column))) return;
  db.transaction(() => {
    // Again under the write lock: another connection to the file (the writer thread's) may have rebuilt them since.
    for (const r of rebuilds.filter((x) => old(x.table, x.column))) {
      db.exec(`${tableSql(r.table, `${r.table}_compact`)}
        INSERT INTO ${r.table}_compact (${r.columns}) ${r.select};
        DROP TABLE ${r.table}; ALTER TABLE ${r.table}_compact RENAME TO ${r.table};`);
    }
    db.exec(schemaSql);
    db.exec(ASSERTION_INDEXES);
  }).immediate();
}

/** schema.sql's CREATE TABLE statement of `table`, creating it as `name` (one definition of each table). */
function tableSql(table: string, name: string): string {
  const start = schemaSql.indexOf(`CREATE TABLE IF NOT EXISTS ${table} (`);
  const end = schemaSql.indexOf('\n);', start);
  if (start < 0 || end < 0) throw new Error(`schema.sql has no table ${table}`);
  const tail = schemaSql.slice(end + 3).startsWith(' WITHOUT ROWID;') ? ' WITHOUT ROWID;' : ';';
  return `CREATE TABLE ${name} ${schemaSql.slice(start + `CREATE TABLE IF NOT EXISTS ${table} `.length, end + 2)}${tail}`;
}

type TokenRow = { id: string; name: string; role: Role; created_at: string; team: string | null; expires_at: string | null; last_used_at: string | null };
const TOKEN_COLUMNS = 'id, name, role, created_at, team, expires_at, last_used_at';
const tokenOf = (r: TokenRow): TokenInfo => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at, team: r.team, expiresAt: r.expires_at, lastUsedAt: r.last_used_at });

export class SqliteStore implements GraphStore {
  readonly kind = 'sqlite' as const;
  private writer!: Database.Database;
  private reader!: Database.Database;
  private batch!: BatchStatements;
  private meta!: BatchMetaStatements;
  private tx!: BatchTx;
  private reads!: ReadStatements;
  private mutex: Mutex;
  private checkpointer: WalCheckpointer | null = null;
  /** Counts of the live topology under way on their own threads (topologySize): close waits for them. */
  private readonly counting = new Set<Promise<unknown>>();

  constructor(private readonly opts: SqliteOptions) {
    this.mutex = new Mutex(opts.busy?.retryForMs ?? 0);
  }

  /** The database file (':memory:' for a private one): another connection to it (the ingest writer thread) opens it by this. */
  get file(): string { return this.opts.file; }
  /** How it was opened, for another connection to open it alike. */
  get synchronous(): 'FULL' | 'NORMAL' { return this.opts.synchronous ?? 'NORMAL'; }

  async init(): Promise<void> {
    const memory = this.opts.file === ':memory:';
    if (!memory) this.prepareFile();
    try {
      this.open(memory);
    } catch (e) {
      this.closeQuietly();
      const code = (e as { code?: string }).code ?? '';
      if (!memory && /^SQLITE_(NOTADB|CORRUPT|CANTOPEN|IOERR)/.test(code)) {
        throw new StoreOpenError(`${this.opts.file} cannot be opened as a servicegraph store (${(e as Error).message}); restore it from a backup, or move it away to start with an empty store`);
      }
      throw e;
    }
  }

  /**
   * An existing file must be a store: a zero-length one (a failed copy, a truncated restore) would
   * silently open as a new empty database.
   */
  private prepareFile(): void {
    const file = this.opts.file;
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    if (existsSync(file) && statSync(file).size === 0) {
      throw new StoreOpenError(`${file} is empty (0 bytes), not a servicegraph store; restore it from a backup, or remove it to start with an empty store`);
    }
  }

  private closeQuietly(): void {
    for (const db of [this.reader, this.writer]) { try { db?.close(); } catch { /* already unusable */ } }
  }

  private open(memory: boolean): void {
    this.writer = new Database(this.opts.file);
    // Readable by its owner only; SQLite gives the WAL and shared-memory files the database file's mode.
    if (!memory) for (const f of [this.opts.file, `${this.opts.file}-wal`, `${this.opts.file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
    // 8 KiB pages for a new database (an existing one keeps its size). Measured on the ingest benchmark
    // against 4 KiB: commit CPU -25%, a whole batch -3..5%; 16 KiB was no better, 2 KiB clearly worse.
    // Must precede WAL mode, which freezes the page size.
    this.writer.pragma('page_size = 8192');
    this.writer.pragma('journal_mode = WAL');
    this.writer.pragma(`synchronous = ${this.opts.synchronous ?? 'NORMAL'}`);
    this.writer.pragma('foreign_keys = ON');
    this.writer.pragma('cache_size = -65536');
    // A 1,000-CI batch dirties more than the default 1,000-page threshold, so every commit paid for a
    // checkpoint (copy into the database file, two fsyncs): ~50 ms of a ~75 ms commit. At 8,192 pages
    // (64 MB of WAL at 8 KiB pages) a checkpoint runs every few batches and copies a page rewritten by several batches once.
    const background = typeof this.opts.checkpoint === 'object' && !memory;
    this.writer.pragma(`wal_autocheckpoint = ${background ? 0 : 8192}`);
    this.writer.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    this.writer.exec(schemaSql);
    // The layout's SQL functions: the migration converting a file written before uses them too.
    registerLayoutFunctions(this.writer);
    migrateSchema(this.writer);
    // A memory database is private to its connection, so there the writer also serves reads.
    this.reader = memory ? this.writer : new Database(this.opts.file, { readonly: true });
    if (!memory) this.reader.pragma('cache_size = -65536');
    // Names this store file for as long as it lives (a migration's checkpoints record which file they copy).
    this.writer.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', ?)").run(randomUUID());
    this.batch = prepareBatchStatements(this.writer, this.opts.keyHash);
    this.meta = prepareBatchMeta(this.writer);
    // One BatchTx for every transaction (it holds only the statements): an object made afresh per transaction by a
    // spread got a new hidden class each time once V8 had run a full GC, and the batch function's and write's
    // optimised code was thrown away on it (docs/design.md §5).
    this.tx = sqliteBatchTx(this.batch, this.meta, !memory);
    this.reads = prepareReads(this.reader);
    // Opening waited as long as SQLite's default (another process may be writing); from now on, as configured.
    if (this.opts.busy) this.writer.pragma(`busy_timeout = ${this.opts.busy.waitMs}`);
    if (background) this.checkpointer = new WalCheckpointer({ ...(this.opts.checkpoint as CheckpointOptions), file: this.opts.file, exclusive: (fn) => this.mutex.run(fn) });
  }

  /** The checkpoint thread's state, when this store checkpoints in the background (for /healthz). */
  get walCheckpoint(): { status: LoopStatus; report: CheckpointReport } | null {
    return this.checkpointer ? { status: this.checkpointer.status(), report: this.checkpointer.report() } : null;
  }

  async close(): Promise<void> {
    await this.checkpointer?.close();
    this.checkpointer = null;
    // A counting thread still holds a connection to the file: a close that left it behind let it touch the file's
    // -wal/-shm after the store had gone (a test removing its data folder met ENOTEMPTY).
    await Promise.all(this.counting);
    await this.mutex.run(async () => {
      if (this.reader !== this.writer) this.reader.close();
      this.writer.close();
    });
  }

  transact<T>(fn: (tx: BatchTx) => Promise<T>, opts: { readOnly?: boolean } = {}): Promise<T> {
    return this.mutex.run(async () => {
      this.writer.exec(opts.readOnly ? 'BEGIN' : 'BEGIN IMMEDIATE');
      try {
        const out = await fn(this.tx);
        this.writer.exec(opts.readOnly ? 'ROLLBACK' : 'COMMIT');
        return out;
      } catch (e) {
        if (this.writer.inTransaction) this.writer.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async getCi(id: string, asOf?: string) { return getCi(this.reads, id, asOf); }
  async getCiDetail(id: string, relationLimit?: number) { return getCiDetail(this.reads, id, relationLimit); }
  async listCis(q: Parameters<GraphStore['listCis']>[0], opts?: { signal?: AbortSignal }) { return listCis(this.reader, q, undefined, undefined, opts?.signal); }
  async relationsOf(ids: string[], asOf?: string, limit?: number) { return relationsOf(this.reads, ids, asOf, limit); }
  async relationsAmong(ids: string[], asOf?: string, limit?: number) { return relationsAmong(this.reads, ids, asOf, limit); }
  async relationsFrom(ids: string[]) { return relationsFrom(this.reads, ids); }
  async getCis(ids: string[], asOf?: string) { return getCis(this.reads, ids, asOf); }
  async lastSeen(ids: string[]) { return lastSeen(this.reads, ids); }
  async *streamTopology(asOf?: string, chunkSize = 10_000) { yield* topology(this.reads, asOf, chunkSize); }
  // The open rows, through the partial indexes cis_open_from and relations_open_from: 1M CIs and 1.7M relations
  // read ~70 ms warm and ~2.4 s cold, so a file's are counted on a thread of its own.
  async topologySize(): Promise<TopologySize> {
    if (this.opts.file === ':memory:') return topologySizeHere(this.reader);
    const count = topologySizeOffLoop(this.opts.file);
    const settled = count.then(() => undefined, () => undefined);
    this.counting.add(settled);
    void settled.then(() => this.counting.delete(settled));
    return count;
  }
  async diff(from: string, to: string, limit: number) { return diff(this.reader, this.reads, from, to, limit); }

  async eventsSince(seq: number, limit: number): Promise<ChangeEvent[]> {
    return this.reader.prepare<[number, number], { seq: number; at: string; source: string | null; changes: string | Buffer }>(
      'SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit)
      .map((r) => ({ seq: r.seq, at: r.at, source: r.source, changes: decodeChanges<ChangeEvent['changes']>(r.changes) }));
  }
  async latestSeq(): Promise<number> {
    return this.reader.prepare<[], { s: number | null }>('SELECT max(seq) AS s FROM events').get()!.s ?? 0;
  }
  appendEvent(event: Omit<ChangeEvent, 'seq'>): Promise<number> {
    // As for a batch: the instant never goes back from the last committed one, so event time follows seq.
    return this.mutex.run(async () => this.writer.transaction(() => {
      const at = notBefore(event.at, this.meta.lastBatchAt.get()?.value ?? null);
      this.meta.setLastBatchAt.run(at);
      return Number(this.writer.prepare('INSERT INTO events (at, source, changes) VALUES (?, ?, ?)')
        .run(at, event.source, encodeChanges(event.changes)).lastInsertRowid);
    }).immediate());
  }

  createToken(t: { id: string; hash: string; name: string; role: Role; createdAt: string; team?: string | null; expiresAt?: string | null }, audit?: StoredEntry): Promise<void> {
    return this.mutex.run(async () => this.writer.transaction(() => {
      this.writer.prepare('INSERT INTO tokens (id, hash, name, role, created_at, team, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(t.id, t.hash, t.name, t.role, t.createdAt, t.team ?? null, t.expiresAt ?? null);
      if (audit) this.insertEntry(audit);
    }).immediate());
  }
  private insertEntry(e: StoredEntry): void {
    this.writer.prepare('INSERT INTO entries (record_id, at, id, kind, data) VALUES (?, ?, ?, ?, ?)').run(e.recordId, e.at, e.id, e.kind, JSON.stringify(e.data));
  }
  async findToken(hash: string): Promise<TokenInfo | null> {
    const r = this.reader.prepare<[string], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE hash = ?`).get(hash);
    return r ? tokenOf(r) : null;
  }
  async listTokens(): Promise<TokenInfo[]> {
    return this.reader.prepare<[], TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM tokens ORDER BY created_at, id`).all().map(tokenOf);
  }
  revokeToken(id: string, audit?: StoredEntry): Promise<boolean> {
    return this.mutex.run(async () => this.writer.transaction(() => {
      const gone = this.writer.prepare('DELETE FROM tokens WHERE id = ?').run(id).changes > 0;
      if (gone && audit) this.insertEntry(audit);
      return gone;
    }).immediate());
  }
  touchToken(id: string, at: string): Promise<void> {
    return this.mutex.run(async () => { this.writer.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?').run(at, id); });
  }
  async countTokens(): Promise<number> {
    return this.reader.prepare<[], { n: number }>('SELECT count(*) AS n FROM tokens').get()!.n;
  }

  putDoc<T>(doc: StoredDoc<T>): Promise<void> {
    return this.mutex.run(async () => {
      this.writer.prepare(`INSERT INTO docs (kind, id, created_at, updated_at, data) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (kind, id) DO UPDATE SET updated_at = excluded.updated_at, data = excluded.data`)
        .run(doc.kind, doc.id, doc.createdAt, doc.updatedAt, JSON.stringify(doc.data));
    });
  }
  async getDoc<T>(kind: string, id: string): Promise<StoredDoc<T> | null> {
    const r = this.reader.prepare<[string, string], { kind: string; id: string; created_at: string; updated_at: string; data: string }>(
      'SELECT * FROM docs WHERE kind = ? AND id = ?').get(kind, id);
    return r ? { kind: r.kind, id: r.id, createdAt: r.created_at, updatedAt: r.updated_at, data: JSON.parse(r.data) } : null;
  }
  commitRecord(w: RecordWrite): Promise<{ committed: boolean; seq: number }> {
    return this.mutex.run(async () => this.writer.transaction(() => {
      if (w.ifUpdatedAt !== undefined) {
        const cur = this.writer.prepare<[string, string], { updated_at: string }>('SELECT updated_at FROM docs WHERE kind = ? AND id = ?').get(w.doc.kind, w.doc.id);
        if ((cur?.updated_at ?? null) !== w.ifUpdatedAt) return { committed: false, seq: 0 };
      }
      const { doc } = w;
      this.writer.prepare(`INSERT INTO docs (kind, id, created_at, updated_at, data) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (kind, id) DO UPDATE SET updated_at = excluded.updated_at, data = excluded.data`)
        .run(doc.kind, doc.id, doc.createdAt, doc.updatedAt, JSON.stringify(doc.data));
      for (const e of w.entries) this.insertEntry(e);
      const seq = w.event ? Number(this.writer.prepare('INSERT INTO events (at, source, changes) VALUES (?, ?, ?)')
        .run(w.event.at, w.event.source, encodeChanges(w.event.changes)).lastInsertRowid) : 0;
      return { committed: true, seq };
    }).immediate());
  }
  async listEntries<T>(recordId: string, limit: number): Promise<StoredEntry<T>[]> {
    return this.reader.prepare<[string, number], { record_id: string; at: string; id: string; kind: string; data: string }>(
      'SELECT * FROM (SELECT * FROM entries WHERE record_id = ? ORDER BY at DESC, id DESC LIMIT ?) ORDER BY at, id').all(recordId, limit)
      .map((r) => ({ recordId: r.record_id, id: r.id, at: r.at, kind: r.kind, data: JSON.parse(r.data) }));
  }
  async listDocs<T>(kind: string): Promise<StoredDoc<T>[]> {
    return this.reader.prepare<[string], { kind: string; id: string; created_at: string; updated_at: string; data: string }>(
      'SELECT * FROM docs WHERE kind = ? ORDER BY created_at, id').all(kind)
      .map((r) => ({ kind: r.kind, id: r.id, createdAt: r.created_at, updatedAt: r.updated_at, data: JSON.parse(r.data) }));
  }

  writeAlerts(w: AlertWrite): Promise<number> { return this.mutex.run(async () => writeAlerts(this.writer, w)); }
  async listAlerts(q: AlertQuery) { return listAlerts(this.reader, q); }
}
