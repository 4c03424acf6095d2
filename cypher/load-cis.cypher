// Current CI records with all their source assertions (identification and retirement merge over them).
// Parameters: $ids LIST<STRING>.
// Returns: ci (map of the CI node's properties), assertions (list of maps): one row per distinct existing id.
UNWIND $ids AS id
WITH DISTINCT id
MATCH (c:CI {id: id})
RETURN properties(c) AS ci,
       COLLECT { MATCH (a:Assertion {targetId: id}) RETURN properties(a) } AS assertions
