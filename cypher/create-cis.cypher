// Creates the node of each CI the plan creates, with its class label. The label is a parameter (dynamic
// label, Neo4j 5.26+) taken from the class registry, never from input. CREATE, not MERGE: an id that
// already exists fails on the ci_id constraint, as the SQLite store's INSERT fails on its primary key.
// Parameters: $rows LIST<MAP> of {id STRING, label STRING, props MAP} (props: the whole current record,
//   attributes and identifiers as JSON strings; a null property is left unset).
// Returns: nothing.
UNWIND $rows AS row
CREATE (c:CI)
SET c = row.props, c:$(row.label)
