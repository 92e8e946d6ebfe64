/*
 * upstream.c: a pool of upstream_connections non-blocking connections to
 * stird (stir_async_*, stirclient.h), each watched by a uv_poll_t and
 * pipelined.  A request goes to the connected handle with the fewest
 * requests pending; requests are queued, and up_flush() (once per loop
 * iteration, after MHD has read what it could) sends each handle's batch
 * with one system call.  A lost connection fails its requests (the callbacks
 * run with STIR_EIO: 503) and is made again with backoff.
 *
 * Lifetimes (libuv's rule): a slot's uv_poll_t is malloc'd per connection
 * and freed in its close callback; the retry timers live in the pool,
 * which is freed once the last of them has closed (up_free()).  Every
 * request also gets a guard timer, deadline_ms + UP_GUARD_MS: if stird
 * has not answered by then the request is cancelled and fails with
 * STIR_ETIMEDOUT (504); stird itself answers at deadline_ms.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "client/libstirclient/async.h"
#include "daemon/base/log.h"
#include "client/stird-http/door.h"

#define UP_BACKOFF_MIN_MS	50
#define UP_BACKOFF_MAX_MS	2000
#define UP_GUARD_MS		1000	/* past deadline_ms */

struct up_slot {
	struct upstream		*u;
	struct stir_async	*a;		/* NULL: not connected */
	uv_poll_t		*poll;
	uv_timer_t		 retry;
	int			 armed;		/* uv events poll watches; -1: none */
	unsigned		 gen;		/* bumped on every loss */
	unsigned		 backoff_ms;
	bool			 logged_down;
};

struct upstream {
	struct door		*d;
	struct up_slot		*slots;
	size_t			 n;
	size_t			 open_handles;	/* retry timers not yet closed */
	bool			 freeing;
};

static void slot_connect(struct up_slot *s);

static void
on_poll_closed(uv_handle_t *h)
{
	free(h);
}

static void
on_guard_closed(uv_handle_t *h)
{
	free(h);
}

static void
guard_stop(struct hreq *r)
{
	if (r->guard != NULL) {
		r->guard->data = NULL;
		uv_close((uv_handle_t *)r->guard, on_guard_closed);
		r->guard = NULL;
	}
}

static void
on_retry(uv_timer_t *t)
{
	slot_connect(t->data);
}

static void
slot_retry(struct up_slot *s)
{
	if (s->u->freeing)
		return;
	s->backoff_ms = s->backoff_ms == 0 ? UP_BACKOFF_MIN_MS :
	    s->backoff_ms * 2 > UP_BACKOFF_MAX_MS ? UP_BACKOFF_MAX_MS : s->backoff_ms * 2;
	(void)uv_timer_start(&s->retry, on_retry, s->backoff_ms, 0);
}

/* Drop the connection: its requests have had their callbacks. */
static void
slot_lost(struct up_slot *s)
{
	if (s->poll != NULL) {
		(void)uv_poll_stop(s->poll);
		uv_close((uv_handle_t *)s->poll, on_poll_closed);
		s->poll = NULL;
	}
	stir_async_free(s->a);		/* pending callbacks run: ESHUTDOWN */
	s->a = NULL;
	s->gen++;
	if (!s->u->freeing)
		log_warn("lost the connection to stird at '%s'", s->u->d->cf->stird_socket);
	slot_retry(s);
}

static void on_poll(uv_poll_t *p, int status, int events);

/*
 * Watch what the handle waits for.  uv_poll_start() takes the descriptor
 * out of epoll and puts it back (two system calls): only when that changes.
 */
static void
slot_arm(struct up_slot *s)
{
	int ev = stir_async_events(s->a), uvev = UV_DISCONNECT;

	if (ev & STIR_ASYNC_READ)
		uvev |= UV_READABLE;
	if (ev & STIR_ASYNC_WRITE)
		uvev |= UV_WRITABLE;
	if (uvev == s->armed)
		return;
	if (uv_poll_start(s->poll, uvev, on_poll) != 0) {
		slot_lost(s);
		return;
	}
	s->armed = uvev;
}

static void
on_poll(uv_poll_t *p, int status, int events)
{
	struct up_slot *s = p->data;
	int rev = 0;

	if (status < 0) {
		s->armed = -1;		/* libuv stopped the watcher */
		rev = STIR_ASYNC_READ | STIR_ASYNC_WRITE;
	} else {
		if (events & (UV_READABLE | UV_DISCONNECT))
			rev |= STIR_ASYNC_READ;
		if (events & UV_WRITABLE)
			rev |= STIR_ASYNC_WRITE;
	}
	if (stir_async_process(s->a, rev) != STIR_OK)
		slot_lost(s);
	else
		slot_arm(s);
}

