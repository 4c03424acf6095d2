// Creates an API token (only its hash is stored); a duplicate id or hash fails on its constraint.
// Parameters: $id, $hash, $name, $role, $createdAt (all STRING).
// Returns: nothing.
CREATE (:Token {id: $id, hash: $hash, name: $name, role: $role, createdAt: $createdAt})
