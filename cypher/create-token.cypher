// Creates an API token (only its hash is stored). MERGE on the id, which is random per call: a transaction
// re-run by the driver after a COMMIT whose answer was lost finds its own token instead of failing on the
// id constraint for a token that does exist; a hash held by another token still fails on its constraint.
// Parameters: $id, $hash, $name, $role, $createdAt (all STRING), $team (STRING or null: the team it approves changes for),
// $expiresAt (STRING or null: never expires).
// Returns: nothing.
MERGE (t:Token {id: $id})
ON CREATE SET t.hash = $hash, t.name = $name, t.role = $role, t.createdAt = $createdAt, t.team = $team, t.expiresAt = $expiresAt
