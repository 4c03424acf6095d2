// Active assertions of one source in one scope: what a completing run (or a stale sweep) may retire.
// Parameters: $source STRING, $scope STRING.
// Returns: targetId, kind ('ci' or 'relation'), runId, lastSeen.
MATCH (a:Assertion {source: $source, scope: $scope})
WHERE a.active = true
RETURN a.targetId AS targetId, a.kind AS kind, a.runId AS runId, a.lastSeen AS lastSeen
