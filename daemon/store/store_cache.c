/* store_cache.c: the cert_cache table (fetched x5u chains, CRLs, RCD content). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "stirclient.h"
#include "daemon/store/store.h"
#include "daemon/store/store_internal.h"

size_t
stir_cache_cost(const char *url, size_t len)
{
	return len + strlen(url) + STIR_CACHE_ROW_OVERHEAD;
}

/* Run s (prepared, bound) to completion and finalize it. */
static int
step_done(struct stir_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s), r = STIR_OK;

	if (rc != SQLITE_DONE)
		r = stir__store_err(st, rc, what);
	sqlite3_finalize(s);
	return r;
}

int
stir_store_cache_put(struct stir_store *st, const struct stir_cache_row *row)
{
	/* an upsert, not INSERT OR REPLACE: the total's triggers see an update */
	static const char sql[] = "INSERT INTO cert_cache (url, body, status, fetched_at,"
	    " expires_at, kind, last_used, size) VALUES (?,?,?,?,?,?,?,?)"
	    " ON CONFLICT (url) DO UPDATE SET body = excluded.body, status = excluded.status,"
	    " fetched_at = excluded.fetched_at, expires_at = excluded.expires_at,"
	    " kind = excluded.kind, last_used = excluded.last_used, size = excluded.size";
	sqlite3_stmt *s = NULL;
	int rc;

	if (row->url == NULL || row->len > (size_t)INT32_MAX)
		return STIR_EINVAL;
	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "cache put");
	(void)sqlite3_bind_text(s, 1, row->url, -1, SQLITE_STATIC);
	if (row->body != NULL)
		(void)sqlite3_bind_blob(s, 2, row->body, (int)row->len, SQLITE_STATIC);
	else
		(void)sqlite3_bind_null(s, 2);
	(void)sqlite3_bind_int(s, 3, row->status);
	(void)sqlite3_bind_int64(s, 4, row->fetched_at);
	(void)sqlite3_bind_int64(s, 5, row->expires_at);
	(void)sqlite3_bind_int(s, 6, row->kind);
	(void)sqlite3_bind_int64(s, 7, row->last_used);
	(void)sqlite3_bind_int64(s, 8, (int64_t)stir_cache_cost(row->url,
	    row->body != NULL ? row->len : 0));
	return step_done(st, s, "cache put");
}

int
stir_store_cache_delete(struct stir_store *st, const char *url)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(st->db, url != NULL ? "DELETE FROM cert_cache WHERE url = ?" :
	    "DELETE FROM cert_cache", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return stir__store_err(st, rc, "cache delete");
	if (url != NULL)
		(void)sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
	return step_done(st, s, "cache delete");
}

