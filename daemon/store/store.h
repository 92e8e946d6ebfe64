/*
 * store.h: the SQLite store (the only module that includes sqlite3.h).
 *
 * Concurrency model: one connection, owned by one thread.  It is opened
 * at start on the main thread (loads before the loop runs), and from then
 * on every call is made from the store thread (storeq.h), which runs
 * admin changes, audit records, cache writes and reload queries one at a
 * time.  Nothing on the loop or the crypto pool touches the database, so
 * a locked or slow database never delays signing or verifying.  Row ids
 * and row counts come from RETURNING, never from connection-wide state
 * (last_insert_rowid, changes), and a multi-step admin change with its
 * audit record is one transaction (stir_store_begin .. commit).
 *
 * Strings in rows are owned by the row arrays and freed with the
 * matching _free function.
 */
#ifndef STIR_STORE_H
#define STIR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define STIR_STORE_BUSY_MS	5000	/* busy timeout on every connection */
#define STIR_STORE_LIST_MAX	10000	/* rows returned by one list call */

struct stir_store;

/*
 * Open (creating if absent) and migrate.  A file that is not a database,
 * is corrupt, is newer than this stird, or is group/world-writable is an
 * error with the reason in msg; nothing is recreated over it.
 */
int	stir_store_open(const char *path, struct stir_store **ret, char *msg,
	    size_t msglen);
void	stir_store_close(struct stir_store *st);
/* Schema version (PRAGMA user_version) and the newest this build knows. */
int	stir_store_version(struct stir_store *st, int *ret_version);
int	stir_store_latest_version(void);

/*
 * Waiting for another process's lock ends at deadline_ns (CLOCK_MONOTONIC,
 * see stir_store_now_ns); 0 gives each statement STIR_STORE_BUSY_MS.
 * Past it a statement fails with STIR_EDB.
 */
void	stir_store_set_deadline(struct stir_store *st, uint64_t deadline_ns);
uint64_t stir_store_now_ns(void);
/*
 * One write transaction (BEGIN IMMEDIATE): the write lock is taken now,
 * so nothing after it waits on another writer.  Commit or roll back
 * exactly once.  Not nested.
 */
int	stir_store_begin(struct stir_store *st);
int	stir_store_commit(struct stir_store *st);
void	stir_store_rollback(struct stir_store *st);

struct stir_cred_row {
	char	*name;
	char	*key_ref;
	char	*chain_pem;
	char	*x5u;
	char	*tns;		/* JSON array text, or NULL */
	char	*spc;		/* or NULL */
	char	*subject;
	int64_t	 not_after;
	int64_t	 created;
};

int	stir_store_cred_add(struct stir_store *st, const struct stir_cred_row *row);
/*
 * Add row, or change the credential of that name in place (its key,
 * chain, x5u, tns, spc, subject and not_after; created stays), so that a
 * policy bound to it stays bound.
 */
int	stir_store_cred_replace(struct stir_store *st, const struct stir_cred_row *row);
int	stir_store_cred_remove(struct stir_store *st, const char *name);
/*
 * Point credential name at key key_ref, and checkpoint the WAL so that the
 * old value is gone from the files (secure_delete zeroes freed cells).
 */
int	stir_store_cred_set_key(struct stir_store *st, const char *name,
	    const char *key_ref);
/* The name of a stored credential using key_ref (free()), or STIR_ENOENT. */
int	stir_store_cred_using_key(struct stir_store *st, const char *key_ref,
	    char **ret_name);
int	stir_store_cred_list(struct stir_store *st, struct stir_cred_row **ret,
	    size_t *ret_n);
void	stir_store_cred_rows_free(struct stir_cred_row *rows, size_t n);

struct stir_trust_row {
	int64_t	 id;
	char	*sha256;
	char	*subject;
	char	*pem;
	int64_t	 not_after;
	int	 rcd;
	int64_t	 added;
};

/* STIR_EEXIST if an anchor with the same fingerprint exists. */
int	stir_store_trust_add(struct stir_store *st, const struct stir_trust_row *row,
	    int64_t *ret_id);
int	stir_store_trust_remove(struct stir_store *st, int64_t id);
int	stir_store_trust_list(struct stir_store *st, struct stir_trust_row **ret,
	    size_t *ret_n);
void	stir_store_trust_rows_free(struct stir_trust_row *rows, size_t n);

/* RCD policies (store_policy.c): the document as given, and its content. */
struct stir_policy_row {
	char	*name;
	char	*doc;		/* the policy document (JSON text) */
	char	*cred;		/* credential it is bound to, or NULL */
	char	*content;	/* JSON object: rcdi pointer -> fetched content */
	int64_t	 created, updated;
};

