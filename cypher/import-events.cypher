// Imports change events with their original seq (migration) and moves the counter up to the highest,
// so the next appended event continues the sequence. Replaying a batch rewrites the same nodes.
// An empty $rows leaves the counter as it is (max() of no rows is null, and a null counter would break
// every later append).
// Parameters: $rows LIST<MAP> of {seq INTEGER, at STRING, source STRING or null, changes STRING}.
// Returns: value INTEGER, the counter after the import.
UNWIND $rows AS row
MERGE (e:Event {seq: row.seq})
SET e.at = row.at, e.source = row.source, e.changes = row.changes
WITH coalesce(max(row.seq), 0) AS top
MATCH (c:Counter {name: 'events'})
SET c.value = CASE WHEN c.value >= top THEN c.value ELSE top END
RETURN c.value AS value
