/*
 * signing.c: from a decoded sign request to signed PASSporTs: SHAKEN
 * (RFC 8224, 8225, 8588) with Rich Call Data (RFC 9795) embedded or in a
 * second PASSporT of ppt "rcd", diversion (RFC 8946), messages (RFC 9475)
 * and connected identity (RFC 9970).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/sign/signing.h"
#include "daemon/sign/rcd_sign.h"
#include "daemon/stir/identity.h"
#include "daemon/stir/message.h"
#include "daemon/stir/rcd.h"
#include "daemon/stir/tnspec.h"

void
stir_signing_clear(struct stir_signing *x)
{
	free(x->key_ref);
	free(x->x5u);
	for (size_t i = 0; i < x->n; i++) {
		json_decref(x->v[i].header);
		json_decref(x->v[i].payload);
		free(x->v[i].tbs);
		free(x->v[i].identity);
	}
	memset(x, 0, sizeof(*x));
}

static int
set_cred(struct stir_signing *x, const struct stir_cred *cred)
{
	snprintf(x->cred, sizeof(x->cred), "%s", cred->name);
	if ((x->key_ref = strdup(cred->key_ref)) == NULL || (x->x5u = strdup(cred->x5u)) == NULL)
		return STIR_ENOMEM;
	return STIR_OK;
}

/* The PASSporTs of the plan: shaken (with the RCD, or without) and rcd. */
static int
build_passports(struct stir_signing *x, const struct stir_shaken_claims *c,
    const struct stir_sign_plan *plan, char *msg, size_t msglen)
{
	const struct stir_cred *cred = plan->cred;
	bool embed = plan->claims != NULL && plan->attach == STIR_ATTACH_EMBEDDED;
	int r;

	x->v[0].ppt = "shaken";
	x->v[0].header = json_incref(cred->header);
	x->n = 1;
	if ((r = stir_passport_shaken_with(c, embed ? plan->claims : NULL,
	    cred->header_b64, &x->v[0].payload, &x->v[0].tbs)) != STIR_OK)
		return r;
	if (plan->claims != NULL && !embed) {
		char *hb64 = NULL;

		x->v[1].ppt = "rcd";
		x->n = 2;
		if ((r = stir_passport_header(cred->x5u, "rcd", &x->v[1].header, &hb64)) != STIR_OK)
			return r;
		r = stir_passport_rcd(c, plan->claims, hb64, &x->v[1].payload, &x->v[1].tbs);
		free(hb64);
		if (r != STIR_OK)
			return r;
	}
	for (size_t i = 0; i < x->n; i++)
		if ((r = stir_sign_constraints(cred, x->v[i].payload, msg, msglen)) != STIR_OK)
			return r;
	return STIR_OK;
}

/* One PASSporT of another type (div, div-o, msg, rsp), signed by cred. */
static int
build_one(struct stir_signing *x, const struct stir_shaken_claims *c,
    const struct stir_cred *cred, const char *ppt, const json_t *orig,
    const json_t *extra, char *msg, size_t msglen)
{
	char *hb64 = NULL;
	int r;

	if ((r = set_cred(x, cred)) != STIR_OK)
		return r;
	x->v[0].ppt = ppt;
	x->n = 1;
	if ((r = stir_passport_header(cred->x5u, ppt, &x->v[0].header, &hb64)) != STIR_OK)
		return r;
	r = stir_passport_other(c, orig, extra, hb64, &x->v[0].payload, &x->v[0].tbs);
	free(hb64);
	if (r != STIR_OK)
		return r;
	return stir_sign_constraints(cred, x->v[0].payload, msg, msglen);
}

