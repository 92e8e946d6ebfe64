/*
 * storeq.h: the store thread, the one thread that talks to the database.
 *
 * Admin ops, audit records, cache writes, reload queries and RCD content
 * updates are queued here and run one at a time, in order, on a thread
 * of their own (not the libuv pool, which runs signing and verifying).
 * So admin changes are serialized (no two interleave), the SQLite
 * connection has one owner, and a database locked by someone else holds
 * up only the jobs queued here, never a signature.
 *
 * The interface mirrors uv_queue_work(): work runs on the store thread,
 * after on the loop thread; status is 0, or UV_ECANCELED for a job that
 * never ran because the queue was stopped first.
 */
#ifndef STIR_STOREQ_H
#define STIR_STOREQ_H

#include <stdbool.h>
#include <uv.h>

struct stir_storeq;

int	stir_storeq_start(uv_loop_t *loop, struct stir_storeq **ret);
/* Queue w (its data is the caller's); 0, or a negative libuv error. */
int	stir_storeq_queue(struct stir_storeq *q, uv_work_t *w, uv_work_cb work,
	    uv_after_work_cb after);
/* Jobs queued and not yet finished (for status and tests). */
unsigned stir_storeq_pending(struct stir_storeq *q);
/*
 * Finish what is queued, join the thread and close the async handle
 * (loop thread; the loop must run once more for the close); the queue
 * is freed when the handle has closed.  Jobs queued afterwards fail.
 */
void	stir_storeq_stop(struct stir_storeq *q);

#endif
