// Records migration progress for one table, in the same transaction as the batch it follows, so a
// resumed migration never copies a batch twice nor skips one.
// Parameters: $table STRING, $after STRING (JSON of the last copied key), $rows INTEGER, $done BOOLEAN.
// Returns: nothing.
MERGE (m:MigrationCheckpoint {table: $table})
SET m.after = $after, m.rows = $rows, m.done = $done
