/*
 * fuzz_request.c: one line from a client (or, for stir_reply_decode(), from
 * the daemon) through the wire codec, as stir_dispatch_line() and op_sign()
 * would take it: stir_request_decode(), stir_request_strip(), the op's
 * schema (opschema.c, the daemon's own) in stir_op_schema_check(), the
 * sign op's identity fields, and the reply that the daemon would send
 * back (every line gets one), decoded again as a client would.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "stirclient.h"
#include "opschema.h"
#include "proto.h"
#include "daemon/sign/creds.h"
#include "daemon/base/log.h"
#include "daemon/stir/passport.h"
#include "daemon/stir/tn.h"
#include "tests/fuzz/fuzz.h"

/* Lines longer than this cannot reach the decoder (STIR_LINE_MAX_CEILING). */
#define FUZZ_REQUEST_MAX	(1024 * 1024)

/* A message may hold any byte (the reply escapes it), but must end. */
static bool
msg_ok(const char *msg, size_t len)
{
	return FUZZ_IS_CSTR(msg, len);
}

/* An identity the sign op canonicalizes; check what canon promises. */
static void
canon(const char *s)
{
	struct stir_ident id;
	char m[200];

	if (s == NULL || stir_ident_canon(s, &id, m, sizeof(m)) != STIR_OK)
		return;
	FUZZ_ASSERT(FUZZ_IS_CSTR(id.value, sizeof(id.value)));
	if (id.kind == STIR_IDENT_TN)
		FUZZ_ASSERT(stir_tn_is_valid(id.value));
	else
		FUZZ_ASSERT(id.kind == STIR_IDENT_URI);
}

/* What op_sign() does with the fields stir_proto_check() let through. */
static void
sign_fields_use(json_t *params)
{
	json_t *dest, *v;
	size_t i;

	canon(stir_param_str(params, "orig"));
	dest = json_object_get(params, "dest");
	if (json_is_string(dest))
		canon(json_string_value(dest));
	else
		json_array_foreach(dest, i, v)
			canon(json_string_value(v));
	if (stir_param_str(params, "origid") != NULL)
		(void)stir_uuid_check(stir_param_str(params, "origid"));
}

/*
 * The message a client reads back: what was sent, except that bytes
 * outside printable ASCII may come back as '?' and a long one may be cut.
 */
static bool
msg_same(const char *sent, const char *got)
{
	size_t n = strlen(got), m = strlen(sent);

	if (n > m || (n < m && n < 256))	/* cut, but only if long */
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char a = (unsigned char)sent[i], b = (unsigned char)got[i];

		if (a != b && !(b == '?' && (a < 0x20 || a >= 0x7f)))
			return false;
	}
	return true;
}

/*
 * The reply the daemon would send must encode (Jansson refuses bad UTF-8,
 * and a reply that does not encode is never sent), be one line, and
 * decode again to the same id and code.
 */
static void
reply_roundtrip(const json_t *id, int code, const char *message, json_t *result)
{
	json_t *root = NULL, *rid = NULL, *res = NULL;
	const char *emsg = NULL;
	char *line;
	size_t len = 0;
	int r;

	if (code != STIR_OK)
		line = stir_reply_error(id, code, message, &len);
	else
		line = stir_reply_result(id, result, &len);
	FUZZ_ASSERT(line != NULL);
	FUZZ_ASSERT(len > 0 && line[len - 1] == '\n');
	FUZZ_ASSERT(memchr(line, '\n', len - 1) == NULL);
	r = stir_reply_decode(line, len - 1, &root, &rid, &res, &emsg);
	FUZZ_ASSERT(r == code);
	FUZZ_ASSERT(root != NULL);
	if (id != NULL)
		FUZZ_ASSERT(json_equal((json_t *)id, rid));
	else
		FUZZ_ASSERT(rid == NULL || json_is_null(rid));
	if (code == STIR_OK)
		FUZZ_ASSERT(json_equal(result, res));
	else
		FUZZ_ASSERT(emsg != NULL && msg_same(message, emsg));
	json_decref(root);
	free(line);
}

