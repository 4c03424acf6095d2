// Every token, oldest first, without its hash.
// Parameters: none.
// Returns: id, name, role, createdAt, team, expiresAt, lastUsedAt.
MATCH (t:Token)
RETURN t.id AS id, t.name AS name, t.role AS role, t.createdAt AS createdAt, t.team AS team, t.expiresAt AS expiresAt, t.lastUsedAt AS lastUsedAt
ORDER BY createdAt, id
