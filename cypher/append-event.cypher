// Appends one change event under the next sequence number. The increment reads and writes the counter in
// one SET, so Cypher takes the counter's write lock before reading it: seqs are gap-free and commit in order.
// Under that lock the event's instant is moved up to the last batch instant when it is earlier, and becomes
// the last batch instant: event time follows seq whoever appends (an ingest batch's instant is already so).
// Parameters: $at STRING, $source STRING or null, $changes STRING (JSON array of changes).
// Returns: seq INTEGER, the event's sequence number; at STRING, the instant it was stored with.
MATCH (c:Counter {name: 'events'})
SET c.value = c.value + 1
WITH c, CASE WHEN c.lastBatchAt IS NOT NULL AND c.lastBatchAt > $at THEN c.lastBatchAt ELSE $at END AS at
SET c.lastBatchAt = at
CREATE (e:Event {seq: c.value, at: at, changes: $changes})
SET e.source = $source
RETURN e.seq AS seq, e.at AS at
