/* store.c: SQLite persistence.  The only file that includes sqlite3.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/store/store.h"
#include "daemon/store/store_internal.h"

extern const char *const stir_migrations[];

#define STIR_APPLICATION_ID	0x53544952	/* "STIR", PRAGMA application_id */
#define BUSY_SLEEP_MAX_NS	5000000		/* between two tries for a lock */
/* Tables that mark a database as stird's (schema version 1 on). */
static const char *const stird_tables[] = { "credentials", "trust_anchors",
    "cert_cache", "audit_log" };

int
stir__store_err(struct stir_store *st, int rc, const char *what)
{
	log_err("store: %s: %s (%d)", what, sqlite3_errmsg(st->db), rc);
	return STIR_EDB;
}
#define db_err stir__store_err

uint64_t
stir_store_now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* SQLite's busy handler: wait in short sleeps until the deadline. */
static int
on_busy(void *arg, int count)
{
	struct stir_store *st = arg;
	uint64_t now = stir_store_now_ns(), end = st->deadline_ns, left;
	struct timespec ts;

	if (end == 0) {
		if (count == 0)
			st->busy_until_ns = now + (uint64_t)STIR_STORE_BUSY_MS * 1000000u;
		end = st->busy_until_ns;
	}
	if (now >= end)
		return 0;
	left = end - now;
	if (left > BUSY_SLEEP_MAX_NS)
		left = BUSY_SLEEP_MAX_NS;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)left;
	(void)nanosleep(&ts, NULL);
	return 1;
}

void
stir_store_set_deadline(struct stir_store *st, uint64_t deadline_ns)
{
	st->deadline_ns = deadline_ns;
}

int
stir__store_step_count(struct stir_store *st, sqlite3_stmt *s, int64_t *ret_n,
    int64_t *ret_first)
{
	int64_t n = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == 0 && ret_first != NULL)
			*ret_first = sqlite3_column_int64(s, 0);
		n++;
	}
	*ret_n = n;
	if (rc != SQLITE_DONE)
		return rc;
	(void)st;
	return SQLITE_OK;
}

int
stir_store_begin(struct stir_store *st)
{
	int rc;

	if (st->in_txn) {
		log_err("store: a transaction is already open");
		return STIR_EINTERNAL;
	}
	if ((rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
		return db_err(st, rc, "begin");
	st->in_txn = true;
	return STIR_OK;
}

int
stir_store_commit(struct stir_store *st)
{
	int rc;

	if (!st->in_txn)
		return STIR_EINTERNAL;
	if ((rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK) {
		int r = db_err(st, rc, "commit");

		/* a failed COMMIT may leave the transaction open: end it */
		if (!sqlite3_get_autocommit(st->db))
			(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		st->in_txn = false;
		return r;
	}
	st->in_txn = false;
	return STIR_OK;
}

void
stir_store_rollback(struct stir_store *st)
{
	if (!st->in_txn)
		return;
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_txn = false;
}

/* A duplicate name or fingerprint, as opposed to any other constraint. */
static int
is_duplicate(int rc)
{
	return rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE;
}

int
stir_store_latest_version(void)
{
	int n = 0;

	while (stir_migrations[n] != NULL)
		n++;
	return n;
}

int
stir_store_version(struct stir_store *st, int *ret_version)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL)) != SQLITE_OK)
		return db_err(st, rc, "user_version");
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_err(st, rc, "user_version");
	}
	*ret_version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return STIR_OK;
}

/*
 * Is this database stird's, or empty?  Another application's database is
 * refused before anything (even the journal mode) is written to it.
 */