static void
slot_connect(struct up_slot *s)
{
	struct stir_async *a = NULL;
	int r;

	if (s->u->freeing || s->a != NULL)
		return;
	if ((r = stir_async_connect(s->u->d->cf->stird_socket, &a)) != STIR_OK) {
		if (!s->logged_down)
			log_warn("cannot connect to stird at '%s': %s (retrying)",
			    s->u->d->cf->stird_socket, stir_strerror(r));
		s->logged_down = true;
		slot_retry(s);
		return;
	}
	if ((s->poll = malloc(sizeof(*s->poll))) == NULL ||
	    uv_poll_init(s->u->d->loop, s->poll, stir_async_fd(a)) != 0) {
		free(s->poll);
		s->poll = NULL;
		stir_async_free(a);
		slot_retry(s);
		return;
	}
	s->poll->data = s;
	s->a = a;
	stir__async_defer(a, true);	/* up_flush() sends */
	s->armed = -1;
	s->backoff_ms = 0;
	if (s->logged_down)
		log_notice("connected to stird at '%s'", s->u->d->cf->stird_socket);
	s->logged_down = false;
	slot_arm(s);
}

int
up_new(struct door *d, struct upstream **ret)
{
	struct upstream *u;

	if ((u = calloc(1, sizeof(*u))) == NULL ||
	    (u->slots = calloc(d->cf->upstream_connections, sizeof(*u->slots))) == NULL) {
		free(u);
		return STIR_ENOMEM;
	}
	u->d = d;
	u->n = d->cf->upstream_connections;
	for (size_t i = 0; i < u->n; i++) {
		struct up_slot *s = &u->slots[i];

		s->u = u;
		(void)uv_timer_init(d->loop, &s->retry);
		s->retry.data = s;
		u->open_handles++;
		s->logged_down = i > 0;		/* one warning for the pool */
		slot_connect(s);
	}
	*ret = u;
	return STIR_OK;
}

static void
on_retry_closed(uv_handle_t *h)
{
	struct up_slot *s = h->data;
	struct upstream *u = s->u;

	if (--u->open_handles == 0) {
		free(u->slots);
		free(u);
	}
}

void
up_free(struct upstream *u)
{
	if (u == NULL)
		return;
	u->freeing = true;
	for (size_t i = 0; i < u->n; i++) {
		struct up_slot *s = &u->slots[i];

		if (s->a != NULL)
			slot_lost(s);
		(void)uv_timer_stop(&s->retry);
		uv_close((uv_handle_t *)&s->retry, on_retry_closed);
	}
}

unsigned
up_connected(const struct upstream *u)
{
	unsigned n = 0;

	for (size_t i = 0; u != NULL && i < u->n; i++)
		n += u->slots[i].a != NULL;
	return n;
}

/* The reply's result as a Jansson value (stir__async_queue()'s jcb). */
static void
on_reply(stir__async_fn fn, void *arg, int err, const char *errmsg, json_t *result)
{
	struct hreq *r = arg;
	up_cb cb = r->up_done;

	(void)fn;
	r->up_slot = NULL;
	r->up_done = NULL;
	guard_stop(r);
	if (cb != NULL)
		cb(r, err, errmsg, result);
}

static void
on_guard(uv_timer_t *t)
{
	struct hreq *r = t->data;

	if (r == NULL)
		return;
	up_cancel(r->door->up, r);
	hreq_fail_stir(r, STIR_ETIMEDOUT, "stird did not answer within deadline_ms");
}

int
up_call(struct upstream *u, struct hreq *r, const char *op, json_t *params, up_cb cb)
{
	struct up_slot *best = NULL;
	long long id;

	if (u == NULL || u->freeing)		/* stopping */
		return STIR_ESHUTDOWN;
	for (size_t i = 0; i < u->n; i++) {
		struct up_slot *s = &u->slots[i];

		if (s->a != NULL && (best == NULL ||
		    stir_async_pending(s->a) < stir_async_pending(best->a)))
			best = s;
	}
	if (best == NULL)
		return STIR_ECONNREFUSED;
	if ((r->guard = malloc(sizeof(*r->guard))) == NULL)
		return STIR_ENOMEM;
	(void)uv_timer_init(u->d->loop, r->guard);
	r->guard->data = r;
	r->up_done = cb;
	if ((id = stir__async_queue(best->a, op, params, (int)u->d->cf->deadline_ms,
	    NULL, on_reply, NULL, r)) < 0) {
		r->up_done = NULL;
		guard_stop(r);
		return (int)id;
	}
	r->up_slot = best;
	r->up_gen = best->gen;
	r->up_id = id;
	(void)uv_timer_start(r->guard, on_guard, (uint64_t)u->d->cf->deadline_ms + UP_GUARD_MS, 0);
	return STIR_OK;		/* sent by up_flush() */
}

void
up_flush(struct upstream *u)
{
	for (size_t i = 0; u != NULL && i < u->n; i++) {
		struct up_slot *s = &u->slots[i];

		if (s->a == NULL || !(stir_async_events(s->a) & STIR_ASYNC_WRITE))
			continue;
		/* sends what is queued; what the socket does not take waits
		 * for UV_WRITABLE */
		if (stir_async_process(s->a, 0) != STIR_OK)
			slot_lost(s);
		else
			slot_arm(s);
	}
}

void
up_cancel(struct upstream *u, struct hreq *r)
{
	struct up_slot *s = r->up_slot;

	(void)u;
	if (s != NULL && s->gen == r->up_gen && s->a != NULL)
		(void)stir_async_cancel(s->a, r->up_id);
	r->up_slot = NULL;
	r->up_done = NULL;
	guard_stop(r);
}
