/*
 * fetch.h: x5u and CRL fetching over HTTP(S) with libcurl's multi-socket
 * interface on the libuv loop.  The only file that includes <curl/curl.h>.
 * Nothing here blocks the loop: name lookups are asynchronous (c-ares or
 * the threaded resolver), sockets and timers are libuv handles.
 *
 * Rules (enforced here, for every fetch):
 * - a URL of 1 to STIR_URL_MAX bytes (stir_url_key_ok()); the rules a
 *   URL meets before it is fetched (x5u, RCD, certificates) are
 *   daemon/stir/url.h's, while this file parses it with libcurl;
 * - https:// only, unless allow_http; no redirects (a 3xx is a failure);
 * - the peer address must not be loopback, private (RFC 1918, ULA),
 *   link-local, multicast or unspecified unless allow_private (checked on
 *   the address actually connected to, so DNS tricks do not help);
 * - at most max_bytes of body (the transfer is cut as soon as it is
 *   exceeded) and timeout_ms in all;
 * - TLS verification with ca_file (or the system bundle).
 * Each call is one transfer: nothing here shares a transfer between
 * callers of one URL (the certificate cache does, certcache.h), so each
 * call counts against the limits below.
 *
 * Scheduling is fair between hosts (a host is the URL's host, lowercased,
 * and port): each host has its own queue, at most per_host of its
 * transfers run at once, and a freed slot goes to the next host in turn
 * (round robin), so a host that never answers holds per_host slots, not
 * all of them.  A fetch that waited queue_ms for a slot fails with
 * STIR_EBUSY without ever having run.  A tagged caller (an owner: one
 * request) holds at most per_owner transfers, running or waiting.
 */
#ifndef STIR_FETCH_H
#define STIR_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "daemon/base/metrics.h"
#include "daemon/stir/url.h"	/* STIR_URL_MAX, stir_url_key_ok() */

#define STIR_FETCH_MAX_INFLIGHT	256	/* transfers at once; more wait */
#define STIR_FETCH_PER_HOST	8	/* default: at once to one host:port */
#define STIR_FETCH_PER_OWNER	16	/* default: one owner's, running or waiting */

struct stir_fetcher;

struct stir_fetch_opts {
	const char	*ca_file;	/* NULL or "": system bundle */
	bool		 allow_http;
	bool		 allow_private;
	unsigned	 timeout_ms;
	size_t		 max_bytes;
	unsigned	 max_active;	/* 0 or over it: STIR_FETCH_MAX_INFLIGHT */
	unsigned	 per_host;	/* 0: STIR_FETCH_PER_HOST */
	unsigned	 per_owner;	/* 0: STIR_FETCH_PER_OWNER */
	unsigned	 queue_ms;	/* longest wait for a slot; 0: timeout_ms */
};

struct stir_fetch_result {
	int		 err;		/* STIR_OK, or STIR_EFETCH / STIR_ETIMEDOUT /
					   STIR_ETOOBIG / STIR_EPOLICY (URL or address refused) /
					   STIR_EBUSY (no slot within queue_ms) */
	long		 http_status;	/* 0 if no response */
	const uint8_t	*body;		/* borrowed for the callback */
	size_t		 len;
	const char	*content_type;	/* borrowed; NULL if none */
	/* caching headers, for stir_http_cache_ttl() */
	const char	*cache_control;	/* borrowed; NULL if none */
	const char	*expires;	/* borrowed; NULL if none */
	const char	*date;		/* borrowed; NULL if none */
	char		 detail[256];	/* why it failed, for people and logs */
};

/* Called once per fetch, on the loop thread. */
typedef void (*stir_fetch_cb)(void *arg, const struct stir_fetch_result *res);

int	stir_fetcher_new(uv_loop_t *loop, const struct stir_fetch_opts *opts,
	    struct stir_fetcher **ret);
/* New options for fetches started from now on (reload). */
int	stir_fetcher_set_opts(struct stir_fetcher *f, const struct stir_fetch_opts *opts);
/*
 * Fetch url, one transfer; cb is called exactly once, later (never from
 * inside this call), unless this returns an error (then it is never
 * called).
 */
int	stir_fetch(struct stir_fetcher *f, const char *url, stir_fetch_cb cb, void *arg);
/*
 * The same on behalf of owner (non-zero; e.g. a request's address, and
 * the owner waits for every callback): the transfer is refused with
 * STIR_EBUSY when owner already holds per_owner.  stir_fetch() is owner
 * 0 (no share).  STIR_EBUSY also when the host's or the fetcher's queue
 * is full.
 */
int	stir_fetch_for(struct stir_fetcher *f, const char *url, uint64_t owner,
	    stir_fetch_cb cb, void *arg);
/* Abort all transfers (their callbacks get STIR_ESHUTDOWN) and close the
 * libuv handles; the fetcher is freed when the last handle has closed. */
void	stir_fetcher_close(struct stir_fetcher *f);
/* Transfers running now (for status). */
unsigned stir_fetcher_inflight(const struct stir_fetcher *f);

struct stir_fetch_stats {
	unsigned	 active;	/* transfers running */
	unsigned	 queued;	/* waiting for a slot */
	unsigned	 hosts;		/* hosts with a transfer running or waiting */
	uint64_t	 expired;	/* failed after queue_ms without a slot */
	uint64_t	 refused;	/* refused at once: a queue or a share was full */
	uint64_t	 outcomes[_STIR_M_FETCH_MAX];	/* transfers ended, by outcome
					   (expired ones are STIR_M_FETCH_BUSY) */
	struct stir_histogram latency;	/* their time, queueing included */
};
/* The scheduler's counters now (for status and tests). */
void	stir_fetcher_stats(const struct stir_fetcher *f, struct stir_fetch_stats *ret);

/*
 * Parse caching headers (RFC 9111: Cache-Control max-age, s-maxage,
 * no-store, no-cache; Expires relative to Date) into a time to live in
 * seconds, clamped to [min_ttl, max_ttl].  no-store and no-cache give 0
 * (use once, do not keep).  Hostile input: bounded, never crashes.
 */
int64_t	stir_http_cache_ttl(const char *cache_control, const char *expires,
	    const char *date, int64_t now, unsigned min_ttl, unsigned max_ttl);

#endif
