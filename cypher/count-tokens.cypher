// How many tokens exist (start-up creates the admin token when there is none).
// Parameters: none.
// Returns: n INTEGER.
MATCH (t:Token)
RETURN count(t) AS n
