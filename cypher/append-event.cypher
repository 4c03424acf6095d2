// Appends one change event under the next sequence number. The increment reads and writes the counter in
// one SET, so Cypher takes the counter's write lock before reading it: seqs are gap-free and commit in order.
// Parameters: $at STRING, $source STRING or null, $changes STRING (JSON array of changes).
// Returns: seq INTEGER, the event's sequence number.
MATCH (c:Counter {name: 'events'})
SET c.value = c.value + 1
CREATE (e:Event {seq: c.value, at: $at, changes: $changes})
SET e.source = $source
RETURN e.seq AS seq
