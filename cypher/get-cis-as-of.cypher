// CI records as they were at an instant, from their version nodes, each CI once however often its id is given.
// Parameters: $ids LIST<STRING>, $asOf STRING (ISO-8601 instant).
// Returns: v (map of a CIVersion node's properties): one row per distinct CI that existed then.
UNWIND $ids AS id
WITH DISTINCT id
MATCH (v:CIVersion {ciId: id})
WHERE v.validFrom <= $asOf AND (v.validTo IS NULL OR v.validTo > $asOf)
RETURN properties(v) AS v
