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
#include "daemon/sign/creds.h"
#include "daemon/ops/ops.h"
#include "daemon/stir/identity.h"
#include "daemon/base/log.h"
#include "daemon/stir/message.h"
#include "daemon/stir/passport.h"
#include "daemon/stir/rcd.h"
#include "daemon/sign/rcd_sign.h"
#include "daemon/keys/signer.h"
#include "daemon/verify/verify.h"

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
	struct stir_sign_item item;	/* signed by sign_batch(), if item.r set */
	bool		 signed_;
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

/*
 * Pool thread, before sign_work() of each: the PASSporTs of a drainer's
 * batch of sign requests go to the signer together (one round trip to
 * the signer process for all of them).
 */
static void
sign_batch(struct stir_req **reqs, size_t n)
{
	struct stir_sign_item items[STIR_SIGN_BATCH_MAX];
	struct sign_one *owner[STIR_SIGN_BATCH_MAX];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct sign_ctx *x = reqs[i]->ctx;

		for (size_t j = 0; j < x->n && k < STIR_SIGN_BATCH_MAX; j++) {
			struct sign_one *o = &x->v[j];

			items[k].key_id = x->key_ref;
			items[k].tbs = (const uint8_t *)o->tbs;
			items[k].tbs_len = strlen(o->tbs);
			owner[k++] = o;
		}
	}
	if (k < 2)		/* nothing to share: sign_work() signs it */
		return;
	(void)stir_signer_sign_batch(reqs[0]->conn->srv->signer, items, k);
	for (size_t i = 0; i < k; i++) {
		owner[i]->item = items[i];
		owner[i]->signed_ = true;
	}
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

		if (o->signed_) {		/* by sign_batch() */
			r = o->item.r;
			siglen = o->item.sig_len;
			memcpy(sig, o->item.sig, siglen);
		} else
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


static int
set_cred(struct sign_ctx *x, const struct stir_cred *cred)
{
	snprintf(x->cred, sizeof(x->cred), "%s", cred->name);
	if ((x->key_ref = strdup(cred->key_ref)) == NULL || (x->x5u = strdup(cred->x5u)) == NULL)
		return STIR_ENOMEM;
	return STIR_OK;
}

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

/* One PASSporT of another type (div, div-o, msg, rsp), signed by cred. */
static int
build_one(struct sign_ctx *x, const struct stir_cred *cred, const char *ppt,
    const json_t *orig, const json_t *extra, char *msg, size_t msglen)
{
	char *hb64 = NULL;
	int r;

	if ((r = set_cred(x, cred)) != STIR_OK)
		return r;
	x->v[0].ppt = ppt;
	if ((r = stir_passport_header(cred->x5u, ppt, &x->v[0].header, &hb64)) != STIR_OK)
		return r;
	r = stir_passport_other(&x->claims, orig, extra, hb64, &x->v[0].payload, &x->v[0].tbs);
	free(hb64);
	if (r != STIR_OK)
		return r;
	x->n = 1;
	return stir_sign_constraints(cred, x->v[0].payload, msg, msglen);
}

/* shaken, with Rich Call Data embedded or (ppt rcd) in a second PASSporT. */
static int
prepare_shaken(struct stir_req *req, struct sign_ctx *x, const char *ppt, char *msg,
    size_t msglen)
{
	json_t *p = req->env->params, *rcd = json_object_get(p, "rcd");
	const char *attest = stir_param_str(p, "attest"), *origid = stir_param_str(p, "origid");
	bool want_rcd = json_is_object(rcd) || json_is_true(rcd);
	struct stir_sign_plan plan;
	int r;

	if (attest == NULL || strlen(attest) != 1 || strchr("ABC", attest[0]) == NULL) {
		snprintf(msg, msglen, "field 'attest' must be \"A\", \"B\" or \"C\"");
		return attest == NULL ? STIR_EBADREQ : STIR_EINVAL;
	}
	x->claims.attest = attest[0];
	if (origid != NULL) {
		if (stir_uuid_check(origid) != STIR_OK) {
			snprintf(msg, msglen, "field 'origid' must be a UUID (8-4-4-4-12 hex digits)");
			return STIR_EINVAL;
		}
		memcpy(x->claims.origid, origid, STIR_UUID_LEN + 1);
	} else
		stir_uuid_v4(x->claims.origid);
	if (strcmp(ppt, "rcd") == 0 && !want_rcd) {
		snprintf(msg, msglen, "\"ppt\": \"rcd\" signs Rich Call Data: give 'rcd' too");
		return STIR_EBADREQ;
	}
	if ((r = stir_sign_plan(req->state->creds, &x->claims.orig, stir_param_str(p, "cred"), want_rcd,
	    json_is_object(rcd) ? rcd : NULL, stir_param_str(p, "crn"), strcmp(ppt, "rcd") == 0,
	    time(NULL), &plan, msg, msglen)) != STIR_OK)
		return r;
	if (plan.policy != NULL)
		snprintf(x->policy, sizeof(x->policy), "%s", plan.policy->name);
	*msg = '\0';
	if ((r = set_cred(x, plan.cred)) == STIR_OK)
		r = build_passports(x, &plan, msg, msglen);
	stir_sign_plan_clear(&plan);
	if (r != STIR_OK && *msg == '\0')
		snprintf(msg, msglen, "cannot build the PASSporT");
	return r;
}

