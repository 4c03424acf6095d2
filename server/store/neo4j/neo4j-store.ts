import { randomUUID } from 'node:crypto';
import neo4j, { type Driver, type ManagedTransaction, type SessionMode } from 'neo4j-driver';
import type { AlertQuery, AlertWrite, BatchTx, CiQuery, GraphStore, RecordWrite, StoredDoc, StoredEntry, TopologySize } from '../port.ts';
import type { ChangeEvent, Role, TokenInfo } from '../../model/records.ts';
import type { Neo4jConfig } from './config.ts';
import { neo4jBatchTx } from './batch-tx.ts';
import { getCiDetail, getCis, lastSeen, listCis, relationsAmong, relationsFrom, relationsOf } from './reads.ts';
import { diff } from './diff.ts';
import { listAlerts, writeAlerts } from './alerts.ts';
import { topology } from './topology.ts';
import { docFromProps, entryFromProps, num } from './records.ts';
import { docRow, entryRow, registeredRelTypes } from './write-rows.ts';
import { applySchema, serverVersion, supportedVersion } from './schema.ts';
import { intParam, runQuery, runRows } from './run.ts';

type Props = Record<string, unknown>;
/** An appended event's key only has to outlive the driver's retries of its transaction (seconds); a day is plenty. */
const EVENT_KEY_TTL_MS = 24 * 3600_000;
type Work<T> = (tx: ManagedTransaction) => Promise<T>;

/** Without the counter node no write is serialised and no event numbered: refuse instead of writing unlocked. */
export const MISSING_COUNTER = 'the Neo4j event counter (:Counter {name: \'events\'}) is missing: run init() (it applies the schema and creates it) before writing';

/**
 * The GraphStore port over Neo4j 5.26+. Every call is one managed transaction (`executeRead` or
 * `executeWrite`) in a session that is closed in `finally`. Transaction functions are retried by the
 * driver on transient errors (deadlock, leader switch), so they only read, write and return: no logging,
 * no events, no ids made outside them. See README.md beside this file for the graph model.
 */
const tokenOf = (r: TokenInfo): TokenInfo => ({
  id: r.id, name: r.name, role: r.role, createdAt: r.createdAt, team: r.team ?? null, expiresAt: r.expiresAt ?? null, lastUsedAt: r.lastUsedAt ?? null,
});

export class Neo4jStore implements GraphStore {
  readonly kind = 'neo4j' as const;
  private readonly driver: Driver;
  /** Shared by this instance's sessions: a read after a write sees it, even from a cluster follower. */
  private readonly bookmarks = neo4j.bookmarkManager();

  constructor(private readonly config: Neo4jConfig) {
    // The driver mutates the options object it is given: always hand it a fresh one.
    this.driver = neo4j.driver(config.uri, neo4j.auth.basic(config.user, config.password), {
      disableLosslessIntegers: true,
      userAgent: 'servicegraph',
      ...(config.maxTransactionRetryTime !== undefined ? { maxTransactionRetryTime: config.maxTransactionRetryTime } : {}),
      ...(config.maxConnectionPoolSize !== undefined ? { maxConnectionPoolSize: config.maxConnectionPoolSize } : {}),
      ...(config.connectionTimeout !== undefined ? { connectionTimeout: config.connectionTimeout } : {}),
    });
  }

  private async session<T>(mode: SessionMode, work: Work<T>): Promise<T> {
    const session = this.driver.session({ database: this.config.database, bookmarkManager: this.bookmarks, defaultAccessMode: mode });
    const txConfig = this.config.transactionTimeout ? { timeout: this.config.transactionTimeout } : undefined;
    try {
      return mode === neo4j.session.READ ? await session.executeRead(work, txConfig) : await session.executeWrite(work, txConfig);
    } finally {
      await session.close();
    }
  }
  private read<T>(work: Work<T>): Promise<T> { return this.session(neo4j.session.READ, work); }
  private write<T>(work: Work<T>): Promise<T> { return this.session(neo4j.session.WRITE, work); }
  /**
   * Reads that must see every committed write: the sequence an instance starts following the log from, and
   * the live projection it builds at that sequence. On a cluster a follower may lag; pages read there after
   * `latestSeq` was read elsewhere would miss events the feed then never applies. The leader holds every
   * committed transaction (a new leader too), so these go there (a write-mode session; the functions only read).
   * A read transaction's bookmark is not relied on: what the server returns for one is not documented.
   */
  private readOnLeader<T>(work: Work<T>): Promise<T> { return this.session(neo4j.session.WRITE, work); }

