// Relations valid at an instant with both ends among the given CIs, at most $limit, from their version nodes.
// One index seek by fromId per CI; the target end is only filtered.
// Parameters: $ids LIST<STRING> (distinct), $asOf STRING (ISO-8601 instant), $limit INTEGER.
// Returns: v (map of a RelationVersion node's properties).
UNWIND $ids AS id
MATCH (v:RelationVersion {fromId: id})
WHERE v.toId IN $ids AND v.validFrom <= $asOf AND (v.validTo IS NULL OR v.validTo > $asOf)
WITH v LIMIT $limit
RETURN properties(v) AS v
