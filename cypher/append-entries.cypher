// Appends timeline entries of incidents and changes (status and priority changes, notes, approvals,
// assessments). MERGE on the entry's key, so a replayed batch (a resumed migration) writes nothing twice.
// Parameters: $rows LIST<MAP> of {recordId, id, at, kind, data STRING (JSON)}.
// Returns: nothing.
UNWIND $rows AS row
MERGE (e:Entry {recordId: row.recordId, id: row.id})
ON CREATE SET e.at = row.at, e.kind = row.kind, e.data = row.data
