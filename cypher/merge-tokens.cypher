// Imports tokens by id (migration: replaying a batch after a resume leaves one node per token).
// Parameters: $rows LIST<MAP> of {id, hash, name, role, createdAt, team, expiresAt, lastUsedAt}.
// Returns: nothing.
UNWIND $rows AS row
MERGE (t:Token {id: row.id})
SET t += row
