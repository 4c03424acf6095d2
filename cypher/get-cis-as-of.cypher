// CI records as they were at an instant, from their version nodes.
// Parameters: $ids LIST<STRING>, $asOf STRING (ISO-8601 instant).
// Returns: v (map of a CIVersion node's properties): one row per CI that existed then.
UNWIND $ids AS id
MATCH (v:CIVersion {ciId: id})
WHERE v.validFrom <= $asOf AND (v.validTo IS NULL OR v.validTo > $asOf)
RETURN properties(v) AS v