static int
check_owner(struct stir_store *st, const char *path, char *msg, size_t msglen)
{
	sqlite3_stmt *s = NULL;
	int64_t app_id = 0, ntables = 0, ours = 0;
	int version = 0, rc, r = STIR_EDB;

	if ((r = stir_store_version(st, &version)) != STIR_OK) {
		snprintf(msg, msglen, "%s: cannot read the schema version: %s", path,
		    sqlite3_errmsg(st->db));
		return r;
	}
	r = STIR_EDB;
	if ((rc = sqlite3_prepare_v2(st->db, "SELECT (SELECT application_id FROM"
	    " pragma_application_id), (SELECT count(*) FROM sqlite_schema WHERE"
	    " name NOT LIKE 'sqlite\\_%' ESCAPE '\\'), (SELECT count(*) FROM sqlite_schema"
	    " WHERE type = 'table' AND name IN (?,?,?,?))", -1, &s, NULL)) != SQLITE_OK)
		goto sqlfail;
	for (int i = 0; i < (int)(sizeof(stird_tables) / sizeof(stird_tables[0])); i++)
		(void)sqlite3_bind_text(s, i + 1, stird_tables[i], -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW)
		goto sqlfail;
	app_id = sqlite3_column_int64(s, 0);
	ntables = sqlite3_column_int64(s, 1);
	ours = sqlite3_column_int64(s, 2);
	st->marked = app_id == STIR_APPLICATION_ID;
	if (app_id == STIR_APPLICATION_ID ||
	    (app_id == 0 && version == 0 && ntables == 0) ||
	    (app_id == 0 && version > 0 && ours == (int64_t)(sizeof(stird_tables) /
	    sizeof(stird_tables[0]))))
		r = STIR_OK;
	else
		snprintf(msg, msglen, "%s: not a stird database (application id 0x%llx, schema"
		    " version %d, %lld other objects); it was left as it is", path,
		    (unsigned long long)app_id, version, (long long)ntables);
	sqlite3_finalize(s);
	return r;
 sqlfail:
	snprintf(msg, msglen, "%s: cannot read the schema: %s", path, sqlite3_errmsg(st->db));
	sqlite3_finalize(s);
	return STIR_EDB;
}

static int
migrate(struct stir_store *st, char *msg, size_t msglen)
{
	int have, latest = stir_store_latest_version(), r, rc;
	char *err = NULL, pragma[64];

	if ((r = stir_store_version(st, &have)) != STIR_OK) {
		snprintf(msg, msglen, "cannot read the schema version: %s",
		    sqlite3_errmsg(st->db));
		return r;
	}
	if (have > latest) {
		snprintf(msg, msglen, "the database has schema version %d; this stird knows up to %d (downgrade?)",
		    have, latest);
		return STIR_EDB;
	}
	for (int v = have; v < latest; v++) {
		/* each migration and its version bump commit together */
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d;", v + 1);
		if ((rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &err)) != SQLITE_OK ||
		    (rc = sqlite3_exec(st->db, stir_migrations[v], NULL, NULL, &err)) != SQLITE_OK ||
		    (rc = sqlite3_exec(st->db, pragma, NULL, NULL, &err)) != SQLITE_OK ||
		    (rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, &err)) != SQLITE_OK) {
			snprintf(msg, msglen, "migration %04d failed: %s", v + 1,
			    err ? err : "?");
			sqlite3_free(err);
			(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return STIR_EDB;
		}
		log_notice("store: migrated the database to schema version %d", v + 1);
	}
	return STIR_OK;
}

