// Counts of everything the migration copies, for the check against the source store.
// Relationships are counted only for the registered relation types.
// Parameters: $types LIST<STRING>.
// Returns: one row: cis, ciVersions, ciKeys, relations, relationVersions, assertions, runs, events, tokens, docs, entries.
RETURN COUNT { (:CI) } AS cis,
       COUNT { (:CIVersion) } AS ciVersions,
       COUNT { (:CIKey) } AS ciKeys,
       COUNT { MATCH ()-[r]->() WHERE type(r) IN $types } AS relations,
       COUNT { (:RelationVersion) } AS relationVersions,
       COUNT { (:Assertion) } AS assertions,
       COUNT { (:Run) } AS runs,
       COUNT { (:Event) } AS events,
       COUNT { (:Token) } AS tokens,
       COUNT { (:Doc) } AS docs,
       COUNT { (:Entry) } AS entries
