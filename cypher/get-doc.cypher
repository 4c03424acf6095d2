// One document.
// Parameters: $kind STRING, $id STRING.
// Returns: doc (map of the Doc node's properties); no row if unknown.
MATCH (d:Doc {kind: $kind, id: $id})
RETURN properties(d) AS doc
