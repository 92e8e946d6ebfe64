/*
 * route_native.c: POST /v1/sign and /v1/verify.  The body is the op's
 * fields as one JSON object (doc/protocol.md); the reply is {"result":...}
 * or {"error":{"code","name","message"}}, with an HTTP status for the
 * error (doc/http.md).  stird checks the fields; the door only makes sure
 * the body is one JSON object without envelope members.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "stirclient.h"
#include "client/stird-http/door.h"

static const char *const envelope[] = { "v", "id", "op", "deadline_ms", NULL };

static void
on_native(struct hreq *r, int err, const char *errmsg, json_t *result)
{
	json_t *wrap;
	char *body = NULL;

	if (err != STIR_OK) {
		hreq_fail_stir(r, err, errmsg);
		return;
	}
	if ((wrap = json_pack("{s:O}", "result", result)) != NULL)
		body = json_dumps(wrap, JSON_COMPACT);
	json_decref(wrap);
	if (body == NULL) {
		hreq_fail_stir(r, STIR_ENOMEM, NULL);
		return;
	}
	hreq_reply(r, 200, "application/json", body, strlen(body));
}

static void
native(struct hreq *r, const char *op)
{
	json_error_t je;
	json_t *o;
	int rc;

	if ((o = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		hreq_fail(r, 400, STIR_EPROTO, NULL, NULL, "the body is not valid JSON: %.120s",
		    je.text);
		return;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		hreq_fail(r, 400, STIR_EPROTO, NULL, NULL, "the body must be a JSON object");
		return;
	}
	for (size_t i = 0; envelope[i] != NULL; i++)
		if (json_object_get(o, envelope[i]) != NULL) {
			json_decref(o);
			hreq_fail(r, 400, STIR_EBADREQ, NULL, envelope[i],
			    "field '%s' is set by stird-http, not by the body", envelope[i]);
			return;
		}
	/* stird gets the object as parsed (deadline_ms added), not the text again */
	if ((rc = up_call(r->door->up, r, op, o, on_native)) != STIR_OK)
		hreq_fail_stir(r, rc, rc == STIR_ECONNREFUSED ? "stird is not reachable" : NULL);
	json_decref(o);
}

void
route_native_sign(struct hreq *r)
{
	native(r, "sign");
}

void
route_native_verify(struct hreq *r)
{
	native(r, "verify");
}