int
stir_store_cache_touch(struct stir_store *st, const char *url, int64_t last_used)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (url == NULL)
		return STIR_EINVAL;
	if ((rc = sqlite3_prepare_v2(st->db, "UPDATE cert_cache SET last_used = ?"
	    " WHERE url = ? AND last_used < ?", -1, &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "cache touch");
	(void)sqlite3_bind_int64(s, 1, last_used);
	(void)sqlite3_bind_text(s, 2, url, -1, SQLITE_STATIC);
	(void)sqlite3_bind_int64(s, 3, last_used);
	return step_done(st, s, "cache touch");
}

int
stir_store_cache_total(struct stir_store *st, size_t *ret_bytes, size_t *ret_rows)
{
	sqlite3_stmt *s = NULL;
	int rc, r = STIR_OK;

	if ((rc = sqlite3_prepare_v2(st->db, "SELECT bytes, nrows FROM cert_cache_total"
	    " WHERE id = 0", -1, &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "cache total");
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t b = sqlite3_column_int64(s, 0), n = sqlite3_column_int64(s, 1);

		*ret_bytes = b > 0 ? (size_t)b : 0;
		*ret_rows = n > 0 ? (size_t)n : 0;
	} else
		r = stir__store_err(st, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "cache total");
	sqlite3_finalize(s);
	return r;
}

/*
 * The least recently used rows that free at least excess bytes (at most
 * STIR_CACHE_TRIM_BATCH of them), from the (last_used, expires_at, size)
 * index alone: their rowids in ids.
 */
static int
oldest_rows(struct stir_store *st, size_t excess, int64_t *ids, size_t *ret_n)
{
	static const char sql[] = "SELECT rowid, size FROM cert_cache"
	    " ORDER BY last_used, expires_at LIMIT ?";
	sqlite3_stmt *s = NULL;
	size_t n = 0, freed = 0;
	int rc, r = STIR_OK;

	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "cache trim");
	(void)sqlite3_bind_int(s, 1, STIR_CACHE_TRIM_BATCH);
	rc = SQLITE_DONE;
	while (freed < excess && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t size = sqlite3_column_int64(s, 1);

		ids[n++] = sqlite3_column_int64(s, 0);
		freed += size > 0 ? (size_t)size : 0;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = stir__store_err(st, rc, "cache trim");
	sqlite3_finalize(s);
	*ret_n = n;
	return r;
}

int
stir_store_cache_trim(struct stir_store *st, int64_t now, size_t max_bytes,
    size_t *ret_deleted)
{
	static const char expired[] = "DELETE FROM cert_cache WHERE expires_at <= ?";
	int64_t ids[STIR_CACHE_TRIM_BATCH];
	sqlite3_stmt *s = NULL;
	size_t deleted = 0, bytes, rows, n = 0;
	int rc, r;

	if ((rc = sqlite3_prepare_v2(st->db, expired, -1, &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "cache trim");
	(void)sqlite3_bind_int64(s, 1, now);
	if ((r = step_done(st, s, "cache trim")) != STIR_OK)
		return r;
	deleted += (size_t)sqlite3_changes(st->db);
	/* then the least recently used, until the rows fit */
	while ((r = stir_store_cache_total(st, &bytes, &rows)) == STIR_OK &&
	    bytes > max_bytes && rows > 0) {
		if ((r = oldest_rows(st, bytes - max_bytes, ids, &n)) != STIR_OK || n == 0)
			break;
		for (size_t i = 0; r == STIR_OK && i < n; i++) {
			if ((rc = sqlite3_prepare_v2(st->db, "DELETE FROM cert_cache WHERE rowid = ?",
			    -1, &s, NULL)) != SQLITE_OK) {
				r = stir__store_err(st, rc, "cache trim");
				break;
			}
			(void)sqlite3_bind_int64(s, 1, ids[i]);
			if ((r = step_done(st, s, "cache trim")) == STIR_OK)
				deleted += (size_t)sqlite3_changes(st->db);
		}
		if (r != STIR_OK)
			break;
	}
	if (ret_deleted != NULL)
		*ret_deleted = deleted;
	return r;
}

void
stir_store_cache_rows_free(struct stir_cache_row *rows, size_t n)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(rows[i].url);
		free(rows[i].body);
	}
	free(rows);
}

static int
row_fill(sqlite3_stmt *s, struct stir_cache_row *row)
{
	const unsigned char *url = sqlite3_column_text(s, 0);
	const void *body;
	int blen;

	if (url == NULL || (row->url = strdup((const char *)url)) == NULL)
		return url == NULL ? STIR_EDB : STIR_ENOMEM;
	row->status = sqlite3_column_int(s, 2);
	row->fetched_at = sqlite3_column_int64(s, 3);
	row->expires_at = sqlite3_column_int64(s, 4);
	row->kind = sqlite3_column_int(s, 5);
	row->last_used = sqlite3_column_int64(s, 6);
	if (sqlite3_column_type(s, 1) == SQLITE_NULL)
		return STIR_OK;
	body = sqlite3_column_blob(s, 1);
	blen = sqlite3_column_bytes(s, 1);
	/* never NULL for a stored body, even an empty one */
	if ((row->body = malloc(blen > 0 ? (size_t)blen : 1)) == NULL)
		return STIR_ENOMEM;
	if (blen > 0)
		memcpy(row->body, body, (size_t)blen);
	row->len = (size_t)blen;
	return STIR_OK;
}

int
stir_store_cache_load(struct stir_store *st, int64_t now, size_t max,
    size_t max_bytes, struct stir_cache_row **ret, size_t *ret_n)
{
	/* newest first through the (last_used, expires_at) index: the scan
	 * stops where the bounds are reached, the rest is never read */
	static const char sql[] = "SELECT url, body, status, fetched_at, expires_at, kind,"
	    " last_used, size FROM cert_cache WHERE expires_at > ?"
	    " ORDER BY last_used DESC, expires_at DESC LIMIT ?";
	struct stir_cache_row *rows = NULL;
	sqlite3_stmt *s = NULL;
	size_t n = 0, cap = 0, bytes = 0;
	int rc, r = STIR_OK;

	if (max > STIR_STORE_LIST_MAX)
		max = STIR_STORE_LIST_MAX;
	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "cache load");
	(void)sqlite3_bind_int64(s, 1, now);
	(void)sqlite3_bind_int64(s, 2, (int64_t)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t size = sqlite3_column_int64(s, 7);

		if (size < 0 || (uint64_t)size > max_bytes - bytes)
			break;			/* the memory bound is reached */
		bytes += (size_t)size;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct stir_cache_row *t = realloc(rows, nc * sizeof(*rows));

			if (t == NULL) {
				r = STIR_ENOMEM;
				break;
			}
			rows = t;
			cap = nc;
		}
		memset(&rows[n], 0, sizeof(rows[n]));
		n++;
		if ((r = row_fill(s, &rows[n - 1])) != STIR_OK)
			break;
	}
	if (r == STIR_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = stir__store_err(st, rc, "cache load");
	sqlite3_finalize(s);
	if (r != STIR_OK) {
		stir_store_cache_rows_free(rows, n);
		return r;
	}
	*ret = rows;
	*ret_n = n;
	return STIR_OK;
}
