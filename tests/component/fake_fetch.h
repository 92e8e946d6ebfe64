/*
 * fake_fetch.h: a scripted x5u fetcher for component tests, in the
 * spirit of Unbound's testcode/fake_event.c: it replaces the fetcher of
 * daemon/pki/fetch.h at link time, and no daemon file knows.
 *
 * How: the test programs are linked with -Wl,--wrap=SYMBOL for each
 * function of fetch.h's fetcher (FAKE_FETCH_WRAP in
 * tests/component/local.mk), so every call to stir_fetcher_new(),
 * stir_fetch_for() and the rest, from the certificate cache, the server
 * or the ops, lands here (__wrap_stir_fetch_for ...).  fetch.o itself is
 * still linked, for stir_http_cache_ttl(), which the certificate cache
 * applies to the scripted cache headers exactly as to real ones.
 *
 * The test says, per URL, what a fetch returns: a body with cache
 * headers, an HTTP error, or a transport failure (a timeout, say); and it
 * may hold a URL's fetches (they never answer) until it releases them.
 * Answers come from the loop, never from inside stir_fetch_for(), as the
 * real fetcher's do.  The fake does not share one transfer between
 * callers of the same URL: it counts every call, so a test sees the
 * coalescing the certificate cache does above it.  A fetch of a URL
 * with no script fails with STIR_EFETCH.  stir_fetcher_close() answers
 * whatever is still held or pending with STIR_ESHUTDOWN.
 */
#ifndef STIR_FAKE_FETCH_H
#define STIR_FAKE_FETCH_H

#include <stdbool.h>
#include <stddef.h>

struct stir_fetcher;

/* Fetches of url answer 200 with body (copied) and a Cache-Control value (or NULL). */
void	fake_fetch_serve(struct stir_fetcher *f, const char *url, const void *body,
	    size_t len, const char *cache_control);
/* Fetches of url answer with HTTP status (not 200): STIR_EFETCH. */
void	fake_fetch_http_error(struct stir_fetcher *f, const char *url, long status);
/*
 * Fetches of url fail without a response: err (STIR_ETIMEDOUT, STIR_EFETCH,
 * ...) with detail, or (NULL) words like the real fetcher's.
 */
void	fake_fetch_fail(struct stir_fetcher *f, const char *url, int err, const char *detail);
/* Hold url's fetches from now on (they wait), or stop holding new ones. */
void	fake_fetch_hold(struct stir_fetcher *f, const char *url, bool hold);
/*
 * Answer the fetches of url held now, from the loop, with url's script as
 * it is then; returns how many there were.  url stays held for new ones
 * unless fake_fetch_hold(f, url, false) says otherwise.
 */
unsigned fake_fetch_release(struct stir_fetcher *f, const char *url);
/* stir_fetch_for() calls made for url, answered or not. */
unsigned fake_fetch_requests(struct stir_fetcher *f, const char *url);
/* url's fetches held now. */
unsigned fake_fetch_held(struct stir_fetcher *f, const char *url);
/* Fetches of any URL held or waiting for their answer now. */
unsigned fake_fetch_pending(struct stir_fetcher *f);

#endif