/*
 * Store a policy.  Without replace, STIR_EEXIST if the name is taken;
 * STIR_EPOLICY if row->cred names no stored credential.
 */
int	stir_store_policy_put(struct stir_store *st, const struct stir_policy_row *row,
	    bool replace);
/*
 * Replace the content of policy name if its document is still doc (a
 * policy replaced meanwhile keeps its own): STIR_ENOENT otherwise.
 */
int	stir_store_policy_set_content(struct stir_store *st, const char *name,
	    const char *doc, const char *content);
int	stir_store_policy_remove(struct stir_store *st, const char *name);
/* All policies, by name. */
int	stir_store_policy_list(struct stir_store *st, struct stir_policy_row **ret,
	    size_t *ret_n);
void	stir_store_policy_rows_free(struct stir_policy_row *rows, size_t n);

/* Append to the audit log. */
int	stir_store_audit(struct stir_store *st, int64_t ts, uid_t uid, pid_t pid,
	    const char *op, const char *subject, int result);

struct stir_audit_row {
	int64_t	 id, ts;
	int64_t	 uid, pid;
	char	*op;
	char	*subject;
	int	 result;
};
/* The newest limit entries, newest first. */
int	stir_store_audit_list(struct stir_store *st, size_t limit,
	    struct stir_audit_row **ret, size_t *ret_n);
void	stir_store_audit_rows_free(struct stir_audit_row *rows, size_t n);

/*
 * The fetched-certificate cache (store_cache.c).  Each row costs its
 * body, its URL and STIR_CACHE_ROW_OVERHEAD; the total is kept by the
 * schema (cert_cache_total), so bounding the table never scans it.
 */
#define STIR_CACHE_ROW_OVERHEAD	512	/* bytes an entry costs besides URL and body */
#define STIR_CACHE_TRIM_BATCH	32	/* least recently used rows looked at a time */

struct stir_cache_row {
	char	*url;
	uint8_t	*body;		/* NULL for a failure */
	size_t	 len;
	int	 status;	/* STIR_OK, or the failure's STIR_E* code */
	int	 kind;		/* enum stir_cc_kind (certcache.h) */
	int64_t	 fetched_at;
	int64_t	 expires_at;
	int64_t	 last_used;
};

/* The cost of an entry with url and len bytes of body. */
size_t	stir_cache_cost(const char *url, size_t len);
/* Insert or replace the row for row->url. */
int	stir_store_cache_put(struct stir_store *st, const struct stir_cache_row *row);
/* Delete url's row, or every row if url is NULL. */
int	stir_store_cache_delete(struct stir_store *st, const char *url);
/* Set url's last_used (no row: nothing happens). */
int	stir_store_cache_touch(struct stir_store *st, const char *url, int64_t last_used);
/*
 * Delete the rows expired at now, then the least recently used until the
 * rows cost at most max_bytes; *ret_deleted (if not NULL) counts both.
 */
int	stir_store_cache_trim(struct stir_store *st, int64_t now, size_t max_bytes,
	    size_t *ret_deleted);
/* What the rows cost in all, and how many there are. */
int	stir_store_cache_total(struct stir_store *st, size_t *ret_bytes, size_t *ret_rows);
/*
 * The rows that expire after now, most recently used first, in one query
 * that stops at max rows or before the rows would cost more than
 * max_bytes: nothing beyond is read.
 */
int	stir_store_cache_load(struct stir_store *st, int64_t now, size_t max,
	    size_t max_bytes, struct stir_cache_row **ret, size_t *ret_n);
void	stir_store_cache_rows_free(struct stir_cache_row *rows, size_t n);

/*
 * The declared state (store_state.c, stirctl apply).  A savepoint nests
 * inside the caller's transaction (stir_store_begin), so that a change
 * of many rows can be undone without undoing the audit record beside it:
 * end it with rollback true to undo every change made since.
 */
int	stir_store_savepoint(struct stir_store *st);
int	stir_store_savepoint_end(struct stir_store *st, bool rollback);
/* A stored setting (free()); STIR_ENOENT if name has none. */
int	stir_store_setting_get(struct stir_store *st, const char *name, char **ret_value);
/* Store a setting, or with value NULL remove it (none: STIR_OK). */
int	stir_store_setting_set(struct stir_store *st, const char *name, const char *value);

/* Row counts for status. */
int	stir_store_counts(struct stir_store *st, int64_t *ret_creds,
	    int64_t *ret_anchors, int64_t *ret_cached, int64_t *ret_policies);

#endif
