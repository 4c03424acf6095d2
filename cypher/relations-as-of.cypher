// Relations valid at an instant with an end among the given CIs, from their version nodes.
// Two index seeks (by fromId and by toId) joined by UNION, which also removes duplicates.
// Parameters: $ids LIST<STRING>, $asOf STRING (ISO-8601 instant).
// Returns: v (map of a RelationVersion node's properties).
UNWIND $ids AS id
MATCH (v:RelationVersion {fromId: id})
WHERE v.validFrom <= $asOf AND (v.validTo IS NULL OR v.validTo > $asOf)
RETURN properties(v) AS v
UNION
UNWIND $ids AS id
MATCH (v:RelationVersion {toId: id})
WHERE v.validFrom <= $asOf AND (v.validTo IS NULL OR v.validTo > $asOf)
RETURN properties(v) AS v
