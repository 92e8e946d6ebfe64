/* req.c: the life of one request, from dispatch to its reply line. */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "stirclient.h"
#include "daemon/core/dispatch.h"
#include "daemon/base/log.h"
#include "daemon/core/server.h"
#include "daemon/store/store.h"
#include "daemon/store/storeq.h"

uint64_t
stir_now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
stir_req_set_error(struct stir_req *req, int err, const char *fmt, ...)
{
	va_list ap;

	req->err = err;
	if (fmt == NULL) {
		snprintf(req->errmsg, sizeof(req->errmsg), "%s", stir_strerror(err));
		return;
	}
	va_start(ap, fmt);
	(void)vsnprintf(req->errmsg, sizeof(req->errmsg), fmt, ap);
	va_end(ap);
}

/*
 * Requests with a deadline_ms are on a binary min-heap by due time (one
 * timer per server, no handle per request; O(log n) whatever order the
 * deadlines come in).  req->dl_index is its place + 1, 0 when not on it.
 */
static void
dl_set(struct stir_server *srv, size_t i, struct stir_req *req)
{
	srv->dl_heap[i] = req;
	req->dl_index = i + 1;
}

static void
dl_up(struct stir_server *srv, size_t i)
{
	struct stir_req *req = srv->dl_heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (srv->dl_heap[parent]->deadline_due <= req->deadline_due)
			break;
		dl_set(srv, i, srv->dl_heap[parent]);
		i = parent;
	}
	dl_set(srv, i, req);
}

static void
dl_down(struct stir_server *srv, size_t i)
{
	struct stir_req *req = srv->dl_heap[i];

	for (;;) {
		size_t l = 2 * i + 1, m = i;
		uint64_t due = req->deadline_due;

		if (l < srv->dl_n && srv->dl_heap[l]->deadline_due < due) {
			m = l;
			due = srv->dl_heap[l]->deadline_due;
		}
		if (l + 1 < srv->dl_n && srv->dl_heap[l + 1]->deadline_due < due)
			m = l + 1;
		if (m == i)
			break;
		dl_set(srv, i, srv->dl_heap[m]);
		i = m;
	}
	dl_set(srv, i, req);
}

static int
dl_push(struct stir_server *srv, struct stir_req *req)
{
	if (srv->dl_n == srv->dl_cap) {
		size_t cap = srv->dl_cap ? srv->dl_cap * 2 : 64;
		struct stir_req **h = realloc(srv->dl_heap, cap * sizeof(*h));

		if (h == NULL)
			return STIR_ENOMEM;
		srv->dl_heap = h;
		srv->dl_cap = cap;
	}
	srv->dl_heap[srv->dl_n++] = req;
	dl_up(srv, srv->dl_n - 1);
	return STIR_OK;
}

static void
dl_unlink(struct stir_req *req)
{
	struct stir_server *srv = req->conn->srv;
	size_t i;

	if (req->dl_index == 0)
		return;
	i = req->dl_index - 1;
	req->dl_index = 0;
	if (i != --srv->dl_n) {
		dl_set(srv, i, srv->dl_heap[srv->dl_n]);
		dl_down(srv, i);
		dl_up(srv, i);
	}
	/* the timer is left as it is: firing early only re-arms it */
}

void
stir_req_deadlines_free(struct stir_server *srv)
{
	free(srv->dl_heap);
	srv->dl_heap = NULL;
	srv->dl_n = srv->dl_cap = 0;
}

static void
req_free(struct stir_req *req)
{
	dl_unlink(req);
	if (req->ctx_free != NULL)
		req->ctx_free(req->ctx);
	json_decref(req->result);
	if (req->op != NULL && req->op->schema->sensitive && req->env != NULL) {
		/* wipe secrets Jansson holds for us (e.g. a key's PEM) */
		const char *k;
		json_t *v;

		json_object_foreach(req->env->root, k, v)
			if (json_is_string(v))
				sodium_memzero((char *)json_string_value(v),
				    json_string_length(v));
	}
	stir_request_free(req->env);
	stir_state_unref(req->state);
	free(req);
}

