// Which of the given event sequence numbers the database already holds (a migration refuses to copy an
// event over another one).
// Parameters: $seqs LIST<INTEGER>.
// Returns: seq INTEGER, one row per taken seq, ordered by seq, at most 10.
UNWIND $seqs AS s
MATCH (e:Event {seq: s})
RETURN e.seq AS seq
ORDER BY seq
LIMIT 10
