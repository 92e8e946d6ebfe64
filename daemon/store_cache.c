/* store_cache.c: the cert_cache table (fetched x5u chains and CRLs). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "stirclient.h"
#include "daemon/store.h"
#include "daemon/store_internal.h"

int
stir_store_cache_put(struct stir_store *st, const struct stir_cache_row *row)
{
	static const char sql[] = "INSERT OR REPLACE INTO cert_cache (url, body, status,"
	    " fetched_at, expires_at) VALUES (?,?,?,?,?)";
	sqlite3_stmt *s = NULL;
	int rc, r = STIR_OK;

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
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		r = stir__store_err(st, rc, "cache put");
	sqlite3_finalize(s);
	return r;
}

int
stir_store_cache_delete(struct stir_store *st, const char *url)
{
	sqlite3_stmt *s = NULL;
	int rc, r = STIR_OK;

	rc = sqlite3_prepare_v2(st->db, url != NULL ? "DELETE FROM cert_cache WHERE url = ?" :
	    "DELETE FROM cert_cache", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return stir__store_err(st, rc, "cache delete");
	if (url != NULL)
		(void)sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		r = stir__store_err(st, rc, "cache delete");
	sqlite3_finalize(s);
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
    struct stir_cache_row **ret, size_t *ret_n)
{
	static const char sql[] = "SELECT url, body, status, fetched_at, expires_at"
	    " FROM cert_cache WHERE expires_at > ? ORDER BY fetched_at DESC, url LIMIT ?";
	struct stir_cache_row *rows = NULL;
	sqlite3_stmt *s = NULL;
	size_t n = 0, cap = 0;
	int rc, r = STIR_OK;

	if (max > STIR_STORE_LIST_MAX)
		max = STIR_STORE_LIST_MAX;
	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "cache load");
	(void)sqlite3_bind_int64(s, 1, now);
	(void)sqlite3_bind_int64(s, 2, (int64_t)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
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
	if (r == STIR_OK && rc != SQLITE_DONE)
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