int
stir_store_open(const char *path, struct stir_store **ret, char *msg,
    size_t msglen)
{
	struct stir_store *st = NULL;
	struct stat sb;
	sqlite3_stmt *s = NULL;
	char *err = NULL, pragma[64];
	int rc, r = STIR_EDB;

	if (stat(path, &sb) == 0) {
		if (!S_ISREG(sb.st_mode)) {
			snprintf(msg, msglen, "%s: not a regular file", path);
			return STIR_EDB;
		}
		if ((sb.st_mode & 022) != 0) {
			snprintf(msg, msglen, "%s: group- or world-writable; refusing it (chmod 0600)",
			    path);
			return STIR_EPERM;
		}
	} else if (errno != ENOENT) {
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return STIR_EDB;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return STIR_ENOMEM;
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		snprintf(msg, msglen, "%s: cannot open: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto out;
	}
	(void)sqlite3_extended_result_codes(st->db, 1);
	(void)sqlite3_busy_handler(st->db, on_busy, st);
	/* the first read tells a database from anything else */
	rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0) {
		snprintf(msg, msglen, "%s: not a stird database or corrupt (%s); it was left as it is",
		    path, rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) :
		    sqlite3_errmsg(st->db));
		goto out;
	}
	sqlite3_finalize(s);
	s = NULL;
	if ((r = check_owner(st, path, msg, msglen)) != STIR_OK)
		goto out;
	r = STIR_EDB;
	if ((rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL; PRAGMA journal_size_limit = 4194304; PRAGMA foreign_keys = ON;"
	    " PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;", NULL, NULL, &err)) != SQLITE_OK) {
		snprintf(msg, msglen, "%s: %s", path, err ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		goto out;
	}
	if ((r = migrate(st, msg, msglen)) != STIR_OK)
		goto out;
	/* marked once: a full disk must not keep a marked database from opening */
	snprintf(pragma, sizeof(pragma), "PRAGMA application_id = %d;", STIR_APPLICATION_ID);
	if (!st->marked && (rc = sqlite3_exec(st->db, pragma, NULL, NULL, NULL)) != SQLITE_OK) {
		snprintf(msg, msglen, "%s: cannot mark it as stird's: %s", path,
		    sqlite3_errmsg(st->db));
		r = STIR_EDB;
		goto out;
	}
	*ret = st;
	st = NULL;
	r = STIR_OK;
 out:
	sqlite3_finalize(s);
	stir_store_close(st);
	return r;
}

void
stir_store_close(struct stir_store *st)
{
	if (st == NULL)
		return;
	(void)sqlite3_close_v2(st->db);
	free(st);
}

static int
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static char *
col_text(sqlite3_stmt *s, int i, int *oom)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	char *r;

	if (t == NULL)
		return NULL;
	if ((r = strdup((const char *)t)) == NULL)
		*oom = 1;
	return r;
}

/* Insert row; with replace, change the row of that name (created stays). */
static int
cred_put(struct stir_store *st, const struct stir_cred_row *row, bool replace)
{
	static const char add[] = "INSERT INTO credentials (name, key_ref, chain_pem,"
	    " x5u, tns, spc, subject, not_after, created) VALUES (?,?,?,?,?,?,?,?,?)";
	static const char upd[] = "INSERT INTO credentials (name, key_ref, chain_pem,"
	    " x5u, tns, spc, subject, not_after, created) VALUES (?,?,?,?,?,?,?,?,?)"
	    " ON CONFLICT (name) DO UPDATE SET key_ref = excluded.key_ref,"
	    " chain_pem = excluded.chain_pem, x5u = excluded.x5u, tns = excluded.tns,"
	    " spc = excluded.spc, subject = excluded.subject, not_after = excluded.not_after";
	sqlite3_stmt *s = NULL;
	int rc, r;

	if ((rc = sqlite3_prepare_v2(st->db, replace ? upd : add, -1, &s, NULL)) != SQLITE_OK)
		return db_err(st, rc, "cred add");
	bind_text(s, 1, row->name);
	bind_text(s, 2, row->key_ref);
	bind_text(s, 3, row->chain_pem);
	bind_text(s, 4, row->x5u);
	bind_text(s, 5, row->tns);
	bind_text(s, 6, row->spc);
	bind_text(s, 7, row->subject);
	sqlite3_bind_int64(s, 8, row->not_after);
	sqlite3_bind_int64(s, 9, row->created);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		r = STIR_OK;
	else if (is_duplicate(rc))
		r = STIR_EEXIST;
	else
		r = db_err(st, rc, "cred add");
	sqlite3_finalize(s);
	return r;
}

