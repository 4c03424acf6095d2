// Relations valid at an instant with an end among the given CIs, from their version nodes, at most $limit.
// Two index seeks (by fromId and by toId) joined by UNION, which also removes duplicates; the limit applies
// after the union (a map reading a hub needs to know there are more, not to read them all).
// Parameters: $ids LIST<STRING>, $asOf STRING (ISO-8601 instant), $limit INTEGER.
// Returns: v (map of a RelationVersion node's properties).
CALL () {
  UNWIND $ids AS id
  MATCH (v:RelationVersion {fromId: id})
  WHERE v.validFrom <= $asOf AND (v.validTo IS NULL OR v.validTo > $asOf)
  RETURN v
  UNION
  UNWIND $ids AS id
  MATCH (v:RelationVersion {toId: id})
  WHERE v.validFrom <= $asOf AND (v.validTo IS NULL OR v.validTo > $asOf)
  RETURN v
}
WITH v LIMIT $limit
RETURN properties(v) AS v
