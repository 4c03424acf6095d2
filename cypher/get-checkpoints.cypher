// Migration checkpoints: how far each source table has been copied, and from which source.
// Parameters: none.
// Returns: table, after (JSON of the last copied key), rows INTEGER (copied so far), done BOOLEAN,
//   source (the identity of the embedded store copied, null for checkpoints older than that field).
MATCH (m:MigrationCheckpoint)
RETURN m.table AS table, m.after AS after, m.rows AS rows, m.done AS done, m.source AS source
ORDER BY table
