// Takes the store-wide write lock at the start of every write transaction: writing a property of the
// counter node takes its write lock (even when the value does not change) and holds it until commit, the
// manual's explicit-lock pattern (`SET n._LOCK_ = true`). So identification (read) and write of two batches
// never interleave, as with SQLite's single writer, and two batches can never create the same CI twice.
// It also reads, under the lock, the instant of the last committed batch: the batch being written takes an
// instant no earlier, so versions and events follow commit order even when batches queued on the lock.
// Parameters: none.
// Returns: locked INTEGER 1 and lastBatchAt (STRING or null); no row when the counter is missing (init() never ran: nothing is locked).
MATCH (c:Counter {name: 'events'})
SET c._lock = true
RETURN 1 AS locked, c.lastBatchAt AS lastBatchAt
