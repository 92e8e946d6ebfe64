/* conn.c: one client connection: peer credentials, line reader, writes. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "stirclient.h"
#include "daemon/core/dispatch.h"
#include "daemon/base/log.h"
#include "daemon/core/server.h"

struct write_req {
	uv_write_t	 w;
	char		*line;
};


static void
conn_free(struct stir_conn *c)
{
	free(c->out);
	free(c->refusal);
	stir_linebuf_free(c->in);
	free(c);
}

/* Both handles closed and no request alive: the memory can go. */
void
stir_conn_unref(struct stir_conn *c)
{
	if (--c->refs == 0) {
		struct stir_server *srv = c->srv;

		conn_free(c);
		stir__server_maybe_finish(srv);
		return;
	}
	stir_conn_pump(c);
}

static void
conn_on_handle_close(uv_handle_t *h)
{
	struct stir_conn *c = h->data;

	stir_conn_unref(c);
}

void
stir_conn_close(struct stir_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	c->reading = false;
	stir__server_forget(c->srv, c);
	uv_close((uv_handle_t *)&c->pipe, conn_on_handle_close);
}

bool
stir_conn_flushed(const struct stir_conn *c)
{
	return c->writing == 0 && c->outlen == 0;
}

/* Hand buf (malloc'd, ownership taken) to libuv as one write. */
static void conn_on_write(uv_write_t *w, int status);

static void
conn_write(struct stir_conn *c, char *buf, size_t len)
{
	struct write_req *wr;
	uv_buf_t b;

	if ((wr = calloc(1, sizeof(*wr))) == NULL) {
		free(buf);
		stir_conn_close(c);
		return;
	}
	wr->line = buf;
	wr->w.data = c;
	b = uv_buf_init(buf, (unsigned)len);
	c->refs++;
	if (c->writing++ == 0)
		c->last_write_ms = uv_now(c->srv->loop);
	if (uv_write(&wr->w, (uv_stream_t *)&c->pipe, &b, 1, conn_on_write) != 0) {
		free(buf);
		free(wr);
		c->refs--;
		c->writing--;
		stir_conn_close(c);
	}
}

static void
conn_on_write(uv_write_t *w, int status)
{
	struct write_req *wr = (struct write_req *)w;
	struct stir_conn *c = w->data;

	free(wr->line);
	free(wr);
	c->writing--;
	c->last_write_ms = uv_now(c->srv->loop);	/* progress */
	if (status < 0 && !c->closing)
		stir_conn_close(c);
	if (!c->closing && c->outlen > 0) {
		/* replies queued behind this write go out together */
		char *buf = c->out;
		size_t len = c->outlen;

		c->out = NULL;
		c->outlen = c->outcap = 0;
		conn_write(c, buf, len);
	}
	stir_conn_unref(c);		/* pumps */
}

/*
 * Takes ownership of line.  With no write outstanding (and no cork) it
 * goes out at once; otherwise it joins the buffer that the next write (or
 * the uncork) sends, so a batch of replies costs one system call.
 */
void
stir_conn_send(struct stir_conn *c, char *line, size_t len)
{
	if (c->closing) {
		free(line);
		return;
	}
	if (c->writing == 0 && c->srv->cork == 0) {
		conn_write(c, line, len);
	} else {
		if (c->writing == 0 && !c->corked) {
			/* written by stir_conn_uncork(); alive until then */
			c->corked = true;
			c->refs++;
			c->corked_next = c->srv->corked_conns;
			c->srv->corked_conns = c;
		}
		if (c->outlen + len > c->outcap) {
			size_t cap = c->outcap ? c->outcap : 4096;
			char *t;

			while (cap < c->outlen + len)
				cap *= 2;
			if ((t = realloc(c->out, cap)) == NULL) {
				free(line);
				stir_conn_close(c);
				return;
			}
			c->out = t;
			c->outcap = cap;
		}
		memcpy(c->out + c->outlen, line, len);
		c->outlen += len;
		free(line);
	}
}

void
stir_conn_cork(struct stir_server *srv)
{
	srv->cork++;
}

void
stir_conn_uncork(struct stir_server *srv)
{
	struct stir_conn *c;

	if (srv->cork == 0 || --srv->cork > 0)
		return;
	while ((c = srv->corked_conns) != NULL) {
		srv->corked_conns = c->corked_next;
		c->corked_next = NULL;
		c->corked = false;
		if (!c->closing && c->writing == 0 && c->outlen > 0) {
			char *buf = c->out;
			size_t len = c->outlen;

			c->out = NULL;
			c->outlen = c->outcap = 0;
			conn_write(c, buf, len);
		}
		stir_conn_unref(c);	/* pumps: may close or free c */
	}
}

