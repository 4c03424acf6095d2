// CIs with a version boundary inside (from, to], each with its version at `from` and at `to`: the cost
// follows the amount of change, not the size of the estate.
// Parameters: $from STRING, $to STRING, $limit INTEGER (the caller's limit plus one, to detect truncation).
// Returns: id, before (list of at most one CIVersion map), after (likewise), ordered by id.
MATCH (v:CIVersion)
WHERE (v.validFrom > $from AND v.validFrom <= $to) OR (v.validTo > $from AND v.validTo <= $to)
WITH DISTINCT v.ciId AS id
ORDER BY id
LIMIT $limit
RETURN id,
       COLLECT {
         MATCH (a:CIVersion {ciId: id})
         WHERE a.validFrom <= $from AND (a.validTo IS NULL OR a.validTo > $from)
         RETURN properties(a)
       } AS before,
       COLLECT {
         MATCH (b:CIVersion {ciId: id})
         WHERE b.validFrom <= $to AND (b.validTo IS NULL OR b.validTo > $to)
         RETURN properties(b)
       } AS after
ORDER BY id
