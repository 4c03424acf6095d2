// At most $limit of the live relations with an end among the given CIs, with their assertions (each relation once):
// BatchTx.relationsTouching with a limit, what a stale sweep retires of a hub's edges in one part.
// A node's relationships are not indexed by property: the match walks the hub's relationships (retired ones too)
// until it has $limit live ones, so each part steps over the edges earlier parts retired (unlike SQLite's
// relations_live_to range; see server/store/neo4j/README.md).
// Parameters: $ids LIST<STRING>, $types LIST<STRING> (the registered relation types), $limit INTEGER.
// Returns: rel (map: properties plus type, from, to), assertions (list of maps).
UNWIND $ids AS id
MATCH (:CI {id: id})-[r]-(:CI)
WHERE r.validTo IS NULL AND type(r) IN $types
WITH DISTINCT r LIMIT $limit
RETURN r {.*, type: type(r), from: startNode(r).id, to: endNode(r).id} AS rel,
       COLLECT { MATCH (x:Assertion {targetId: r.id}) RETURN properties(x) } AS assertions
