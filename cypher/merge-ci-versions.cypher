// Opens (or, for a migration replaying a batch, rewrites) CI versions keyed by (ciId, version).
// Parameters: $rows LIST<MAP> of {ciId STRING, version INTEGER, validFrom STRING, validTo STRING or null,
//   data STRING (JSON of the versioned fields)}.
// Returns: nothing.
UNWIND $rows AS row
MERGE (v:CIVersion {ciId: row.ciId, version: row.version})
SET v += row
