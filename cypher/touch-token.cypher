// Records when a token last authenticated a request.
// Parameters: $id STRING, $at STRING.
// Returns: nothing.
MATCH (t:Token {id: $id})
SET t.lastUsedAt = $at
