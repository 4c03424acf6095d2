// One collector run.
// Parameters: $runId STRING.
// Returns: run (map of the Run node's properties), or no row.
MATCH (r:Run {runId: $runId})
RETURN properties(r) AS run
