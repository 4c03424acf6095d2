import type { CiDetail, CiRecord, ChangeEvent, DiffResult, RelationRecord, Role, TokenInfo } from '../model/records.ts';
import type { CiPlanItem, ExistingCi, ExistingRelation, RelationPlanItem } from '../domain/reconcile/types.ts';
import type { ScopeAssertion } from '../domain/reconcile/retire.ts';
import type { AssertionDigest, BatchSightingKey, BatchTargets, RelationDigest } from '../domain/reconcile/sighting.ts';
import type { AlertRecord, SituationRecord } from '../model/alerts.ts';

/** Reads an adapter offers inside one write transaction, so that identification sees what it writes against. */
export interface BatchReader {
  lookupKeys(keys: string[]): Promise<Map<string, string>>;
  loadCis(ids: string[]): Promise<Map<string, ExistingCi>>;
  /**
   * Name and lifecycle only, for ids that relations merely point at. Optional: without it the
   * ingest service falls back to `loadCis`; with it, a relation-heavy batch skips loading provenance.
   */
  ciStatus?(ids: string[]): Promise<Map<string, { name: string; lifecycle: 'active' | 'retired' }>>;
  loadRelations(triples: { from: string; type: string; to: string }[]): Promise<Map<string, ExistingRelation>>;
  scopeAssertions(source: string, scope: string): Promise<ScopeAssertion[]>;
  /**
   * Optional: what a completing run drops, worked out by the store instead of over every `scopeAssertions` row
   * (exactly `selectLosing(scopeAssertions(source, scope), assertedNow, runId)`, in any order).
   */
  scopeLosing?(source: string, scope: string, runId: string, assertedNow: string[]): Promise<{ losing: ScopeAssertion[]; total: number }>;
  /**
   * Optional: at most `limit` of the assertions a stale sweep drops, read through an index instead of over every
   * `scopeAssertions` row: a subset of `selectStale(scopeAssertions(source, scope), before)` (in any order) that is
   * the whole of it when shorter than `limit`. The sweep calls it again after retiring each part.
   */
  scopeStale?(source: string, scope: string, before: string, limit: number): Promise<ScopeAssertion[]>;
  loadRelationsById(ids: string[]): Promise<ExistingRelation[]>;
  /**
   * Live relations with an end among `ciIds`. `limit`: at least that many of them when there are (any of them; a
   * store may return more): a hub has hundreds of thousands, which the stale sweep retires a bounded part at a time.
   */
  relationsTouching(ciIds: string[], limit?: number): Promise<ExistingRelation[]>;
  /**
   * Optional, together with `relationDigests` and `WritePlan.resighted`: every assertion on these CIs, with the
   * digest of its values instead of the values. With them the ingest service recognises unchanged re-sightings
   * without loading their full state; without them every item goes the full way.
   */
  assertionDigests?(ciIds: string[]): Promise<Map<string, AssertionDigest[]>>;
  /** The stored relations among `triples` (by `relationKey`), with their assertions' digests. */
  relationDigests?(triples: { from: string; type: string; to: string }[]): Promise<Map<string, RelationDigest>>;
  /**
   * Optional (see sighting.ts, batch-level re-sightings): the targets a batch of this content asserted when
   * `key.source` last applied it in `key.scope`, when nothing has written any of their assertions since (so each
   * still carries that source's sole active assertion, as the batch left it); else null. With it, the ingest
   * service hands the store `WritePlan.batch`.
   */
  recallBatch?(key: BatchSightingKey): Promise<BatchTargets | null>;
}

export interface RunRecord {
  runId: string;
  source: string;
  scope: string;
  startedAt: string;
  lastBatchAt: string;
  completedAt: string | null;
  batches: number;
}

/** Everything one committed batch writes, already reconciled by the pure domain functions. */
export interface WritePlan {
  now: string;
  source: string;
  cis: CiPlanItem[];
  relations: RelationPlanItem[];
  keys: { key: string; ciId: string }[];
  run: RunRecord;
  /**
   * Assertions of `source` in `run.scope` asserted again exactly as stored: only their run becomes `run.runId`
   * and their last sighting `now`. Only given to a store that offers `assertionDigests`.
   */
  resighted?: { cis: string[]; relations: string[] };
  /**
   * Only given to a store that offers `recallBatch`: the batch as a whole. `recalled`: `recallBatch` recognised
   * it, so nothing else of it is in the plan and its targets' run becomes `run.runId` and their last sighting
   * `now` (kept once for the batch, read as each assertion's). Otherwise the plan applies it in full, every
   * target carrying `source`'s sole active assertion, and the store remembers it for the next time.
   */
  batch?: { key: BatchSightingKey; targets: BatchTargets; recalled: boolean };
  /** Null when nothing changed that anyone watching needs to know. */
  event: Omit<ChangeEvent, 'seq'> | null;
}

