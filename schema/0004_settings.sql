-- 0004: settings declared through the admin socket (stirctl apply), which
-- override stird.conf's value of the same name while a row is there.
-- Today only connected_identity (a TN spec list, as in stird.conf); a
-- name without a row takes stird.conf's value.
CREATE TABLE settings (
	name		TEXT PRIMARY KEY NOT NULL,
	value		TEXT NOT NULL
) STRICT;
