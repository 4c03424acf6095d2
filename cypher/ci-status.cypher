// Name and lifecycle of the CIs a batch's relations merely point at (their provenance is not needed).
// Parameters: $ids LIST<STRING>.
// Returns: id, name, lifecycle ('active' or 'retired'): one row per distinct existing id.
UNWIND $ids AS id
WITH DISTINCT id
MATCH (c:CI {id: id})
RETURN c.id AS id, c.name AS name, c.lifecycle AS lifecycle
