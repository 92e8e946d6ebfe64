/*
 * op_cache.h: the cache.* admin ops (op_cache.c), for the op table in
 * dispatch.c.  Each runs on the loop thread and replies itself.
 */
#ifndef STIR_OP_CACHE_H
#define STIR_OP_CACHE_H

#include "daemon/server.h"

void	op_cache_list(struct stir_req *req);
void	op_cache_show(struct stir_req *req);
void	op_cache_purge(struct stir_req *req);
void	op_cache_prefetch(struct stir_req *req);

#endif
