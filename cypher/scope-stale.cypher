// At most $limit active assertions of one source in one scope last seen before $before: a part of what a stale
// sweep retires, found through the (source, scope, lastSeen) range index, not by reading the whole scope.
// Parameters: $source STRING, $scope STRING, $before STRING (ISO instant, compared as lastSeen is stored), $limit INTEGER.
// Returns: targetId, kind ('ci' or 'relation'), runId, lastSeen; oldest first (the index's order).
MATCH (a:Assertion {source: $source, scope: $scope})
WHERE a.lastSeen < $before AND a.active = true
RETURN a.targetId AS targetId, a.kind AS kind, a.runId AS runId, a.lastSeen AS lastSeen
ORDER BY lastSeen
LIMIT $limit
