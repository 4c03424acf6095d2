// Looks a token up by the hash of its secret.
// Parameters: $hash STRING.
// Returns: id, name, role, createdAt, team (null when the token is bound to no team), expiresAt, lastUsedAt; no row if unknown.
MATCH (t:Token {hash: $hash})
RETURN t.id AS id, t.name AS name, t.role AS role, t.createdAt AS createdAt, t.team AS team, t.expiresAt AS expiresAt, t.lastUsedAt AS lastUsedAt
