// Closes the open version of each relation that is updated, restored or retired.
// Parameters: $ids LIST<STRING>, $now STRING.
// Returns: nothing.
UNWIND $ids AS id
MATCH (v:RelationVersion {relId: id})
WHERE v.validTo IS NULL
SET v.validTo = $now