/**
 * A committed batch's reply, kept under the batch's idempotency key so that the same request sent again
 * (a client retry after a lost reply, the Neo4j driver re-running a transaction whose COMMIT did succeed)
 * gets the same reply and writes nothing. Written in the transaction that writes the batch.
 */
export interface IdempotencyRecord {
  key: string;
  /** Hash of the request the key was first used with: the same key with another request is refused. */
  fingerprint: string;
  /** The reply, as JSON. */
  result: string;
  createdAt: string;
  /** After this instant the key is forgotten (and may be purged). */
  expiresAt: string;
}

export interface BatchTx extends BatchReader {
  /**
   * The instant of the last committed write batch (null on an empty store), read under the write lock:
   * a batch's own instant is never earlier, so history and event time follow commit order.
   */
  lastBatchAt(): Promise<string | null>;
  /** Write the plan (and record `plan.now` as the last batch instant); returns the change-event sequence number (0 when no event was written). */
  write(plan: WritePlan): Promise<number>;
  getRun(runId: string): Promise<RunRecord | null>;
  /** The record kept under an idempotency key, expired or not (the caller judges expiry), or null. */
  recall(key: string): Promise<IdempotencyRecord | null>;
  /** Keep a batch's reply under its key (replacing an expired record of the same key), and purge a bounded number of expired ones. */
  remember(record: IdempotencyRecord): Promise<void>;
}

export interface CiQuery {
  class?: string[];
  q?: string;
  environment?: string;
  owner?: string;
  lifecycle?: 'active' | 'retired' | 'any';
  limit: number;
  cursor?: string;
}

/** Slim rows for the in-memory topology projection. */
export interface TopologyCi { id: string; class: string; name: string; environment: string; tier: number | null; owner: string | null; attributes: Record<string, unknown> }
/**
 * A relation as the projection keeps it: impact reads type, ends and redundancy; a live map also provenance,
 * observed traffic and the `note` attribute (stores always stream them; impact-only test estates may leave them out).
 */
export interface TopologyRelation {
  id: string; type: string; from: string; to: string; redundancy: RelationRecord['redundancy'];
  provenance?: RelationRecord['provenance']; observed?: RelationRecord['observed']; note?: string;
}

export interface StoredDoc<T = unknown> { kind: string; id: string; createdAt: string; updatedAt: string; data: T }

/** One delivery's alert changes and the situations they touched, written in one transaction (the one write path of alerts). */
export interface AlertWrite {
  now: string;
  /** Each closes the alert's open version and opens a new one at `now`. */
  alerts: AlertRecord[];
  /** Stored as documents of kind `situation`. */
  situations: SituationRecord[];
  event: Omit<ChangeEvent, 'seq'> | null;
}

export interface AlertQuery {
  status?: AlertRecord['status'];
  bound?: boolean;
  /** The versions valid at that time instead of the current records. */
  asOf?: string;
  /** Only these ids (the current records). */
  ids?: string[];
  limit: number;
}

/** The timeline under which admin actions on tokens are kept (entries of this record id; see AuditEntry). */
export const AUDIT_RECORD = 'audit';

/** One entry of a record's timeline (an incident's or a change's): what happened to it, when, by whom. */
export interface StoredEntry<T = unknown> { recordId: string; id: string; at: string; kind: string; data: T }

/** A record, its new timeline entries and the event announcing them: written together or not at all. */
export interface RecordWrite {
  doc: StoredDoc;
  /**
   * Optimistic concurrency: the doc's `updatedAt` as the writer read it (null: it must not exist yet).
   * When the stored doc differs, nothing is written and `committed` is false. Absent: no check.
   */
  ifUpdatedAt?: string | null;
  entries: StoredEntry[];
  event: Omit<ChangeEvent, 'seq'> | null;
}

/**
 * The one behaviour every store has, proven by test/store/contract.ts.
 * All methods are async so that a networked store (Neo4j) fits without change.
 */
/**
 * The store cannot be used as it is (an empty or corrupt file, an unreachable server): starting anyway
 * would lose the estate or accept writes into a new empty store. The message is the one line a start prints.
 */
export class StoreOpenError extends Error {}

/** The live topology's size (GraphStore.topologySize). */
export interface TopologySize { cis: number; relations: number }

