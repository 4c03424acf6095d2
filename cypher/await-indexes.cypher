// Waits until every index (and constraint-backing index) created by schema.cypher is online.
// Parameters: $seconds INTEGER, how long to wait before the server raises an error.
// Returns: nothing.
CALL db.awaitIndexes($seconds)
