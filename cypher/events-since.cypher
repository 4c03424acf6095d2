// The change-event log after a sequence number, in order (replicas and the ws hub follow it).
// Parameters: $seq INTEGER, $limit INTEGER.
// Returns: seq, at, source, changes (JSON string), ordered by seq.
MATCH (e:Event)
WHERE e.seq > $seq
RETURN e.seq AS seq, e.at AS at, e.source AS source, e.changes AS changes
ORDER BY e.seq
LIMIT $limit
