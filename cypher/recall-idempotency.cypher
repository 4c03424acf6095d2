// The reply kept under one idempotency key (expired or not: the caller compares expiresAt with its instant).
// Parameters: $key STRING.
// Returns: rec (map of the IdempotencyKey node's properties: key, fingerprint, result JSON, createdAt, expiresAt), or no row.
MATCH (k:IdempotencyKey {key: $key})
RETURN properties(k) AS rec
