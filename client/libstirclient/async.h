/*
 * async.h: internals of the non-blocking client shared by async.c and the
 * typed layer (typed*.c).  Not installed; stir__ names are not exported
 * from libstirclient.so.  In-tree programs that hold requests and results
 * as Jansson values (stird-http) link libstirasync.la and use
 * stir__async_queue() with a jcb of their own: no JSON text is dumped and
 * parsed again on the way in or out.
 */
#ifndef STIR_ASYNC_H
#define STIR_ASYNC_H

#include <stdbool.h>

#include <jansson.h>

#include "stirclient.h"

/* Any typed user callback, stored until its trampoline casts it back. */
typedef void (*stir__async_fn)(void);
/*
 * A typed layer's trampoline: called with the user's callback and arg and
 * the reply's decoded "result" (borrowed, NULL on error).
 */
typedef void (*stir__async_jcb)(stir__async_fn fn, void *arg, int err,
    const char *errmsg, json_t *result);

/*
 * Queue op with params (borrowed; NULL for none; deadline_ms is added to
 * it).  Exactly one of cb (text callback) or jcb+fn is used.  Returns the
 * id or an error, as stir_async_call() does; params that do not fit op's
 * schema are refused as it says, through the callback.
 */
long long stir__async_queue(struct stir_async *a, const char *op,
	    json_t *params, int deadline_ms, stir_async_cb cb,
	    stir__async_jcb jcb, stir__async_fn fn, void *arg);

/*
 * on: requests are only queued; stir_async_process() sends them (with
 * STIR_ASYNC_WRITE in stir_async_events() meanwhile), so that a caller
 * can send all it queued in one loop iteration with one system call.
 */
void	stir__async_defer(struct stir_async *a, bool on);

#endif /* STIR_ASYNC_H */
