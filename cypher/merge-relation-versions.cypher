// Opens (or rewrites) relation versions keyed by (relId, version); ends and type ride along so that
// asOf reads and diff need no join with the current graph.
// Parameters: $rows LIST<MAP> of {relId, version INTEGER, type, fromId, toId, validFrom, validTo or null,
//   data STRING (JSON of attributes, redundancy, provenance)}.
// Returns: nothing.
UNWIND $rows AS row
MERGE (v:RelationVersion {relId: row.relId, version: row.version})
SET v += row
