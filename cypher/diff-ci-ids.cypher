// Ids of the CIs with a version boundary inside (from, to]: the cost follows the amount of change, not
// the size of the estate. Only ids: their versions are read in slices by diff-cis.
// Parameters: $from STRING, $to STRING, $limit INTEGER (the caller's limit plus one, to detect truncation).
// Returns: id, ordered by id.
MATCH (v:CIVersion)
WHERE (v.validFrom > $from AND v.validFrom <= $to) OR (v.validTo > $from AND v.validTo <= $to)
RETURN DISTINCT v.ciId AS id
ORDER BY id
LIMIT $limit
