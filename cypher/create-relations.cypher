// Creates each relation the plan creates as a typed relationship between its two CIs. The type is a
// parameter (dynamic type, Neo4j 5.26+) from the relation registry. CREATE, not MERGE: SQLite's INSERT of
// an existing id fails too (the per-type rel_*_id constraints fail here).
// Parameters: $rows LIST<MAP> of {id STRING, type STRING, from STRING, to STRING, props MAP}.
// Returns: written INTEGER, how many rows found both ends (the caller checks it equals the row count).
UNWIND $rows AS row
MATCH (a:CI {id: row.from})
MATCH (b:CI {id: row.to})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props
RETURN count(r) AS written
