// One page of relation versions valid at an instant, keyset-paged by (relId, version).
// Parameters: $asOf STRING, $afterId STRING ('' at first), $afterVersion INTEGER (0 at first), $limit INTEGER.
// Returns: v (map of a RelationVersion node's properties), ordered by relId, version.
MATCH (v:RelationVersion)
WHERE v.relId >= $afterId AND (v.relId > $afterId OR v.version > $afterVersion)
  AND v.validFrom <= $asOf AND (v.validTo IS NULL OR v.validTo > $asOf)
RETURN properties(v) AS v
ORDER BY v.relId, v.version
LIMIT $limit
