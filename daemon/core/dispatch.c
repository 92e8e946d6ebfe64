/* dispatch.c: one line in, one handler called, by table. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/core/dispatch.h"
#include "daemon/base/log.h"
#include "daemon/store/store.h"

const struct stir_op_desc *
stir_op_find(const struct stir_server *srv, const char *name)
{
	for (size_t i = 0; i < srv->nops; i++)
		if (strcmp(srv->ops[i].schema->name, name) == 0)
			return &srv->ops[i];
	return NULL;
}

size_t
stir_ops_max_line(const struct stir_server *srv, enum stir_role role,
    size_t max_request_bytes)
{
	size_t max = max_request_bytes;

	for (size_t i = 0; i < srv->nops; i++)
		if (role == STIR_ROLE_ADMIN || !srv->ops[i].schema->admin_only)
			if (srv->ops[i].schema->max_line > max)
				max = srv->ops[i].schema->max_line;
	return max;
}

static const char *
perm_group_key(enum stir_perm perm)
{
	switch (perm) {
	case STIR_PERM_SIGN:	return "sign_group";
	case STIR_PERM_VERIFY:	return "verify_group";
	case STIR_PERM_STATS:	return "stats_group";
	default:		return "admin_group";
	}
}

/*
 * The envelope's deadline_ms, taken out of the op's fields.  An op that
 * changes state is never answered before it is done (its answer must say
 * whether the change happened): the deadline does not apply to it.
 */
static int
read_deadline(struct stir_req *req)
{
	json_t *d = json_object_get(req->env->root, "deadline_ms");
	json_int_t ms;

	if (d == NULL)
		return STIR_OK;
	if (!json_is_integer(d) || (ms = json_integer_value(d)) < 1 ||
	    ms > STIR_DEADLINE_MAX_MS) {
		stir_req_fail(req, STIR_EBADREQ, "field 'deadline_ms' must be an integer"
		    " from 1 to %d", STIR_DEADLINE_MAX_MS);
		return STIR_EBADREQ;
	}
	(void)json_object_del(req->env->root, "deadline_ms");
	if (req->op->schema->audited)
		return STIR_OK;
	req->deadline_ms = (unsigned)ms;
	if (stir_req_start_deadline(req) != STIR_OK) {
		stir_req_fail(req, STIR_ENOMEM, NULL);
		return STIR_ENOMEM;
	}
	return STIR_OK;
}

void
stir_dispatch_line(struct stir_conn *c, const char *line, size_t len)
{
	struct stir_server *srv = c->srv;
	struct stir_req *req;
	char msg[384];
	bool hello;
	int r;

	if ((req = calloc(1, sizeof(*req))) == NULL) {
		char *l = stir_reply_error(NULL, STIR_ENOMEM, NULL, &len);

		if (l != NULL)
			stir_conn_send(c, l, len);
		return;
	}
	req->conn = c;
	req->state = stir_state_ref(srv->state);
	req->t0_ns = stir_now_ns();
	c->inflight++;
	c->refs++;
	srv->inflight_total++;

	r = stir_request_decode(line, len, &req->env, msg, sizeof(msg));
	if (r != STIR_OK) {
		stir_req_fail(req, r, "%s", msg);
		return;
	}
	if ((req->op = stir_op_find(srv, req->env->op)) == NULL) {
		char q[64];

		stir_req_fail(req, STIR_EUNSUPP, "unknown op '%s'",
		    stir_log_quote(req->env->op, strlen(req->env->op), q, sizeof(q)));
		return;
	}
	/* hello takes any version: it is how a client learns ours */
	hello = req->op->schema == &stir_op_schemas[STIR_OP_HELLO];
	if (!hello && req->env->v < 0) {
		stir_req_fail(req, STIR_EBADREQ, "field 'v' must be an integer (the protocol version, %d)",
		    STIR_PROTO_VERSION);
		return;
	}
	if (!hello && req->env->v != STIR_PROTO_VERSION) {
		stir_req_fail(req, STIR_EVERSION, "protocol version %d is not supported; this stird speaks %d",
		    req->env->v, STIR_PROTO_VERSION);
		return;
	}
	if (len > (req->op->schema->max_line != 0 ? req->op->schema->max_line : req->state->cfg->max_request_bytes)) {
		stir_req_fail(req, STIR_ETOOBIG, "op '%s' takes at most %zu bytes",
		    req->op->schema->name, req->op->schema->max_line != 0 ? req->op->schema->max_line :
		    (size_t)req->state->cfg->max_request_bytes);
		return;
	}
	if (req->op->schema->admin_only && c->role != STIR_ROLE_ADMIN) {
		stir_req_fail(req, STIR_EPERM, "op '%s' is only available on the admin socket",
		    req->op->schema->name);
		return;
	}
	if (!stir_server_peer_has(srv, c, req->op->schema->perm)) {
		stir_req_fail(req, STIR_EPERM, "uid %u lacks the '%s' permission (membership of %s, or root)",
		    (unsigned)c->uid, stir_perm_name(req->op->schema->perm),
		    perm_group_key(req->op->schema->perm));
		return;
	}
	if (srv->stopping && req->op->schema->perm != STIR_PERM_NONE) {
		stir_req_fail(req, STIR_ESHUTDOWN, "stird is shutting down");
		return;
	}
	if (read_deadline(req) != STIR_OK)
		return;
	/* remove the envelope: handlers see only their own fields */
	stir_request_strip(req->env);
	/* the params, once, against the op's schema */
	if ((r = stir_op_schema_check(req->op->schema, req->env->params, msg,
	    sizeof(msg))) != STIR_OK) {
		stir_req_fail(req, r, "%s", msg);
		return;
	}
	req->op->fn(req);
}
