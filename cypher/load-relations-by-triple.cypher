// Relations (live or retired) by (from, type, to), with their assertions.
// Parameters: $triples LIST<MAP> of {from STRING, type STRING, to STRING}.
// Returns: rel (map: properties plus type, from, to), assertions (list of maps).
UNWIND $triples AS t
MATCH (a:CI {id: t.from})-[r]->(b:CI {id: t.to})
WHERE type(r) = t.type
RETURN r {.*, type: type(r), from: a.id, to: b.id} AS rel,
       COLLECT { MATCH (x:Assertion {targetId: r.id}) RETURN properties(x) } AS assertions
