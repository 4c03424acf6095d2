// Upserts documents (incidents, changes, windows) keyed by (kind, id); createdAt is set once.
// Parameters: $rows LIST<MAP> of {kind, id, createdAt, updatedAt, data STRING (JSON)}.
// Returns: nothing.
UNWIND $rows AS row
MERGE (d:Doc {kind: row.kind, id: row.id})
ON CREATE SET d.createdAt = row.createdAt
SET d.updatedAt = row.updatedAt, d.data = row.data
