// Deletes a token: refused from the next request that carries it.
// Parameters: $id STRING.
// Returns: n INTEGER (1 when a token was deleted, 0 when there was none).
OPTIONAL MATCH (t:Token {id: $id})
WITH t, CASE WHEN t IS NULL THEN 0 ELSE 1 END AS n
DELETE t
RETURN n
