/*
 * async.c: the non-blocking client of libstirclient.  The caller owns the
 * loop; requests are pipelined on one connection, replies are matched to
 * their requests by integer id through a hash of pending requests, and
 * callbacks run from stir_async_process() only.
 *
 * A request that stird would refuse by its op's schema (opschema.c) is
 * refused here, without being sent: it is pending like any other, and
 * the next stir_async_process() runs its callback with stird's code and
 * message, as the blocking client would return them.
 *
 * Re-entrancy: a callback may queue, cancel and free.  While callbacks
 * run the handle is marked busy; a free from a callback fails what is
 * pending at once and defers releasing the memory to the end of
 * stir_async_process().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "async.h"
#include "opschema.h"
#include "proto.h"
#include "stirclient.h"

/* Replies can be large (lists); the daemon's request limit does not apply. */
#define ASYNC_REPLY_MAX		(16 * 1024 * 1024)
/* Bytes that may wait to be sent before stir_async_call() says EBUSY. */
#define ASYNC_QUEUE_MAX		(4 * 1024 * 1024)
/* Largest deadline_ms the protocol takes. */
#define ASYNC_DEADLINE_MAX	600000
/* Initial number of hash buckets (a power of two); doubles as needed. */
#define ASYNC_BUCKETS_MIN	64

struct pend {
	long long	 id;
	stir_async_cb	 cb;		/* text callback, or NULL: */
	stir__async_jcb	 jcb;		/* the typed layer's trampoline */
	stir__async_fn	 fn;		/* the typed layer's user callback */
	void		*arg;
	char		*refused;	/* refused locally: why (else NULL) */
	int		 refused_err;
	struct pend	*hnext;		/* hash chain */
	struct pend	*prev, *next;	/* all pending, oldest first */
};

struct stir_async {
	int			 fd;
	long long		 next_id;
	struct stir_linebuf	*in;
	char			*out;		/* queued request bytes */
	size_t			 outoff, outlen, outalloc;
	struct pend		**buckets;
	size_t			 nbuckets;	/* power of two */
	size_t			 npending;
	size_t			 nrefused;	/* of them, refused locally */
	struct pend		*head, *tail;
	int			 busy;		/* stir_async_process() depth */
	bool			 dead;		/* connection lost: only free is left */
	bool			 broken;	/* a send failed; process fails all */
	bool			 freeing;	/* free was called (maybe deferred) */
	bool			 defer;		/* queue only; process() sends */
	int			 lost_err;	/* code given to pending on loss */
	char			 lost_msg[256];
};

static void fail_all(struct stir_async *, int, const char *);

static size_t
bucket_of(const struct stir_async *a, long long id)
{
	return (size_t)((unsigned long long)id * 0x9e3779b97f4a7c15ULL >> 32) &
	    (a->nbuckets - 1);
}

static int
hash_grow(struct stir_async *a)
{
	size_t n = a->nbuckets * 2;
	struct pend **b, *p;

	if ((b = calloc(n, sizeof(*b))) == NULL)
		return STIR_ENOMEM;
	free(a->buckets);
	a->buckets = b;
	a->nbuckets = n;
	for (p = a->head; p != NULL; p = p->next) {
		size_t i = bucket_of(a, p->id);

		p->hnext = b[i];
		b[i] = p;
	}
	return STIR_OK;
}

static struct pend *
pend_find(const struct stir_async *a, long long id)
{
	struct pend *p;

	for (p = a->buckets[bucket_of(a, id)]; p != NULL; p = p->hnext)
		if (p->id == id)
			return p;
	return NULL;
}

static void
pend_free(struct pend *p)
{
	if (p == NULL)
		return;
	free(p->refused);
	free(p);
}

/* Unlink p from the hash and the list; the caller frees it. */
static void
pend_unlink(struct stir_async *a, struct pend *p)
{
	struct pend **pp;

	for (pp = &a->buckets[bucket_of(a, p->id)]; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == p) {
			*pp = p->hnext;
			break;
		}
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		a->head = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	else
		a->tail = p->prev;
	a->npending--;
	if (p->refused != NULL)
		a->nrefused--;
}

static void
pend_add(struct stir_async *a, struct pend *p)
{
	size_t i;

	/* a failed growth only makes chains longer */
	if (a->npending + 1 > a->nbuckets)
		(void)hash_grow(a);
	i = bucket_of(a, p->id);
	p->hnext = a->buckets[i];
	a->buckets[i] = p;
	p->next = NULL;
	p->prev = a->tail;
	if (a->tail != NULL)
		a->tail->next = p;
	else
		a->head = p;
	a->tail = p;
	a->npending++;
	if (p->refused != NULL)
		a->nrefused++;
}

