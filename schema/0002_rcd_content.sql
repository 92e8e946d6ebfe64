-- 0002: what an RCD policy's URL content was when last fetched: a JSON
-- object keyed by rcdi pointer ("/icn", "/jcl", "/jcl/1/3/3", ...), each
-- {"url", "type", "size", "digest", "fetched", "expires", "changed"}.
-- Written by stird when a policy is added and whenever the content is
-- fetched again; "changed" is when the digest last changed.
ALTER TABLE rcd_policies ADD COLUMN content TEXT NOT NULL DEFAULT '{}';