  async init(): Promise<void> {
    await this.driver.verifyConnectivity({ database: this.config.database });
    const { version, edition } = await this.read(serverVersion);
    if (!supportedVersion(version)) {
      throw new Error(`Neo4j ${version} (${edition}) is too old for servicegraph: it needs 5.26 or later (dynamic labels in Cypher)`);
    }
    await applySchema((work) => this.write(work));
  }

  async close(): Promise<void> { await this.driver.close(); }

  transact<T>(fn: (tx: BatchTx) => Promise<T>, opts: { readOnly?: boolean } = {}): Promise<T> {
    if (opts.readOnly) return this.read((tx) => fn(neo4jBatchTx(tx)));
    return this.write(async (tx) => {
      // Serialise batches store-wide (see cypher/lock-writes.cypher): identification must not race.
      const [lock] = await runQuery<{ locked: unknown; lastBatchAt: string | null }>(tx, 'lock-writes');
      if (num(lock?.locked ?? 0) !== 1) throw new Error(MISSING_COUNTER);
      return fn(neo4jBatchTx(tx, { lastBatchAt: lock.lastBatchAt ?? null }));
    });
  }

  async getCi(id: string, asOf?: string) { return (await this.read((tx) => getCis(tx, [id], asOf)))[0] ?? null; }
  getCiDetail(id: string, relationLimit?: number) { return this.read((tx) => getCiDetail(tx, id, relationLimit)); }
  listCis(q: CiQuery) { return this.read((tx) => listCis(tx, q)); }
  relationsOf(ids: string[], asOf?: string, limit?: number) { return this.read((tx) => relationsOf(tx, ids, asOf, limit)); }
  relationsAmong(ids: string[], asOf?: string, limit?: number) { return this.read((tx) => relationsAmong(tx, ids, asOf, limit)); }
  relationsFrom(ids: string[]) { return this.read((tx) => relationsFrom(tx, ids)); }
  getCis(ids: string[], asOf?: string) { return this.read((tx) => getCis(tx, ids, asOf)); }
  lastSeen(ids: string[]) { return this.read((tx) => lastSeen(tx, ids)); }
  streamTopology(asOf?: string, chunkSize = 10_000) {
    return topology((work) => (asOf ? this.read(work) : this.readOnLeader(work)), asOf, chunkSize);
  }
  async topologySize(): Promise<TopologySize> {
    const [r] = await this.readOnLeader((tx) => runQuery<{ cis: unknown; relations: unknown }>(tx, 'topology-size', { types: registeredRelTypes() }));
    return { cis: num(r.cis), relations: num(r.relations) };
  }
  diff(from: string, to: string, limit: number) { return this.read((tx) => diff(tx, from, to, limit)); }

  async eventsSince(seq: number, limit: number): Promise<ChangeEvent[]> {
    const rows = await this.read((tx) => runQuery<Props>(tx, 'events-since', { seq: intParam(seq), limit: intParam(limit) }));
    return rows.map((r) => ({ seq: num(r.seq), at: String(r.at), source: (r.source as string | null) ?? null, changes: JSON.parse(String(r.changes)) }));
  }
  async latestSeq(): Promise<number> {
    const [r] = await this.readOnLeader((tx) => runQuery<{ seq: unknown }>(tx, 'latest-seq'));
    return r ? num(r.seq) : 0;
  }
  async appendEvent(event: Omit<ChangeEvent, 'seq'>): Promise<number> {
    const changes = JSON.stringify(event.changes);
    // Made outside the transaction function: a re-run after a COMMIT whose answer was lost finds the event it
    // appended (kept under this key in the same transaction) instead of appending it a second time.
    const key = `event:${randomUUID()}`;
    return this.write(async (tx) => {
      const kept = neo4jBatchTx(tx);
      const done = await kept.recall(key);
      if (done) return (JSON.parse(done.result) as { seq: number }).seq;
      const [r] = await runQuery<{ seq: unknown }>(tx, 'append-event', { at: event.at, source: event.source, changes });
      if (!r) throw new Error(MISSING_COUNTER);
      const now = Date.now();
      await kept.remember({
        key, fingerprint: '', result: JSON.stringify({ seq: num(r.seq) }),
        createdAt: new Date(now).toISOString(), expiresAt: new Date(now + EVENT_KEY_TTL_MS).toISOString(),
      });
      return num(r.seq);
    });
  }

