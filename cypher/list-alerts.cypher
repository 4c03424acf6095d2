// Current alert records, most recently updated first, optionally filtered.
// Parameters: $status STRING or null, $bound BOOLEAN or null, $ids LIST<STRING> or null, $limit INTEGER.
// Returns: data (the record as JSON text).
MATCH (a:Alert)
WHERE ($status IS NULL OR a.status = $status)
  AND ($bound IS NULL OR a.bound = $bound)
  AND ($ids IS NULL OR a.id IN $ids)
RETURN a.data AS data
ORDER BY a.updatedAt DESC, a.id
LIMIT $limit
