/* op_sign.c: the sign op: SHAKEN PASSporTs (RFC 8224, 8225, 8588). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stirclient.h"
#include "daemon/creds.h"
#include "daemon/dispatch.h"
#include "daemon/log.h"
#include "daemon/passport.h"
#include "daemon/signer.h"

/* iat more than this far from now is refused (a typo, not a policy) */
#define SIGN_IAT_SKEW_MAX	(24 * 3600)

struct sign_ctx {
	struct stir_shaken_claims claims;
	char		 cred[STIR_CRED_NAME_MAX + 1];
	char		*key_ref;
	char		*x5u;
	json_t		*header;
	json_t		*payload;
	char		*tbs;
	char		*identity;
};

static void
sign_ctx_free(void *p)
{
	struct sign_ctx *x = p;

	if (x == NULL)
		return;
	free(x->key_ref);
	free(x->x5u);
	json_decref(x->header);
	json_decref(x->payload);
	free(x->tbs);
	free(x->identity);
	free(x);
}

static void
sign_work(struct stir_req *req)
{
	struct sign_ctx *x = req->ctx;
	uint8_t sig[STIR_SIG_MAX];
	size_t siglen = 0;
	int r;

	r = stir_signer_sign(req->conn->srv->signer, x->key_ref,
	    (const uint8_t *)x->tbs, strlen(x->tbs), sig, &siglen);
	if (r != STIR_OK) {
		stir_req_set_error(req, r == STIR_ENOENT ? STIR_EKEY : r,
		    "credential '%s': %s", x->cred, r == STIR_ENOENT ?
		    "its key is not loaded (see 'stirctl key list')" : stir_strerror(r));
		return;
	}
	if ((x->identity = stir_identity_value(x->tbs, sig, siglen, x->x5u,
	    "shaken")) == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
}

static void
sign_done(struct stir_req *req)
{
	struct sign_ctx *x = req->ctx;
	struct stir_server *srv = req->conn->srv;

	if (req->err != STIR_OK) {
		srv->stats.sign_errors++;
		return;
	}
	srv->stats.signs++;
	req->result = json_pack("{s:s, s:s, s:O, s:O}", "identity", x->identity,
	    "cred", x->cred, "header", x->header, "payload", x->payload);
	if (req->result == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
}

static int
parse_dest(json_t *dest, struct stir_shaken_claims *c, char *msg, size_t msglen)
{
	json_t *v;
	size_t i;

	if (json_is_string(dest)) {
		c->ndest = 1;
		return stir_ident_canon(json_string_value(dest), &c->dest[0], msg, msglen);
	}
	if (!json_is_array(dest) || json_array_size(dest) == 0) {
		snprintf(msg, msglen, "field 'dest' must be a string or a non-empty array of strings");
		return STIR_EBADREQ;
	}
	if (json_array_size(dest) > STIR_MAX_DEST) {
		snprintf(msg, msglen, "field 'dest' has more than %d entries", STIR_MAX_DEST);
		return STIR_ETOOBIG;
	}
	json_array_foreach(dest, i, v) {
		char m[200];

		if (!json_is_string(v)) {
			snprintf(msg, msglen, "field 'dest[%zu]' must be a string", i);
			return STIR_EBADREQ;
		}
		if (stir_ident_canon(json_string_value(v), &c->dest[i], m, sizeof(m)) != STIR_OK) {
			snprintf(msg, msglen, "field 'dest[%zu]': %s", i, m);
			return STIR_EINVAL;
		}
	}
	c->ndest = json_array_size(dest);
	return STIR_OK;
}

static const struct stir_field sign_fields[] = {
	{ "orig",   STIR_JT_STRING, true, STIR_IDENT_MAX },
	/* dest: a string is checked against STIR_IDENT_MAX, an array's size
	 * against STIR_MAX_DEST, in parse_dest() */
	{ "dest",   STIR_JT_STRING | STIR_JT_ARRAY, true, 0 },
	{ "attest", STIR_JT_STRING, true, 0 },
	{ "origid", STIR_JT_STRING, false, 0 },
	{ "iat",    STIR_JT_INT, false, 0 },
	{ "cred",   STIR_JT_STRING, false, STIR_CRED_NAME_MAX },
	{ NULL, 0, false, 0 }
};

void
op_sign(struct stir_req *req)
{
	struct stir_server *srv = req->conn->srv;
	struct sign_ctx *x;
	const struct stir_cred *cred;
	const char *orig = NULL, *attest = NULL, *origid = NULL, *credname = NULL;
	json_t *dest = NULL;
	json_int_t iat = 0;
	int have_iat = 0;
	time_t now = time(NULL);
	char msg[384], m[200];
	int r;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		stir_req_fail(req, STIR_ENOMEM, NULL);
		return;
	}
	req->ctx = x;
	req->ctx_free = sign_ctx_free;
	if ((r = stir_proto_check(req->env->params, sign_fields, msg, sizeof(msg))) != STIR_OK) {
		stir_req_fail(req, r, "%s", msg);
		return;
	}
	orig = stir_param_str(req->env->params, "orig");
	dest = json_object_get(req->env->params, "dest");
	attest = stir_param_str(req->env->params, "attest");
	origid = stir_param_str(req->env->params, "origid");
	credname = stir_param_str(req->env->params, "cred");
	if (json_object_get(req->env->params, "iat") != NULL) {
		have_iat = 1;
		iat = json_integer_value(json_object_get(req->env->params, "iat"));
	}
	if (stir_ident_canon(orig, &x->claims.orig, m, sizeof(m)) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL, "field 'orig': %s", m);
		return;
	}
	if ((r = parse_dest(dest, &x->claims, msg, sizeof(msg))) != STIR_OK) {
		stir_req_fail(req, r == STIR_ETOOBIG ? r : STIR_EINVAL, "%s%s",
		    json_is_string(dest) ? "field 'dest': " : "", msg);
		return;
	}
	if (strlen(attest) != 1 || strchr("ABC", attest[0]) == NULL) {
		stir_req_fail(req, STIR_EINVAL, "field 'attest' must be \"A\", \"B\" or \"C\"");
		return;
	}
	x->claims.attest = attest[0];
	if (origid != NULL) {
		if (stir_uuid_check(origid) != STIR_OK) {
			stir_req_fail(req, STIR_EINVAL, "field 'origid' must be a UUID (8-4-4-4-12 hex digits)");
			return;
		}
		memcpy(x->claims.origid, origid, STIR_UUID_LEN + 1);
	} else
		stir_uuid_v4(x->claims.origid);
	if (have_iat) {
		if (iat <= 0 || (iat > (json_int_t)now + SIGN_IAT_SKEW_MAX) ||
		    (iat < (json_int_t)now - SIGN_IAT_SKEW_MAX)) {
			stir_req_fail(req, STIR_EINVAL, "field 'iat' must be within %d hours of now",
			    SIGN_IAT_SKEW_MAX / 3600);
			return;
		}
		x->claims.iat = iat;
	} else
		x->claims.iat = (int64_t)now;
	if ((r = stir_creds_select(srv->creds, credname, &x->claims.orig, now, &cred,
	    msg, sizeof(msg))) != STIR_OK) {
		srv->stats.sign_errors++;
		stir_req_fail(req, r, "%s", msg);
		return;
	}
	snprintf(x->cred, sizeof(x->cred), "%s", cred->name);
	if ((x->key_ref = strdup(cred->key_ref)) == NULL ||
	    (x->x5u = strdup(cred->x5u)) == NULL) {
		stir_req_fail(req, STIR_ENOMEM, NULL);
		return;
	}
	x->header = json_incref(cred->header);
	if ((r = stir_passport_shaken(&x->claims, cred->header_b64, &x->payload,
	    &x->tbs)) != STIR_OK) {
		stir_req_fail(req, r, "cannot build the PASSporT");
		return;
	}
	stir_req_queue_hot(req, sign_work, sign_done);
}
