/* storeq.c: see storeq.h. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/store/storeq.h"

struct storeq_job {
	uv_work_t		*w;
	uv_work_cb		 work;
	uv_after_work_cb	 after;
	int			 status;
	struct storeq_job	*next;
};

struct stir_storeq {
	uv_loop_t		*loop;
	uv_async_t		 async;		/* finished jobs are back */
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct storeq_job	*todo, **todo_tail;	/* under mu */
	struct storeq_job	*done, **done_tail;	/* under mu */
	unsigned		 pending;	/* loop thread: queued, not finished */
	bool			 stopping;	/* under mu */
	bool			 running;	/* the thread was started */
	bool			 closed;	/* loop thread: stop was called */
};

static void *
storeq_main(void *arg)
{
	struct stir_storeq *q = arg;

	(void)pthread_mutex_lock(&q->mu);
	for (;;) {
		struct storeq_job *j;

		while (q->todo == NULL && !q->stopping)
			(void)pthread_cond_wait(&q->cv, &q->mu);
		if ((j = q->todo) == NULL)
			break;			/* stopping, and nothing left */
		if ((q->todo = j->next) == NULL)
			q->todo_tail = &q->todo;
		(void)pthread_mutex_unlock(&q->mu);

		j->work(j->w);
		j->status = 0;
		j->next = NULL;

		(void)pthread_mutex_lock(&q->mu);
		*q->done_tail = j;
		q->done_tail = &j->next;
		(void)uv_async_send(&q->async);
	}
	(void)pthread_mutex_unlock(&q->mu);
	return NULL;
}

/* Loop thread: call the after callbacks of finished jobs, in order. */
static void
storeq_deliver(struct stir_storeq *q)
{
	struct storeq_job *j, *next;

	(void)pthread_mutex_lock(&q->mu);
	j = q->done;
	q->done = NULL;
	q->done_tail = &q->done;
	(void)pthread_mutex_unlock(&q->mu);
	for (; j != NULL; j = next) {
		next = j->next;
		q->pending--;
		if (j->after != NULL)
			j->after(j->w, j->status);
		free(j);
	}
}

static void
on_closed(uv_handle_t *h)
{
	struct stir_storeq *q = h->data;

	(void)pthread_cond_destroy(&q->cv);
	(void)pthread_mutex_destroy(&q->mu);
	free(q);
}

static void
on_async(uv_async_t *a)
{
	storeq_deliver(a->data);
}

int
stir_storeq_start(uv_loop_t *loop, struct stir_storeq **ret)
{
	struct stir_storeq *q;
	int rc;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return STIR_ENOMEM;
	q->loop = loop;
	q->todo_tail = &q->todo;
	q->done_tail = &q->done;
	(void)pthread_mutex_init(&q->mu, NULL);
	(void)pthread_cond_init(&q->cv, NULL);
	if (uv_async_init(loop, &q->async, on_async) != 0) {
		(void)pthread_cond_destroy(&q->cv);
		(void)pthread_mutex_destroy(&q->mu);
		free(q);
		return STIR_EINTERNAL;
	}
	q->async.data = q;
	if ((rc = pthread_create(&q->thread, NULL, storeq_main, q)) != 0) {
		log_err("storeq: cannot start the store thread (error %d)", rc);
		q->closed = true;
		uv_close((uv_handle_t *)&q->async, on_closed);	/* frees q */
		return STIR_EINTERNAL;
	}
	q->running = true;
	*ret = q;
	return STIR_OK;
}

int
stir_storeq_queue(struct stir_storeq *q, uv_work_t *w, uv_work_cb work,
    uv_after_work_cb after)
{
	struct storeq_job *j;

	if (q == NULL || q->closed)
		return UV_ECANCELED;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return UV_ENOMEM;
	j->w = w;
	j->work = work;
	j->after = after;
	w->loop = q->loop;
	q->pending++;
	(void)pthread_mutex_lock(&q->mu);
	*q->todo_tail = j;
	q->todo_tail = &j->next;
	(void)pthread_cond_signal(&q->cv);
	(void)pthread_mutex_unlock(&q->mu);
	return 0;
}

unsigned
stir_storeq_pending(struct stir_storeq *q)
{
	return q != NULL ? q->pending : 0;
}

void
stir_storeq_stop(struct stir_storeq *q)
{
	struct storeq_job *j;

	if (q == NULL || q->closed)
		return;
	(void)pthread_mutex_lock(&q->mu);
	q->stopping = true;
	(void)pthread_cond_signal(&q->cv);
	(void)pthread_mutex_unlock(&q->mu);
	if (q->running)
		(void)pthread_join(q->thread, NULL);
	q->running = false;
	/*
	 * The thread is gone, so this thread owns the store now: finish what
	 * the after callbacks queue (a cache writer's last batch) here.
	 */
	for (;;) {
		storeq_deliver(q);
		if ((j = q->todo) == NULL)
			break;
		if ((q->todo = j->next) == NULL)
			q->todo_tail = &q->todo;
		j->work(j->w);
		j->next = NULL;
		*q->done_tail = j;
		q->done_tail = &j->next;
	}
	q->closed = true;
	uv_close((uv_handle_t *)&q->async, on_closed);
}
