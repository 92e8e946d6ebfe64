/*
 * certcache.h: fetched x5u certificate chains (and CRLs), in memory and
 * in the SQLite store (table cert_cache, via store.h), with the HTTP
 * cache's lifetimes.  Loop thread only; SQLite writes go to the pool.
 *
 * An entry is a URL with either a body (the PEM as fetched) or a failure
 * (a STIR_E* code and a detail), and an expiry.  A fresh entry answers at
 * once; a missing or expired one is fetched (one transfer per URL however
 * many callers wait).  Failures are kept for cache_negative_ttl.  Entries
 * survive a restart: stir_certcache_new() loads the unexpired rows.
 */
#ifndef STIR_CERTCACHE_H
#define STIR_CERTCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "daemon/fetch.h"

struct stir_certcache;
struct stir_store;

struct stir_certcache_opts {
	unsigned	min_ttl, max_ttl, negative_ttl;
	unsigned	max_entries;	/* least recently used go first */
};

/*
 * The answer for one URL.  body/len are borrowed for the callback (copy
 * what you keep).  err is STIR_OK with a body, or the fetch's failure.
 * from_cache tells whether a fetch happened.  expires is the epoch time
 * the entry stops being fresh; serial changes whenever the body changes
 * (a validated-chain memo keys on it).
 */
struct stir_certcache_entry {
	const char	*url;
	int		 err;
	const char	*detail;
	const uint8_t	*body;
	size_t		 len;
	int64_t		 fetched_at;
	int64_t		 expires;
	uint64_t	 serial;
	bool		 from_cache;
};

typedef void (*stir_certcache_cb)(void *arg, const struct stir_certcache_entry *e);

int	stir_certcache_new(uv_loop_t *loop, struct stir_store *store,
	    struct stir_fetcher *fetcher, const struct stir_certcache_opts *opts,
	    struct stir_certcache **ret);
void	stir_certcache_set_opts(struct stir_certcache *cc,
	    const struct stir_certcache_opts *opts);
void	stir_certcache_free(struct stir_certcache *cc);

/*
 * Get url as of now (epoch seconds): cb is called exactly once, either
 * before this returns (a fresh entry) or later (after a fetch).  Returns
 * an error only if the request could not be started (then no callback).
 */
int	stir_certcache_get(struct stir_certcache *cc, const char *url, int64_t now,
	    stir_certcache_cb cb, void *arg);
/* The same, a fetch counted against owner's share (stir_fetch_for()). */
int	stir_certcache_get_for(struct stir_certcache *cc, const char *url, int64_t now,
	    uint64_t owner, stir_certcache_cb cb, void *arg);

/* For stirctl cache: list, show, purge, prefetch (admin ops). */
struct stir_certcache_info {
	char	 url[STIR_URL_MAX + 1];
	int	 err;
	size_t	 len;
	int64_t	 fetched_at, expires;
};
/* Entries now (memory), at most max; *ret is freed with free(). */
int	stir_certcache_list(struct stir_certcache *cc, size_t max,
	    struct stir_certcache_info **ret, size_t *ret_n);
/* Drop url (or every entry if url is NULL), from memory and the store. */
int	stir_certcache_purge(struct stir_certcache *cc, const char *url);
/* The same, telling how many entries left memory. */
int	stir_certcache_purge_count(struct stir_certcache *cc, const char *url,
	    size_t *ret_n);
/*
 * Fetch url now, fresh or not (cache.prefetch), as stir_certcache_get()
 * otherwise; joins a fetch of url already running.  The callback comes
 * later, never from inside this call.
 */
int	stir_certcache_refresh(struct stir_certcache *cc, const char *url, int64_t now,
	    stir_certcache_cb cb, void *arg);
/*
 * The entry for url as it is (fresh or not; no fetch, no LRU change):
 * *ret borrows from the cache until the next call into it on the loop.
 * STIR_ENOENT if there is none.
 */
int	stir_certcache_lookup(struct stir_certcache *cc, const char *url,
	    struct stir_certcache_entry *ret);
/* Entries in memory, and row writes not yet done (for status and tests). */
size_t	stir_certcache_size(const struct stir_certcache *cc);
unsigned stir_certcache_writes_pending(const struct stir_certcache *cc);

#endif
