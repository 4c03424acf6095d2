-- servicegraph embedded store. Current rows plus closed versions for history; provenance per
-- source and scope; an append-only change-event log with a monotonic sequence.
--
-- Versions: the open version of a CI or relation is its row in `cis` / `relations` (valid_to NULL); the version
-- tables hold only closed versions, each written when it closes, from the row it replaces. A first load writes
-- no version rows at all (it used to write every CI and relation twice). A retired row (valid_to set) has no
-- open version: its last version closed with it. Stores written before this layout are converted once at open
-- (migrateSchema in sqlite-store.ts: their open version rows are dropped, the rows hold the same data).
-- Instants (valid_from, valid_to here and in the hot tables below) are epoch milliseconds, read back as ISO text by
-- the row mappers (compact-layout.ts); files written with ISO text are rebuilt once at open (compactLayout).
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS cis (
  id TEXT PRIMARY KEY,
  class TEXT NOT NULL,
  name TEXT NOT NULL,
  environment TEXT NOT NULL,
  tier INTEGER,
  owner TEXT,
  lifecycle TEXT NOT NULL,
  attributes TEXT NOT NULL,
  identifiers TEXT NOT NULL,
  version INTEGER NOT NULL,
  valid_from INTEGER NOT NULL,
  valid_to INTEGER
);
-- CIs in name order: each class's range here, merged (reads.ts, listCis). Files written before also had
-- cis_by_name (name, id), dropped at open (sqlite-store.ts, migrateSchema): no reader needs it, and a first load
-- wrote it at random positions in every batch (56 of 448 WAL pages a 1,000-CI batch, ~60 bytes per CI).
CREATE INDEX IF NOT EXISTS cis_by_class ON cis (class, name, id);
-- Open versions that began inside a diff's window (closed ones: ci_versions_from / ci_versions_closed).
CREATE INDEX IF NOT EXISTS cis_open_from ON cis (valid_from) WHERE valid_to IS NULL;