static void
request(const char *line, size_t len)
{
	struct stir_request *req = NULL;
	const struct stir_op_schema *op;
	char msg[384];
	int r;

	msg[0] = '\0';
	r = stir_request_decode(line, len, &req, msg, sizeof(msg));
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EPROTO || r == STIR_EBADREQ ||
	    r == STIR_ENOMEM);
	if (r == STIR_EPROTO)
		FUZZ_ASSERT(req == NULL);
	if (r != STIR_OK) {
		FUZZ_ASSERT(req == NULL || req->id != NULL);
		if (r != STIR_ENOMEM) {
			FUZZ_ASSERT(msg_ok(msg, sizeof(msg)) && msg[0] != '\0');
			reply_roundtrip(req != NULL ? req->id : NULL, r, msg, NULL);
		}
		stir_request_free(req);
		return;
	}
	FUZZ_ASSERT(req != NULL && req->root != NULL && req->id != NULL);
	FUZZ_ASSERT(json_is_integer(req->id) || (json_is_string(req->id) &&
	    json_string_length(req->id) <= STIR_ID_MAX));
	FUZZ_ASSERT(req->op != NULL && req->op[0] != '\0' &&
	    strlen(req->op) <= STIR_OP_MAX);
	FUZZ_ASSERT(req->v >= -1);
	/* the daemon's own schemas (opschema.c), every op */
	if ((op = stir_op_schema_find(req->op)) == NULL) {
		/* stir_dispatch_line(): an unknown op is named in the reply */
		char q[64];

		(void)stir_log_quote(req->op, strlen(req->op), q, sizeof(q));
		FUZZ_ASSERT(FUZZ_IS_CSTR(q, sizeof(q)));
		for (const char *c = q; *c != '\0'; c++)
			FUZZ_ASSERT(*c >= 0x20 && *c < 0x7f);	/* log-safe */
		snprintf(msg, sizeof(msg), "unknown op '%s'", q);
		reply_roundtrip(req->id, STIR_EUNSUPP, msg, NULL);
	}
	stir_request_strip(req);
	FUZZ_ASSERT(req->op == NULL);
	FUZZ_ASSERT(json_object_get(req->params, "v") == NULL &&
	    json_object_get(req->params, "id") == NULL &&
	    json_object_get(req->params, "op") == NULL);
	if (op == NULL)
		op = &stir_op_schemas[STIR_OP_SIGN];	/* the params as sign's */
	r = stir_op_schema_check(op, req->params, msg, sizeof(msg));
	FUZZ_ASSERT(r == STIR_OK || r == STIR_EBADREQ || r == STIR_ETOOBIG);
	if (r != STIR_OK) {
		FUZZ_ASSERT(msg_ok(msg, sizeof(msg)));
		reply_roundtrip(req->id, r, msg, NULL);
	} else {
		if (op == &stir_op_schemas[STIR_OP_SIGN])
			sign_fields_use(req->params);
		/* echo the params as a result: the codec must keep them */
		reply_roundtrip(req->id, STIR_OK, NULL, req->params);
	}
	stir_request_free(req);
}

static void
reply(const char *line, size_t len)
{
	json_t *root = NULL, *id = NULL, *result = NULL;
	const char *emsg = NULL;
	int r;

	r = stir_reply_decode(line, len, &root, &id, &result, &emsg);
	if (r == STIR_OK)
		FUZZ_ASSERT(root != NULL && result != NULL);
	else {
		FUZZ_ASSERT(r < 0);
		if (root != NULL)
			FUZZ_ASSERT(emsg != NULL);
	}
	json_decref(root);	/* set by some errors too */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_REQUEST_MAX)
		return 0;
	request((const char *)data, size);
	reply((const char *)data, size);
	return 0;
}