int
stir_store_cred_add(struct stir_store *st, const struct stir_cred_row *row)
{
	return cred_put(st, row, false);
}

int
stir_store_cred_replace(struct stir_store *st, const struct stir_cred_row *row)
{
	return cred_put(st, row, true);
}

static int
delete_where(struct stir_store *st, const char *sql, const char *name, int64_t id)
{
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	int rc, r;

	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return db_err(st, rc, "delete");
	if (name != NULL)
		bind_text(s, 1, name);
	else
		sqlite3_bind_int64(s, 1, id);
	if ((rc = stir__store_step_count(st, s, &n, NULL)) != SQLITE_OK)
		r = (rc & 0xff) == SQLITE_CONSTRAINT ? STIR_EPOLICY : db_err(st, rc, "delete");
	else
		r = n > 0 ? STIR_OK : STIR_ENOENT;
	sqlite3_finalize(s);
	return r;
}

int
stir_store_cred_remove(struct stir_store *st, const char *name)
{
	return delete_where(st, "DELETE FROM credentials WHERE name = ? RETURNING 1", name, 0);
}

int
stir_store_cred_set_key(struct stir_store *st, const char *name, const char *key_ref)
{
	sqlite3_stmt *s = NULL;
	int rc, r = STIR_OK;

	if ((rc = sqlite3_prepare_v2(st->db, "UPDATE credentials SET key_ref = ? WHERE name = ?",
	    -1, &s, NULL)) != SQLITE_OK)
		return db_err(st, rc, "cred set key");
	bind_text(s, 1, key_ref);
	bind_text(s, 2, name);
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		r = db_err(st, rc, "cred set key");
	else if (sqlite3_changes(st->db) == 0)
		r = STIR_ENOENT;
	sqlite3_finalize(s);
	/* the old value must not linger in the WAL file (secure_delete is on) */
	if (r == STIR_OK && (rc = sqlite3_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE)",
	    NULL, NULL, NULL)) != SQLITE_OK)
		r = db_err(st, rc, "wal checkpoint");
	return r;
}

int
stir_store_cred_using_key(struct stir_store *st, const char *key_ref, char **ret_name)
{
	sqlite3_stmt *s = NULL;
	int rc, r;

	if ((rc = sqlite3_prepare_v2(st->db, "SELECT name FROM credentials WHERE key_ref = ?"
	    " ORDER BY name LIMIT 1", -1, &s, NULL)) != SQLITE_OK)
		return db_err(st, rc, "cred by key");
	bind_text(s, 1, key_ref);
	switch ((rc = sqlite3_step(s))) {
	case SQLITE_ROW:
		r = (*ret_name = strdup((const char *)sqlite3_column_text(s, 0))) != NULL ?
		    STIR_OK : STIR_ENOMEM;
		break;
	case SQLITE_DONE:
		r = STIR_ENOENT;
		break;
	default:
		r = db_err(st, rc, "cred by key");
		break;
	}
	sqlite3_finalize(s);
	return r;
}

void
stir_store_cred_rows_free(struct stir_cred_row *rows, size_t n)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(rows[i].name);
		free(rows[i].key_ref);
		free(rows[i].chain_pem);
		free(rows[i].x5u);
		free(rows[i].tns);
		free(rows[i].spc);
		free(rows[i].subject);
	}
	free(rows);
}

/* Run a list query, calling fill for each row into a growing array. */
typedef int (*row_fill_fn)(sqlite3_stmt *s, void *row);

