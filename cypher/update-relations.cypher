// Writes the current record of each relation the plan updates, restores, retires or touches (observed
// counters). Retired relations stay as relationships with validTo set (the SQLite store keeps their rows
// likewise), so a source asserting them again restores the same relation; live reads filter validTo IS NULL.
// The relationship is reached from its start CI and matched by id and type; one that is not there is
// counted out and the caller refuses the batch (SQLite throws on its UPDATE that changed no row).
// Parameters: $rows LIST<MAP> of {id STRING, type STRING, from STRING, to STRING, props MAP}.
// Returns: written INTEGER, how many rows found their relationship.
UNWIND $rows AS row
MATCH (a:CI {id: row.from})-[r]->(b:CI {id: row.to})
WHERE r.id = row.id AND type(r) = row.type
SET r = row.props
RETURN count(r) AS written
