// Relations (live or retired) by id, with their assertions. Relationship indexes are per type, so the
// ends are found through the relation's version nodes (indexed by relId; ends never change), then the
// relationship is reached from its start node.
// Parameters: $ids LIST<STRING>.
// Returns: rel (map: properties plus type, from, to), assertions (list of maps).
UNWIND $ids AS id
MATCH (v:RelationVersion {relId: id})
WITH DISTINCT id, v.fromId AS fromId, v.toId AS toId
MATCH (a:CI {id: fromId})-[r]->(b:CI {id: toId})
WHERE r.id = id
RETURN r {.*, type: type(r), from: a.id, to: b.id} AS rel,
       COLLECT { MATCH (x:Assertion {targetId: r.id}) RETURN properties(x) } AS assertions