static int
list_query(struct stir_store *st, const char *sql, int64_t limit, size_t rowsize,
    row_fill_fn fill, void **ret, size_t *ret_n, void (*rows_free)(void *, size_t))
{
	sqlite3_stmt *s = NULL;
	char *rows = NULL;
	size_t n = 0, cap = 0;
	int rc, r = STIR_OK;

	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return db_err(st, rc, "list");
	sqlite3_bind_int64(s, 1, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char *t = realloc(rows, nc * rowsize);

			if (t == NULL) {
				r = STIR_ENOMEM;
				break;
			}
			rows = t;
			cap = nc;
		}
		memset(rows + n * rowsize, 0, rowsize);
		n++;
		if ((r = fill(s, rows + (n - 1) * rowsize)) != STIR_OK)
			break;
	}
	if (r == STIR_OK && rc != SQLITE_DONE)
		r = db_err(st, rc, "list");
	sqlite3_finalize(s);
	if (r != STIR_OK) {
		rows_free(rows, n);
		return r;
	}
	*ret = rows;
	*ret_n = n;
	return STIR_OK;
}

static int
cred_fill(sqlite3_stmt *s, void *p)
{
	struct stir_cred_row *row = p;
	int oom = 0;

	row->name = col_text(s, 0, &oom);
	row->key_ref = col_text(s, 1, &oom);
	row->chain_pem = col_text(s, 2, &oom);
	row->x5u = col_text(s, 3, &oom);
	row->tns = col_text(s, 4, &oom);
	row->spc = col_text(s, 5, &oom);
	row->subject = col_text(s, 6, &oom);
	row->not_after = sqlite3_column_int64(s, 7);
	row->created = sqlite3_column_int64(s, 8);
	return oom ? STIR_ENOMEM : STIR_OK;
}

static void
cred_rows_free_v(void *rows, size_t n)
{
	stir_store_cred_rows_free(rows, n);
}

int
stir_store_cred_list(struct stir_store *st, struct stir_cred_row **ret,
    size_t *ret_n)
{
	return list_query(st, "SELECT name, key_ref, chain_pem, x5u, tns, spc, subject,"
	    " not_after, created FROM credentials ORDER BY name LIMIT ?",
	    STIR_STORE_LIST_MAX, sizeof(**ret), cred_fill, (void **)ret, ret_n,
	    cred_rows_free_v);
}

int
stir_store_trust_add(struct stir_store *st, const struct stir_trust_row *row,
    int64_t *ret_id)
{
	static const char sql[] = "INSERT INTO trust_anchors (sha256, subject, pem,"
	    " not_after, rcd, added) VALUES (?,?,?,?,?,?) RETURNING id";
	sqlite3_stmt *s = NULL;
	int64_t n = 0;
	int rc, r;

	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return db_err(st, rc, "trust add");
	bind_text(s, 1, row->sha256);
	bind_text(s, 2, row->subject);
	bind_text(s, 3, row->pem);
	sqlite3_bind_int64(s, 4, row->not_after);
	sqlite3_bind_int(s, 5, row->rcd);
	sqlite3_bind_int64(s, 6, row->added);
	if ((rc = stir__store_step_count(st, s, &n, ret_id)) == SQLITE_OK)
		r = n == 1 ? STIR_OK : db_err(st, SQLITE_INTERNAL, "trust add returned no id");
	else if (is_duplicate(rc))
		r = STIR_EEXIST;
	else
		r = db_err(st, rc, "trust add");
	sqlite3_finalize(s);
	return r;
}

int
stir_store_trust_remove(struct stir_store *st, int64_t id)
{
	return delete_where(st, "DELETE FROM trust_anchors WHERE id = ? RETURNING 1", NULL, id);
}

void
stir_store_trust_rows_free(struct stir_trust_row *rows, size_t n)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(rows[i].sha256);
		free(rows[i].subject);
		free(rows[i].pem);
	}
	free(rows);
}

static int
trust_fill(sqlite3_stmt *s, void *p)
{
	struct stir_trust_row *row = p;
	int oom = 0;

	row->id = sqlite3_column_int64(s, 0);
	row->sha256 = col_text(s, 1, &oom);
	row->subject = col_text(s, 2, &oom);
	row->pem = col_text(s, 3, &oom);
	row->not_after = sqlite3_column_int64(s, 4);
	row->rcd = sqlite3_column_int(s, 5);
	row->added = sqlite3_column_int64(s, 6);
	return oom ? STIR_ENOMEM : STIR_OK;
}