/* The diverting identity: 'div', or the original's only dest. */
static int
div_ident(json_t *p, json_t *odest, struct stir_ident *ret, char *msg, size_t msglen)
{
	json_t *tn = json_object_get(odest, "tn"), *uri = json_object_get(odest, "uri");
	char m[200];

	if (stir_param_str(p, "div") != NULL) {
		if (stir_ident_canon(stir_param_str(p, "div"), ret, m, sizeof(m)) != STIR_OK) {
			snprintf(msg, msglen, "field 'div': %s", m);
			return STIR_EINVAL;
		}
		if (!stir_dest_has(odest, ret)) {
			snprintf(msg, msglen, "field 'div' is not a dest of the original PASSporT");
			return STIR_EINVAL;
		}
		return STIR_OK;
	}
	if (json_array_size(tn) + json_array_size(uri) != 1) {
		snprintf(msg, msglen, "the original has several dest values: say which one diverts with 'div'");
		return STIR_EBADREQ;
	}
	if (json_array_size(tn) == 1 && json_is_string(json_array_get(tn, 0)) &&
	    stir_tn_is_valid(json_string_value(json_array_get(tn, 0)))) {
		ret->kind = STIR_IDENT_TN;
		snprintf(ret->value, sizeof(ret->value), "%s", json_string_value(json_array_get(tn, 0)));
		return STIR_OK;
	}
	if (json_array_size(uri) == 1 && json_is_string(json_array_get(uri, 0)) &&
	    stir_ident_canon(json_string_value(json_array_get(uri, 0)), ret, m, sizeof(m)) == STIR_OK)
		return STIR_OK;
	snprintf(msg, msglen, "the original's dest is malformed");
	return STIR_EINVAL;
}

/*
 * div and div-o (RFC 8946): the retargeting entity speaks for the number
 * that forwarded (the original's dest); orig is the original's, dest the
 * new target, iat the original's unless given.  div-o nests the original.
 */
static int
prepare_div(struct stir_req *req, struct sign_ctx *x, const char *ppt, char *msg,
    size_t msglen)
{
	json_t *p = req->env->params, *payload = NULL, *extra = NULL, *orig, *iat;
	const char *original = stir_param_str(p, "original");
	struct stir_identity *id = NULL;
	const struct stir_cred *cred;
	struct stir_ident div;
	char m[256];
	int r = STIR_EINVAL;

	if (original == NULL) {
		snprintf(msg, msglen, "ppt %s needs 'original': the Identity value the call arrived with", ppt);
		return STIR_EBADREQ;
	}
	if ((r = stir_identity_parse(original, strlen(original), &id, m, sizeof(m))) != STIR_OK) {
		snprintf(msg, msglen, "field 'original': %s", m);
		goto out;
	}
	if ((r = stir_identity_payload(id, &payload)) != STIR_OK) {
		snprintf(msg, msglen, "field 'original' must be a full-form PASSporT with a JSON payload");
		goto out;
	}
	orig = json_object_get(payload, "orig");
	iat = json_object_get(payload, "iat");
	r = STIR_EINVAL;
	if (stir_claim_ident(orig, &x->claims.orig) != STIR_OK) {
		snprintf(msg, msglen, "the original's orig is malformed");
		goto out;
	}
	if ((r = div_ident(p, json_object_get(payload, "dest"), &div, msg, msglen)) != STIR_OK)
		goto out;
	if (x->claims.ndest == 1 && x->claims.dest[0].kind == div.kind &&
	    strcmp(x->claims.dest[0].value, div.value) == 0) {
		snprintf(msg, msglen, "the new dest is the diverting identity: nothing was diverted (RFC 8946)");
		r = STIR_EINVAL;
		goto out;
	}
	if (json_object_get(p, "iat") == NULL && json_is_integer(iat)) {	/* RFC 8946: SHOULD */
		json_int_t oiat = json_integer_value(iat), now = (json_int_t)time(NULL);

		if (oiat <= 0 || oiat > now + SIGN_IAT_SKEW_MAX || oiat < now - SIGN_IAT_SKEW_MAX) {
			snprintf(msg, msglen, "the original's iat is not within %d hours of now; give 'iat'",
			    SIGN_IAT_SKEW_MAX / 3600);
			r = STIR_EINVAL;
			goto out;
		}
		x->claims.iat = oiat;
	}
	if ((r = stir_creds_select(req->state->creds, stir_param_str(p, "cred"), &div, time(NULL), &cred,
	    m, sizeof(m))) != STIR_OK) {
		snprintf(msg, msglen, "the diverting number (div) decides the credential: %s", m);
		goto out;
	}
	r = STIR_ENOMEM;
	if ((extra = json_pack("{s:o}", "div", stir_passport_ident(&div))) == NULL)
		goto out;
	if (strcmp(ppt, "div-o") == 0 &&
	    json_object_set_new(extra, "opt", json_stringn(id->jws, id->hlen + id->plen + 2 +
	    strlen(stir_identity_sig(id)))) != 0)
		goto out;
	r = build_one(x, cred, ppt, orig, extra, msg, msglen);
 out:
	json_decref(extra);
	json_decref(payload);
	stir_identity_free(id);
	return r;
}

