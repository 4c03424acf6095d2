// Empties the database except the event counter, which restarts at 0 with no last batch instant. For tests only: the Neo4j test
// suite runs every contract test against one database (Community Edition has a single user database).
// Parameters: none.
// Returns: nothing.
MATCH (n)
WHERE NOT n:Counter
DETACH DELETE n
WITH count(*) AS gone
MATCH (c:Counter {name: 'events'})
SET c.value = 0, c.lastBatchAt = null
