/*
 * route_shaken.c: POST /stir/v1/signing and /stir/v1/verification, the
 * SHAKEN REST shape (ATIS-1000082 style).  The mapping itself is in
 * shaken_map.c (pure, fuzzed); this file sends it to stird and words the
 * errors as requestError bodies (doc/http.md).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "client/stird-http/door.h"
#include "client/stird-http/shaken_map.h"

/* A stird error reply as a requestError: policy refusals are policyExceptions. */
static void
shaken_stird_error(struct hreq *r, int err, const char *errmsg)
{
	const char *msgid = NULL;

	switch (err) {
	case STIR_EPOLICY: msgid = "POL4002"; break;
	case STIR_ENOENT: case STIR_ECERT: case STIR_EKEY: msgid = "SVC4006"; break;
	case STIR_EBADREQ: case STIR_EINVAL: msgid = "SVC4001"; break;
	default: break;
	}
	hreq_fail(r, http_status_of(err), err, msgid, NULL, "%s",
	    errmsg && *errmsg ? errmsg : stir_strerror(err));
}

static void
send_mapped(struct hreq *r, int rc, const struct shaken_err *e, const char *op,
    json_t *params, up_cb cb)
{
	if (rc == STIR_ENOMEM) {
		hreq_fail_stir(r, rc, NULL);
		return;
	}
	if (rc != STIR_OK) {
		hreq_fail(r, 400, rc, e->msgid, e->field, "%s", e->text);
		return;
	}
	if ((rc = up_call(r->door->up, r, op, params, cb)) != STIR_OK)
		shaken_stird_error(r, rc, rc == STIR_ECONNREFUSED ? "stird is not reachable" : NULL);
	json_decref(params);
}

static void
on_signed(struct hreq *r, int err, const char *errmsg, json_t *result)
{
	char *body = NULL;
	int rc;

	if (err != STIR_OK) {
		shaken_stird_error(r, err, errmsg);
		return;
	}
	if ((rc = shaken_sign_reply_json(result, &body)) != STIR_OK) {
		hreq_fail_stir(r, rc == STIR_ENOMEM ? rc : STIR_EINTERNAL,
		    "stird's sign result could not be mapped");
		return;
	}
	hreq_reply(r, 200, "application/json", body, strlen(body));
}

static void
on_verified(struct hreq *r, int err, const char *errmsg, json_t *result)
{
	char *body = NULL;
	int rc;

	if (err != STIR_OK) {
		shaken_stird_error(r, err, errmsg);
		return;
	}
	if ((rc = shaken_verify_reply_json(result, &body)) != STIR_OK) {
		hreq_fail_stir(r, rc == STIR_ENOMEM ? rc : STIR_EINTERNAL,
		    "stird's verify result could not be mapped");
		return;
	}
	hreq_reply(r, 200, "application/json", body, strlen(body));
}

void
route_shaken_sign(struct hreq *r)
{
	struct shaken_err e = { NULL, "", "" };
	json_t *params = NULL;
	int rc = shaken_sign_params_json(r->body, r->body_len, &params, &e);

	send_mapped(r, rc, &e, "sign", params, on_signed);
}

void
route_shaken_verify(struct hreq *r)
{
	struct shaken_err e = { NULL, "", "" };
	json_t *params = NULL;
	int rc = shaken_verify_params_json(r->body, r->body_len, &params, &e);

	send_mapped(r, rc, &e, "verify", params, on_verified);
}
