// The server's version and edition, checked at start: the write queries need Neo4j 5.26+ (dynamic labels).
// Parameters: none.
// Returns: one row per component: name, version (first of versions), edition.
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions[0] AS version, edition
