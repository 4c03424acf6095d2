// Keeps a committed batch's reply under its idempotency key, in the batch's own transaction; an expired
// record of the same key is replaced.
// Parameters: $key, $fingerprint, $result (JSON), $createdAt, $expiresAt (all STRING).
// Returns: nothing.
MERGE (k:IdempotencyKey {key: $key})
SET k.fingerprint = $fingerprint, k.result = $result, k.createdAt = $createdAt, k.expiresAt = $expiresAt
