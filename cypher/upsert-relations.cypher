// Writes the current record of each relation as a typed relationship between its two CIs, creating it on
// first sight. The type is a parameter (dynamic type, Neo4j 5.26+) from the relation registry.
// Retired relations stay as relationships with validTo set (the SQLite store keeps their rows likewise),
// so a source asserting them again restores the same relation; live reads filter validTo IS NULL.
// Parameters: $rows LIST<MAP> of {id STRING, type STRING, from STRING, to STRING, props MAP}.
// Returns: written INTEGER, how many rows found both ends (the caller checks it equals the row count).
UNWIND $rows AS row
MATCH (a:CI {id: row.from})
MATCH (b:CI {id: row.to})
MERGE (a)-[r:$(row.type) {id: row.id}]->(b)
SET r = row.props
RETURN count(r) AS written
