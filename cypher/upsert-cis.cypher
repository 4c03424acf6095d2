// Writes the current record of each CI, creating the node on first sight, and puts its class label on it.
// The label is a parameter (dynamic label, Neo4j 5.26+), taken from the class registry, never from input.
// Parameters: $rows LIST<MAP> of {id STRING, label STRING, props MAP} (props: the whole current record,
//   attributes and identifiers as JSON strings; a null property is left unset).
// Returns: nothing.
UNWIND $rows AS row
MERGE (c:CI {id: row.id})
SET c = row.props, c:$(row.label)