/* shaken, with Rich Call Data embedded or (ppt rcd) in a second PASSporT. */
static int
prepare_shaken(struct stir_signing *x, const struct stir_sign_request *rq,
    struct stir_shaken_claims *c, const struct stir_creds *cs, time_t now, char *msg,
    size_t msglen)
{
	bool separate = rq->ppt == STIR_SIGN_RCD;
	struct stir_sign_plan plan;
	int r;

	if (rq->attest == NULL || strlen(rq->attest) != 1 ||
	    strchr("ABC", rq->attest[0]) == NULL) {
		snprintf(msg, msglen, "field 'attest' must be \"A\", \"B\" or \"C\"");
		return rq->attest == NULL ? STIR_EBADREQ : STIR_EINVAL;
	}
	c->attest = rq->attest[0];
	if (rq->origid != NULL) {
		if (stir_uuid_check(rq->origid) != STIR_OK) {
			snprintf(msg, msglen, "field 'origid' must be a UUID (8-4-4-4-12 hex digits)");
			return STIR_EINVAL;
		}
		memcpy(c->origid, rq->origid, STIR_UUID_LEN + 1);
	} else
		stir_uuid_v4(c->origid);
	if (separate && !rq->want_rcd) {
		snprintf(msg, msglen, "\"ppt\": \"rcd\" signs Rich Call Data: give 'rcd' too");
		return STIR_EBADREQ;
	}
	if ((r = stir_sign_plan(cs, &c->orig, rq->cred, rq->want_rcd, rq->rcd, rq->crn,
	    separate, now, &plan, msg, msglen)) != STIR_OK)
		return r;
	if (plan.policy != NULL)
		snprintf(x->policy, sizeof(x->policy), "%s", plan.policy->name);
	*msg = '\0';
	if ((r = set_cred(x, plan.cred)) == STIR_OK)
		r = build_passports(x, c, &plan, msg, msglen);
	stir_sign_plan_clear(&plan);
	return r;
}

