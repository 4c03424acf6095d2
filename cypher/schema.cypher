// Schema: constraints and indexes for the servicegraph Neo4j store (Neo4j 5.26 LTS or later).
// Parameters: none. Returns: nothing. Each statement is run on its own at start; IF NOT EXISTS makes a
// second start (or a second API instance starting at the same time) a no-op.
// Only property uniqueness constraints and range indexes are used: both exist in Community Edition.

// Current graph: one node per CI, ids server-assigned and unique.
CREATE CONSTRAINT ci_id IF NOT EXISTS FOR (c:CI) REQUIRE c.id IS UNIQUE;
// listCis orders and pages by (name, id) and filters by class.
CREATE INDEX ci_name IF NOT EXISTS FOR (c:CI) ON (c.name);
CREATE INDEX ci_class IF NOT EXISTS FOR (c:CI) ON (c.class);

// Relationship ids are unique per type; one constraint per relation type of server/model/relations.ts
// (test/store/neo4j-queries.test.ts checks that every registered type has one).
CREATE CONSTRAINT rel_depends_on_id IF NOT EXISTS FOR ()-[r:DEPENDS_ON]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT rel_runs_on_id IF NOT EXISTS FOR ()-[r:RUNS_ON]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT rel_part_of_id IF NOT EXISTS FOR ()-[r:PART_OF]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT rel_owned_by_id IF NOT EXISTS FOR ()-[r:OWNED_BY]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT rel_monitors_id IF NOT EXISTS FOR ()-[r:MONITORS]-() REQUIRE r.id IS UNIQUE;

// Identifier index: every identifier key of every CI, whichever rule created it.
CREATE CONSTRAINT ci_key IF NOT EXISTS FOR (k:CIKey) REQUIRE k.key IS UNIQUE;

// History: closed/open versions; asOf and diff search them by id and by validity bounds.
CREATE CONSTRAINT ci_version_key IF NOT EXISTS FOR (v:CIVersion) REQUIRE (v.ciId, v.version) IS UNIQUE;
CREATE INDEX ci_version_ci IF NOT EXISTS FOR (v:CIVersion) ON (v.ciId);
CREATE INDEX ci_version_from IF NOT EXISTS FOR (v:CIVersion) ON (v.validFrom);
CREATE INDEX ci_version_to IF NOT EXISTS FOR (v:CIVersion) ON (v.validTo);
CREATE CONSTRAINT rel_version_key IF NOT EXISTS FOR (v:RelationVersion) REQUIRE (v.relId, v.version) IS UNIQUE;
CREATE INDEX rel_version_rel IF NOT EXISTS FOR (v:RelationVersion) ON (v.relId);
CREATE INDEX rel_version_from_id IF NOT EXISTS FOR (v:RelationVersion) ON (v.fromId);
CREATE INDEX rel_version_to_id IF NOT EXISTS FOR (v:RelationVersion) ON (v.toId);
CREATE INDEX rel_version_valid_from IF NOT EXISTS FOR (v:RelationVersion) ON (v.validFrom);
CREATE INDEX rel_version_valid_to IF NOT EXISTS FOR (v:RelationVersion) ON (v.validTo);

// Provenance: one assertion per (target, source, scope); run completion reads a scope's active ones.
CREATE CONSTRAINT assertion_key IF NOT EXISTS FOR (a:Assertion) REQUIRE (a.targetId, a.source, a.scope) IS UNIQUE;
CREATE INDEX assertion_target IF NOT EXISTS FOR (a:Assertion) ON (a.targetId);
CREATE INDEX assertion_scope IF NOT EXISTS FOR (a:Assertion) ON (a.source, a.scope);
// A stale sweep's parts: a scope's assertions by last sighting (scope-stale.cypher).
CREATE INDEX assertion_scope_seen IF NOT EXISTS FOR (a:Assertion) ON (a.source, a.scope, a.lastSeen);

CREATE CONSTRAINT run_id IF NOT EXISTS FOR (r:Run) REQUIRE r.runId IS UNIQUE;

// Change-event log: seq is unique and range-indexed, so eventsSince is an index seek in seq order.
CREATE CONSTRAINT event_seq IF NOT EXISTS FOR (e:Event) REQUIRE e.seq IS UNIQUE;
CREATE CONSTRAINT counter_name IF NOT EXISTS FOR (c:Counter) REQUIRE c.name IS UNIQUE;

CREATE CONSTRAINT token_id IF NOT EXISTS FOR (t:Token) REQUIRE t.id IS UNIQUE;
CREATE CONSTRAINT token_hash IF NOT EXISTS FOR (t:Token) REQUIRE t.hash IS UNIQUE;

CREATE CONSTRAINT doc_key IF NOT EXISTS FOR (d:Doc) REQUIRE (d.kind, d.id) IS UNIQUE;
CREATE INDEX doc_kind IF NOT EXISTS FOR (d:Doc) ON (d.kind);
// Timelines of incidents and changes, read per record.
CREATE CONSTRAINT entry_id IF NOT EXISTS FOR (e:Entry) REQUIRE (e.recordId, e.id) IS UNIQUE;

// Idempotency keys of committed ingest batches: looked up by key, purged by expiry.
CREATE CONSTRAINT idempotency_key IF NOT EXISTS FOR (k:IdempotencyKey) REQUIRE k.key IS UNIQUE;
CREATE INDEX idempotency_expiry IF NOT EXISTS FOR (k:IdempotencyKey) ON (k.expiresAt);

// Migration checkpoints (npm run migrate): one per source table.
CREATE CONSTRAINT migration_checkpoint IF NOT EXISTS FOR (m:MigrationCheckpoint) REQUIRE m.table IS UNIQUE;

// Event management: alert records keyed by id, their versions by (alert, start of validity).
CREATE CONSTRAINT alert_id IF NOT EXISTS FOR (a:Alert) REQUIRE a.id IS UNIQUE;
CREATE INDEX alert_status IF NOT EXISTS FOR (a:Alert) ON (a.status);
CREATE CONSTRAINT alert_version_key IF NOT EXISTS FOR (v:AlertVersion) REQUIRE (v.alertId, v.validFrom) IS UNIQUE;
CREATE INDEX alert_version_from IF NOT EXISTS FOR (v:AlertVersion) ON (v.validFrom);