/*
 * Count a request being answered: every op in the request counts, then
 * the op's own metrics (its observe hook in the op table).
 */
static void
observe(struct stir_req *req, int err, const json_t *result)
{
	struct stir_server *srv = req->conn->srv;

	stir_metrics_request(&srv->metrics, req->op != NULL ?
	    (int)(req->op - srv->ops) : -1, err);
	if (req->op != NULL && req->op->observe != NULL)
		req->op->observe(req, stir_now_ns() - req->t0_ns, err, result);
}

/* Encode and send the reply to req; once only. */
static void
req_send(struct stir_req *req)
{
	struct stir_conn *c = req->conn;
	struct stir_server *srv = c->srv;
	const json_t *id = req->env != NULL ? req->env->id : NULL;
	char *line = NULL;
	size_t len = 0;

	req->answered = true;
	srv->stats.requests++;
	if (req->err == STIR_OK && req->result == NULL &&
	    (req->result = json_object()) == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
	if (req->err == STIR_OK &&
	    (line = stir_reply_result(id, req->result, &len)) == NULL) {
		/* e.g. a string that is not UTF-8: say so rather than nothing */
		log_err("conn %llu: op %s: cannot encode its result",
		    (unsigned long long)c->serial, req->op ? req->op->schema->name : "?");
		stir_req_set_error(req, STIR_EINTERNAL, "the result could not be encoded");
	}
	if (req->err != STIR_OK) {
		srv->stats.errors++;
		line = stir_reply_error(id, req->err, req->errmsg, &len);
	}
	observe(req, req->err, req->result);
	if (line == NULL)
		log_err("conn %llu: cannot encode a reply (out of memory)",
		    (unsigned long long)c->serial);
	else
		stir_conn_send(c, line, len);
}

void
stir_req_answer_early(struct stir_req *req)
{
	if (req->answered)
		return;
	req_send(req);
	log_info("conn=%llu uid=%u pid=%d op=%s result=%s answered at its deadline_ms (%u ms)",
	    (unsigned long long)req->conn->serial, (unsigned)req->conn->uid,
	    (int)req->conn->pid, req->op ? req->op->schema->name : "?", stir_errname(req->err),
	    req->deadline_ms);
	/* what the work still produces is not wanted */
	json_decref(req->result);
	req->result = NULL;
}

/*
 * ETIMEDOUT at the deadline.  The work may be running on the pool or the
 * store thread and owns req->err, req->errmsg and req->result: the reply
 * is made from its own values and touches none of them.
 */
static void
req_send_timeout(struct stir_req *req)
{
	struct stir_conn *c = req->conn;
	const json_t *id = req->env != NULL ? req->env->id : NULL;
	char msg[96], *line;
	size_t len = 0;

	snprintf(msg, sizeof(msg), "deadline_ms (%u ms) passed before the reply was ready",
	    req->deadline_ms);
	req->answered = true;
	c->srv->stats.requests++;
	c->srv->stats.errors++;
	observe(req, STIR_ETIMEDOUT, NULL);
	if ((line = stir_reply_error(id, STIR_ETIMEDOUT, msg, &len)) == NULL)
		log_err("conn %llu: cannot encode a reply (out of memory)",
		    (unsigned long long)c->serial);
	else
		stir_conn_send(c, line, len);
	log_info("conn=%llu uid=%u pid=%d op=%s result=ETIMEDOUT answered at its deadline_ms (%u ms)",
	    (unsigned long long)c->serial, (unsigned)c->uid, (int)c->pid,
	    req->op ? req->op->schema->name : "?", req->deadline_ms);
}

static void
deadline_cb(struct stir_req *req)
{
	if (req->answered)
		return;
	if (req->on_deadline != NULL)
		req->on_deadline(req);
	if (!req->answered)
		req_send_timeout(req);
}

static void on_dl_timer(uv_timer_t *t);

/* Fire at the head's due time, unless the timer already fires before. */
static void
dl_arm(struct stir_server *srv)
{
	uint64_t now = uv_now(srv->loop), due;

	if (srv->dl_n == 0)
		return;
	due = srv->dl_heap[0]->deadline_due;
	if (srv->dl_armed != 0 && srv->dl_armed <= due)
		return;
	srv->dl_armed = due;
	(void)uv_timer_start(&srv->dl_timer, on_dl_timer, due > now ? due - now : 0, 0);
}

/* Every request whose deadline_ms has passed, in due order. */
static void
on_dl_timer(uv_timer_t *t)
{
	struct stir_server *srv = t->data;
	uint64_t now = uv_now(srv->loop);
	struct stir_req *req;

	srv->dl_armed = 0;
	while (srv->dl_n > 0 && (req = srv->dl_heap[0])->deadline_due <= now) {
		dl_unlink(req);
		deadline_cb(req);
	}
	dl_arm(srv);
}

/* One timer per server for every request's deadline_ms (the heap above). */
int
stir_req_start_deadline(struct stir_req *req)
{
	struct stir_server *srv = req->conn->srv;

	if (req->deadline_ms == 0)
		return STIR_OK;
	if (!srv->dl_timer_init) {
		if (uv_timer_init(srv->loop, &srv->dl_timer) != 0)
			return STIR_EINTERNAL;
		srv->dl_timer.data = srv;
		uv_unref((uv_handle_t *)&srv->dl_timer);	/* requests keep the loop */
		srv->dl_timer_init = true;
	}
	/* loop time was updated when the line was read */
	req->deadline_due = uv_now(srv->loop) + req->deadline_ms;
	if (dl_push(srv, req) != STIR_OK)
		return STIR_ENOMEM;
	dl_arm(srv);
	return STIR_OK;
}

void
stir_req_reply(struct stir_req *req)
{
	struct stir_conn *c = req->conn;
	struct stir_server *srv = c->srv;

	if (!req->answered)
		req_send(req);
	/* admin ops refused before they reached the pool are audited too */
	if (req->op != NULL && req->op->schema->audited && !req->audit_done)
		stir_audit_async(srv, c->uid, c->pid, req->op->schema->name,
		    req->audit_subject[0] ? req->audit_subject : NULL, req->err);
	if (req->op != NULL && req->op->schema->perm != STIR_PERM_NONE)
		log_info("conn=%llu uid=%u pid=%d op=%s result=%s%s%s %.1fms",
		    (unsigned long long)c->serial, (unsigned)c->uid, (int)c->pid,
		    req->op->schema->name, stir_errname(req->err),
		    req->err ? " msg=" : "", req->err ? req->errmsg : "",
		    (double)(stir_now_ns() - req->t0_ns) / 1e6);
	req_free(req);
	c->inflight--;
	srv->inflight_total--;
	stir_conn_unref(c);	/* may resume reading or free c */
}

void
stir_req_fail(struct stir_req *req, int err, const char *fmt, ...)
{
	va_list ap;

	req->err = err;
	if (fmt == NULL)
		snprintf(req->errmsg, sizeof(req->errmsg), "%s", stir_strerror(err));
	else {
		va_start(ap, fmt);
		(void)vsnprintf(req->errmsg, sizeof(req->errmsg), fmt, ap);
		va_end(ap);
	}
	stir_req_reply(req);
}

/*
 * Store thread.  An admin change, and its audit record, is one
 * transaction: if the record cannot be written the change is rolled
 * back and the op fails with EDB; if the database is locked past the
 * op's deadline it fails with EDB and changes nothing.
 */
static void
req_work_cb(uv_work_t *w)
{
	struct stir_req *req = w->data;
	struct stir_conn *c = req->conn;
	struct stir_store *st = c->srv->store;
	int r;

	stir_store_set_deadline(st, req->t0_ns + (uint64_t)STIR_ADMIN_DB_TIMEOUT_MS * 1000000u);
	if (!req->op->schema->audited) {
		req->work_fn(req);
		goto out;
	}
	req->audit_done = true;
	if ((r = stir_store_begin(st)) != STIR_OK) {
		stir_req_set_error(req, r, "the database is unavailable (locked or failing):"
		    " nothing was changed");
		log_err("audit: op=%s uid=%u not run and not recorded: the database is unavailable",
		    req->op->schema->name, (unsigned)c->uid);
		goto out;
	}
	req->work_fn(req);
	r = stir_store_audit(st, (int64_t)time(NULL), c->uid, c->pid, req->op->schema->name,
	    req->audit_subject[0] ? req->audit_subject : NULL, req->err);
	if (r == STIR_OK)
		r = stir_store_commit(st);
	else
		stir_store_rollback(st);
	if (r != STIR_OK) {
		if (req->undo_fn != NULL && req->err == STIR_OK)
			req->undo_fn(req);
		stir_req_set_error(req, STIR_EDB, "the change and its audit record could not be"
		    " written (%s): nothing was changed", stir_strerror(r));
		log_err("audit: op=%s uid=%u rolled back: its audit record could not be written",
		    req->op->schema->name, (unsigned)c->uid);
		goto out;
	}
	if (req->commit_fn != NULL && req->err == STIR_OK)
		req->commit_fn(req);
 out:
	stir_store_set_deadline(st, 0);
}

static void
req_after_work_cb(uv_work_t *w, int status)
{
	struct stir_req *req = w->data;

	if (status == UV_ECANCELED && req->err == STIR_OK)
		stir_req_set_error(req, STIR_ESHUTDOWN, "request cancelled");
	else {
		stir_req_finish(req);
		return;
	}
	stir_req_reply(req);
}

void
stir_req_hold(struct stir_req *req)
{
	req->held = true;
}

void
stir_req_finish(struct stir_req *req)
{
	if (req->done_fn != NULL)
		req->done_fn(req);
	if (!req->held)
		stir_req_reply(req);
}

void *
stir_req_begin(struct stir_req *req, size_t size, void (*ctx_free)(void *))
{
	void *x;

	if ((x = calloc(1, size)) == NULL) {
		stir_req_fail(req, STIR_ENOMEM, NULL);
		return NULL;
	}
	req->ctx = x;
	req->ctx_free = ctx_free;
	return x;
}

void
stir_req_queue(struct stir_req *req, stir_work_fn work_fn, stir_work_fn done_fn)
{
	int rc;

	req->work_fn = work_fn;
	req->done_fn = done_fn;
	req->work.data = req;
	rc = stir_storeq_queue(req->conn->srv->storeq, &req->work, req_work_cb,
	    req_after_work_cb);
	if (rc != 0)
		stir_req_fail(req, STIR_EINTERNAL, "cannot queue work: %s",
		    uv_strerror(rc));
}

void
stir_req_queue_hot(struct stir_req *req, stir_work_fn work_fn, stir_work_fn done_fn)
{
	req->work_fn = work_fn;
	req->done_fn = done_fn;
	stir_workq_push(&req->conn->srv->workq, req);
}

bool
stir_req_may_skip_pool(struct stir_req *req)
{
	return stir_workq_try_inline(&req->conn->srv->workq, false);
}

void
stir_req_skipped_pool(struct stir_req *req)
{
	req->conn->srv->workq.inlined++;
}

void
stir_req_queue_cheap(struct stir_req *req, stir_work_fn work_fn, stir_work_fn done_fn)
{
	if (!stir_workq_try_inline(&req->conn->srv->workq, true)) {
		stir_req_queue_hot(req, work_fn, done_fn);
		return;
	}
	stir_req_skipped_pool(req);
	req->work_fn = work_fn;
	req->done_fn = done_fn;
	work_fn(req);
	stir_req_finish(req);
}

/* ---- waiting on the loop for a descriptor to become readable ---- */

struct fd_wait {
	uv_poll_t		 poll;
	uv_timer_t		 timer;
	struct stir_req		*req;
	stir_fd_ready_fn	 fn;
	int			 fd;
	int			 flags;		/* uv_poll_init() makes fd non-blocking */
	int			 closed;
};

static void
fd_wait_closed(uv_handle_t *h)
{
	struct fd_wait *w = h->data;

	if (++w->closed == 2)
		free(w);
}

/* Stop watching (before fn, which may close the descriptor), then call fn. */
static void
fd_wait_end(struct fd_wait *w, int status)
{
	uv_close((uv_handle_t *)&w->poll, fd_wait_closed);
	uv_close((uv_handle_t *)&w->timer, fd_wait_closed);
	(void)fcntl(w->fd, F_SETFL, w->flags);
	w->fn(w->req, status);
}

static void
fd_wait_on_poll(uv_poll_t *p, int status, int events)
{
	(void)events;
	fd_wait_end(p->data, status < 0 ? STIR_EIO : STIR_OK);
}

static void
fd_wait_on_timer(uv_timer_t *t)
{
	fd_wait_end(t->data, STIR_ETIMEDOUT);
}

int
stir_req_wait_readable(struct stir_req *req, int fd, unsigned timeout_ms, stir_fd_ready_fn fn)
{
	uv_loop_t *loop = req->conn->srv->loop;
	struct fd_wait *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return STIR_ENOMEM;
	w->req = req;
	w->fn = fn;
	w->fd = fd;
	if ((w->flags = fcntl(fd, F_GETFL)) < 0 || uv_poll_init(loop, &w->poll, fd) != 0) {
		free(w);
		return STIR_EINTERNAL;
	}
	w->poll.data = w;
	(void)uv_timer_init(loop, &w->timer);
	w->timer.data = w;
	if (uv_poll_start(&w->poll, UV_READABLE, fd_wait_on_poll) != 0 ||
	    uv_timer_start(&w->timer, fd_wait_on_timer, timeout_ms, 0) != 0) {
		uv_close((uv_handle_t *)&w->poll, fd_wait_closed);
		uv_close((uv_handle_t *)&w->timer, fd_wait_closed);
		(void)fcntl(fd, F_SETFL, w->flags);
		return STIR_EINTERNAL;
	}
	return STIR_OK;
}

/* ---- audit records written from the loop go through the store thread ---- */

struct audit_job {
	uv_work_t		 work;
	struct stir_store	*store;
	int64_t			 ts;
	uid_t			 uid;
	pid_t			 pid;
	char			 op[STIR_OP_MAX + 1];
	char			 subject[256];
	bool			 has_subject;
	int			 result;
};

static void
audit_work(uv_work_t *w)
{
	struct audit_job *j = w->data;

	stir_store_set_deadline(j->store, 0);
	if (stir_store_audit(j->store, j->ts, j->uid, j->pid, j->op,
	    j->has_subject ? j->subject : NULL, j->result) != STIR_OK)
		log_err("audit log write failed for op=%s uid=%u", j->op, (unsigned)j->uid);
}

static void
audit_done(uv_work_t *w, int status)
{
	(void)status;
	free(w->data);
}

void
stir_audit_async(struct stir_server *srv, uid_t uid, pid_t pid, const char *op,
    const char *subject, int result)
{
	struct audit_job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		log_err("audit: out of memory; op=%s uid=%u result=%s not recorded",
		    op, (unsigned)uid, stir_errname(result));
		return;
	}
	j->work.data = j;
	j->store = srv->store;
	j->ts = (int64_t)time(NULL);
	j->uid = uid;
	j->pid = pid;
	j->result = result;
	snprintf(j->op, sizeof(j->op), "%s", op);
	if (subject != NULL) {
		snprintf(j->subject, sizeof(j->subject), "%s", subject);
		j->has_subject = true;
	}
	if (stir_storeq_queue(srv->storeq, &j->work, audit_work, audit_done) != 0) {
		log_err("audit: cannot queue; op=%s uid=%u not recorded", op, (unsigned)uid);
		free(j);
	}
}
