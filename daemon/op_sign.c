/*
 * op_sign.c: the sign op: SHAKEN PASSporTs (RFC 8224, 8225, 8588), with
 * Rich Call Data (RFC 9795) from an RCD policy embedded in them or in a
 * second PASSporT of ppt "rcd".
 */
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
#include "daemon/rcd_sign.h"
#include "daemon/signer.h"

/* iat more than this far from now is refused (a typo, not a policy) */
#define SIGN_IAT_SKEW_MAX	(24 * 3600)

#define SIGN_PPT_MAX	2	/* PASSporTs one request signs: shaken, rcd */

/* One PASSporT to sign. */
struct sign_one {
	const char	*ppt;
	json_t		*header;
	json_t		*payload;
	char		*tbs;
	char		*identity;
};

struct sign_ctx {
	struct stir_shaken_claims claims;
	char		 cred[STIR_CRED_NAME_MAX + 1];
	char		 policy[STIR_POLICY_NAME_MAX + 1];
	char		*key_ref;
	char		*x5u;
	struct sign_one	 v[SIGN_PPT_MAX];
	size_t		 n;
};

static void
sign_ctx_free(void *p)
{
	struct sign_ctx *x = p;

	if (x == NULL)
		return;
	free(x->key_ref);
	free(x->x5u);
	for (size_t i = 0; i < x->n; i++) {
		json_decref(x->v[i].header);
		json_decref(x->v[i].payload);
		free(x->v[i].tbs);
		free(x->v[i].identity);
	}
	free(x);
}

static void
sign_work(struct stir_req *req)
{
	struct sign_ctx *x = req->ctx;
	uint8_t sig[STIR_SIG_MAX];
	size_t siglen = 0;
	int r;

	for (size_t i = 0; i < x->n; i++) {
		struct sign_one *o = &x->v[i];

		r = stir_signer_sign(req->conn->srv->signer, x->key_ref,
		    (const uint8_t *)o->tbs, strlen(o->tbs), sig, &siglen);
		if (r != STIR_OK) {
			stir_req_set_error(req, r == STIR_ENOENT ? STIR_EKEY : r,
			    "credential '%s': %s", x->cred, r == STIR_ENOENT ?
			    "its key is not loaded (see 'stirctl key list')" : stir_strerror(r));
			return;
		}
		if ((o->identity = stir_identity_value(o->tbs, sig, siglen, x->x5u,
		    o->ppt)) == NULL) {
			stir_req_set_error(req, STIR_ENOMEM, NULL);
			return;
		}
	}
}