static void
trust_rows_free_v(void *rows, size_t n)
{
	stir_store_trust_rows_free(rows, n);
}

int
stir_store_trust_list(struct stir_store *st, struct stir_trust_row **ret,
    size_t *ret_n)
{
	return list_query(st, "SELECT id, sha256, subject, pem, not_after, rcd, added"
	    " FROM trust_anchors ORDER BY id LIMIT ?", STIR_STORE_LIST_MAX,
	    sizeof(**ret), trust_fill, (void **)ret, ret_n, trust_rows_free_v);
}

int
stir_store_audit(struct stir_store *st, int64_t ts, uid_t uid, pid_t pid,
    const char *op, const char *subject, int result)
{
	static const char sql[] = "INSERT INTO audit_log (ts, uid, pid, op, subject,"
	    " result) VALUES (?,?,?,?,?,?)";
	sqlite3_stmt *s = NULL;
	int rc, r = STIR_OK;

	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return db_err(st, rc, "audit");
	sqlite3_bind_int64(s, 1, ts);
	sqlite3_bind_int64(s, 2, (int64_t)uid);
	sqlite3_bind_int64(s, 3, (int64_t)pid);
	bind_text(s, 4, op);
	bind_text(s, 5, subject);
	sqlite3_bind_int(s, 6, result);
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		r = db_err(st, rc, "audit");
	sqlite3_finalize(s);
	return r;
}

void
stir_store_audit_rows_free(struct stir_audit_row *rows, size_t n)
{
	if (rows == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(rows[i].op);
		free(rows[i].subject);
	}
	free(rows);
}

static int
audit_fill(sqlite3_stmt *s, void *p)
{
	struct stir_audit_row *row = p;
	int oom = 0;

	row->id = sqlite3_column_int64(s, 0);
	row->ts = sqlite3_column_int64(s, 1);
	row->uid = sqlite3_column_int64(s, 2);
	row->pid = sqlite3_column_int64(s, 3);
	row->op = col_text(s, 4, &oom);
	row->subject = col_text(s, 5, &oom);
	row->result = sqlite3_column_int(s, 6);
	return oom ? STIR_ENOMEM : STIR_OK;
}

static void
audit_rows_free_v(void *rows, size_t n)
{
	stir_store_audit_rows_free(rows, n);
}

int
stir_store_audit_list(struct stir_store *st, size_t limit,
    struct stir_audit_row **ret, size_t *ret_n)
{
	if (limit == 0 || limit > STIR_STORE_LIST_MAX)
		limit = STIR_STORE_LIST_MAX;
	return list_query(st, "SELECT id, ts, uid, pid, op, subject, result FROM"
	    " audit_log ORDER BY id DESC LIMIT ?", (int64_t)limit, sizeof(**ret),
	    audit_fill, (void **)ret, ret_n, audit_rows_free_v);
}

int
stir_store_counts(struct stir_store *st, int64_t *ret_creds,
    int64_t *ret_anchors, int64_t *ret_cached, int64_t *ret_policies)
{
	static const char sql[] = "SELECT (SELECT count(*) FROM credentials),"
	    " (SELECT count(*) FROM trust_anchors), (SELECT count(*) FROM cert_cache),"
	    " (SELECT count(*) FROM rcd_policies)";
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL)) != SQLITE_OK)
		return db_err(st, rc, "counts");
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_err(st, rc, "counts");
	}
	*ret_creds = sqlite3_column_int64(s, 0);
	*ret_anchors = sqlite3_column_int64(s, 1);
	*ret_cached = sqlite3_column_int64(s, 2);
	*ret_policies = sqlite3_column_int64(s, 3);
	sqlite3_finalize(s);
	return STIR_OK;
}
