/*
 * store_state.c: what applying a declared state needs of the store
 * (store.h): a savepoint inside the audited transaction, and the
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

int
stir_store_setting_get(struct stir_store *st, const char *name, char **ret_value)
{
	sqlite3_stmt *s = NULL;
	char *v = NULL;
	int rc, r = STIR_OK;

	if ((rc = sqlite3_prepare_v2(st->db, "SELECT value FROM settings WHERE name = ?", -1,
	    &s, NULL)) != SQLITE_OK)
		return stir__store_err(st, rc, "setting get");
	(void)sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
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
	(void)sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (value != NULL)
		(void)sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		r = stir__store_err(st, rc, "setting set");
	sqlite3_finalize(s);
	return r;
}
