// Live relations going out of the given CIs (each once): a page of CIs reads its own edges only, never
// all of a hub's dependents.
// Parameters: $ids LIST<STRING> (distinct), $types LIST<STRING> (the registered relation types).
// Returns: rel (map: properties plus type, from, to).
UNWIND $ids AS id
MATCH (:CI {id: id})-[r]->(:CI)
WHERE r.validTo IS NULL AND type(r) IN $types
RETURN r {.*, type: type(r), from: startNode(r).id, to: endNode(r).id} AS rel