/* Run p's callback (p is already unlinked) and free p. */
static void
pend_complete(struct pend *p, int err, const char *errmsg, json_t *result)
{
	if (p->cb != NULL) {
		char *text = NULL;

		if (err == STIR_OK &&
		    (text = stir_json_dump(result, JSON_COMPACT, 0, NULL)) == NULL) {
			err = STIR_ENOMEM;
			errmsg = "out of memory formatting the reply";
		}
		p->cb(p->arg, err, errmsg, err == STIR_OK ? text : NULL);
		if (text != NULL) {
			explicit_bzero(text, strlen(text));	/* may be key material */
			free(text);
		}
	} else
		p->jcb(p->fn, p->arg, err, errmsg, err == STIR_OK ? result : NULL);
	pend_free(p);
}

int
stir_async_connect(const char *path, struct stir_async **ret_async)
{
	struct stir_async *a;
	struct sockaddr_un sun;
	int r = STIR_ENOMEM;

	if (path == NULL || ret_async == NULL || strlen(path) >= sizeof(sun.sun_path))
		return STIR_EINVAL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return STIR_ENOMEM;
	a->fd = -1;
	a->next_id = 1;
	a->nbuckets = ASYNC_BUCKETS_MIN;
	if ((a->in = stir_linebuf_new(ASYNC_REPLY_MAX)) == NULL ||
	    (a->buckets = calloc(a->nbuckets, sizeof(*a->buckets))) == NULL)
		goto out;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((a->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) < 0) {
		r = errno == EMFILE || errno == ENFILE ? STIR_EBUSY : STIR_EIO;
		goto out;
	}
	/* a Unix stream connect completes at once, or fails: EAGAIN is a
	 * full listen backlog */
	if (connect(a->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		if (errno == ENOENT || errno == ECONNREFUSED)
			r = STIR_ECONNREFUSED;
		else if (errno == EACCES || errno == EPERM)
			r = STIR_EPERM;
		else if (errno == EAGAIN)
			r = STIR_EBUSY;
		else
			r = STIR_EIO;
		goto out;
	}
	*ret_async = a;
	a = NULL;
	r = STIR_OK;
 out:
	stir_async_free(a);
	return r;
}

/* Release the memory; nothing may be pending. */
static void
async_release(struct stir_async *a)
{
	if (a->fd >= 0)
		(void)close(a->fd);
	stir_linebuf_free(a->in);
	if (a->out != NULL) {
		explicit_bzero(a->out, a->outalloc);
		free(a->out);
	}
	free(a->buckets);
	free(a);
}

void
stir_async_free(struct stir_async *a)
{
	if (a == NULL || a->freeing)
		return;
	a->freeing = true;
	a->dead = true;
	fail_all(a, STIR_ESHUTDOWN, "the stir_async handle was freed");
	if (a->busy == 0)
		async_release(a);
	/* else stir_async_process() releases it on its way out */
}

void
stir__async_defer(struct stir_async *a, bool on)
{
	a->defer = on;
}

int
stir_async_fd(const struct stir_async *a)
{
	return a->fd;
}

int
stir_async_events(const struct stir_async *a)
{
	if (a->dead)
		return 0;
	/* wake up to fail, or to answer what was refused locally */
	if (a->broken || a->nrefused > 0)
		return STIR_ASYNC_READ | STIR_ASYNC_WRITE;
	return STIR_ASYNC_READ | (a->outlen > a->outoff ? STIR_ASYNC_WRITE : 0);
}

size_t
stir_async_pending(const struct stir_async *a)
{
	return a->npending;
}

/* Fail every pending request, oldest first; callbacks may cancel others. */
static void
fail_all(struct stir_async *a, int err, const char *errmsg)
{
	struct pend *p;

	a->busy++;
	while ((p = a->head) != NULL) {
		pend_unlink(a, p);
		pend_complete(p, err, errmsg, NULL);
	}
	a->busy--;
}

/*
 * Run the callbacks of the requests refused locally before this call,
 * oldest first (those their callbacks refuse wait for the next call);
 * callbacks may cancel others and free the handle.
 */
static void
answer_refused(struct stir_async *a)
{
	size_t n = a->nrefused;
	struct pend *p;

	while (n-- > 0 && a->nrefused > 0) {
		for (p = a->head; p->refused == NULL; p = p->next)
			;
		pend_unlink(a, p);
		pend_complete(p, p->refused_err, p->refused, NULL);
	}
}

/* The connection is gone: close it and fail what is pending. */
static void
async_lost(struct stir_async *a, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
async_lost(struct stir_async *a, int err, const char *fmt, ...)
{
	va_list ap;

	if (a->dead)
		return;
	a->dead = true;
	if (a->lost_err == 0) {
		a->lost_err = err;
		va_start(ap, fmt);
		(void)vsnprintf(a->lost_msg, sizeof(a->lost_msg), fmt, ap);
		va_end(ap);
	}
	if (a->fd >= 0) {
		(void)close(a->fd);
		a->fd = -1;
	}
	fail_all(a, a->lost_err, a->lost_msg);
}

/* Send what the socket takes; false once the connection is broken. */
static bool
flush_out(struct stir_async *a)
{
	while (a->outoff < a->outlen) {
		ssize_t n = send(a->fd, a->out + a->outoff, a->outlen - a->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			a->outoff += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		a->broken = true;
		return false;
	}
	/* all sent: wipe (key.import carries keys) and start over */
	explicit_bzero(a->out, a->outlen);
	a->outoff = a->outlen = 0;
	return true;
}

static int
queue_out(struct stir_async *a, const char *line, size_t len)
{
	size_t queued = a->outlen - a->outoff;

	if (queued + len > ASYNC_QUEUE_MAX)
		return STIR_EBUSY;
	if (a->outoff > 0 && a->outlen + len > a->outalloc) {
		memmove(a->out, a->out + a->outoff, queued);
		explicit_bzero(a->out + queued, a->outlen - queued);
		a->outoff = 0;
		a->outlen = queued;
	}
	if (a->outlen + len > a->outalloc) {
		size_t n = a->outalloc > 0 ? a->outalloc : 4096;
		char *t;

		while (n < a->outlen + len)
			n *= 2;
		/* not realloc: the old copy is wiped before it is freed */
		if ((t = malloc(n)) == NULL)
			return STIR_ENOMEM;
		if (a->out != NULL) {
			memcpy(t, a->out, a->outlen);
			explicit_bzero(a->out, a->outalloc);
			free(a->out);
		}
		a->out = t;
		a->outalloc = n;
	}
	memcpy(a->out + a->outlen, line, len);
	a->outlen += len;
	return STIR_OK;
}

long long
stir__async_queue(struct stir_async *a, const char *op, json_t *params,
    int deadline_ms, stir_async_cb cb, stir__async_jcb jcb, stir__async_fn fn,
    void *arg)
{
	struct pend *p = NULL;
	json_t *id = NULL;
	char *line = NULL, why[STIR_OP_CHECK_MSG_MAX];
	size_t len = 0;
	long long r;
	int err;

	if (a == NULL || op == NULL || (cb == NULL && jcb == NULL) ||
	    (params != NULL && !json_is_object(params)) ||
	    deadline_ms < 0 || deadline_ms > ASYNC_DEADLINE_MAX)
		return STIR_EINVAL;
	if (a->freeing)
		return STIR_ESHUTDOWN;
	if (a->dead)
		return STIR_EIO;
	r = STIR_ENOMEM;
	if (params == NULL)
		params = json_object();
	else
		json_incref(params);
	if (params == NULL)
		goto out;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		goto out;
	p->id = a->next_id;
	p->cb = cb;
	p->jcb = jcb;
	p->fn = fn;
	p->arg = arg;
	/* what stird would refuse is refused here, in its words, and
	 * answered by the next stir_async_process(), never from this call */
	if ((err = stir_op_request_check(op, params, why, sizeof(why))) != STIR_OK) {
		if ((p->refused = strdup(why)) == NULL)
			goto out;
		p->refused_err = err;
		pend_add(a, p);
		r = a->next_id++;
		p = NULL;
		goto out;
	}
	/* the caller's params are its own copy (stir_async_call parses
	 * them, the typed layer builds them) */
	if (deadline_ms > 0 && json_object_set_new(params, "deadline_ms",
	    json_integer(deadline_ms)) != 0)
		goto out;
	if ((id = json_integer(a->next_id)) == NULL ||
	    (line = stir_request_encode(id, op, params, &len)) == NULL)
		goto out;
	pend_add(a, p);
	if ((r = queue_out(a, line, len)) != STIR_OK) {
		pend_unlink(a, p);
		goto out;
	}
	r = a->next_id++;
	p = NULL;
	/* send at once if the socket takes it (unless the caller gathers
	 * a loop iteration's requests into one send); a failure is reported
	 * by the next stir_async_process(), which runs the callbacks */
	if (!a->broken && !a->defer)
		(void)flush_out(a);
 out:
	if (line != NULL) {
		explicit_bzero(line, len);
		free(line);
	}
	json_decref(id);
	json_decref(params);
	pend_free(p);
	return r;
}

long long
stir_async_call(struct stir_async *a, const char *op, const char *params_json,
    int deadline_ms, stir_async_cb cb, void *arg)
{
	json_t *params = NULL;
	long long r;

	if (cb == NULL)
		return STIR_EINVAL;
	if (params_json != NULL) {
		params = json_loads(params_json, JSON_REJECT_DUPLICATES, NULL);
		if (params == NULL || !json_is_object(params)) {
			json_decref(params);
			return STIR_EINVAL;
		}
	}
	r = stir__async_queue(a, op, params, deadline_ms, cb, NULL, NULL, arg);
	json_decref(params);
	return r;
}

int
stir_async_cancel(struct stir_async *a, long long id)
{
	struct pend *p;

	if (a == NULL || id <= 0 || (p = pend_find(a, id)) == NULL)
		return STIR_ENOENT;
	pend_unlink(a, p);
	pend_free(p);
	/* a reply that still comes is ignored as one for an unknown id */
	return STIR_OK;
}

/* One reply line: run its request's callback.  false: connection lost. */
static bool
handle_line(struct stir_async *a, const char *line, size_t len)
{
	json_t *root = NULL, *id = NULL, *res = NULL;
	const char *msg = NULL;
	struct pend *p;
	int r;

	r = stir_reply_decode(line, len, &root, &id, &res, &msg);
	if (r == STIR_EPROTO && root == NULL) {
		async_lost(a, STIR_EIO, "malformed reply from stird");
		return false;
	}
	if (id == NULL || json_is_null(id)) {
		/* the daemon refused the connection or a line (not ours to
		 * match) and closes: pending requests get its answer */
		if (r != STIR_OK) {
			async_lost(a, r, "%s", msg);
			json_decref(root);
			return false;
		}
	} else if (json_is_integer(id) &&
	    (p = pend_find(a, (long long)json_integer_value(id))) != NULL) {
		pend_unlink(a, p);
		pend_complete(p, r, r == STIR_OK ? NULL : msg, res);
	}
	/* else: a cancelled request, or one this handle never sent */
	json_decref(root);
	return true;
}

/*
 * Read what arrived and run callbacks.  false: connection lost or freed.
 * A read shorter than the room offered emptied the socket: no second
 * read just to be told EAGAIN (the caller polls again for more).
 */
static bool
read_in(struct stir_async *a)
{
	bool drained = false;

	for (;;) {
		const char *line;
		size_t len, room;
		ssize_t n;
		char *p;
		int r;

		while ((r = stir_linebuf_next(a->in, &line, &len)) > 0) {
			bool ok = handle_line(a, line, len);

			stir_linebuf_wipe_consumed(a->in);
			if (!ok || a->freeing)
				return false;
		}
		if (r == STIR_ETOOBIG) {
			async_lost(a, STIR_EIO, "reply from stird over %d bytes",
			    ASYNC_REPLY_MAX);
			return false;
		}
		if (drained)
			return true;
		stir_linebuf_space(a->in, &p, &room);
		if (room == 0) {
			async_lost(a, STIR_ENOMEM, "out of memory reading a reply");
			return false;
		}
		n = recv(a->fd, p, room, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n == 0) {
			async_lost(a, STIR_EIO, "%s", "stird closed the connection");
			return false;
		}
		if (n < 0) {
			async_lost(a, STIR_EIO, "connection to stird lost: %s",
			    strerror(errno));
			return false;
		}
		stir_linebuf_commit(a->in, (size_t)n);
		drained = (size_t)n < room;
	}
}

int
stir_async_process(struct stir_async *a, int revents)
{
	int r = STIR_OK;

	if (a == NULL || a->freeing)
		return STIR_EINVAL;
	if (a->busy > 0)
		return STIR_EBUSY;	/* called from one of its callbacks */
	if (a->dead)
		return STIR_EIO;
	a->busy++;
	answer_refused(a);
	if (!a->dead && !a->broken && a->outlen > a->outoff)
		(void)flush_out(a);
	/* replies already sent are read even when a send failed */
	if (!a->dead && ((revents & STIR_ASYNC_READ) || a->broken))
		(void)read_in(a);
	if (a->broken && !a->dead)
		async_lost(a, STIR_EIO, "%s", "cannot send to stird: connection lost");
	/* callbacks may have queued more */
	if (!a->dead && !a->broken && a->outlen > a->outoff)
		(void)flush_out(a);
	a->busy--;
	if (a->freeing) {
		async_release(a);
		return STIR_ESHUTDOWN;
	}
	if (a->dead)
		r = STIR_EIO;
	return r;
}
