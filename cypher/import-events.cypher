// Imports change events with their original seq (migration) and moves the counter up to the highest,
// so the next appended event continues the sequence. CREATE, not MERGE: an event of the same seq already
// in the database is never overwritten (the caller checks with events-taken first and refuses; the
// event_seq constraint stops anything that slips past). A batch is never sent twice: its checkpoint
// commits with it, and a retried transaction finds the checkpoint and skips the batch.
// An empty $rows leaves the counter as it is (max() of no rows is null, and a null counter would break
// every later append).
// Parameters: $rows LIST<MAP> of {seq INTEGER, at STRING, source STRING or null, changes STRING}.
// Returns: value INTEGER, the counter after the import.
UNWIND $rows AS row
CREATE (e:Event {seq: row.seq, at: row.at, changes: row.changes})
SET e.source = row.source
WITH coalesce(max(row.seq), 0) AS top
MATCH (c:Counter {name: 'events'})
SET c.value = CASE WHEN c.value >= top THEN c.value ELSE top END
RETURN c.value AS value
