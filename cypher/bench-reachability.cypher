// Everything one failed CI takes down, computed by Neo4j itself instead of the projection: the impact
// benchmark's "obvious alternative" (as the recursive CTE is for SQLite), never run by the API.
// A quantified path pattern walks the impact edges from the failed CI: DEPENDS_ON and RUNS_ON against
// their direction (whatever depends on or runs on a failed CI is hit), PART_OF along it (the group a
// failed CI is part of is hit), through live relationships only (retired ones keep their relationship
// with validTo set, see upsert-relations.cypher). ANY SHORTEST keeps one path per reached CI, so the
// search is breadth-first and visits each CI once rather than enumerating every path (which explodes on
// a dense estate). Requires Neo4j 5.21+ (the store needs 5.26 anyway).
// Parameters: $id STRING (the failed CI's id).
// Returns: id STRING, one row per CI reached, the failed CI itself included (zero hops), in no order.
MATCH ANY SHORTEST (s:CI {id: $id})
      ((a:CI)-[r:DEPENDS_ON|RUNS_ON|PART_OF]-(b:CI)
        WHERE r.validTo IS NULL
          AND CASE type(r) WHEN 'PART_OF' THEN startNode(r) = a ELSE endNode(r) = a END)*
      (n:CI)
RETURN n.id AS id
