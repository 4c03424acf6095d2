// Records the instant of the batch being written on the counter node (whose lock the transaction holds),
// for the next batch's lock-writes to read. Never moves back.
// Parameters: $now STRING (ISO-8601 instant of the batch).
// Returns: nothing.
MATCH (c:Counter {name: 'events'})
WHERE c.lastBatchAt IS NULL OR c.lastBatchAt < $now
SET c.lastBatchAt = $now
