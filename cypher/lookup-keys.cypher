// Identifier keys to CI ids, read inside the write transaction by identification.
// Parameters: $keys LIST<STRING>.
// Returns: key, ciId: one row per key that is known.
UNWIND $keys AS key
MATCH (k:CIKey {key: key})
RETURN k.key AS key, k.ciId AS ciId
