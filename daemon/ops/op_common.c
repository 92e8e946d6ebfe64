/* op_common.c: what several op families share (ops.h). */
#include "config.h"

#include <jansson.h>

#include "stirclient.h"
#include "daemon/base/log.h"
#include "daemon/core/server.h"
#include "daemon/ops/ops.h"

void
stir_op_install_done(struct stir_req *req, struct stir_state_parts *parts, json_t **out)
{
	if (stir_server_install(req->conn->srv, parts) != STIR_OK)
		log_err("%s: the reloaded tables could not be installed (out of memory)",
		    req->op->schema->name);
	if (req->err == STIR_OK) {
		req->result = *out != NULL ? *out : json_object();
		*out = NULL;
	}
}
