// One slice of a diff's CIs (ids from diff-ci-ids), each with its version at `from` and at `to`.
// Parameters: $from STRING, $to STRING, $ids LIST<STRING> (a few hundred at most).
// Returns: id, before (list of at most one CIVersion map), after (likewise), in the order of $ids.
UNWIND $ids AS id
RETURN id,
       COLLECT {
         MATCH (a:CIVersion {ciId: id})
         WHERE a.validFrom <= $from AND (a.validTo IS NULL OR a.validTo > $from)
         RETURN properties(a)
       } AS before,
       COLLECT {
         MATCH (b:CIVersion {ciId: id})
         WHERE b.validFrom <= $to AND (b.validTo IS NULL OR b.validTo > $to)
         RETURN properties(b)
       } AS after
