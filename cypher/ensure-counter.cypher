// Creates the change-event counter at start when missing; its value is the last seq handed out.
// Parameters: none.
// Returns: value INTEGER, the current last seq.
MERGE (c:Counter {name: 'events'})
ON CREATE SET c.value = 0
RETURN c.value AS value
