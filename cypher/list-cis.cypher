// One page of CIs ordered by (name, id), keyset-paged (stable under concurrent inserts, unlike SKIP).
// A null filter parameter means "no filter", so the text never depends on which filters are used.
// $q is matched case-insensitively against name, identifiers (JSON text) and owner, like SQLite's LIKE.
// Parameters: $lifecycle STRING or null, $classes LIST<STRING> or null, $environment, $owner, $q (lower case),
//   $afterName, $afterId (the cursor, or null), $limit INTEGER (page size plus one, to detect a next page).
// Returns: ci (map of the CI node's properties).
MATCH (c:CI)
WHERE ($lifecycle IS NULL OR c.lifecycle = $lifecycle)
  AND ($classes IS NULL OR c.class IN $classes)
  AND ($environment IS NULL OR c.environment = $environment)
  AND ($owner IS NULL OR c.owner = $owner)
  AND ($q IS NULL OR toLower(c.name) CONTAINS $q OR toLower(c.identifiers) CONTAINS $q
       OR toLower(c.owner) CONTAINS $q)
  AND ($afterName IS NULL OR c.name > $afterName OR (c.name = $afterName AND c.id > $afterId))
RETURN properties(c) AS ci
ORDER BY c.name, c.id
LIMIT $limit
