// Deletes at most $limit expired idempotency keys, oldest first, through the expiresAt index: each write
// batch removes a few, more than the one it adds, so no background job is needed.
// Parameters: $now STRING (ISO-8601 instant), $limit INTEGER.
// Returns: nothing.
MATCH (k:IdempotencyKey)
WHERE k.expiresAt <= $now
WITH k ORDER BY k.expiresAt LIMIT $limit
DELETE k
