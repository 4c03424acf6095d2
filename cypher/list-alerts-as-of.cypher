// Alert records as they were at a time (the versions valid then), latest version first, optionally filtered.
// Parameters: $asOf STRING, $status STRING or null, $bound BOOLEAN or null, $ids LIST<STRING> or null, $limit INTEGER.
// Returns: data (the record as JSON text).
MATCH (v:AlertVersion)
WHERE v.validFrom <= $asOf AND (v.validTo IS NULL OR v.validTo > $asOf)
  AND ($status IS NULL OR v.status = $status)
  AND ($bound IS NULL OR v.bound = $bound)
  AND ($ids IS NULL OR v.alertId IN $ids)
RETURN v.data AS data
ORDER BY v.validFrom DESC, v.alertId
LIMIT $limit