  async createToken(t: { id: string; hash: string; name: string; role: Role; createdAt: string; team?: string | null; expiresAt?: string | null }, audit?: StoredEntry): Promise<void> {
    await this.write(async (tx) => {
      await runQuery(tx, 'create-token', { ...t, team: t.team ?? null, expiresAt: t.expiresAt ?? null });
      // append-entries MERGEs on the entry's key: a transaction re-run after a lost COMMIT answer writes it once.
      if (audit) await runRows(tx, 'append-entries', [entryRow(audit)]);
    });
  }
  async findToken(hash: string): Promise<TokenInfo | null> {
    const [r] = await this.read((tx) => runQuery<TokenInfo>(tx, 'find-token', { hash }));
    return r ? tokenOf(r) : null;
  }
  async listTokens(): Promise<TokenInfo[]> {
    return (await this.read((tx) => runQuery<TokenInfo>(tx, 'list-tokens'))).map(tokenOf);
  }
  async revokeToken(id: string, audit?: StoredEntry): Promise<boolean> {
    return this.write(async (tx) => {
      const [r] = await runQuery<{ n: unknown }>(tx, 'revoke-token', { id });
      const gone = r !== undefined && num(r.n) > 0;
      if (gone && audit) await runRows(tx, 'append-entries', [entryRow(audit)]);
      return gone;
    });
  }
  async touchToken(id: string, at: string): Promise<void> {
    await this.write((tx) => runQuery(tx, 'touch-token', { id, at }));
  }
  async countTokens(): Promise<number> {
    const [r] = await this.read((tx) => runQuery<{ n: unknown }>(tx, 'count-tokens'));
    return num(r.n);
  }

  async putDoc<T>(doc: StoredDoc<T>): Promise<void> {
    const row = docRow(doc);
    await this.write((tx) => runQuery(tx, 'put-docs', { rows: [row] }));
  }
  async getDoc<T>(kind: string, id: string): Promise<StoredDoc<T> | null> {
    const [r] = await this.read((tx) => runQuery<{ doc: Props }>(tx, 'get-doc', { kind, id }));
    return r ? docFromProps<T>(r.doc) : null;
  }
  async listDocs<T>(kind: string): Promise<StoredDoc<T>[]> {
    return (await this.read((tx) => runQuery<{ doc: Props }>(tx, 'list-docs', { kind }))).map((r) => docFromProps<T>(r.doc));
  }

  writeAlerts(w: AlertWrite): Promise<number> {
    // As appendEvent: a re-run after a lost COMMIT answer finds its event instead of appending a second one.
    const key = `alerts:${randomUUID()}`;
    return this.write(async (tx) => {
      // The same store-wide lock as a batch: events stay gap-free and in commit order.
      const [lock] = await runQuery<{ locked: unknown }>(tx, 'lock-writes');
      if (num(lock?.locked ?? 0) !== 1) throw new Error(MISSING_COUNTER);
      const kept = neo4jBatchTx(tx);
      const done = await kept.recall(key);
      if (done) return (JSON.parse(done.result) as { seq: number }).seq;
      const seq = await writeAlerts(tx, w);
      const now = Date.now();
      await kept.remember({
        key, fingerprint: '', result: JSON.stringify({ seq }),
        createdAt: new Date(now).toISOString(), expiresAt: new Date(now + EVENT_KEY_TTL_MS).toISOString(),
      });
      return seq;
    });
  }
  listAlerts(q: AlertQuery) { return this.read((tx) => listAlerts(tx, q)); }
  async commitRecord(w: RecordWrite): Promise<{ committed: boolean; seq: number }> {
    const doc = docRow(w.doc);
    const entries = w.entries.map(entryRow);
    const changes = w.event ? JSON.stringify(w.event.changes) : null;
    return this.write(async (tx) => {
      // The store-wide write lock first, so that the version read below cannot change before the commit.
      const [lock] = await runQuery<{ locked: unknown }>(tx, 'lock-writes');
      if (num(lock?.locked ?? 0) !== 1) throw new Error(MISSING_COUNTER);
      if (w.ifUpdatedAt !== undefined) {
        const [cur] = await runQuery<{ updatedAt: string }>(tx, 'doc-version', { kind: w.doc.kind, id: w.doc.id });
        if ((cur?.updatedAt ?? null) !== w.ifUpdatedAt) return { committed: false, seq: 0 };
      }
      await runQuery(tx, 'put-docs', { rows: [doc] });
      await runRows(tx, 'append-entries', entries);
      if (!w.event) return { committed: true, seq: 0 };
      const [r] = await runQuery<{ seq: unknown }>(tx, 'append-event', { at: w.event.at, source: w.event.source, changes });
      return { committed: true, seq: num(r.seq) };
    });
  }
  async listEntries<T>(recordId: string, limit: number): Promise<StoredEntry<T>[]> {
    return (await this.read((tx) => runQuery<{ entry: Props }>(tx, 'list-entries', { recordId, limit: intParam(limit) }))).map((r) => entryFromProps<T>(r.entry));
  }

  /** For the migration tool and tests: a write transaction outside the port (never used by the API). */
  writeTransaction<T>(work: Work<T>): Promise<T> { return this.write(work); }
  readTransaction<T>(work: Work<T>): Promise<T> { return this.read(work); }
}
