// Upserts alert records (event management) and their history: each row's open version is closed at $now
// and a new one opened (a second write in the same instant updates that version instead).
// Parameters: $rows LIST<MAP> of {id, status, bound BOOLEAN, updatedAt, data STRING (JSON)}, $now STRING.
// Returns: nothing.
UNWIND $rows AS row
MERGE (a:Alert {id: row.id})
SET a.status = row.status, a.bound = row.bound, a.updatedAt = row.updatedAt, a.data = row.data
WITH row
OPTIONAL MATCH (old:AlertVersion {alertId: row.id})
WHERE old.validTo IS NULL AND old.validFrom < $now
SET old.validTo = $now
WITH DISTINCT row
MERGE (v:AlertVersion {alertId: row.id, validFrom: $now})
SET v.validTo = null, v.status = row.status, v.bound = row.bound, v.data = row.data
