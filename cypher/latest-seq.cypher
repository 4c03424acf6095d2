// The highest committed event sequence number (0 when the log is empty).
// Parameters: none.
// Returns: seq INTEGER.
OPTIONAL MATCH (e:Event)
WITH e ORDER BY e.seq DESC LIMIT 1
RETURN coalesce(e.seq, 0) AS seq
