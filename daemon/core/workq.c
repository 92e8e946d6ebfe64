/* workq.c: see workq.h. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/core/server.h"
#include "daemon/core/workq.h"

struct drainer {
	uv_work_t		 work;
	struct stir_workq	*q;
};

/* One call of each batch_fn for the requests of batch that share it. */
static void
batch_run(struct stir_req *batch)
{
	struct stir_req *reqs[STIR_WORKQ_BATCH], *r;
	bool done[STIR_WORKQ_BATCH] = { false };
	size_t n = 0;

	for (r = batch; r != NULL && n < STIR_WORKQ_BATCH; r = r->qnext)
		reqs[n++] = r;
	for (size_t i = 0; i < n; i++) {
		struct stir_req *same[STIR_WORKQ_BATCH];
		size_t k = 0;

		if (done[i] || reqs[i]->batch_fn == NULL)
			continue;
		for (size_t j = i; j < n; j++)
			if (!done[j] && reqs[j]->batch_fn == reqs[i]->batch_fn) {
				same[k++] = reqs[j];
				done[j] = true;
			}
		reqs[i]->batch_fn(same, k);
	}
}

static void
drain_work(uv_work_t *w)
{
	struct drainer *d = w->data;
	struct stir_workq *q = d->q;

	for (;;) {
		struct stir_req *batch, *last = NULL, *r;
		int n = 0;

		(void)pthread_mutex_lock(&q->mu);
		if ((batch = q->pending_head) == NULL) {
			q->workers--;		/* under mu: push sees it */
			(void)pthread_mutex_unlock(&q->mu);
			return;
		}
		for (r = batch; r != NULL && n < STIR_WORKQ_BATCH; r = r->qnext, n++)
			last = r;
		q->pending_head = last->qnext;
		if (q->pending_head == NULL)
			q->pending_tail = NULL;
		last->qnext = NULL;
		(void)pthread_mutex_unlock(&q->mu);

		batch_run(batch);
		for (r = batch; r != NULL; r = r->qnext)
			r->work_fn(r);

		(void)pthread_mutex_lock(&q->mu);
		if (q->done_tail != NULL)
			q->done_tail->qnext = batch;
		else
			q->done_head = batch;
		q->done_tail = last;
		(void)pthread_mutex_unlock(&q->mu);
		(void)uv_async_send(&q->done_async);
	}
}

static void
drain_after(uv_work_t *w, int status)
{
	(void)status;
	free(w->data);
}

static void
on_done(uv_async_t *a)
{
	struct stir_workq *q = a->data;
	struct stir_server *srv;
	struct stir_req *r, *next;

	(void)pthread_mutex_lock(&q->mu);
	r = q->done_head;
	q->done_head = q->done_tail = NULL;
	(void)pthread_mutex_unlock(&q->mu);
	if (r == NULL)
		return;
	/* the batch's replies: one write per connection */
	srv = r->conn->srv;
	stir_conn_cork(srv);
	for (; r != NULL; r = next) {
		next = r->qnext;
		r->qnext = NULL;
		q->queued--;
		stir_req_finish(r);
	}
	stir_conn_uncork(srv);
}

/* Before each poll for I/O: the next iteration may run one request inline. */
static void
on_tick(uv_prepare_t *p)
{
	struct stir_workq *q = p->data;

	q->inline_left = 1;
}

int
stir_workq_init(struct stir_workq *q, uv_loop_t *loop, unsigned max_workers)
{
	q->loop = loop;
	q->max_workers = max_workers ? max_workers : 1;
	(void)pthread_mutex_init(&q->mu, NULL);
	if (uv_async_init(loop, &q->done_async, on_done) != 0)
		return STIR_EINTERNAL;
	q->done_async.data = q;
	q->open = 1;
	if (uv_prepare_init(loop, &q->tick) != 0)
		return STIR_EINTERNAL;	/* stir_workq_close() closes the async */
	q->tick.data = q;
	(void)uv_prepare_start(&q->tick, on_tick);
	q->solo = uv_available_parallelism() == 1;
	uv_unref((uv_handle_t *)&q->tick);
	q->open = 2;
	return STIR_OK;
}

void
stir_workq_close(struct stir_workq *q)
{
	if (q->open && !uv_is_closing((uv_handle_t *)&q->done_async))
		uv_close((uv_handle_t *)&q->done_async, NULL);
	if (q->open == 2 && !uv_is_closing((uv_handle_t *)&q->tick))
		uv_close((uv_handle_t *)&q->tick, NULL);
}

bool
stir_workq_try_inline(struct stir_workq *q, bool cpu_only)
{
	bool idle;

	if (q->open != 2)
		return false;
	if (q->solo && cpu_only)	/* the pool could only take turns with the loop */
		return true;
	if (q->inline_left == 0)
		return false;
	(void)pthread_mutex_lock(&q->mu);
	idle = q->workers == 0 && q->pending_head == NULL;
	(void)pthread_mutex_unlock(&q->mu);
	if (!idle)
		return false;
	q->inline_left--;
	return true;
}

void
stir_workq_done(struct stir_workq *q)
{
	if (q->open)
		(void)pthread_mutex_destroy(&q->mu);
	q->open = 0;
}

void
stir_workq_push(struct stir_workq *q, struct stir_req *req)
{
	struct drainer *d = NULL;
	int spawn = 0;

	req->qnext = NULL;
	q->queued++;
	(void)pthread_mutex_lock(&q->mu);
	if (q->pending_tail != NULL)
		q->pending_tail->qnext = req;
	else
		q->pending_head = req;
	q->pending_tail = req;
	if (q->workers < q->max_workers) {
		q->workers++;
		spawn = 1;
	}
	(void)pthread_mutex_unlock(&q->mu);
	if (!spawn)
		return;
	if ((d = malloc(sizeof(*d))) != NULL) {
		d->q = q;
		d->work.data = d;
		if (uv_queue_work(q->loop, &d->work, drain_work, drain_after) == 0)
			return;
		free(d);
	}
	/* no drainer could start: the running ones (if any) take it */
	(void)pthread_mutex_lock(&q->mu);
	q->workers--;
	if (q->workers == 0)
		log_err("workq: cannot start a worker; requests wait for the next one");
	(void)pthread_mutex_unlock(&q->mu);
}
