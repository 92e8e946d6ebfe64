/*
 * shared_cache.h: the fleet's level of the certificate cache, on Redis.
 * The certificate cache (pki/certcache.h: memory, then the SQLite store)
 * fetches through stir_shared_fetch() when cache_shared is on:
 *
 * 1. GET <prefix>cache:<SHA-256 of the URL>: an answer another host
 *    fetched, still fresh by the same HTTP caching rules and bounds
 *    (stir_http_cache_ttl() with cache_min_ttl and cache_max_ttl from
 *    its fetch time), is delivered as if fetched, with the lifetime
 *    that is left.  A failure is shared too, for cache_negative_ttl.
 * 2. Otherwise one host takes a short lock (SET <prefix>lock:<hash>
 *    NX PX fetch_timeout_ms + 1 s) and fetches; the others poll for its
 *    answer (every STIR_SHARED_POLL_MS) until the lock's time is up, then
 *    fetch themselves.  So a burst of calls with a new x5u fetches it
 *    once per fleet, not once per host.
 * 3. The fetcher publishes what it fetched (SET ... EX lifetime) if the
 *    entry is at most cache_shared_max_bytes, and frees the lock.
 *
 * A value is one line of JSON (the URL, fetch time, outcome and caching
 * headers), a newline, and the body; a value for another URL, or one
 * that does not parse, is a miss.  Bodies read from Redis pass the same
 * checks as fetched ones (the certificate cache judges both).  Redis
 * down, slow or failing: the host fetches itself, as without a fleet.
 * Loop thread only.
 */
#ifndef STIR_FLEET_SHARED_CACHE_H
#define STIR_FLEET_SHARED_CACHE_H

#include <stdint.h>
#include <jansson.h>
#include <uv.h>

#include "daemon/fleet/redis.h"
#include "daemon/pki/fetch.h"

#define STIR_SHARED_POLL_MS	50	/* a host waiting for another's fetch */
#define STIR_SHARED_HEAD_MAX	4096	/* the JSON line of a value */

struct stir_shared_cache_opts {
	const char	*prefix;
	unsigned	 min_ttl, max_ttl, negative_ttl;	/* the cache's */
	size_t		 max_bytes;	/* largest value published */
	unsigned	 lock_ms;	/* a fetching host's lock */
};

struct stir_shared_cache_stats {
	uint64_t	hits;		/* answered from Redis */
	uint64_t	misses;		/* not there: fetched here or waited */
	uint64_t	waits;		/* another host was fetching: polled */
	uint64_t	waited_hits;	/* ... and its answer came */
	uint64_t	published;	/* answers this host put there */
	uint64_t	bypassed;	/* Redis not up or failing: fetched here */
};

struct stir_shared_cache;

int	stir_shared_cache_new(uv_loop_t *loop, struct stir_redis *redis,
	    struct stir_fetcher *fetcher, const struct stir_shared_cache_opts *opts,
	    struct stir_shared_cache **ret);
void	stir_shared_cache_set_opts(struct stir_shared_cache *sc,
	    const struct stir_shared_cache_opts *opts);
/*
 * Operations still waiting on Redis or polling are abandoned (their fetch
 * callbacks get STIR_ESHUTDOWN, from inside this call); free it before
 * the Redis link and the fetcher.
 */
void	stir_shared_cache_free(struct stir_shared_cache *sc);

/*
 * stir_fetch_for() through the fleet (the certificate cache's fetch
 * hook, pki/certcache.h): cb is called exactly once, later, from the
 * loop, unless this returns an error.
 */
int	stir_shared_fetch(void *ctx, const char *url, uint64_t owner, stir_fetch_cb cb,
	    void *arg);

/*
 * The value a fetch's answer is shared as (its JSON line, "\n", the body),
 * malloc'd, *ret_len bytes; NULL if larger than max (or no memory).
 */
char	*stir_shared_value_make(const char *url, const struct stir_fetch_result *res,
	    int64_t now, size_t max, size_t *ret_len);
/*
 * Read value v (len bytes from Redis) for url at now: STIR_OK with *res
 * as a fetch's answer (borrowed from v, cc and *ret_head: json_decref()
 * it after use), its Cache-Control the lifetime left; STIR_ENOENT if it
 * is no value, another URL's, out of range or stale.
 */
int	stir_shared_value_read(const char *v, size_t len, const char *url, int64_t now,
	    const struct stir_shared_cache_opts *o, struct stir_fetch_result *res, char *cc,
	    size_t cclen, json_t **ret_head);

void	stir_shared_cache_stats(const struct stir_shared_cache *sc,
	    struct stir_shared_cache_stats *ret);

#endif
