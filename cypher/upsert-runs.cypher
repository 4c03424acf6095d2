// Upserts collector runs; source, scope and start are set once.
// Parameters: $rows LIST<MAP> of {runId, source, scope, startedAt, lastBatchAt, completedAt or null,
//   batches INTEGER}.
// Returns: nothing.
UNWIND $rows AS row
MERGE (r:Run {runId: row.runId})
ON CREATE SET r.source = row.source, r.scope = row.scope, r.startedAt = row.startedAt
SET r.lastBatchAt = row.lastBatchAt, r.completedAt = row.completedAt, r.batches = row.batches
