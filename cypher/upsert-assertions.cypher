// Upserts source assertions keyed by (targetId, source, scope). As in the SQLite store, firstSeen and kind
// are set once; run, lastSeen, active and the asserted values follow the latest batch.
// Parameters: $rows LIST<MAP> of {targetId, source, scope, kind, runId, firstSeen, lastSeen,
//   active BOOLEAN, vals STRING (JSON)}.
// Returns: nothing.
UNWIND $rows AS row
MERGE (a:Assertion {targetId: row.targetId, source: row.source, scope: row.scope})
ON CREATE SET a.firstSeen = row.firstSeen, a.kind = row.kind
SET a.runId = row.runId, a.lastSeen = row.lastSeen, a.active = row.active, a.vals = row.vals
