// One page of CIs ordered by (name, id), keyset-paged (stable under concurrent inserts, unlike SKIP).
// The cursor predicate is written so the planner can serve the page from the ci_name range index: a plain
// `c.name >= $afterName` (not inside an OR) seeks the index and supplies the name order, leaving only a
// partial sort by id among equal names; the first page sends $afterName = '' and $afterId = '', which every
// CI passes. The optional filters (a null parameter means "no filter", so the text never depends on which
// filters are used) are then checked on the rows in name order, as SQLite does on its (name, id) index.
// $q is matched case-insensitively against name, identifiers (JSON text) and owner, like SQLite's LIKE.
// Parameters: $afterName, $afterId (STRING: the cursor, '' for the first page), $lifecycle STRING or null,
//   $classes LIST<STRING> or null, $environment, $owner, $q (lower case), $limit INTEGER (page size plus
//   one, to detect a next page).
// Returns: ci (map of the CI node's properties), ordered by name, id.
MATCH (c:CI)
WHERE c.name >= $afterName
  AND (c.name > $afterName OR c.id > $afterId)
  AND ($lifecycle IS NULL OR c.lifecycle = $lifecycle)
  AND ($classes IS NULL OR c.class IN $classes)
  AND ($environment IS NULL OR c.environment = $environment)
  AND ($owner IS NULL OR c.owner = $owner)
  AND ($q IS NULL OR toLower(c.name) CONTAINS $q OR toLower(c.identifiers) CONTAINS $q
       OR toLower(c.owner) CONTAINS $q)
RETURN properties(c) AS ci
ORDER BY c.name, c.id
LIMIT $limit