/* msg (RFC 9475): msgi over the whole MIME body, as it is sent. */
static int
prepare_msg(struct stir_req *req, struct sign_ctx *x, const char *ppt, char *msg,
    size_t msglen)
{
	json_t *p = req->env->params, *extra = NULL;
	const char *b64 = stir_param_str(p, "body");
	const struct stir_cred *cred;
	uint8_t *body = NULL;
	char m[256], *msgi = NULL;
	size_t len = 0;
	int r;

	if (b64 != NULL) {
		if ((r = stir_body_decode(b64, req->state->cfg->msg_max_body_bytes, &body, &len, m,
		    sizeof(m))) != STIR_OK ||
		    (r = stir_body_check(body, len, stir_param_str(p, "content_type"), m,
		    sizeof(m))) != STIR_OK) {
			snprintf(msg, msglen, "field 'body': %s", m);
			goto out;
		}
		r = STIR_ENOMEM;
		if ((msgi = stir_rcdi_sha256(body, len)) == NULL ||
		    (extra = json_pack("{s:s}", "msgi", msgi)) == NULL)
			goto out;
	}
	if ((r = stir_creds_select(req->state->creds, stir_param_str(p, "cred"), &x->claims.orig,
	    time(NULL), &cred, msg, msglen)) != STIR_OK)
		goto out;
	r = build_one(x, cred, ppt, NULL, extra, msg, msglen);
 out:
	json_decref(extra);
	free(msgi);
	free(body);
	return r;
}

/*
 * rsp (RFC 9970): the called side proves the number reached.  orig and
 * dest are the request's (not swapped); the credential covers dest.  Only
 * numbers connected_identity lists answer, so that nobody can war-dial
 * stird into a directory of who answers.
 */
static int
prepare_rsp(struct stir_req *req, struct sign_ctx *x, const char *ppt, char *msg,
    size_t msglen)
{
	const struct stir_ident *reached = &x->claims.dest[0];
	const struct stir_cred *cred;
	char m[300];
	int r;

	if (x->claims.ndest != 1 || reached->kind != STIR_IDENT_TN) {
		snprintf(msg, msglen, "an rsp PASSporT has one dest: the number reached");
		return STIR_EINVAL;
	}
	if (req->state->cfg->connected_identity[0] == '\0' ||
	    !stir_tnspec_list_covers(req->state->cfg->connected_identity, reached->value)) {
		snprintf(msg, msglen, "%s does not answer connected-identity requests (connected_identity)",
		    reached->value);
		return STIR_EPOLICY;
	}
	if ((r = stir_creds_select(req->state->creds, stir_param_str(req->env->params, "cred"), reached,
	    time(NULL), &cred, m, sizeof(m))) != STIR_OK) {
		snprintf(msg, msglen, "the number reached (dest) decides the credential: %s", m);
		return r;
	}
	return build_one(x, cred, ppt, NULL, NULL, msg, msglen);
}

/* Fields that belong to one kind or another: refused where they do not apply. */
static const char *const for_shaken[] = { "original", "div", "body", "content_type", NULL };
static const char *const for_div[] = { "orig", "attest", "origid", "rcd", "crn", "body",
    "content_type", NULL };
