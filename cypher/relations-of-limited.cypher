// Live relations with an end among the given CIs, at most $limit, without assertions: one level of a map.
// Parameters: $ids LIST<STRING>, $types LIST<STRING> (the registered relation types), $limit INTEGER.
// Returns: rel (map: properties plus type, from, to).
UNWIND $ids AS id
MATCH (:CI {id: id})-[r]-(:CI)
WHERE r.validTo IS NULL AND type(r) IN $types
WITH DISTINCT r LIMIT $limit
RETURN r {.*, type: type(r), from: startNode(r).id, to: endNode(r).id} AS rel
