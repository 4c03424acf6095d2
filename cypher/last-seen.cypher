// When any source last asserted each of the given CIs, from their active assertions.
// Parameters: $ids LIST<STRING> (distinct CI ids).
// Returns: id STRING, lastSeen STRING (ISO-8601), one row per CI that has an active assertion.
UNWIND $ids AS id
MATCH (a:Assertion {targetId: id})
WHERE a.active
RETURN id, max(a.lastSeen) AS lastSeen
