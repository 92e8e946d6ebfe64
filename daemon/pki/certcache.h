/*
 * certcache.h: fetched x5u certificate chains, CRLs, TN lists by
 * reference and RCD content, in
 * memory and in the SQLite store (table cert_cache, via store.h), with
 * the HTTP cache's lifetimes.  Loop thread only; SQLite writes go to the
 * pool.
 *
 * An entry is a URL with either a body or a failure (a STIR_E* code and
 * a detail), the kind it was asked for, and an expiry.  A body is kept
 * only after it parsed as its kind (stir_cc_kind_check): anything else
 * is a failure entry without a body, kept like a failed fetch for
 * cache_negative_ttl.  A fresh entry answers on the next loop turn; a
 * missing or expired one is fetched (one transfer per URL however many
 * callers wait, of whatever kind or owner: the cache is where callers
 * share a transfer, the fetcher runs one per call).
 *
 * Callbacks always come from the loop, never from inside
 * stir_certcache_get(), stir_certcache_get_for() or
 * stir_certcache_refresh(): a caller may start several lookups and count
 * them without a guard, and a lookup that returns an error has no
 * callback (libuv's rule).  Memory and the store are each bounded in bytes (an entry
 * costs its body, its URL and STIR_CACHE_ROW_OVERHEAD) and in entries;
 * the least recently used go first.  Entries survive a restart:
 * stir_certcache_new() loads the most recently used unexpired rows that
 * fit the memory bounds, and nothing more.
 */
#ifndef STIR_CERTCACHE_H
#define STIR_CERTCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "daemon/pki/certcache_kind.h"
#include "daemon/pki/fetch.h"

struct stir_certcache;
struct stir_store;

struct stir_certcache_opts {
	unsigned	min_ttl, max_ttl, negative_ttl;
	unsigned	max_entries;	/* least recently used go first */
	size_t		max_bytes;	/* memory, entries' cost (cache_max_bytes) */
	size_t		store_max_bytes; /* the store (cache_store_max_bytes) */
};

/*
 * The answer for one URL.  body/len are borrowed for the callback (copy
 * what you keep); a hit holds its body until then, even if the entry is
 * evicted or purged meanwhile.  err is STIR_OK with a body that parsed as the kind
 * asked for, the fetch's failure, or stir_cc_kind_check()'s code for a
 * body that did not parse (then no body; detail says why).
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
	int		 kind;		/* enum stir_cc_kind */
};

typedef void (*stir_certcache_cb)(void *arg, const struct stir_certcache_entry *e);

int	stir_certcache_new(uv_loop_t *loop, struct stir_store *store,
	    struct stir_fetcher *fetcher, const struct stir_certcache_opts *opts,
	    struct stir_certcache **ret);
void	stir_certcache_set_opts(struct stir_certcache *cc,
	    const struct stir_certcache_opts *opts);
void	stir_certcache_free(struct stir_certcache *cc);

/*
 * Get url, as kind, as of now (epoch seconds): cb is called exactly once,
 * from the loop, never before this returns: on the next loop turn for a
 * fresh entry (as it was when asked), after the fetch otherwise.  An
 * entry kept for another kind answers if its body parses as kind too (a
 * failure of another kind's check is fetched again).  Returns an error
 * only if the request could not be started (then no callback).  Answers
 * already due are still delivered if stir_certcache_free() comes first.
 */
int	stir_certcache_get(struct stir_certcache *cc, const char *url,
	    enum stir_cc_kind kind, int64_t now, stir_certcache_cb cb, void *arg);
/* The same, a fetch counted against owner's share (stir_fetch_for()). */
int	stir_certcache_get_for(struct stir_certcache *cc, const char *url,
	    enum stir_cc_kind kind, int64_t now, uint64_t owner, stir_certcache_cb cb,
	    void *arg);

/* For stirctl cache: list, show, purge, prefetch (admin ops). */
struct stir_certcache_info {
	char	 url[STIR_URL_MAX + 1];
	int	 err;
	size_t	 len;
	int64_t	 fetched_at, expires, last_used;
	int	 kind;
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
int	stir_certcache_refresh(struct stir_certcache *cc, const char *url,
	    enum stir_cc_kind kind, int64_t now, stir_certcache_cb cb, void *arg);
/*
 * The entry for url as it is (fresh or not; no fetch, no LRU change):
 * *ret borrows from the cache until the next call into it on the loop.
 * STIR_ENOENT if there is none.
 */
int	stir_certcache_lookup(struct stir_certcache *cc, const char *url,
	    struct stir_certcache_entry *ret);
/* Entries in memory, their cost in bytes, and row writes not yet done
 * (for status and tests). */
size_t	stir_certcache_size(const struct stir_certcache *cc);
size_t	stir_certcache_bytes(const struct stir_certcache *cc);
unsigned stir_certcache_writes_pending(const struct stir_certcache *cc);

/* Counters since the start, for op stats (metrics.h). */
struct stir_certcache_stats {
	size_t		 entries, bytes;	/* as stir_certcache_size(), _bytes() */
	uint64_t	 hits;		/* lookups answered by a fresh entry ... */
	uint64_t	 negative_hits;	/* ... of which a remembered failure */
	uint64_t	 misses;	/* lookups that fetched, or joined a fetch */
};
void	stir_certcache_stats(const struct stir_certcache *cc,
	    struct stir_certcache_stats *ret);

/*
 * Fetch through fn(ctx, ...) instead of stir_fetch_for(fetcher, ...):
 * the fleet's shared level (fleet/shared_cache.h) when cache_shared is
 * on; NULL restores the fetcher.  fn keeps stir_fetch_for()'s contract.
 */
typedef int (*stir_certcache_fetch_fn)(void *ctx, const char *url, uint64_t owner,
	    stir_fetch_cb cb, void *arg);
void	stir_certcache_set_fetch(struct stir_certcache *cc, stir_certcache_fetch_fn fn,
	    void *ctx);

struct stir_storeq;
/*
 * Write rows on the store thread (storeq.h), which owns the database;
 * without it (unit tests) writes go to the libuv pool.
 */
void	stir_certcache_set_storeq(struct stir_certcache *cc, struct stir_storeq *q);

#endif
