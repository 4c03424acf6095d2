// Ids of the relations with a version boundary inside (from, to]. Only ids: their versions are read in
// slices by diff-relations.
// Parameters: $from STRING, $to STRING, $limit INTEGER (the caller's limit plus one, to detect truncation).
// Returns: id, ordered by id.
MATCH (v:RelationVersion)
WHERE (v.validFrom > $from AND v.validFrom <= $to) OR (v.validTo > $from AND v.validTo <= $to)
RETURN DISTINCT v.relId AS id
ORDER BY id
LIMIT $limit
