/*
 * workq.h: a batched work queue for the hot ops (sign, verify).
 *
 * uv_queue_work() costs a mutex, a condition-variable wake-up and an
 * async wake-up per request; on these VMs a thread hand-off is tens of
 * microseconds, as much as the signature itself.  Here the loop appends
 * requests to one list and starts a drainer on the libuv pool only when
 * fewer than max_workers are running; a drainer takes requests in
 * batches until the list is empty, and finished requests go back to the
 * loop through one uv_async_t, which coalesces wake-ups.  Requests of a
 * batch that share a batch_fn get one call of it before their work_fn:
 * signing sends them to the signer process in one message.
 *
 * At light load the hand-offs are the whole difference between a request
 * that arrives alone and one of a busy stream: the pool thread and the
 * loop each sleep between requests, and waking a sleeping thread (on a
 * VM, often a halted vCPU) costs more than an ES256 signature.  So a
 * request its op calls cheap (a signature or a check of a memoised chain,
 * no I/O) runs on the loop itself when the pool is idle, once per loop
 * iteration: a lone request never changes threads, and a burst still
 * spreads over the pool (stir_workq_try_inline()).  A process that may
 * run on one CPU only (its affinity) gains nothing from the pool but
 * context switches: there every cheap request runs on the loop.
 */
#ifndef STIR_WORKQ_H
#define STIR_WORKQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define STIR_WORKQ_BATCH	32	/* requests a drainer takes at a time */

struct stir_req;

struct stir_workq {
	uv_loop_t		*loop;
	uv_async_t		 done_async;
	pthread_mutex_t		 mu;
	struct stir_req		*pending_head, *pending_tail;	/* under mu */
	struct stir_req		*done_head, *done_tail;		/* under mu */
	unsigned		 workers;	/* drainers running, under mu */
	unsigned		 max_workers;
	unsigned		 queued;	/* loop thread: not yet done */
	uv_prepare_t		 tick;		/* each loop iteration: inline_left = 1 */
	unsigned		 inline_left;	/* loop thread */
	uint64_t		 inlined;	/* loop thread: requests that skipped the pool */
	bool			 solo;		/* one CPU: every cheap request inline */
	int			 open;
};

int	stir_workq_init(struct stir_workq *q, uv_loop_t *loop, unsigned max_workers);
/* Close the async handle (loop thread, once nothing is queued). */
void	stir_workq_close(struct stir_workq *q);
void	stir_workq_done(struct stir_workq *q);	/* free after the loop ends */
/* Queue req; its work_fn runs on the pool, then done_fn and the reply. */
void	stir_workq_push(struct stir_workq *q, struct stir_req *req);
/*
 * May a cheap request run on the loop now?  True when the pool has
 * nothing queued or running and no other request of this loop iteration
 * was let off it (or always, with one CPU, for cpu_only work: not for a
 * request that waits for the signer process, which the pool batches).
 * The caller counts in inlined those that then skipped the pool.  Loop
 * thread.
 */
bool	stir_workq_try_inline(struct stir_workq *q, bool cpu_only);

#endif