static void
sign_done(struct stir_req *req)
{
	struct sign_ctx *x = req->ctx;
	struct stir_server *srv = req->conn->srv;
	json_t *ids;

	if (req->err != STIR_OK) {
		srv->stats.sign_errors++;
		return;
	}
	srv->stats.signs++;
	if ((ids = json_array()) == NULL) {
		stir_req_set_error(req, STIR_ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < x->n; i++)
		(void)json_array_append_new(ids, json_string(x->v[i].identity));
	req->result = json_pack("{s:s, s:o, s:s, s:O, s:O}", "identity", x->v[0].identity,
	    "identities", ids, "cred", x->cred, "header", x->v[0].header,
	    "payload", x->v[0].payload);
	if (req->result != NULL && x->n > 1)
		(void)json_object_set_new(req->result, "rcd_passport", json_pack("{s:O, s:O}",
		    "header", x->v[1].header, "payload", x->v[1].payload));
	if (req->result != NULL && x->policy[0] != '\0')
		(void)json_object_set_new(req->result, "policy", json_string(x->policy));
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
	/* rcd: true, or an object of values (checked in policy.c) */
	{ "rcd",    STIR_JT_BOOL | STIR_JT_OBJECT, false, 0 },
	{ "crn",    STIR_JT_STRING, false, STIR_POLICY_CRN_MAX },
	{ "ppt",    STIR_JT_STRING, false, 16 },
	{ NULL, 0, false, 0 }
};

/* The PASSporTs of the plan: shaken (with the RCD, or without) and rcd. */
static int
build_passports(struct sign_ctx *x, const struct stir_sign_plan *plan, char *msg,
    size_t msglen)
{
	const struct stir_cred *cred = plan->cred;
	bool embed = plan->claims != NULL && plan->attach == STIR_ATTACH_EMBEDDED;
	int r;

	x->v[0].ppt = "shaken";
	x->v[0].header = json_incref(cred->header);
	if ((r = stir_passport_shaken_with(&x->claims, embed ? plan->claims : NULL,
	    cred->header_b64, &x->v[0].payload, &x->v[0].tbs)) != STIR_OK)
		return r;
	x->n = 1;
	if (plan->claims != NULL && !embed) {
		char *hb64 = NULL;

		x->v[1].ppt = "rcd";
		if ((r = stir_passport_header(cred->x5u, "rcd", &x->v[1].header, &hb64)) != STIR_OK)
			return r;
		r = stir_passport_rcd(&x->claims, plan->claims, hb64, &x->v[1].payload,
		    &x->v[1].tbs);
		free(hb64);
		if (r != STIR_OK)
			return r;
		x->n = 2;
	}
	for (size_t i = 0; i < x->n; i++)
		if ((r = stir_sign_constraints(cred, x->v[i].payload, msg, msglen)) != STIR_OK)
			return r;
	return STIR_OK;
}

void
op_sign(struct stir_req *req)
{
	struct stir_server *srv = req->conn->srv;
	struct sign_ctx *x;
	struct stir_sign_plan plan;
	const char *orig = NULL, *attest = NULL, *origid = NULL, *credname = NULL;
	const char *ppt;
	json_t *dest = NULL, *rcd;
	bool want_rcd;
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
	if ((ppt = stir_param_str(req->env->params, "ppt")) != NULL &&
	    strcmp(ppt, "shaken") != 0 && strcmp(ppt, "rcd") != 0) {
		stir_req_fail(req, STIR_EINVAL, "field 'ppt' must be \"shaken\" or \"rcd\"");
		return;
	}
	rcd = json_object_get(req->env->params, "rcd");
	want_rcd = json_is_object(rcd) || json_is_true(rcd);
	if (ppt != NULL && strcmp(ppt, "rcd") == 0 && !want_rcd) {
		stir_req_fail(req, STIR_EBADREQ, "\"ppt\": \"rcd\" signs Rich Call Data: give 'rcd' too");
		return;
	}
	if ((r = stir_sign_plan(srv->creds, &x->claims.orig, credname, want_rcd,
	    json_is_object(rcd) ? rcd : NULL, stir_param_str(req->env->params, "crn"),
	    ppt != NULL && strcmp(ppt, "rcd") == 0, now, &plan, msg, sizeof(msg))) != STIR_OK) {
		srv->stats.sign_errors++;
		stir_req_fail(req, r, "%s", msg);
		return;
	}
	snprintf(x->cred, sizeof(x->cred), "%s", plan.cred->name);
	if (plan.policy != NULL)
		snprintf(x->policy, sizeof(x->policy), "%s", plan.policy->name);
	if ((x->key_ref = strdup(plan.cred->key_ref)) == NULL ||
	    (x->x5u = strdup(plan.cred->x5u)) == NULL) {
		stir_sign_plan_clear(&plan);
		stir_req_fail(req, STIR_ENOMEM, NULL);
		return;
	}
	*msg = '\0';
	r = build_passports(x, &plan, msg, sizeof(msg));
	stir_sign_plan_clear(&plan);
	if (r != STIR_OK) {
		srv->stats.sign_errors++;
		stir_req_fail(req, r, "%s", *msg ? msg : "cannot build the PASSporT");
		return;
	}
	stir_req_queue_hot(req, sign_work, sign_done);
}