/* The diverting identity: 'div', or the original's only dest. */
static int
div_ident(const char *divp, json_t *odest, struct stir_ident *ret, char *msg,
    size_t msglen)
{
	json_t *tn = json_object_get(odest, "tn"), *uri = json_object_get(odest, "uri");
	char m[200];

	if (divp != NULL) {
		if (stir_ident_canon(divp, ret, m, sizeof(m)) != STIR_OK) {
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
prepare_div(struct stir_signing *x, const struct stir_sign_request *rq,
    struct stir_shaken_claims *c, const struct stir_creds *cs, time_t now, char *msg,
    size_t msglen)
{
	json_t *payload = NULL, *extra = NULL, *orig, *iat;
	struct stir_identity *id = NULL;
	const struct stir_cred *cred;
	struct stir_ident div;
	char m[256];
	int r = STIR_EINVAL;

	if (rq->original == NULL) {
		snprintf(msg, msglen, "ppt %s needs 'original': the Identity value the call arrived with",
		    rq->ppt_name);
		return STIR_EBADREQ;
	}
	if ((r = stir_identity_parse(rq->original, strlen(rq->original), &id, m,
	    sizeof(m))) != STIR_OK) {
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
	if (stir_claim_ident(orig, &c->orig) != STIR_OK) {
		snprintf(msg, msglen, "the original's orig is malformed");
		goto out;
	}
	if ((r = div_ident(rq->div, json_object_get(payload, "dest"), &div, msg,
	    msglen)) != STIR_OK)
		goto out;
	if (c->ndest == 1 && c->dest[0].kind == div.kind &&
	    strcmp(c->dest[0].value, div.value) == 0) {
		snprintf(msg, msglen, "the new dest is the diverting identity: nothing was diverted (RFC 8946)");
		r = STIR_EINVAL;
		goto out;
	}
	if (!rq->has_iat && json_is_integer(iat)) {	/* RFC 8946: SHOULD */
		json_int_t oiat = json_integer_value(iat);

		if (oiat <= 0 || oiat > (json_int_t)now + STIR_SIGN_IAT_SKEW_MAX ||
		    oiat < (json_int_t)now - STIR_SIGN_IAT_SKEW_MAX) {
			snprintf(msg, msglen, "the original's iat is not within %d hours of now; give 'iat'",
			    STIR_SIGN_IAT_SKEW_MAX / 3600);
			r = STIR_EINVAL;
			goto out;
		}
		c->iat = oiat;
	}
	if ((r = stir_creds_select(cs, rq->cred, &div, now, &cred, m, sizeof(m))) != STIR_OK) {
		snprintf(msg, msglen, "the diverting number (div) decides the credential: %s", m);
		goto out;
	}
	r = STIR_ENOMEM;
	if ((extra = json_pack("{s:o}", "div", stir_passport_ident(&div))) == NULL)
		goto out;
	if (rq->ppt == STIR_SIGN_DIV_O &&
	    json_object_set_new(extra, "opt", json_stringn(id->jws, id->hlen + id->plen + 2 +
	    strlen(stir_identity_sig(id)))) != 0)
		goto out;
	r = build_one(x, c, cred, rq->ppt_name, orig, extra, msg, msglen);
 out:
	json_decref(extra);
	json_decref(payload);
	stir_identity_free(id);
	return r;
}

/* msg (RFC 9475): msgi over the whole MIME body, as it is sent. */
static int
prepare_msg(struct stir_signing *x, const struct stir_sign_request *rq,
    struct stir_shaken_claims *c, const struct stir_creds *cs,
    const struct stir_config *cfg, time_t now, char *msg, size_t msglen)
{
	json_t *extra = NULL;
	const struct stir_cred *cred;
	uint8_t *body = NULL;
	char m[256], *msgi = NULL;
	size_t len = 0;
	int r;

	if (rq->body_b64 != NULL) {
		if ((r = stir_body_decode(rq->body_b64, cfg->msg_max_body_bytes, &body, &len, m,
		    sizeof(m))) != STIR_OK ||
		    (r = stir_body_check(body, len, rq->content_type, m, sizeof(m))) != STIR_OK) {
			snprintf(msg, msglen, "field 'body': %s", m);
			goto out;
		}
		r = STIR_ENOMEM;
		if ((msgi = stir_rcdi_sha256(body, len)) == NULL ||
		    (extra = json_pack("{s:s}", "msgi", msgi)) == NULL)
			goto out;
	}
	if ((r = stir_creds_select(cs, rq->cred, &c->orig, now, &cred, msg, msglen)) != STIR_OK)
		goto out;
	r = build_one(x, c, cred, rq->ppt_name, NULL, extra, msg, msglen);
 out:
	json_decref(extra);
	free(msgi);
	free(body);
	return r;
}

/*
 * rsp (RFC 9970): the called side proves the number reached.  orig and
 * dest are the request's (not swapped); the credential covers dest.  Only
 * numbers connected_identity lists answer (the stored one, else
 * stird.conf's: stir_creds_connected_identity()), so that nobody can
 * war-dial stird into a directory of who answers.
 */
static int
prepare_rsp(struct stir_signing *x, const struct stir_sign_request *rq,
    struct stir_shaken_claims *c, const struct stir_creds *cs,
    const struct stir_config *cfg, time_t now, char *msg, size_t msglen)
{
	const struct stir_ident *reached = &c->dest[0];
	const char *answers = stir_creds_connected_identity(cs, cfg->connected_identity);
	const struct stir_cred *cred;
	char m[300];
	int r;

	if (c->ndest != 1 || reached->kind != STIR_IDENT_TN) {
		snprintf(msg, msglen, "an rsp PASSporT has one dest: the number reached");
		return STIR_EINVAL;
	}
	if (answers[0] == '\0' || !stir_tnspec_list_covers(answers, reached->value)) {
		snprintf(msg, msglen, "%s does not answer connected-identity requests (connected_identity)",
		    reached->value);
		return STIR_EPOLICY;
	}
	if ((r = stir_creds_select(cs, rq->cred, reached, now, &cred, m, sizeof(m))) != STIR_OK) {
		snprintf(msg, msglen, "the number reached (dest) decides the credential: %s", m);
		return r;
	}
	return build_one(x, c, cred, rq->ppt_name, NULL, NULL, msg, msglen);
}

int
stir_signing_prepare(struct stir_signing *x, const struct stir_sign_request *rq,
    const struct stir_creds *cs, const struct stir_config *cfg, time_t now,
    char *msg, size_t msglen)
{
	struct stir_shaken_claims c = rq->claims;
	int r = STIR_EINVAL;

	*msg = '\0';
	if (!rq->has_iat)
		c.iat = (int64_t)now;
	switch (rq->ppt) {
	case STIR_SIGN_SHAKEN:
	case STIR_SIGN_RCD:
		r = prepare_shaken(x, rq, &c, cs, now, msg, msglen);
		break;
	case STIR_SIGN_DIV:
	case STIR_SIGN_DIV_O:
		r = prepare_div(x, rq, &c, cs, now, msg, msglen);
		break;
	case STIR_SIGN_MSG:
		r = prepare_msg(x, rq, &c, cs, cfg, now, msg, msglen);
		break;
	case STIR_SIGN_RSP:
		r = prepare_rsp(x, rq, &c, cs, cfg, now, msg, msglen);
		break;
	}
	if (r != STIR_OK && *msg == '\0')
		snprintf(msg, msglen, "cannot build the PASSporT");
	return r;
}

size_t
stir_signing_items(struct stir_signing *x, struct stir_sign_item items[static STIR_SIGN_PPT_MAX])
{
	for (size_t j = 0; j < x->n; j++) {
		memset(&items[j], 0, sizeof(items[j]));
		items[j].key_id = x->key_ref;
		items[j].tbs = (const uint8_t *)x->v[j].tbs;
		items[j].tbs_len = strlen(x->v[j].tbs);
	}
	return x->n;
}

void
stir_signing_signed(struct stir_signing *x, const struct stir_sign_item *items)
{
	for (size_t j = 0; j < x->n; j++) {
		x->v[j].item = items[j];
		x->v[j].batched = true;
	}
}

void
stir_signing_batch(struct stir_signer *s, struct stir_signing *const *xs, size_t n)
{
	struct stir_sign_item items[STIR_SIGN_BATCH_MAX];
	struct stir_signing_one *owner[STIR_SIGN_BATCH_MAX];
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < xs[i]->n && k < STIR_SIGN_BATCH_MAX; j++) {
			struct stir_signing_one *o = &xs[i]->v[j];

			items[k].key_id = xs[i]->key_ref;
			items[k].tbs = (const uint8_t *)o->tbs;
			items[k].tbs_len = strlen(o->tbs);
			owner[k++] = o;
		}
	if (k < 2)		/* nothing to share: stir_signing_sign() signs it */
		return;
	(void)stir_signer_sign_batch(s, items, k);
	for (size_t i = 0; i < k; i++) {
		owner[i]->item = items[i];
		owner[i]->batched = true;
	}
}

int
stir_signing_sign(struct stir_signer *s, struct stir_signing *x, char *msg, size_t msglen)
{
	uint8_t sig[STIR_SIG_MAX];
	size_t siglen = 0;
	int r;

	for (size_t i = 0; i < x->n; i++) {
		struct stir_signing_one *o = &x->v[i];

		if (o->batched) {
			r = o->item.r;
			siglen = o->item.sig_len;
			memcpy(sig, o->item.sig, siglen);
		} else
			r = stir_signer_sign(s, x->key_ref, (const uint8_t *)o->tbs,
			    strlen(o->tbs), sig, &siglen);
		if (r != STIR_OK) {
			snprintf(msg, msglen, "credential '%s': %s", x->cred, r == STIR_ENOENT ?
			    "its key is not loaded (see 'stirctl key list')" : stir_strerror(r));
			return r == STIR_ENOENT ? STIR_EKEY : r;
		}
		if ((o->identity = stir_identity_value(o->tbs, sig, siglen, x->x5u,
		    o->ppt)) == NULL) {
			*msg = '\0';
			return STIR_ENOMEM;
		}
	}
	return STIR_OK;
}
