// One page of CI versions valid at an instant, keyset-paged by (ciId, version).
// Parameters: $asOf STRING, $afterId STRING ('' at first), $afterVersion INTEGER (0 at first), $limit INTEGER.
// Returns: v (map of a CIVersion node's properties), ordered by ciId, version.
MATCH (v:CIVersion)
WHERE v.ciId >= $afterId AND (v.ciId > $afterId OR v.version > $afterVersion)
  AND v.validFrom <= $asOf AND (v.validTo IS NULL OR v.validTo > $asOf)
RETURN properties(v) AS v
ORDER BY v.ciId, v.version
LIMIT $limit
