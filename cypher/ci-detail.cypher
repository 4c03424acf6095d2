// One CI with its source assertions and its whole history (relations come from relations-touching).
// Parameters: $id STRING.
// Returns: ci (map), sources (list of Assertion maps), history (list of CIVersion maps); no row if unknown.
MATCH (c:CI {id: $id})
RETURN properties(c) AS ci,
       COLLECT { MATCH (a:Assertion {targetId: $id}) RETURN properties(a) } AS sources,
       COLLECT { MATCH (v:CIVersion {ciId: $id}) RETURN properties(v) } AS history