static void
coalesce_flush(struct stir_server *srv)
{
	if (!srv->coalescing)
		return;
	stir_conn_uncork(srv);
	/* the flush may have closed the last connection of a stopping
	 * server, and stir_conn_coalesce_stop() with it */
	if (srv->coalescing)
		stir_conn_cork(srv);
}

static void
on_flush_prepare(uv_prepare_t *p)
{
	coalesce_flush(p->data);
}

static void
on_flush_check(uv_check_t *c)
{
	coalesce_flush(c->data);
}

int
stir_conn_coalesce_start(struct stir_server *srv)
{
	if (uv_prepare_init(srv->loop, &srv->flush_prepare) != 0)
		return STIR_EINTERNAL;
	if (uv_check_init(srv->loop, &srv->flush_check) != 0) {
		uv_close((uv_handle_t *)&srv->flush_prepare, NULL);
		return STIR_EINTERNAL;
	}
	srv->flush_prepare.data = srv->flush_check.data = srv;
	(void)uv_prepare_start(&srv->flush_prepare, on_flush_prepare);
	(void)uv_check_start(&srv->flush_check, on_flush_check);
	uv_unref((uv_handle_t *)&srv->flush_prepare);
	uv_unref((uv_handle_t *)&srv->flush_check);
	srv->coalescing = true;
	stir_conn_cork(srv);
	return STIR_OK;
}

void
stir_conn_coalesce_stop(struct stir_server *srv)
{
	if (!srv->coalescing)
		return;
	srv->coalescing = false;
	uv_close((uv_handle_t *)&srv->flush_prepare, NULL);
	uv_close((uv_handle_t *)&srv->flush_check, NULL);
	stir_conn_uncork(srv);
}

static void
conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct stir_conn *c = h->data;
	char *p;
	size_t room;

	(void)suggested;
	stir_linebuf_space(c->in, &p, &room);
	*buf = uv_buf_init(p, (unsigned)(room > 65536 ? 65536 : room));
}

/* Log that c is refused (rate-limited: outsiders can cause any number). */
static void
log_refusal(struct stir_conn *c, const char *why)
{
	struct stir_server *srv = c->srv;
	unsigned dropped;
	bool allow;

	allow = stir_ratelimit_allow(&srv->refusal_log, uv_now(srv->loop), &dropped);
	if (dropped > 0)
		log_warn("%u more connection refusal(s) not logged", dropped);
	if (allow)
		log_warn("conn %llu from uid %u pid %d refused: %s",
		    (unsigned long long)c->serial, (unsigned)c->uid, (int)c->pid, why);
}

void
stir_conn_refusals_flush(struct stir_server *srv, uint64_t now_ms)
{
	unsigned dropped;

	if ((dropped = stir_ratelimit_drain(&srv->refusal_log, now_ms)) > 0)
		log_warn("%u more connection refusal(s) not logged", dropped);
}

/* A refused peer gets its one error line; the connection then closes. */
static void
conn_refuse_now(struct stir_conn *c)
{
	char *line = c->refusal;

	c->refusal = NULL;
	c->close_after_flush = true;
	if (line != NULL)
		stir_conn_send(c, line, c->refusal_len);
}

void
stir_conn_sweep(struct stir_server *srv)
{
	uint64_t now = uv_now(srv->loop);
	unsigned idle = srv->state->cfg->idle_timeout_ms;
	unsigned line_ms = srv->state->cfg->request_timeout_ms;
	struct stir_conn *c, *next;

	stir_conn_refusals_flush(srv, now);
	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		if (srv->stopping && now - srv->stop_ms >= STIR_STOP_DRAIN_MS) {
			log_warn("conn %llu: still busy %d ms after stop; closing it",
			    (unsigned long long)c->serial, STIR_STOP_DRAIN_MS);
			stir_conn_close(c);
		} else if (c->writing > 0 && now - c->last_write_ms >= STIR_WRITE_STALL_MS) {
			log_warn("conn %llu from uid %u: replies not read for %d ms; closing it",
			    (unsigned long long)c->serial, (unsigned)c->uid, STIR_WRITE_STALL_MS);
			stir_conn_close(c);
		} else if (c->refusal != NULL && now - c->last_read_ms >= line_ms) {
			/* a refused peer that sends nothing gets its answer now */
			conn_refuse_now(c);
			stir_conn_pump(c);
		} else if (c->partial_ms != 0 && !c->close_after_flush && !c->eof &&
		    now - c->partial_ms >= line_ms) {
			char *l;
			size_t ll;

			/* measured from the line's first byte: a trickle does not help */
			log_warn("conn %llu from uid %u: request line not completed in %u ms; closing it",
			    (unsigned long long)c->serial, (unsigned)c->uid, line_ms);
			c->close_after_flush = true;
			if ((l = stir_reply_error(NULL, STIR_ETIMEDOUT,
			    "request line not completed within request_timeout_ms; closing",
			    &ll)) != NULL)
				stir_conn_send(c, l, ll);
			stir_conn_pump(c);
		} else if (idle > 0 && c->inflight == 0 && stir_conn_flushed(c) &&
		    c->partial_ms == 0 && now - c->last_read_ms >= idle) {
			log_debug("conn %llu idle; closing", (unsigned long long)c->serial);
			stir_conn_close(c);
		}
	}
}

