/*
 * upstream.c: stird-sipd's connections to stird: upstream_connections
 * handles of libstirclient's non-blocking API, each watched by a uv_poll
 * handle, requests pipelined on them.  A request goes to the connected
 * handle with the fewest pending; a lost connection fails its requests
 * (their callbacks run with STIR_EIO: 503) and is made again by the tick,
 * every SIPD_RECONNECT_MS, or at once by the next request.  Connecting to
 * a Unix socket never blocks.
 *
 * Lifetime: the stir_async handle is freed in the poll handle's close
 * callback, after libuv stopped watching its descriptor.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "client/stird-sipd/sipd.h"

struct upstream {
	struct sipd		*s;
	int			 slot;
	struct stir_async	*a;
	uv_poll_t		 poll;
};

static void poll_cb(uv_poll_t *h, int status, int events);

static void
watch(struct upstream *u)
{
	int ev = UV_READABLE;

	if (stir_async_events(u->a) & STIR_ASYNC_WRITE)
		ev |= UV_WRITABLE;
	(void)uv_poll_start(&u->poll, ev, poll_cb);
}

static void
poll_closed(uv_handle_t *h)
{
	struct upstream *u = h->data;

	stir_async_free(u->a);		/* callbacks still pending: ESHUTDOWN */
	free(u);
}

static void
drop(struct upstream *u)
{
	struct sipd *s = u->s;

	if (s->up[u->slot] == u)
		s->up[u->slot] = NULL;
	uv_close((uv_handle_t *)&u->poll, poll_closed);
}

static void
poll_cb(uv_poll_t *h, int status, int events)
{
	struct upstream *u = h->data;
	int rev = 0;

	if (status < 0)
		rev = STIR_ASYNC_READ | STIR_ASYNC_WRITE;	/* let it find the error */
	else {
		if (events & UV_READABLE)
			rev |= STIR_ASYNC_READ;
		if (events & UV_WRITABLE)
			rev |= STIR_ASYNC_WRITE;
	}
	if (stir_async_process(u->a, rev) != STIR_OK) {
		log_warn("lost the connection to stird (%s)", u->s->conf->stird_socket);
		drop(u);
		return;
	}
	watch(u);
}

static int
connect_slot(struct sipd *s, int slot)
{
	struct upstream *u;
	int r;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return STIR_ENOMEM;
	u->s = s;
	u->slot = slot;
	if ((r = stir_async_connect(s->conf->stird_socket, &u->a)) != STIR_OK) {
		free(u);
		return r;
	}
	if (uv_poll_init(s->loop, &u->poll, stir_async_fd(u->a)) != 0) {
		stir_async_free(u->a);
		free(u);
		return STIR_EIO;
	}
	u->poll.data = u;
	s->up[slot] = u;
	watch(u);
	return STIR_OK;
}

int
upstream_init(struct sipd *s)
{
	unsigned n = s->conf->upstream_connections;
	int up = 0, r = STIR_OK;

	if ((s->up = calloc(n, sizeof(*s->up))) == NULL)
		return STIR_ENOMEM;
	for (unsigned i = 0; i < n; i++)
		if ((r = connect_slot(s, (int)i)) == STIR_OK)
			up++;
	if (up == 0)
		log_warn("stird is not reachable at %s (%s); will retry", s->conf->stird_socket,
		    stir_strerror(r));
	else
		log_notice("connected to stird at %s (%d of %u connections)", s->conf->stird_socket,
		    up, n);
	return STIR_OK;
}

/* Connect the empty slots; the number connected now. */
static int
fill(struct sipd *s)
{
	int up = 0, was = 0;

	for (unsigned i = 0; i < s->conf->upstream_connections; i++) {
		if (s->up[i] != NULL) {
			was++;
			continue;
		}
		if (connect_slot(s, (int)i) == STIR_OK)
			up++;
	}
	if (was == 0 && up > 0)
		log_notice("connected to stird at %s", s->conf->stird_socket);
	return was + up;
}

int
upstream_call(struct sipd *s, const char *op, const char *params, upstream_cb cb, void *arg,
    int *ret_slot, long long *ret_id)
{
	struct upstream *best = NULL;
	long long id;

	for (int pass = 0; pass < 2 && best == NULL; pass++) {
		if (pass == 1 && fill(s) == 0)
			return STIR_ECONNREFUSED;
		for (unsigned i = 0; i < s->conf->upstream_connections; i++)
			if (s->up[i] != NULL && (best == NULL ||
			    stir_async_pending(s->up[i]->a) < stir_async_pending(best->a)))
				best = s->up[i];
	}
	if (best == NULL)
		return STIR_ECONNREFUSED;
	id = stir_async_call(best->a, op, params, (int)s->conf->deadline_ms, cb, arg);
	if (id < 0)
		return (int)id;
	watch(best);
	*ret_slot = best->slot;
	*ret_id = id;
	return STIR_OK;
}

void
upstream_cancel(struct sipd *s, int slot, long long id)
{
	struct upstream *u;

	if (slot < 0 || (unsigned)slot >= s->conf->upstream_connections ||
	    (u = s->up[slot]) == NULL)
		return;
	(void)stir_async_cancel(u->a, id);
	watch(u);
}

void
upstream_tick(struct sipd *s, uint64_t now)
{
	if (now - s->last_reconnect < SIPD_RECONNECT_MS)
		return;
	s->last_reconnect = now;
	(void)fill(s);
}

void
upstream_close_all(struct sipd *s)
{
	if (s->up == NULL)
		return;
	for (unsigned i = 0; i < s->conf->upstream_connections; i++)
		if (s->up[i] != NULL)
			drop(s->up[i]);
}
