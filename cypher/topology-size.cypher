// The live topology's size, for a start's progress and the room its projection reserves before it loads
// (GraphStore.topologySize): what topology-cis and topology-relations will stream. Counted in the database,
// so the server's event loop only waits for one row.
// Parameters: $types LIST<STRING> (the registered relation types).
// Returns: one row: cis (live CIs), relations (live relations of those types between CIs).
RETURN COUNT { MATCH (c:CI) WHERE c.lifecycle = 'active' } AS cis,
       COUNT { MATCH (:CI)-[r]->(:CI) WHERE r.validTo IS NULL AND type(r) IN $types } AS relations
