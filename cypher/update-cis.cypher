// Writes the current record of each CI the plan updates, restores or retires. MATCH, not MERGE: a CI the
// plan says exists and does not is counted out, and the caller refuses the batch (the SQLite store throws
// on its UPDATE that changed no row) instead of silently creating it.
// Parameters: $rows LIST<MAP> of {id STRING, label STRING, props MAP} (as create-cis).
// Returns: written INTEGER, how many rows found their CI (the caller checks it equals the row count).
UNWIND $rows AS row
MATCH (c:CI {id: row.id})
SET c = row.props, c:$(row.label)
RETURN count(c) AS written