static const char *const for_msg[] = { "attest", "origid", "rcd", "crn", "original", "div",
    NULL };
static const char *const for_rsp[] = { "attest", "origid", "rcd", "crn", "original", "div",
    "body", "content_type", NULL };

/* The dispatch table of the PASSporT types the sign op makes. */
static const struct sign_kind {
	const char	*ppt;
	int		(*prepare)(struct stir_req *, struct sign_ctx *, const char *, char *, size_t);
	bool		 needs_orig;
	const char *const *foreign;	/* fields that do not apply */
} sign_kinds[] = {
	{ "shaken", prepare_shaken, true,  for_shaken },
	{ "rcd",    prepare_shaken, true,  for_shaken },
	{ "div",    prepare_div,    false, for_div },
	{ "div-o",  prepare_div,    false, for_div },
	{ "msg",    prepare_msg,    true,  for_msg },
	{ "rsp",    prepare_rsp,    true,  for_rsp },
};

/* The op table's observe hook: sign metrics by credential and ppt. */
void
op_sign_observe(struct stir_req *req, uint64_t ns, int err, const json_t *result)
{
	const json_t *p = req->env != NULL ? req->env->params : NULL;
	const char *ppt = json_string_value(json_object_get(p, "ppt"));

	stir_metrics_sign(&req->conn->srv->metrics, ns, err,
	    json_string_value(json_object_get(result, "cred")),
	    ppt != NULL ? ppt : "shaken");
}

void
op_sign(struct stir_req *req)
{
	struct stir_server *srv = req->conn->srv;
	json_t *p = req->env->params, *dest = json_object_get(p, "dest");
	const struct sign_kind *kind = NULL;
	const char *orig = stir_param_str(p, "orig");
	const char *ppt = stir_param_str(p, "ppt") ? stir_param_str(p, "ppt") : "shaken";
	struct sign_ctx *x;
	time_t now = time(NULL);
	char msg[384], m[200];
	int r;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		stir_req_fail(req, STIR_ENOMEM, NULL);
		return;
	}
	req->ctx = x;
	req->ctx_free = sign_ctx_free;
	orig = stir_param_str(p, "orig");
	dest = json_object_get(p, "dest");
	for (size_t i = 0; i < sizeof(sign_kinds) / sizeof(sign_kinds[0]); i++)
		if (strcmp(ppt, sign_kinds[i].ppt) == 0)
			kind = &sign_kinds[i];
	if (kind == NULL) {
		stir_req_fail(req, STIR_EINVAL, "field 'ppt' must be shaken, rcd, div, div-o, msg or rsp");
		return;
	}
	for (size_t i = 0; kind->foreign[i] != NULL; i++)
		if (json_object_get(p, kind->foreign[i]) != NULL) {
			stir_req_fail(req, STIR_EBADREQ, "field '%s' does not apply to ppt %s",
			    kind->foreign[i], ppt);
			return;
		}
	if (kind->needs_orig && orig == NULL) {
		stir_req_fail(req, STIR_EBADREQ, "field 'orig' is missing");
		return;
	}
	if (orig != NULL && stir_ident_canon(orig, &x->claims.orig, m, sizeof(m)) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL, "field 'orig': %s", m);
		return;
	}
	if ((r = parse_dest(dest, &x->claims, msg, sizeof(msg))) != STIR_OK) {
		stir_req_fail(req, r, "%s%s",
		    json_is_string(dest) ? "field 'dest': " : "", msg);
		return;
	}
	x->claims.iat = (int64_t)now;
	if (json_object_get(p, "iat") != NULL) {
		json_int_t iat = json_integer_value(json_object_get(p, "iat"));

		if (iat <= 0 || (iat > (json_int_t)now + SIGN_IAT_SKEW_MAX) ||
		    (iat < (json_int_t)now - SIGN_IAT_SKEW_MAX)) {
			stir_req_fail(req, STIR_EINVAL, "field 'iat' must be within %d hours of now",
			    SIGN_IAT_SKEW_MAX / 3600);
			return;
		}
		x->claims.iat = iat;
	}
	*msg = '\0';
	if ((r = kind->prepare(req, x, ppt, msg, sizeof(msg))) != STIR_OK) {
		srv->stats.sign_errors++;
		stir_req_fail(req, r, "%s", *msg ? msg : "cannot build the PASSporT");
		return;
	}
	req->batch_fn = sign_batch;
	stir_req_queue_hot(req, sign_work, sign_done);
}
