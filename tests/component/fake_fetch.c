/*
 * fake_fetch.c: the scripted fetcher (fake_fetch.h).  Each function of
 * daemon/pki/fetch.h's fetcher is defined here as __wrap_NAME; the link
 * (-Wl,--wrap=NAME) sends every call of NAME to it.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "stirclient.h"
#include "daemon/pki/fetch.h"
#include "tests/component/fake_fetch.h"

enum script_kind {
	SCRIPT_NONE,		/* not scripted: STIR_EFETCH */
	SCRIPT_SERVE,		/* 200 with a body */
	SCRIPT_HTTP,		/* another HTTP status */
	SCRIPT_FAIL,		/* no response: err */
};

struct ffetch;

/* One URL: its script, its counters and its held fetches (in order). */
struct furl {
	struct furl	*next;
	char		*url;
	enum script_kind kind;
	uint8_t		*body;
	size_t		 len;
	char		*cache_control;
	long		 status;
	int		 err;
	char		 detail[256];
	bool		 hold;
	unsigned	 requests;
	struct ffetch	*held, **held_tail;
	unsigned	 nheld;
};

/* One stir_fetch_for() call, waiting for its answer. */
struct ffetch {
	struct ffetch	*next;
	struct furl	*u;
	stir_fetch_cb	 cb;
	void		*arg;
};

struct stir_fetcher {
	uv_loop_t	*loop;
	uv_idle_t	 idle;		/* answers what is ready, from the loop */
	unsigned	 timeout_ms;
	struct furl	*urls;
	struct ffetch	*ready, **ready_tail;
	unsigned	 nready;
	unsigned	 nheld;
	bool		 closing;
};

/* The wrapped functions (fetch.h's declarations, under their link names). */
int	__wrap_stir_fetcher_new(uv_loop_t *loop, const struct stir_fetch_opts *opts,
	    struct stir_fetcher **ret);
int	__wrap_stir_fetcher_set_opts(struct stir_fetcher *f, const struct stir_fetch_opts *opts);
int	__wrap_stir_fetch(struct stir_fetcher *f, const char *url, stir_fetch_cb cb, void *arg);
int	__wrap_stir_fetch_for(struct stir_fetcher *f, const char *url, uint64_t owner,
	    stir_fetch_cb cb, void *arg);
void	__wrap_stir_fetcher_close(struct stir_fetcher *f);
unsigned __wrap_stir_fetcher_inflight(const struct stir_fetcher *f);
void	__wrap_stir_fetcher_stats(const struct stir_fetcher *f, struct stir_fetch_stats *ret);

/* ---- URLs and their scripts ---- */

static struct furl *
url_find(struct stir_fetcher *f, const char *url)
{
	for (struct furl *u = f->urls; u != NULL; u = u->next)
		if (strcmp(u->url, url) == 0)
			return u;
	return NULL;
}

/* url's record, made if new; aborts on OOM (a test fixture, not the daemon) */
static struct furl *
url_get(struct stir_fetcher *f, const char *url)
{
	struct furl *u = url_find(f, url);

	if (u != NULL)
		return u;
	if ((u = calloc(1, sizeof(*u))) == NULL || (u->url = strdup(url)) == NULL)
		abort();
	u->held_tail = &u->held;
	u->next = f->urls;
	f->urls = u;
	return u;
}

static void
script_clear(struct furl *u)
{
	free(u->body);
	free(u->cache_control);
	u->body = NULL;
	u->cache_control = NULL;
	u->len = 0;
	u->status = 0;
	u->err = STIR_OK;
	u->detail[0] = '\0';
}

void
fake_fetch_serve(struct stir_fetcher *f, const char *url, const void *body, size_t len,
    const char *cache_control)
{
	struct furl *u = url_get(f, url);

	script_clear(u);
	u->kind = SCRIPT_SERVE;
	if ((u->body = malloc(len ? len : 1)) == NULL ||
	    (cache_control != NULL && (u->cache_control = strdup(cache_control)) == NULL))
		abort();
	memcpy(u->body, body, len);
	u->len = len;
}

