// The updatedAt of one document, for optimistic concurrency (read after the write lock is taken).
// Parameters: $kind STRING, $id STRING.
// Returns: updatedAt STRING; no row if the document does not exist.
MATCH (d:Doc {kind: $kind, id: $id})
RETURN d.updatedAt AS updatedAt
