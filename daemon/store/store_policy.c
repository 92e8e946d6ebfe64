/* store_policy.c: the rcd_policies table (RCD policies and their content). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "stirclient.h"
#include "daemon/store/store.h"
#include "daemon/store/store_internal.h"

static int
constraint_err(int rc)
{
	return rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE ?
	    STIR_EEXIST : STIR_EPOLICY;
}

int
stir_store_policy_put(struct stir_store *st, const struct stir_policy_row *row,
    bool replace)
{
	static const char add[] = "INSERT INTO rcd_policies (name, doc, cred, created,"
	    " updated, content) VALUES (?,?,?,?,?,?)";
	static const char upd[] = "INSERT INTO rcd_policies (name, doc, cred, created,"
	    " updated, content) VALUES (?,?,?,?,?,?) ON CONFLICT (name) DO UPDATE SET"
	    " doc = excluded.doc, cred = excluded.cred, updated = excluded.updated,"
	    " content = excluded.content";
	sqlite3_stmt *s = NULL;
	int rc, r = STIR_OK;

	if ((rc = sqlite3_prepare_v2(st->db, replace ? upd : add, -1, &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "policy put");
	(void)sqlite3_bind_text(s, 1, row->name, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(s, 2, row->doc, -1, SQLITE_STATIC);
	if (row->cred != NULL)
		(void)sqlite3_bind_text(s, 3, row->cred, -1, SQLITE_STATIC);
	else
		(void)sqlite3_bind_null(s, 3);
	(void)sqlite3_bind_int64(s, 4, row->created);
	(void)sqlite3_bind_int64(s, 5, row->updated);
	(void)sqlite3_bind_text(s, 6, row->content != NULL ? row->content : "{}", -1,
	    SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		r = (rc & 0xff) == SQLITE_CONSTRAINT ? constraint_err(sqlite3_extended_errcode(st->db)) :
		    stir__store_err(st, rc, "policy put");
	sqlite3_finalize(s);
	return r;
}

int
stir_store_policy_set_content(struct stir_store *st, const char *name, const char *doc,
    const char *content)
{
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	int rc, r = STIR_OK;

	if ((rc = sqlite3_prepare_v2(st->db, "UPDATE rcd_policies SET content = ?"
	    " WHERE name = ? AND doc = ? RETURNING 1", -1, &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "policy content");
	(void)sqlite3_bind_text(s, 1, content, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(s, 3, doc, -1, SQLITE_STATIC);
	if ((rc = stir__store_step_count(st, s, &n, NULL)) != SQLITE_OK)
		r = stir__store_err(st, rc, "policy content");
	else if (n == 0)
		r = STIR_ENOENT;
	sqlite3_finalize(s);
	return r;
}

int
stir_store_policy_remove(struct stir_store *st, const char *name)
{
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	int rc, r = STIR_OK;

	if ((rc = sqlite3_prepare_v2(st->db, "DELETE FROM rcd_policies WHERE name = ? RETURNING 1", -1,
	    &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "policy remove");
	(void)sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if ((rc = stir__store_step_count(st, s, &n, NULL)) != SQLITE_OK)
		r = (rc & 0xff) == SQLITE_CONSTRAINT ? STIR_EPOLICY :
		    stir__store_err(st, rc, "policy remove");
	else if (n == 0)
		r = STIR_ENOENT;
	sqlite3_finalize(s);
	return r;
}

void
stir_store_policy_rows_free(struct stir_policy_row *rows, size_t n)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(rows[i].name);
		free(rows[i].doc);
		free(rows[i].cred);
		free(rows[i].content);
	}
	free(rows);
}

static int
dup_col(sqlite3_stmt *s, int col, char **ret)
{
	const unsigned char *v = sqlite3_column_text(s, col);

	if (v == NULL) {
		*ret = NULL;
		return STIR_OK;
	}
	return (*ret = strdup((const char *)v)) != NULL ? STIR_OK : STIR_ENOMEM;
}

int
stir_store_policy_list(struct stir_store *st, struct stir_policy_row **ret,
    size_t *ret_n)
{
	struct stir_policy_row *rows = NULL, *nr;
	sqlite3_stmt *s = NULL;
	size_t n = 0, cap = 0;
	int rc, r = STIR_OK;

	if ((rc = sqlite3_prepare_v2(st->db, "SELECT name, doc, cred, created, updated,"
	    " content FROM rcd_policies ORDER BY name", -1, &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "policy list");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == STIR_STORE_LIST_MAX)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nr = realloc(rows, cap * sizeof(*rows))) == NULL) {
				r = STIR_ENOMEM;
				goto out;
			}
			rows = nr;
		}
		memset(&rows[n], 0, sizeof(rows[n]));
		n++;
		if ((r = dup_col(s, 0, &rows[n - 1].name)) != STIR_OK ||
		    (r = dup_col(s, 1, &rows[n - 1].doc)) != STIR_OK ||
		    (r = dup_col(s, 2, &rows[n - 1].cred)) != STIR_OK ||
		    (r = dup_col(s, 5, &rows[n - 1].content)) != STIR_OK)
			goto out;
		if (rows[n - 1].name == NULL || rows[n - 1].doc == NULL) {
			r = STIR_EDB;
			goto out;
		}
		rows[n - 1].created = sqlite3_column_int64(s, 3);
		rows[n - 1].updated = sqlite3_column_int64(s, 4);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		r = stir__store_err(st, rc, "policy list");
		goto out;
	}
	*ret = rows;
	*ret_n = n;
	rows = NULL;
	n = 0;
 out:
	sqlite3_finalize(s);
	stir_store_policy_rows_free(rows, n);
	return r;
}
