// Records migration progress for one table, in the same transaction as the batch it follows, so a
// resumed migration never copies a batch twice nor skips one; `source` names the embedded store and the
// state it was copied from, so a resume from another file, or after new writes, is refused.
// Parameters: $table STRING, $after STRING (JSON of the last copied key), $rows INTEGER, $done BOOLEAN,
//   $source STRING (the source's identity).
// Returns: nothing.
MERGE (m:MigrationCheckpoint {table: $table})
SET m.after = $after, m.rows = $rows, m.done = $done, m.source = $source
