// Indexes identifier keys; a key already owned by a CI keeps its owner (identifiers never move).
// Parameters: $rows LIST<MAP> of {key STRING, ciId STRING}.
// Returns: nothing.
UNWIND $rows AS row
MERGE (k:CIKey {key: row.key})
ON CREATE SET k.ciId = row.ciId
