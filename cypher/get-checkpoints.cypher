// Migration checkpoints: how far each source table has been copied.
// Parameters: none.
// Returns: table, after (JSON of the last copied key), rows INTEGER (copied so far), done BOOLEAN.
MATCH (m:MigrationCheckpoint)
RETURN m.table AS table, m.after AS after, m.rows AS rows, m.done AS done
