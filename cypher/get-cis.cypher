// Current CI records by id, each once however often its id is given (as SQLite's IN).
// Parameters: $ids LIST<STRING>.
// Returns: ci (map of the CI node's properties): one row per distinct existing id.
UNWIND $ids AS id
WITH DISTINCT id
MATCH (c:CI {id: id})
RETURN properties(c) AS ci
