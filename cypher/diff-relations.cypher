// Relations with a version boundary inside (from, to], each with its version at `from` and at `to`.
// Parameters: $from STRING, $to STRING, $limit INTEGER (the caller's limit plus one).
// Returns: id, before (list of at most one RelationVersion map), after (likewise), ordered by id.
MATCH (v:RelationVersion)
WHERE (v.validFrom > $from AND v.validFrom <= $to) OR (v.validTo > $from AND v.validTo <= $to)
WITH DISTINCT v.relId AS id
ORDER BY id
LIMIT $limit
RETURN id,
       COLLECT {
         MATCH (a:RelationVersion {relId: id})
         WHERE a.validFrom <= $from AND (a.validTo IS NULL OR a.validTo > $from)
         RETURN properties(a)
       } AS before,
       COLLECT {
         MATCH (b:RelationVersion {relId: id})
         WHERE b.validFrom <= $to AND (b.validTo IS NULL OR b.validTo > $to)
         RETURN properties(b)
       } AS after
ORDER BY id
