// Live relations with both ends among the given CIs, at most $limit: the edges of a drawn subgraph.
// Each CI is sought by id and only its outgoing relationships are followed, so every relation is met once
// (from its start) and a hub's many incoming relationships are never walked.
// Parameters: $ids LIST<STRING> (distinct), $types LIST<STRING> (the registered relation types), $limit INTEGER.
// Returns: rel (map: properties plus type, from, to).
UNWIND $ids AS id
MATCH (:CI {id: id})-[r]->(b:CI)
WHERE r.validTo IS NULL AND type(r) IN $types AND b.id IN $ids
WITH r LIMIT $limit
RETURN r {.*, type: type(r), from: startNode(r).id, to: endNode(r).id} AS rel
