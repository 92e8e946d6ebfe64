/* vreq.h: a verify request from start to reply (the engine, vreq.c). */
#ifndef STIR_VREQ_H
#define STIR_VREQ_H

#include <jansson.h>

#include "daemon/verify/vctx.h"

/*
 * A context for req with room for cap items (it becomes req's
 * context, freed with it); NULL if out of memory.
 */
struct vctx *stir_vreq_new(struct stir_req *req, size_t cap);
/* Free a context (req's ctx_free). */
void	stir_vreq_free(void *x);
/*
 * Once the op has filled x's settings and context: parse and check the
 * Identity values ids (strings), look up their certificates (at most
 * max_x5u distinct URLs) and RCD content, verify on the pool, reply.
 * STIR_ENOMEM before anything started: the op replies with it.
 */
int	stir_vreq_start(struct vctx *x, json_t *ids, unsigned max_x5u,
	    struct stir_certcache *cache);

#endif
