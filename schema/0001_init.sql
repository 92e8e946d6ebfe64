-- 0001: the first schema.  Forward-only: never edit a released migration;
-- add 0002_*.sql instead.  Applied in one transaction; user_version = 1.

-- Signing credentials: a key (file key name or pkcs11: URL), its
-- certificate chain (PEM, end entity first) and the x5u URL verifiers
-- fetch it from.  tns: JSON array of the TN specs it serves, or NULL.
CREATE TABLE credentials (
	name		TEXT PRIMARY KEY NOT NULL,
	key_ref		TEXT NOT NULL,
	chain_pem	TEXT NOT NULL,
	x5u		TEXT NOT NULL,
	tns		TEXT,
	spc		TEXT,
	subject		TEXT NOT NULL,
	not_after	INTEGER NOT NULL,
	created		INTEGER NOT NULL
) STRICT;

-- Trust anchors: the approved certificate authorities (STI-CA list).
CREATE TABLE trust_anchors (
	id		INTEGER PRIMARY KEY,
	sha256		TEXT NOT NULL UNIQUE,
	subject		TEXT NOT NULL,
	pem		TEXT NOT NULL,
	not_after	INTEGER NOT NULL,
	rcd		INTEGER NOT NULL DEFAULT 0,
	added		INTEGER NOT NULL
) STRICT;

-- Fetched x5u certificates (and later CRLs), with their HTTP caching.
CREATE TABLE cert_cache (
	url		TEXT PRIMARY KEY NOT NULL,
	body		BLOB,
	status		INTEGER NOT NULL,	-- 0 ok, else a STIR_E* code
	fetched_at	INTEGER NOT NULL,
	expires_at	INTEGER NOT NULL,
	etag		TEXT,
	last_modified	TEXT
) STRICT;
CREATE INDEX cert_cache_expires ON cert_cache (expires_at);

-- Rich Call Data policies (JSON documents, validated before insert).
CREATE TABLE rcd_policies (
	name		TEXT PRIMARY KEY NOT NULL,
	doc		TEXT NOT NULL,
	cred		TEXT REFERENCES credentials (name) ON DELETE RESTRICT,
	created		INTEGER NOT NULL,
	updated		INTEGER NOT NULL
) STRICT;

-- Every admin change: who (uid, pid), what, when, and the outcome.
CREATE TABLE audit_log (
	id		INTEGER PRIMARY KEY,
	ts		INTEGER NOT NULL,
	uid		INTEGER NOT NULL,
	pid		INTEGER NOT NULL,
	op		TEXT NOT NULL,
	subject		TEXT,
	result		INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_log_ts ON audit_log (ts);
