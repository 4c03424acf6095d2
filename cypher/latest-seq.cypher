// The highest committed event sequence number: the event counter's value, which the transaction writing an
// event increments (append-event), a migration moves up (import-events) and nothing else changes. One
// unique-index seek, where a search of the events for the highest seq would read the whole log at every start.
// Parameters: none.
// Returns: seq INTEGER (0 when the log is empty or init() never ran).
OPTIONAL MATCH (c:Counter {name: 'events'})
RETURN coalesce(c.value, 0) AS seq
