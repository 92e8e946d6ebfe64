-- 0003: the certificate cache keeps only bodies that parsed as the kind
-- they were fetched as (kind: 0 chain, 1 crl, 2 image, 3 jcard, 4 other),
-- and is bounded in bytes, least recently used first (last_used, epoch
-- seconds).  size is what a row costs (body + URL + a fixed overhead);
-- cert_cache_total keeps the sum through triggers, so checking the bound
-- never scans the table.  Rows from before were never checked: dropped.
DELETE FROM cert_cache;
ALTER TABLE cert_cache ADD COLUMN kind INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cert_cache ADD COLUMN last_used INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cert_cache ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
CREATE INDEX cert_cache_lru ON cert_cache (last_used, expires_at, size);

CREATE TABLE cert_cache_total (
	id	INTEGER PRIMARY KEY CHECK (id = 0),
	bytes	INTEGER NOT NULL,
	nrows	INTEGER NOT NULL
) STRICT;
INSERT INTO cert_cache_total (id, bytes, nrows) VALUES (0, 0, 0);

CREATE TRIGGER cert_cache_total_insert AFTER INSERT ON cert_cache BEGIN
	UPDATE cert_cache_total SET bytes = bytes + NEW.size, nrows = nrows + 1 WHERE id = 0;
END;
CREATE TRIGGER cert_cache_total_delete AFTER DELETE ON cert_cache BEGIN
	UPDATE cert_cache_total SET bytes = bytes - OLD.size, nrows = nrows - 1 WHERE id = 0;
END;
CREATE TRIGGER cert_cache_total_update AFTER UPDATE OF size ON cert_cache BEGIN
	UPDATE cert_cache_total SET bytes = bytes - OLD.size + NEW.size WHERE id = 0;
END;