CREATE TABLE IF NOT EXISTS ci_versions (
  ci_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  valid_from INTEGER NOT NULL,
  valid_to INTEGER,
  data TEXT NOT NULL,
  PRIMARY KEY (ci_id, version)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ci_versions_from ON ci_versions (valid_from);
-- Versions by their end (diff). Partial since the days open versions lived here too.
DROP INDEX IF EXISTS ci_versions_to;
CREATE INDEX IF NOT EXISTS ci_versions_closed ON ci_versions (valid_to) WHERE valid_to IS NOT NULL;

-- Identifier keys (identify.ts): each key a CI owns, found by its text. Keys are written once, when a CI first
-- claims them, and never moved nor deleted (a key survives a rename). A key's text (~66 bytes) and CI are appended to
-- `identifier_keys` (its rowid grows: the last page is written, as a bare insert does); the random-key B-tree a batch
-- writes into is `identifier_key_hashes`, ~15-byte entries (a 32-bit hash of the text, key-hash.ts, and the row's id)
-- instead of ~95 (text and CI id). A hash is not unique: readers compare the text of every row of a hash
-- (batch-tx.ts, lookupKeys). Files written before this layout keep their keys in `ci_keys` (keyed by the text), read
-- as before and never written again: new keys of such a file go here, and a key is in one of the two, never both.
CREATE TABLE IF NOT EXISTS identifier_keys (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  ci_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS identifier_key_hashes (
  hash INTEGER NOT NULL,
  key_id INTEGER NOT NULL,
  PRIMARY KEY (hash, key_id)
) WITHOUT ROWID;
-- The keys of files written before (above): read only.
CREATE TABLE IF NOT EXISTS ci_keys (
  key TEXT PRIMARY KEY,
  ci_id TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS relations (
  id TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  from_id TEXT NOT NULL,
  to_id TEXT NOT NULL,
  attributes TEXT NOT NULL,
  redundancy TEXT,
  provenance TEXT NOT NULL,
  observed TEXT,
  version INTEGER NOT NULL,
  valid_from INTEGER NOT NULL,
  valid_to INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS relations_triple ON relations (from_id, type, to_id);
-- By target end, live first-class: `to_id = ? AND valid_to IS NULL` (live: valid_to NULL) is one range, so a hub's
-- live edges are read without stepping over the ones it had retired (a stale sweep retires a hub's 100k edges in
-- parts: retire-stale.ts). It replaces relations_to (to_id), which every to_id read it served still finds here.
DROP INDEX IF EXISTS relations_to;
CREATE INDEX IF NOT EXISTS relations_live_to ON relations (to_id, valid_to);
CREATE INDEX IF NOT EXISTS relations_open_from ON relations (valid_from) WHERE valid_to IS NULL;

CREATE TABLE IF NOT EXISTS relation_versions (
  rel_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  type TEXT NOT NULL,
  from_id TEXT NOT NULL,
  to_id TEXT NOT NULL,
  valid_from INTEGER NOT NULL,
  valid_to INTEGER,
  data TEXT NOT NULL,
  PRIMARY KEY (rel_id, version)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS relation_versions_from ON relation_versions (valid_from);
DROP INDEX IF EXISTS relation_versions_to;
CREATE INDEX IF NOT EXISTS relation_versions_closed ON relation_versions (valid_to) WHERE valid_to IS NOT NULL;
-- A CI's relations as of a time: the open version is the relations row (indexed by both ends there), so only
-- closed versions need finding by their ends here.
CREATE INDEX IF NOT EXISTS relation_versions_closed_from ON relation_versions (from_id) WHERE valid_to IS NOT NULL;
CREATE INDEX IF NOT EXISTS relation_versions_closed_to ON relation_versions (to_id) WHERE valid_to IS NOT NULL;

-- Compact layout (compact-layout.ts; files written before are rebuilt once: sqlite-store.ts, compactLayout):
-- instants are epoch milliseconds; `vals` is the JSON of the values this source asserted, or, where the CI's or
-- relation's row says exactly that, the integer mask of the keys it asserted (rebuilt from the row when read).
CREATE TABLE IF NOT EXISTS assertions (
  target_id TEXT NOT NULL,
  source TEXT NOT NULL,
  scope TEXT NOT NULL,
  kind TEXT NOT NULL,
  run_id TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  active INTEGER NOT NULL,
  vals NOT NULL,
  -- assertionDigest(vals): an unchanged re-sighting is recognised by this alone (added later: see migrateSchema)
  digest TEXT,
  -- The scope_batches row of the batch that last asserted this (added later: see migrateSchema). While it points
  -- there, the batch's run_id and last_seen are this assertion's (rows.ts, effectiveSighting): a batch re-sent
  -- unchanged writes its one row, not one per item. Any other write of the row writes its own and points it
  -- elsewhere or nowhere. While it points at a batch, its own run_id and last_seen are '' and 0 (no bytes).
  sighting INTEGER,
  PRIMARY KEY (target_id, source, scope)
) WITHOUT ROWID;
-- By scope (completion, stale sweeps): assertions_scope_sighting (source, scope, active, sighting), made by
-- migrateSchema once the column exists; a completing run skips the rows of batches sighted in it by that index alone.
-- A stale sweep finds its rows by last sighting: those of no batch through assertions_unbatched_seen (partial, made
-- there too), those of a batch through their batch's row (scope_batches_seen below).

-- The number of active assertions of each source and scope (what a completing run's removal guard divides by).
-- Kept by the one writer of assertions (batch-tx.ts, write) in the transaction that changes them; a file written
-- before it existed gets it counted once at open (sqlite-store.ts, countScopes).
CREATE TABLE IF NOT EXISTS scope_counts (
  source TEXT NOT NULL,
  scope TEXT NOT NULL,
  active INTEGER NOT NULL,
  PRIMARY KEY (source, scope)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  scope TEXT NOT NULL,
  started_at TEXT NOT NULL,
  last_batch_at TEXT NOT NULL,
  completed_at TEXT,
  batches INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  source TEXT,
  changes TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at TEXT NOT NULL,
  team TEXT,
  expires_at TEXT,
  last_used_at TEXT
);

CREATE TABLE IF NOT EXISTS docs (
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (kind, id)
) WITHOUT ROWID;

-- The reply of each committed ingest batch under its idempotency key, written in the batch's transaction:
-- a request sent again with the same key gets the same reply and writes nothing. Expired keys are purged
-- a few at a time by later batches (expires_at index).
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  result TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at);

-- Event management: the current state of each alert (keyed by a hash of source and fingerprint) and
-- every version of it, so that what was firing at a time stays answerable.
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  bound INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_by_status ON alerts (status, updated_at);
CREATE TABLE IF NOT EXISTS alert_versions (
  id TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  status TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (id, valid_from)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS alert_versions_from ON alert_versions (valid_from);
-- Timelines of incidents and changes (status and priority changes, notes, approvals, assessments).
CREATE TABLE IF NOT EXISTS entries (
  record_id TEXT NOT NULL,
  at TEXT NOT NULL,
  id TEXT NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (record_id, at, id)
) WITHOUT ROWID;
-- Batch-level re-sightings (server/domain/reconcile/sighting.ts), one row per batch of a scope (by its anchor):
-- `digest` is the content digest of the batch last applied (NULL once any write to one of its targets' assertions
-- made it unrecognisable), `targets` the CIs and relations it asserted, `run_id`/`last_seen` its last application,
-- which are the run and last sighting of every assertion pointing at it (assertions.sighting). Not a cache: those two
-- columns are part of the assertions' state. `targets` is deflated JSON, `last_seen` epoch ms (compact layout).
CREATE TABLE IF NOT EXISTS scope_batches (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  scope TEXT NOT NULL,
  anchor TEXT NOT NULL,
  digest TEXT,
  targets BLOB NOT NULL,
  run_id TEXT NOT NULL,
  last_seen INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS scope_batches_key ON scope_batches (source, scope, anchor);
-- A stale sweep's batches: those of a scope last sighted before an instant.
CREATE INDEX IF NOT EXISTS scope_batches_seen ON scope_batches (source, scope, last_seen);
-- Its predecessor only remembered batches (recognition re-checked every target): a cache, dropped.
DROP TABLE IF EXISTS batch_sightings;