void
fake_fetch_http_error(struct stir_fetcher *f, const char *url, long status)
{
	struct furl *u = url_get(f, url);

	script_clear(u);
	u->kind = SCRIPT_HTTP;
	u->status = status;
}

void
fake_fetch_fail(struct stir_fetcher *f, const char *url, int err, const char *detail)
{
	struct furl *u = url_get(f, url);

	script_clear(u);
	u->kind = SCRIPT_FAIL;
	u->err = err;
	snprintf(u->detail, sizeof(u->detail), "%s", detail != NULL ? detail : "");
}

void
fake_fetch_hold(struct stir_fetcher *f, const char *url, bool hold)
{
	url_get(f, url)->hold = hold;
}

unsigned
fake_fetch_requests(struct stir_fetcher *f, const char *url)
{
	struct furl *u = url_find(f, url);

	return u != NULL ? u->requests : 0;
}

unsigned
fake_fetch_held(struct stir_fetcher *f, const char *url)
{
	struct furl *u = url_find(f, url);

	return u != NULL ? u->nheld : 0;
}

unsigned
fake_fetch_pending(struct stir_fetcher *f)
{
	return f->nheld + f->nready;
}

/* ---- answers, from the loop ---- */

/* What a fetch of u gets now, shaped as fetch.c's result_fill() shapes it. */
static void
result_of(const struct stir_fetcher *f, const struct furl *u, struct stir_fetch_result *res)
{
	memset(res, 0, sizeof(*res));
	switch (u->kind) {
	case SCRIPT_SERVE:
		res->err = STIR_OK;
		res->http_status = 200;
		res->body = u->body;
		res->len = u->len;
		res->cache_control = u->cache_control;
		snprintf(res->detail, sizeof(res->detail), "HTTP status 200");
		break;
	case SCRIPT_HTTP:
		res->err = STIR_EFETCH;
		res->http_status = u->status;
		snprintf(res->detail, sizeof(res->detail), "HTTP status %ld", u->status);
		break;
	case SCRIPT_FAIL:
		res->err = u->err;
		if (u->detail[0] != '\0')
			snprintf(res->detail, sizeof(res->detail), "%s", u->detail);
		else if (u->err == STIR_ETIMEDOUT)
			snprintf(res->detail, sizeof(res->detail),
			    "no complete answer within %u ms", f->timeout_ms);
		else
			snprintf(res->detail, sizeof(res->detail), "transfer failed");
		break;
	default:
		res->err = STIR_EFETCH;
		snprintf(res->detail, sizeof(res->detail), "no script for this URL (fake fetcher)");
		break;
	}
}

static void
ready_push(struct stir_fetcher *f, struct ffetch *x)
{
	x->next = NULL;
	*f->ready_tail = x;
	f->ready_tail = &x->next;
	f->nready++;
}

static void on_idle(uv_idle_t *h);

static void
kick(struct stir_fetcher *f)
{
	if (f->nready > 0 && !uv_is_active((uv_handle_t *)&f->idle))
		(void)uv_idle_start(&f->idle, on_idle);
}

/* Answer, in order, the fetches ready when the loop came here. */
static void
on_idle(uv_idle_t *h)
{
	struct stir_fetcher *f = h->data;
	struct ffetch *x = f->ready, *next;
	struct stir_fetch_result res;

	f->ready = NULL;
	f->ready_tail = &f->ready;
	f->nready = 0;
	(void)uv_idle_stop(&f->idle);
	for (; x != NULL; x = next) {
		next = x->next;
		result_of(f, x->u, &res);
		x->cb(x->arg, &res);	/* may fetch again: kick() restarts us */
		free(x);
	}
}

