// One slice of a diff's relations (ids from diff-relation-ids), each with its version at `from` and at `to`.
// Parameters: $from STRING, $to STRING, $ids LIST<STRING> (a few hundred at most).
// Returns: id, before (list of at most one RelationVersion map), after (likewise), in the order of $ids.
UNWIND $ids AS id
RETURN id,
       COLLECT {
         MATCH (a:RelationVersion {relId: id})
         WHERE a.validFrom <= $from AND (a.validTo IS NULL OR a.validTo > $from)
         RETURN properties(a)
       } AS before,
       COLLECT {
         MATCH (b:RelationVersion {relId: id})
         WHERE b.validFrom <= $to AND (b.validTo IS NULL OR b.validTo > $to)
         RETURN properties(b)
       } AS after
