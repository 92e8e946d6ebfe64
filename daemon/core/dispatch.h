/* dispatch.h: the op table (name -> handler, permission, socket, size). */
#ifndef STIR_DISPATCH_H
#define STIR_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "daemon/core/server.h"

typedef void (*stir_op_fn)(struct stir_req *req);

/*
 * An op stird serves: its schema (name, permission, socket, line size,
 * params: opschema.h, in the protocol library) and its handler.
 */
struct stir_op_desc {
	const struct stir_op_schema *schema;
	stir_op_fn	 fn;
	/*
	 * Counts an answered request of this op in the op's own metrics
	 * (after the counts every op gets), or NULL: ns since it arrived,
	 * err and result as answered (result NULL on error).
	 */
	void		(*observe)(struct stir_req *req, uint64_t ns, int err,
			    const json_t *result);
};

/* The op named name in srv's table, or NULL. */
const struct stir_op_desc *stir_op_find(const struct stir_server *srv, const char *name);

#endif
