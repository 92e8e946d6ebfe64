/* dispatch.h: the op table (name -> handler, permission, socket, size). */
#ifndef STIR_DISPATCH_H
#define STIR_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "daemon/core/server.h"

typedef void (*stir_op_fn)(struct stir_req *req);

struct stir_op_desc {
	const char	*name;
	stir_op_fn	 fn;
	enum stir_perm	 perm;
	bool		 admin_only;	/* only on the admin socket */
	size_t		 max_line;	/* 0: max_request_bytes */
	bool		 sensitive;	/* request carries secrets: wipe it */
	bool		 audited;	/* an admin change: goes to the audit log */
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
const char *stir_perm_name(enum stir_perm perm);

#endif