export interface GraphStore {
  readonly kind: 'sqlite' | 'neo4j';
  init(): Promise<void>;
  close(): Promise<void>;

  /** Run `fn` in one write transaction (committed before the promise resolves) or, with `readOnly`, in a read one. */
  transact<T>(fn: (tx: BatchTx) => Promise<T>, opts?: { readOnly?: boolean }): Promise<T>;

  getCi(id: string, asOf?: string): Promise<CiRecord | null>;
  /** One CI with its sources, history and at most `relationLimit` relations (`relations.truncated` when it has more). */
  getCiDetail(id: string, relationLimit?: number): Promise<CiDetail | null>;
  /**
   * A page of CIs in (name, id) order. A filter no index serves may read far; `signal` (the client went away)
   * stops such a read between its slices, rejecting with the signal's reason.
   */
  listCis(query: CiQuery, opts?: { signal?: AbortSignal }): Promise<{ items: CiRecord[]; nextCursor: string | null }>;
  /**
   * Live relations (or as of a time) with an end among `ciIds`; at most `limit` of them when given
   * (a hub has hundreds of thousands: a map needs to know there are more, not to read them all).
   */
  relationsOf(ciIds: string[], asOf?: string, limit?: number): Promise<RelationRecord[]>;
  /** Live relations going out of `ciIds` (each once): a page of CIs reads its own edges, not a hub's dependents too. */
  relationsFrom(ciIds: string[]): Promise<RelationRecord[]>;
  /** Live relations (or as of a time) with both ends among `ciIds`, at most `limit`: the edges of a drawn subgraph. */
  relationsAmong(ciIds: string[], asOf?: string, limit?: number): Promise<RelationRecord[]>;
  getCis(ids: string[], asOf?: string): Promise<CiRecord[]>;
  /** When any source last asserted each CI (active assertions only): what a map greys as stale. */
  lastSeen(ciIds: string[]): Promise<Map<string, string>>;
  /** The whole live (or as-of) topology, in chunks, for the projection. */
  streamTopology(asOf?: string, chunkSize?: number): AsyncIterable<{ cis: TopologyCi[]; relations: TopologyRelation[] }>;
  /**
   * How many live CIs and relations the store holds, counted without holding the caller's event loop (a start's
   * progress, and the room its projection reserves before it loads). Optional: a store that cannot say cheaply has none.
   */
  topologySize?(): Promise<TopologySize>;
  diff(from: string, to: string, limit: number): Promise<DiffResult>;

  eventsSince(seq: number, limit: number): Promise<ChangeEvent[]>;
  latestSeq(): Promise<number>;
  /** Append an event outside ingest (incidents, changes...). */
  appendEvent(event: Omit<ChangeEvent, 'seq'>): Promise<number>;

  /** Stores a token and, with `audit`, the audit entry that says who created it, in one transaction. */
  createToken(t: { id: string; hash: string; name: string; role: Role; createdAt: string; team?: string | null; expiresAt?: string | null }, audit?: StoredEntry): Promise<void>;
  /** Every token (never its hash), oldest first. */
  listTokens(): Promise<TokenInfo[]>;
  /** Deletes the token and writes `audit` with it, in one transaction; false (and nothing written) when there was none with this id. */
  revokeToken(id: string, audit?: StoredEntry): Promise<boolean>;
  /** Records that the token authenticated a request at `at`. */
  touchToken(id: string, at: string): Promise<void>;
  findToken(hash: string): Promise<TokenInfo | null>;
  countTokens(): Promise<number>;

  /** Plain documents for incidents, changes, windows: small, keyed by kind and id. */
  putDoc<T>(doc: StoredDoc<T>): Promise<void>;
  getDoc<T>(kind: string, id: string): Promise<StoredDoc<T> | null>;
  listDocs<T>(kind: string): Promise<StoredDoc<T>[]>;

  /** Alerts and situations of one delivery, atomically; returns the event's sequence (0 without one). */
  writeAlerts(write: AlertWrite): Promise<number>;
  /** Alerts, most recently updated first (current, or as they were at `asOf`). */
  listAlerts(query: AlertQuery): Promise<AlertRecord[]>;
  /** Write a record with its timeline entries and its event in one transaction (see RecordWrite). */
  commitRecord(write: RecordWrite): Promise<{ committed: boolean; seq: number }>;
  /** A record's timeline, oldest first: its latest `limit` entries when it has more. */
  listEntries<T>(recordId: string, limit: number): Promise<StoredEntry<T>[]>;
}
