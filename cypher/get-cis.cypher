// Current CI records by id.
// Parameters: $ids LIST<STRING>.
// Returns: ci (map of the CI node's properties): one row per existing id.
UNWIND $ids AS id
MATCH (c:CI {id: id})
RETURN properties(c) AS ci