static void
conn_on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct stir_conn *c = s->data;

	(void)buf;
	if (n < 0) {
		/* UV_EOF or an error: answer what was read, then close; a
		 * partial last line is dropped */
		c->eof = true;
	} else if (n > 0) {
		stir_linebuf_commit(c->in, (size_t)n);
		c->last_read_ms = uv_now(c->srv->loop);
	}
	stir_conn_pump(c);
}

/*
 * The one place that decides what a connection does next: dispatch the
 * complete lines buffered (while fewer than max_inflight requests are in
 * flight), read more or stop reading (EOF, an over-long line, shutdown,
 * a peer that does not read its replies), and close once everything read
 * has been answered and written.  Called after every read, reply and
 * write; a no-op while a dispatch loop further up the stack runs.
 */
void
stir_conn_pump(struct stir_conn *c)
{
	const struct stir_config *cfg = c->srv->state->cfg;
	bool want_read;
	int r = 0;

	if (c->closing || c->dispatching)
		return;
	/* a refused peer is answered once it has sent something, so that
	 * its request has left before the connection closes */
	if (c->refusal != NULL && (c->eof || c->srv->stopping ||
	    stir_linebuf_pending(c->in) > 0))
		conn_refuse_now(c);
	if (!c->close_after_flush && c->refusal == NULL) {
		const char *line;
		size_t len;

		r = 1;		/* 0 below: no complete line is left */
		c->dispatching = true;
		while (!c->closing && c->inflight < cfg->max_inflight &&
		    (r = stir_linebuf_next(c->in, &line, &len)) > 0) {
			stir_dispatch_line(c, line, len);
			stir_linebuf_wipe_consumed(c->in);
			c->partial_ms = 0;
		}
		c->dispatching = false;
		if (c->closing)
			return;
		if (r == 0 && c->partial_ms == 0 && stir_linebuf_pending(c->in) > 0)
			c->partial_ms = uv_now(c->srv->loop);	/* a line has begun */
		if (r == STIR_ETOOBIG) {
			char *l;
			size_t ll;

			c->close_after_flush = true;
			if ((l = stir_reply_error(NULL, STIR_ETOOBIG, c->role == STIR_ROLE_ADMIN ?
			    "line longer than the largest request an admin op takes; closing" :
			    "line longer than max_request_bytes; closing", &ll)) != NULL)
				stir_conn_send(c, l, ll);
		}
	}
	want_read = !c->close_after_flush && !c->eof && !c->srv->stopping &&
	    c->inflight < cfg->max_inflight &&
	    c->outlen + uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) <=
	    STIR_WRITE_QUEUE_MAX;
	if (want_read && !c->reading) {
		if (uv_read_start((uv_stream_t *)&c->pipe, conn_alloc, conn_on_read) == 0)
			c->reading = true;
	} else if (!want_read && c->reading) {
		(void)uv_read_stop((uv_stream_t *)&c->pipe);
		c->reading = false;
	}
	if ((c->close_after_flush || c->eof || c->srv->stopping) &&
	    c->inflight == 0 && stir_conn_flushed(c))
		stir_conn_close(c);
}

static void
peer_credentials(struct stir_conn *c)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	uv_os_fd_t fd;

	c->uid = (uid_t)-1;
	c->gid = (gid_t)-1;
	c->pid = 0;
	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) != 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0) {
		c->uid = uc.uid;
		c->gid = uc.gid;
		c->pid = uc.pid;
	}
#ifdef SO_PEERGROUPS
	len = sizeof(c->groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, c->groups, &len) == 0)
		c->ngroups = (int)(len / sizeof(gid_t));
	else {
		c->ngroups = 0;	/* ERANGE: more than we keep; primary gid only */
		log_warn("peer uid %u pid %d is in more than %d groups; only its primary group counts",
		    (unsigned)c->uid, (int)c->pid, STIR_MAX_GROUPS);
	}
#endif
}

/*
 * Why c may not have a connection, or NULL: a peer with no permission
 * that this socket serves has no business holding one (hello and ping
 * included), so it can take no slot that a signer needs.  *ret_err is
 * the error code of the refusal.
 */
