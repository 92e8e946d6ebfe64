/* dispatch.c: one line in, one handler called, by table. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/dispatch.h"
#include "daemon/op_cache.h"
#include "daemon/op_policy.h"
#include "daemon/log.h"
#include "daemon/store.h"

#define SMALL	4096		/* requests that carry a name or two */
/* trust.add: a PEM bundle of up to TRUST_PEM_MAX (1 MiB), JSON-escaped
 * (each newline doubles), with the envelope */
#define BUNDLE	(2 * 1024 * 1024 + SMALL)

const struct stir_op_desc stir_ops[] = {
	/* name            handler           permission        admin  max_line  secret audit */
	{ "hello",         op_hello,         STIR_PERM_NONE,   false, SMALL,    false, false },
	{ "ping",          op_ping,          STIR_PERM_NONE,   false, SMALL,    false, false },
	{ "sign",          op_sign,          STIR_PERM_SIGN,   false, 0,        false, false },
	{ "verify",        op_verify,        STIR_PERM_VERIFY, false, 0,        false, false },
	{ "stats",         op_stats,         STIR_PERM_STATS,  false, SMALL,    false, false },
	{ "status",        op_status,        STIR_PERM_ADMIN,  true,  SMALL,    false, false },
	{ "reload",        op_reload,        STIR_PERM_ADMIN,  true,  SMALL,    false, false },
	{ "key.generate",  op_key_generate,  STIR_PERM_ADMIN,  true,  SMALL,    false, true },
	{ "key.import",    op_key_import,    STIR_PERM_ADMIN,  true,  0,        true,  true },
	{ "key.list",      op_key_list,      STIR_PERM_ADMIN,  true,  SMALL,    false, false },
	{ "key.remove",    op_key_remove,    STIR_PERM_ADMIN,  true,  SMALL,    false, true },
	{ "cred.add",      op_cred_add,      STIR_PERM_ADMIN,  true,  0,        true,  true },
	{ "cred.list",     op_cred_list,     STIR_PERM_ADMIN,  true,  SMALL,    false, false },
	{ "cred.remove",   op_cred_remove,   STIR_PERM_ADMIN,  true,  SMALL,    false, true },
	{ "trust.add",     op_trust_add,     STIR_PERM_ADMIN,  true,  BUNDLE,   false, true },
	{ "trust.list",    op_trust_list,    STIR_PERM_ADMIN,  true,  SMALL,    false, false },
	{ "trust.remove",  op_trust_remove,  STIR_PERM_ADMIN,  true,  SMALL,    false, true },
	{ "audit.list",    op_audit_list,    STIR_PERM_ADMIN,  true,  SMALL,    false, false },
	{ "cache.list",    op_cache_list,    STIR_PERM_ADMIN,  true,  SMALL,    false, false },
	{ "cache.show",    op_cache_show,    STIR_PERM_ADMIN,  true,  SMALL,    false, false },
	{ "cache.purge",   op_cache_purge,   STIR_PERM_ADMIN,  true,  SMALL,    false, true },
	{ "cache.prefetch", op_cache_prefetch, STIR_PERM_ADMIN, true, SMALL,    false, true },
	{ "policy.add",    op_policy_add,    STIR_PERM_ADMIN,  true,  0,        false, true },
	{ "policy.check",  op_policy_check,  STIR_PERM_ADMIN,  true,  0,        false, false },
	{ "policy.list",   op_policy_list,   STIR_PERM_ADMIN,  true,  SMALL,    false, false },
	{ "policy.show",   op_policy_show,   STIR_PERM_ADMIN,  true,  SMALL,    false, false },
	{ "policy.remove", op_policy_remove, STIR_PERM_ADMIN,  true,  SMALL,    false, true },
	{ "policy.test",   op_policy_test,   STIR_PERM_ADMIN,  true,  0,        false, false },
};

const size_t stir_nops = sizeof(stir_ops) / sizeof(stir_ops[0]);

const struct stir_op_desc *
stir_op_find(const char *name)
{
	for (size_t i = 0; i < stir_nops; i++)
		if (strcmp(stir_ops[i].name, name) == 0)
			return &stir_ops[i];
	return NULL;
}

size_t
stir_ops_max_line(enum stir_role role, size_t max_request_bytes)
{
	size_t max = max_request_bytes;

	for (size_t i = 0; i < stir_nops; i++)
		if (role == STIR_ROLE_ADMIN || !stir_ops[i].admin_only)
			if (stir_ops[i].max_line > max)
				max = stir_ops[i].max_line;
	return max;
}

const char *
stir_perm_name(enum stir_perm perm)
{
	static const char *names[_STIR_PERM_MAX] = { "none", "sign", "verify", "admin",
	    "stats" };

	return perm < _STIR_PERM_MAX ? names[perm] : "?";
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
	if (req->op->audited)
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
	int r;

	if ((req = calloc(1, sizeof(*req))) == NULL) {
		char *l = stir_reply_error(NULL, STIR_ENOMEM, NULL, &len);

		if (l != NULL)
			stir_conn_send(c, l, len);
		return;
	}
	req->conn = c;
	req->t0_ns = stir_now_ns();
	c->inflight++;
	c->refs++;
	srv->inflight_total++;

	r = stir_request_decode(line, len, &req->env, msg, sizeof(msg));
	if (r != STIR_OK) {
		stir_req_fail(req, r, "%s", msg);
		return;
	}
	if ((req->op = stir_op_find(req->env->op)) == NULL) {
		char q[64];

		stir_req_fail(req, STIR_EUNSUPP, "unknown op '%s'",
		    stir_log_quote(req->env->op, strlen(req->env->op), q, sizeof(q)));
		return;
	}
	if (req->op->fn != op_hello && req->env->v < 0) {
		stir_req_fail(req, STIR_EBADREQ, "field 'v' must be an integer (the protocol version, %d)",
		    STIR_PROTO_VERSION);
		return;
	}
	if (req->op->fn != op_hello && req->env->v != STIR_PROTO_VERSION) {
		stir_req_fail(req, STIR_EVERSION, "protocol version %d is not supported; this stird speaks %d",
		    req->env->v, STIR_PROTO_VERSION);
		return;
	}
	if (len > (req->op->max_line != 0 ? req->op->max_line : srv->cfg->max_request_bytes)) {
		stir_req_fail(req, STIR_ETOOBIG, "op '%s' takes at most %zu bytes",
		    req->op->name, req->op->max_line != 0 ? req->op->max_line :
		    (size_t)srv->cfg->max_request_bytes);
		return;
	}
	if (req->op->admin_only && c->role != STIR_ROLE_ADMIN) {
		stir_req_fail(req, STIR_EPERM, "op '%s' is only available on the admin socket",
		    req->op->name);
		return;
	}
	if (!stir_server_peer_has(srv, c, req->op->perm)) {
		stir_req_fail(req, STIR_EPERM, "uid %u lacks the '%s' permission (membership of %s, or root)",
		    (unsigned)c->uid, stir_perm_name(req->op->perm),
		    perm_group_key(req->op->perm));
		return;
	}
	if (srv->stopping && req->op->perm != STIR_PERM_NONE) {
		stir_req_fail(req, STIR_ESHUTDOWN, "stird is shutting down");
		return;
	}
	if (read_deadline(req) != STIR_OK)
		return;
	/* remove the envelope: handlers see only their own fields */
	stir_request_strip(req->env);
	req->op->fn(req);
}
