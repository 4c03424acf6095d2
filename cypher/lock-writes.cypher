// Takes the store-wide write lock at the start of every write transaction: writing a property of the
// counter node holds its write lock until commit, so identification (read) and write of two batches never
// interleave, as with SQLite's single writer, and two batches can never create the same CI twice.
// Parameters: none.
// Returns: nothing.
MATCH (c:Counter {name: 'events'})
SET c._lock = true