unsigned
fake_fetch_release(struct stir_fetcher *f, const char *url)
{
	struct furl *u = url_find(f, url);
	struct ffetch *x, *next;
	unsigned n = 0;

	if (u == NULL || f->closing)
		return 0;
	for (x = u->held; x != NULL; x = next, n++) {
		next = x->next;
		ready_push(f, x);
	}
	u->held = NULL;
	u->held_tail = &u->held;
	f->nheld -= u->nheld;
	u->nheld = 0;
	kick(f);
	return n;
}

/* ---- fetch.h, as the daemon calls it ---- */

int
__wrap_stir_fetcher_new(uv_loop_t *loop, const struct stir_fetch_opts *opts,
    struct stir_fetcher **ret)
{
	struct stir_fetcher *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return STIR_ENOMEM;
	f->loop = loop;
	f->timeout_ms = opts->timeout_ms;
	f->ready_tail = &f->ready;
	if (uv_idle_init(loop, &f->idle) != 0) {
		free(f);
		return STIR_EINTERNAL;
	}
	f->idle.data = f;
	*ret = f;
	return STIR_OK;
}

int
__wrap_stir_fetcher_set_opts(struct stir_fetcher *f, const struct stir_fetch_opts *opts)
{
	f->timeout_ms = opts->timeout_ms;
	return STIR_OK;
}

int
__wrap_stir_fetch_for(struct stir_fetcher *f, const char *url, uint64_t owner,
    stir_fetch_cb cb, void *arg)
{
	struct ffetch *x;
	struct furl *u;

	(void)owner;		/* no shares: the fake never refuses with EBUSY */
	if (f->closing)
		return STIR_ESHUTDOWN;
	if (strlen(url) > STIR_URL_MAX)
		return STIR_EINVAL;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return STIR_ENOMEM;
	u = url_get(f, url);
	u->requests++;
	x->u = u;
	x->cb = cb;
	x->arg = arg;
	if (u->hold) {
		*u->held_tail = x;
		u->held_tail = &x->next;
		u->nheld++;
		f->nheld++;
		return STIR_OK;
	}
	ready_push(f, x);
	kick(f);
	return STIR_OK;
}

int
__wrap_stir_fetch(struct stir_fetcher *f, const char *url, stir_fetch_cb cb, void *arg)
{
	return __wrap_stir_fetch_for(f, url, 0, cb, arg);
}

static void
on_closed(uv_handle_t *h)
{
	struct stir_fetcher *f = h->data;
	struct furl *u, *next;

	for (u = f->urls; u != NULL; u = next) {
		next = u->next;
		script_clear(u);
		free(u->url);
		free(u);
	}
	free(f);
}

void
__wrap_stir_fetcher_close(struct stir_fetcher *f)
{
	struct ffetch *all = NULL, **tail = &all, *x, *next;
	struct stir_fetch_result res;

	if (f == NULL || f->closing)
		return;
	f->closing = true;
	/* what is ready first, then what is held, URL by URL */
	*tail = f->ready;
	while (*tail != NULL)
		tail = &(*tail)->next;
	f->ready = NULL;
	f->ready_tail = &f->ready;
	f->nready = 0;
	for (struct furl *u = f->urls; u != NULL; u = u->next) {
		*tail = u->held;
		while (*tail != NULL)
			tail = &(*tail)->next;
		u->held = NULL;
		u->held_tail = &u->held;
		u->nheld = 0;
	}
	f->nheld = 0;
	uv_close((uv_handle_t *)&f->idle, on_closed);	/* frees f */
	for (x = all; x != NULL; x = next) {
		next = x->next;
		memset(&res, 0, sizeof(res));
		res.err = STIR_ESHUTDOWN;
		snprintf(res.detail, sizeof(res.detail), "the fetcher is shutting down");
		x->cb(x->arg, &res);
		free(x);
	}
}

unsigned
__wrap_stir_fetcher_inflight(const struct stir_fetcher *f)
{
	return f->nheld + f->nready;
}

void
__wrap_stir_fetcher_stats(const struct stir_fetcher *f, struct stir_fetch_stats *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->active = f->nheld + f->nready;
}
