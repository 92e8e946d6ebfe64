/*
 * op_verify.c: the verify op.  The request is specified in protocol v1
 * and validated here in full; verification itself is the next milestone,
 * so a valid request gets ENOTIMPL.
 */
#include "config.h"

#include <stdio.h>

#include "stirclient.h"
#include "daemon/dispatch.h"
#include "daemon/passport.h"
#include "daemon/tn.h"

#define STIR_MAX_IDENTITY	32		/* Identity values in one request */
#define STIR_IDENTITY_MAX	(16 * 1024)	/* bytes of one Identity value */
#define STIR_DATE_MAX		64

static const struct stir_field verify_fields[] = {
	{ "identity", STIR_JT_ARRAY, true, STIR_MAX_IDENTITY },
	{ "from",     STIR_JT_STRING, true, STIR_IDENT_MAX },
	{ "to",       STIR_JT_STRING, true, STIR_IDENT_MAX },
	{ "pai",      STIR_JT_STRING, false, STIR_IDENT_MAX },
	{ "date",     STIR_JT_STRING, false, STIR_DATE_MAX },
	{ "at",       STIR_JT_INT, false, 0 },
	{ NULL, 0, false, 0 }
};

void
op_verify(struct stir_req *req)
{
	json_t *ids, *v;
	char msg[384];
	size_t i;
	int r;

	if ((r = stir_proto_check(req->env->params, verify_fields, msg, sizeof(msg))) != STIR_OK) {
		stir_req_fail(req, r, "%s", msg);
		return;
	}
	ids = json_object_get(req->env->params, "identity");
	json_array_foreach(ids, i, v) {
		if (!json_is_string(v)) {
			stir_req_fail(req, STIR_EBADREQ, "field 'identity[%zu]' must be a string", i);
			return;
		}
		if (json_string_length(v) > STIR_IDENTITY_MAX) {
			stir_req_fail(req, STIR_ETOOBIG, "field 'identity[%zu]' is longer than %d bytes",
			    i, STIR_IDENTITY_MAX);
			return;
		}
	}
	stir_req_fail(req, STIR_ENOTIMPL,
	    "verify is specified in protocol v1 but not implemented in this release");
}
