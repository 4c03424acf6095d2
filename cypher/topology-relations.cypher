// Live relations for the projection, paged by their start CI's id: the CI id index gives the order,
// which no relationship index spanning every type could. The final ORDER BY is what the caller's cursor
// (the last row's id) relies on: Cypher keeps no order through a later clause unless asked.
// Parameters: $after STRING (last start id of the previous page, '' at first), $limit INTEGER (CIs per page),
//   $types LIST<STRING> (the registered relation types).
// Returns: id (start CI), rels (list of {id, type, to, redundancy JSON string or null, provenance JSON string,
//   observed JSON string or null, attributes JSON string: the map reads its note}), ordered by id.
MATCH (c:CI)
WHERE c.id > $after
WITH c ORDER BY c.id LIMIT $limit
RETURN c.id AS id,
       COLLECT {
         MATCH (c)-[r]->(o:CI)
         WHERE r.validTo IS NULL AND type(r) IN $types
         RETURN {id: r.id, type: type(r), to: o.id, redundancy: r.redundancy, provenance: r.provenance, observed: r.observed, attributes: r.attributes}
       } AS rels
ORDER BY id
