// Live relations with an end among the given CIs, with their assertions (each relation once).
// Serves both BatchTx.relationsTouching and GraphStore.relationsOf (which drops the assertions).
// Parameters: $ids LIST<STRING>, $types LIST<STRING> (the registered relation types).
// Returns: rel (map: properties plus type, from, to), assertions (list of maps).
UNWIND $ids AS id
MATCH (:CI {id: id})-[r]-(:CI)
WHERE r.validTo IS NULL AND type(r) IN $types
WITH DISTINCT r
RETURN r {.*, type: type(r), from: startNode(r).id, to: endNode(r).id} AS rel,
       COLLECT { MATCH (x:Assertion {targetId: r.id}) RETURN properties(x) } AS assertions
