// Imports change events with their original seq (migration) and moves the counter up to the highest,
// so the next appended event continues the sequence. Replaying a batch rewrites the same nodes.
// Parameters: $rows LIST<MAP> of {seq INTEGER, at STRING, source STRING or null, changes STRING}, never empty.
// Returns: value INTEGER, the counter after the import.
UNWIND $rows AS row
MERGE (e:Event {seq: row.seq})
SET e.at = row.at, e.source = row.source, e.changes = row.changes
WITH max(row.seq) AS top
MATCH (c:Counter {name: 'events'})
SET c.value = CASE WHEN c.value >= top THEN c.value ELSE top END
RETURN c.value AS value
