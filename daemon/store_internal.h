/*
 * store_internal.h: what the files of the store module share (store.c,
 * store_cache.c).  Nothing outside daemon/store*.c includes this, and
 * only those files include sqlite3.h.
 */
#ifndef STIR_STORE_INTERNAL_H
#define STIR_STORE_INTERNAL_H

#include <sqlite3.h>

struct stir_store {
	sqlite3	*db;
};

/* Log a SQLite failure (with its message) and return STIR_EDB. */
int	stir__store_err(struct stir_store *st, int rc, const char *what);

#endif
