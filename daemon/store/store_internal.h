/*
 * store_internal.h: what the files of the store module share (store.c,
 * store_cache.c).  Nothing outside daemon/store*.c includes this, and
 * only those files include sqlite3.h.
 */
#ifndef STIR_STORE_INTERNAL_H
#define STIR_STORE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

struct stir_store {
	sqlite3		*db;
	uint64_t	 deadline_ns;	/* busy waits end here (0: per statement) */
	uint64_t	 busy_until_ns;	/* the current statement's, if no deadline */
	bool		 in_txn;	/* between stir_store_begin and commit */
	bool		 marked;	/* application_id says stird's already */
};

/* A statement that returns rows one by one: count them (RETURNING). */
int	stir__store_step_count(struct stir_store *st, sqlite3_stmt *s, int64_t *ret_n,
	    int64_t *ret_first);

/* Log a SQLite failure (with its message) and return STIR_EDB. */
int	stir__store_err(struct stir_store *st, int rc, const char *what);

#endif
