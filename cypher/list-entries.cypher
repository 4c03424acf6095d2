// A record's timeline: its latest $limit entries, returned oldest first.
// Parameters: $recordId STRING, $limit INTEGER.
// Returns: entry (map of the Entry node's properties), ordered by at, id.
MATCH (e:Entry {recordId: $recordId})
WITH e ORDER BY e.at DESC, e.id DESC LIMIT $limit
RETURN properties(e) AS entry
ORDER BY entry.at, entry.id
