// All documents of one kind, oldest first.
// Parameters: $kind STRING.
// Returns: doc (map of the Doc node's properties), ordered by createdAt, id.
MATCH (d:Doc {kind: $kind})
RETURN properties(d) AS doc
ORDER BY d.createdAt, d.id
