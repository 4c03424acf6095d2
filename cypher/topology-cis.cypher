// One page of live CIs for the in-memory projection, keyset-paged by id (index-backed order).
// Parameters: $after STRING (last id of the previous page, '' at first), $limit INTEGER.
// Returns: id, class, name, environment, tier, owner, attributes (JSON string), ordered by id.
MATCH (c:CI)
WHERE c.id > $after AND c.lifecycle = 'active'
RETURN c.id AS id, c.class AS class, c.name AS name, c.environment AS environment, c.tier AS tier,
       c.owner AS owner, c.attributes AS attributes
ORDER BY c.id
LIMIT $limit
