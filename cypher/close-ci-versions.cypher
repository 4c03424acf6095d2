// Closes the open version of each CI that is updated, restored or retired.
// Parameters: $ids LIST<STRING>, $now STRING (the batch's instant, the closed version's validTo).
// Returns: nothing.
UNWIND $ids AS id
MATCH (v:CIVersion {ciId: id})
WHERE v.validTo IS NULL
SET v.validTo = $now
