/*
 * store_state.c: what applying a declared state needs of the store
 * (store.h): a savepoint inside the audited transaction, a credential
 * changed in place (a policy bound to it keeps its reference), and the
 * settings table (schema 0004).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "stirclient.h"
#include "daemon/store/store.h"
#include "daemon/store/store_internal.h"

int
stir_store_savepoint(struct stir_store *st)
{
	int rc;

	if ((rc = sqlite3_exec(st->db, "SAVEPOINT state_apply", NULL, NULL, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "savepoint");
	return STIR_OK;
}

int
stir_store_savepoint_end(struct stir_store *st, bool rollback)
{
	int rc;

	if (rollback && (rc = sqlite3_exec(st->db, "ROLLBACK TO state_apply", NULL, NULL,
	    NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "rollback to savepoint");
	if ((rc = sqlite3_exec(st->db, "RELEASE state_apply", NULL, NULL, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "release savepoint");
	return STIR_OK;
}

static void
bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		(void)sqlite3_bind_null(s, i);
	else
		(void)sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

int
stir_store_cred_replace(struct stir_store *st, const struct stir_cred_row *row)
{
	static const char sql[] = "UPDATE credentials SET key_ref = ?, chain_pem = ?,"
	    " x5u = ?, tns = ?, spc = ?, subject = ?, not_after = ? WHERE name = ?"
	    " RETURNING name";
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	int rc, r;

	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "cred replace");
	bind_opt(s, 1, row->key_ref);
	bind_opt(s, 2, row->chain_pem);
	bind_opt(s, 3, row->x5u);
	bind_opt(s, 4, row->tns);
	bind_opt(s, 5, row->spc);
	bind_opt(s, 6, row->subject);
	(void)sqlite3_bind_int64(s, 7, row->not_after);
	bind_opt(s, 8, row->name);
	if ((rc = stir__store_step_count(st, s, &n, NULL)) != SQLITE_OK)
		r = stir__store_err(st, rc, "cred replace");
	else
		r = n == 0 ? STIR_ENOENT : STIR_OK;
	sqlite3_finalize(s);
	return r;
}

int
stir_store_setting_get(struct stir_store *st, const char *name, char **ret_value)
{
	sqlite3_stmt *s = NULL;
	char *v = NULL;
	int rc, r = STIR_OK;

	if ((rc = sqlite3_prepare_v2(st->db, "SELECT value FROM settings WHERE name = ?", -1,
	    &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "setting get");
	bind_opt(s, 1, name);
	switch ((rc = sqlite3_step(s))) {
	case SQLITE_ROW:
		if ((v = strdup((const char *)sqlite3_column_text(s, 0))) == NULL)
			r = STIR_ENOMEM;
		break;
	case SQLITE_DONE:
		r = STIR_ENOENT;
		break;
	default:
		r = stir__store_err(st, rc, "setting get");
		break;
	}
	sqlite3_finalize(s);
	if (r == STIR_OK)
		*ret_value = v;
	return r;
}

int
stir_store_setting_set(struct stir_store *st, const char *name, const char *value)
{
	sqlite3_stmt *s = NULL;
	int rc, r = STIR_OK;

	rc = sqlite3_prepare_v2(st->db, value != NULL ?
	    "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE"
	    " SET value = excluded.value" : "DELETE FROM settings WHERE name = ?", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return stir__store_err(st, rc, "setting set");
	bind_opt(s, 1, name);
	if (value != NULL)
		bind_opt(s, 2, value);
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		r = stir__store_err(st, rc, "setting set");
	sqlite3_finalize(s);
	return r;
}