static const char *
conn_refusal(struct stir_server *srv, const struct stir_conn *c, int *ret_err,
    char *msg, size_t msglen)
{
	unsigned same_uid = 0;

	*ret_err = STIR_EBUSY;
	if (srv->stopping) {
		*ret_err = STIR_ESHUTDOWN;
		return "stird is shutting down";
	}
	if (c->role == STIR_ROLE_ADMIN && !stir_server_peer_has(srv, c, STIR_PERM_ADMIN)) {
		*ret_err = STIR_EPERM;
		snprintf(msg, msglen, "uid %u lacks the 'admin' permission (membership of "
		    "admin_group, or root); closing", (unsigned)c->uid);
		return msg;
	}
	if (c->role == STIR_ROLE_CLIENT && !stir_server_peer_has(srv, c, STIR_PERM_SIGN) &&
	    !stir_server_peer_has(srv, c, STIR_PERM_VERIFY) &&
	    !stir_server_peer_has(srv, c, STIR_PERM_STATS)) {
		*ret_err = STIR_EPERM;
		snprintf(msg, msglen, "uid %u lacks the 'sign' and 'verify' permissions "
		    "(membership of sign_group or verify_group, or root), and 'stats' "
		    "(stats_group); closing", (unsigned)c->uid);
		return msg;
	}
	if (c->role == STIR_ROLE_ADMIN ? srv->nadmin >= STIR_MAX_ADMIN_CONNS :
	    srv->nconns >= srv->state->cfg->max_connections)
		return c->role == STIR_ROLE_ADMIN ? "too many admin connections" :
		    "too many connections (max_connections)";
	/* each socket has its own budget per uid: a uid's service
	 * connections do not lock it out of the admin socket */
	for (struct stir_conn *o = srv->conns; o != NULL; o = o->next)
		if (o->counted && o->role == c->role && o->uid == c->uid)
			same_uid++;
	if (same_uid >= srv->state->cfg->max_conn_per_uid)
		return "too many connections from this uid (max_conn_per_uid)";
	return NULL;
}

int
stir_conn_accept(struct stir_server *srv, struct stir_listener *l)
{
	struct stir_conn *c;
	const char *why;
	char msg[256];
	size_t max_line;
	int rc, err;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return STIR_ENOMEM;
	c->srv = srv;
	c->role = l->role;
	c->serial = ++srv->next_serial;
	/* the admin socket takes the largest request any admin op takes */
	max_line = stir_ops_max_line(srv, l->role, srv->state->cfg->max_request_bytes);
	if ((c->in = stir_linebuf_new(max_line)) == NULL) {
		free(c);
		return STIR_ENOMEM;
	}
	if ((rc = uv_pipe_init(srv->loop, &c->pipe, 0)) != 0) {
		conn_free(c);
		return STIR_EIO;
	}
	c->pipe.data = c;
	c->refs = 1;
	if ((rc = uv_accept((uv_stream_t *)&l->pipe, (uv_stream_t *)&c->pipe)) != 0) {
		log_warn("accept: %s", uv_strerror(rc));
		c->closing = true;
		uv_close((uv_handle_t *)&c->pipe, conn_on_handle_close);
		return STIR_EIO;
	}
	c->last_read_ms = c->last_write_ms = uv_now(srv->loop);
	peer_credentials(c);
	why = conn_refusal(srv, c, &err, msg, sizeof(msg));
	/* register before any close path, which unregisters */
	c->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = c;
	srv->conns = c;
	srv->stats.connections++;
	stir_metrics_conn(&srv->metrics, c->role == STIR_ROLE_ADMIN ? STIR_M_SOCK_ADMIN :
	    STIR_M_SOCK_SERVICE, why == NULL);
	if (why != NULL) {
		/* holds no slot; answered when it sends, or at request_timeout_ms */
		srv->nrefusing++;
		srv->stats.refused_connections++;
		log_refusal(c, why);
		c->refusal = stir_reply_error(NULL, err, why, &c->refusal_len);
		if (c->refusal == NULL || srv->nrefusing > STIR_MAX_REFUSING)
			conn_refuse_now(c);	/* no memory, or too many waiting */
		stir_conn_pump(c);
		return STIR_OK;
	}
	c->counted = true;
	if (c->role == STIR_ROLE_ADMIN)
		srv->nadmin++;
	else
		srv->nconns++;
	log_debug("conn %llu: %s socket, uid %u gid %u pid %d",
	    (unsigned long long)c->serial, c->role == STIR_ROLE_ADMIN ? "admin" : "service",
	    (unsigned)c->uid, (unsigned)c->gid, (int)c->pid);
	stir_conn_pump(c);
	return STIR_OK;
}
