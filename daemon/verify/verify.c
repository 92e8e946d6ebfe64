/* verify.c: PASSporT checks against the SIP request, and ES256. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "proto.h"
#include "stirclient.h"
#include "daemon/stir/rcd.h"
#include "daemon/verify/verify.h"


void
stir_vresult_clear(struct stir_vresult *r)
{
	free(r->x5u);
	json_decref(r->header);
	json_decref(r->payload);
	free(r->tbs);
	free(r->compact_ppi);
	memset(r, 0, sizeof(*r));
}

static const char *const vmode_names[_STIR_VMODE_MAX] = {
	[STIR_VMODE_REQUEST] = "request",
	[STIR_VMODE_RESPONSE] = "response",
	[STIR_VMODE_PRECALL] = "precall",
	[STIR_VMODE_BACKWARD] = "backward",
};

const char *
stir_vmode_name(enum stir_vmode mode)
{
	return (unsigned)mode < _STIR_VMODE_MAX ? vmode_names[mode] : "";
}

int
stir_vmode_parse(const char *name, enum stir_vmode *ret)
{
	for (unsigned m = 0; name != NULL && m < _STIR_VMODE_MAX; m++)
		if (strcmp(name, vmode_names[m]) == 0) {
			*ret = (enum stir_vmode)m;
			return STIR_OK;
		}
	return STIR_EINVAL;
}

bool
stir_vmode_is_response(enum stir_vmode mode)
{
	return mode == STIR_VMODE_RESPONSE || mode == STIR_VMODE_PRECALL;
}

const char *
stir_sip_reason(int code)
{
	switch (code) {
	case STIR_SIP_STALE:		return "Stale Date";
	case STIR_SIP_USE_IDENTITY:	return "Use Identity Header";
	case STIR_SIP_BAD_INFO:		return "Bad Identity Info";
	case STIR_SIP_UNSUPPORTED:	return "Unsupported Credential";
	case STIR_SIP_INVALID:		return "Invalid Identity Header";
	default:			return "";
	}
}

static int fail(struct stir_vresult *res, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct stir_vresult *res, int code, const char *fmt, ...)
{
	va_list ap;

	res->code = code;
	va_start(ap, fmt);
	(void)vsnprintf(res->detail, sizeof(res->detail), fmt, ap);
	va_end(ap);
	return STIR_OK;
}

static bool
dest_valid(json_t *dest)
{
	json_t *v, *arr;
	const char *k;
	size_t i, n = 0;

	if (!json_is_object(dest) || json_object_size(dest) == 0)
		return false;
	json_object_foreach(dest, k, arr) {
		if ((strcmp(k, "tn") != 0 && strcmp(k, "uri") != 0) || !json_is_array(arr) ||
		    json_array_size(arr) == 0)
			return false;
		json_array_foreach(arr, i, v) {
			if (!json_is_string(v) || ++n > STIR_MAX_DEST * 4)
				return false;
		}
	}
	return true;
}

/* Rebuild a compact form's header and payload from the SIP request. */
static int
rebuild_compact(const struct stir_identity *id, const struct stir_vctx *v,
    struct stir_vresult *res)
{
	json_t *dest;
	char *h = NULL, *p = NULL, *hb = NULL, *pb = NULL;
	const struct stir_ident *orig = v->has_pai ? &v->pai : &v->from;
	int r = STIR_ENOMEM;

	if (v->date < 0)
		return fail(res, STIR_SIP_INVALID,
		    "a compact form needs the Date header to rebuild iat");
	res->header = json_pack("{s:s, s:s, s:s}", "alg", id->alg ? id->alg : "ES256",
	    "typ", "passport", "x5u", id->info);
	if (res->header != NULL && id->ppt != NULL)
		(void)json_object_set_new(res->header, "ppt", json_string(id->ppt));
	dest = json_pack("{s:[s]}", v->to.kind == STIR_IDENT_TN ? "tn" : "uri", v->to.value);
	res->payload = json_pack("{s:o, s:I, s:o}", "dest", dest, "iat",
	    (json_int_t)v->date, "orig", stir_passport_ident(orig));
	if (res->header == NULL || res->payload == NULL)
		goto out;
	/* RFC 9795 9.1: nam is the From display-name, or ""; 9.3: crn the
	 * Call-Info call-reason; jcd and jcl "MUST NOT be used" (doc/rcd.md) */
	if (id->ppt != NULL && strcmp(id->ppt, "rcd") == 0 &&
	    (json_object_set_new(res->payload, "rcd", json_pack("{s:s}", "nam",
	    v->from_name != NULL ? v->from_name : "")) != 0 || (v->call_reason != NULL &&
	    json_object_set_new(res->payload, "crn", json_string(v->call_reason)) != 0)))
		goto out;
	if ((h = stir_json_canonical(res->header)) == NULL ||
	    (p = stir_json_canonical(res->payload)) == NULL ||
	    (hb = stir_b64url_encode((const uint8_t *)h, strlen(h))) == NULL ||
	    (pb = stir_b64url_encode((const uint8_t *)p, strlen(p))) == NULL)
		goto out;
	if ((res->tbs = malloc(strlen(hb) + strlen(pb) + 2)) == NULL)
		goto out;
	sprintf(res->tbs, "%s.%s", hb, pb);
	r = STIR_OK;
 out:
	free(h);
	free(p);
	free(hb);
	free(pb);
	return r;
}

/* ---- what each ppt requires ---- */

static int
claims_shaken(const struct stir_vctx *v, struct stir_vresult *res)
{
	const char *attest = json_string_value(json_object_get(res->payload, "attest"));
	const char *origid = json_string_value(json_object_get(res->payload, "origid"));

	(void)v;
	if (attest == NULL || strlen(attest) != 1 || strchr("ABC", attest[0]) == NULL)
		return fail(res, STIR_SIP_INVALID, "attest is missing or not A, B or C");
	if (origid == NULL || stir_uuid_check(origid) != STIR_OK)
		return fail(res, STIR_SIP_INVALID, "origid is missing or not a UUID");
	res->attest = attest[0];
	memcpy(res->origid, origid, STIR_UUID_LEN + 1);
	return STIR_OK;
}

/* RFC 9795 8: "at least one "rcd" or "crn" claim (or both)". */
static int
claims_rcd(const struct stir_vctx *v, struct stir_vresult *res)
{
	(void)v;
	if (!json_is_object(json_object_get(res->payload, "rcd")) &&
	    !json_is_string(json_object_get(res->payload, "crn")))
		return fail(res, STIR_SIP_INVALID, "a ppt rcd PASSporT has neither an rcd nor a crn claim");
	return STIR_OK;
}

/* RFC 8946: div is one identity, {"tn":...} or {"uri":...}, maybe with "hi". */
static int
claims_div_common(struct stir_vresult *res)
{
	json_t *div = json_object_get(res->payload, "div"), *o;
	int r = STIR_EINVAL;

	if (!json_is_object(div))
		return fail(res, STIR_SIP_INVALID, "div is missing or not an object");
	if (json_object_get(div, "hi") != NULL && !json_is_string(json_object_get(div, "hi")))
		return fail(res, STIR_SIP_INVALID, "div.hi is not a string");
	if ((o = json_deep_copy(div)) == NULL)
		return STIR_ENOMEM;
	(void)json_object_del(o, "hi");
	r = stir_claim_ident(o, &res->div);
	json_decref(o);
	if (r != STIR_OK)
		return fail(res, STIR_SIP_INVALID, "div must hold exactly one \"tn\" or \"uri\" string");
	res->authority = res->div;
	return STIR_OK;
}

static int
claims_div(const struct stir_vctx *v, struct stir_vresult *res)
{
	(void)v;
	if (json_object_get(res->payload, "opt") != NULL)
		return fail(res, STIR_SIP_INVALID, "a ppt div PASSporT must not carry opt (RFC 8946)");
	return claims_div_common(res);
}

/* div-o: opt is the original PASSporT in full form, "header.payload.signature". */
static int
claims_divo(const struct stir_vctx *v, struct stir_vresult *res)
{
	const char *opt = json_string_value(json_object_get(res->payload, "opt"));
	const char *d1, *d2;

	(void)v;
	if (opt == NULL)
		return fail(res, STIR_SIP_INVALID, "a ppt div-o PASSporT has no opt string");
	d1 = strchr(opt, '.');
	d2 = d1 != NULL ? strchr(d1 + 1, '.') : NULL;
	if (d1 == NULL || d1 == opt || d2 == NULL || d2 == d1 + 1 || d2[1] == '\0' ||
	    strchr(d2 + 1, '.') != NULL || strlen(opt) > STIR_IDENTITY_MAX)
		return fail(res, STIR_SIP_INVALID, "opt is not a full-form PASSporT (header.payload.signature)");
	res->opt = opt;
	return claims_div_common(res);
}

/* RFC 9475: msgi, when present, is a digest of the whole MIME body. */
static int
claims_msg(const struct stir_vctx *v, struct stir_vresult *res)
{
	json_t *m = json_object_get(res->payload, "msgi");
	int r;

	res->msgi = -1;
	if (m == NULL)
		return STIR_OK;
	if (!json_is_string(m) || json_string_length(m) > 156)
		return fail(res, STIR_SIP_INVALID, "msgi is not a digest string");
	res->msgi = 0;
	if (v->body == NULL)
		return STIR_OK;
	/* padded or not: RFC 9475 leaves it open (stir_rcdi_check takes both) */
	r = stir_rcdi_check(json_string_value(m), v->body, v->body_len);
	if (r == STIR_EPOLICY)
		return fail(res, STIR_SIP_INVALID, "the message body does not match msgi");
	if (r != STIR_OK)
		return fail(res, STIR_SIP_INVALID, "msgi is malformed or of an unsupported algorithm (sha256, sha384, sha512)");
	res->msgi = 1;
	return STIR_OK;
}

#define M_REQ	(1u << STIR_VMODE_REQUEST)
#define M_RSP	((1u << STIR_VMODE_RESPONSE) | (1u << STIR_VMODE_PRECALL))
#define M_BWD	(1u << STIR_VMODE_BACKWARD)

/*
 * The dispatch table of PASSporT types.  A backward request (the called
 * party's BYE, re-INVITE or UPDATE, RFC 9970 section 6) takes the two
 * types SIP requests are signed with, a base PASSporT and shaken; "rsp"
 * MUST NOT be sent in a request and is ignored there (section 9), and
 * the diversion was settled by the response.  Whatever its type, such a
 * PASSporT speaks for dest, the connected party (vmode_authority()).
 */
static const struct ppt_rule {
	const char		*ppt;		/* NULL: a base PASSporT */
	int			(*claims)(const struct stir_vctx *, struct stir_vresult *);
	bool			 check_to;	/* dest must include To */
	enum stir_authority	 authority;
	unsigned		 modes;		/* where it counts; elsewhere ignored */
} ppt_rules[] = {
	{ NULL,     NULL,          true,  STIR_AUTH_ORIG, M_REQ | M_BWD },
	{ "shaken", claims_shaken, true,  STIR_AUTH_ORIG, M_REQ | M_BWD },
	{ "rcd",    claims_rcd,    true,  STIR_AUTH_ORIG, M_REQ },
	{ "msg",    claims_msg,    true,  STIR_AUTH_ORIG, M_REQ },
	{ "div",    claims_div,    false, STIR_AUTH_DIV,  M_REQ | M_RSP },
	{ "div-o",  claims_divo,   false, STIR_AUTH_DIV,  M_REQ | M_RSP },
	/* rsp's dest is the party reached: To, or where div PASSporTs lead */
	{ "rsp",    NULL,          false, STIR_AUTH_DEST, M_RSP },
};

static const struct ppt_rule *
ppt_rule(const char *ppt)
{
	for (size_t i = 0; i < sizeof(ppt_rules) / sizeof(ppt_rules[0]); i++)
		if ((ppt == NULL) == (ppt_rules[i].ppt == NULL) &&
		    (ppt == NULL || strcmp(ppt, ppt_rules[i].ppt) == 0))
			return &ppt_rules[i];
	return NULL;
}

bool
stir_ppt_supported(const char *ppt)
{
	return ppt_rule(ppt) != NULL;
}

/* An unsupported ppt, or one out of place, is ignored (RFC 8224 6.2.3, RFC 9970). */
static int
ignore(const struct stir_vctx *v, const char *ppt, struct stir_vresult *res)
{
	const struct ppt_rule *rule = ppt_rule(ppt);

	res->ignored = true;
	if (rule == NULL)
		return fail(res, STIR_SIP_INVALID, "unsupported ppt '%s'", ppt);
	return fail(res, STIR_SIP_INVALID, "ppt '%s' does not belong in a %s", ppt ? ppt : "(none)",
	    v->mode == STIR_VMODE_REQUEST ? "request" :
	    v->mode == STIR_VMODE_BACKWARD ? "backward request" : "response");
}

/* Whose number the signer speaks for: the type's, but in a backward
 * request always the connected party's (RFC 9970 sections 6 and 13). */
static enum stir_authority
vmode_authority(const struct stir_vctx *v, const struct ppt_rule *rule)
{
	return v->mode == STIR_VMODE_BACKWARD ? STIR_AUTH_DEST : rule->authority;
}

/*
 * The party a dest-signed PASSporT speaks for: its dest, one tn (rsp,
 * RFC 9970 section 9; a backward request's, which must also be the
 * dialog's connected dest, section 6).
 */
static int
dest_authority(const struct stir_vctx *v, json_t *dest, struct stir_vresult *res)
{
	json_t *d = json_object_get(dest, "tn");

	if (json_array_size(d) != 1 || json_object_size(dest) != 1 ||
	    stir_claim_tn(json_string_value(json_array_get(d, 0)), res->authority.value) == NULL)
		return fail(res, STIR_SIP_INVALID, v->mode == STIR_VMODE_BACKWARD ?
		    "the dest of a backward request's PASSporT must be one tn (RFC 9970 section 6)" :
		    "a ppt rsp PASSporT's dest must be one tn");
	res->authority.kind = STIR_IDENT_TN;
	if (v->mode == STIR_VMODE_BACKWARD && (v->dialog_dest.kind != STIR_IDENT_TN ||
	    strcmp(v->dialog_dest.value, res->authority.value) != 0))
		return fail(res, STIR_SIP_INVALID,
		    "dest is not the dest the dialog's first response asserted (RFC 9970 section 6)");
	return STIR_OK;
}

static bool
ppt_in_mode(const struct stir_vctx *v, const char *ppt)
{
	const struct ppt_rule *rule = ppt_rule(ppt);

	return rule != NULL && (rule->modes & (1u << v->mode)) != 0;
}

int
stir_passport_check(const struct stir_identity *id, const struct stir_vctx *v,
    struct stir_vresult *res)
{
	const char *sig = stir_identity_sig(id), *typ, *alg, *x5u, *hppt;
	uint8_t *bin = NULL;
	size_t n = 0;
	json_t *iat, *orig, *dest;
	const struct stir_ident *want;
	const struct ppt_rule *rule;
	int r;

	if ((res->x5u = strdup(id->info)) == NULL)
		return STIR_ENOMEM;
	snprintf(res->ppt, sizeof(res->ppt), "%s", id->ppt ? id->ppt : "");
	if ((res->compact_ppi = malloc(strlen(sig) + 3)) == NULL)
		return STIR_ENOMEM;
	sprintf(res->compact_ppi, "..%s", sig);
	/* a ppt this verifier does not support is ignored (RFC 8224 6.2) */
	if (id->ppt != NULL && !ppt_in_mode(v, id->ppt))
		return ignore(v, id->ppt, res);
	if (id->alg != NULL && strcmp(id->alg, "ES256") != 0)
		return fail(res, STIR_SIP_UNSUPPORTED, "alg '%s' is not supported (ES256 only)",
		    id->alg);
	if (stir_b64url_decode(sig, strlen(sig), &bin, &n) != STIR_OK || n != STIR_ES256_SIG_LEN) {
		free(bin);
		return fail(res, STIR_SIP_INVALID,
		    "the signature is not 64 bytes of base64url (ES256 r||s)");
	}
	memcpy(res->sig, bin, STIR_ES256_SIG_LEN);
	free(bin);

	if (id->compact) {
		/* rebuilt from From and To, it could not say which party of the
		 * dialog it speaks for (RFC 9970 section 6 keeps dest) */
		if (v->mode == STIR_VMODE_BACKWARD)
			return fail(res, STIR_SIP_INVALID,
			    "a backward request's PASSporT must be in full form");
		/* shaken's attest and origid cannot be rebuilt; rcd's nam and crn can */
		if (id->ppt != NULL && strcmp(id->ppt, "rcd") != 0)
			return fail(res, STIR_SIP_INVALID,
			    "a compact form cannot carry the claims of ppt '%s'; send the full form",
			    id->ppt);
		if ((r = rebuild_compact(id, v, res)) != STIR_OK || res->code != 0)
			return r;
	} else {
		/* full form: verify over the received bytes, never re-serialize */
		if ((res->tbs = malloc(id->hlen + 1 + id->plen + 1)) == NULL)
			return STIR_ENOMEM;
		memcpy(res->tbs, id->jws, id->hlen + 1 + id->plen);
		res->tbs[id->hlen + 1 + id->plen] = '\0';
		if ((res->header = stir_identity_json(id->jws, id->hlen)) == NULL)
			return fail(res, STIR_SIP_INVALID,
			    "the PASSporT header is not base64url JSON");
		if ((res->payload = stir_identity_json(id->jws + id->hlen + 1, id->plen)) == NULL)
			return fail(res, STIR_SIP_INVALID,
			    "the PASSporT payload is not base64url JSON");
	}
	typ = json_string_value(json_object_get(res->header, "typ"));
	alg = json_string_value(json_object_get(res->header, "alg"));
	x5u = json_string_value(json_object_get(res->header, "x5u"));
	hppt = json_string_value(json_object_get(res->header, "ppt"));
	if (typ == NULL || strcmp(typ, "passport") != 0)
		return fail(res, STIR_SIP_INVALID, "typ is not \"passport\"");
	if (alg == NULL || strcmp(alg, "ES256") != 0)
		return fail(res, STIR_SIP_UNSUPPORTED, "alg %s is not supported (ES256 only)",
		    alg ? alg : "(missing)");
	if (x5u == NULL || strcmp(x5u, id->info) != 0)
		return fail(res, STIR_SIP_INVALID, "x5u does not equal the info parameter");
	if (json_object_get(res->header, "ppt") != NULL && hppt == NULL)
		return fail(res, STIR_SIP_INVALID, "ppt in the header is not a string");
	if (hppt != NULL && id->ppt == NULL && !ppt_in_mode(v, hppt)) {
		snprintf(res->ppt, sizeof(res->ppt), "%s", hppt);
		return ignore(v, hppt, res);
	}
	if (hppt == NULL && id->ppt == NULL && !ppt_in_mode(v, NULL))
		return ignore(v, NULL, res);
	/* the parameter and the header must agree: a ppt on one side only
	 * would let a base PASSporT pass as shaken, or the reverse */
	if ((hppt == NULL) != (id->ppt == NULL) ||
	    (hppt != NULL && strcmp(hppt, id->ppt) != 0))
		return fail(res, STIR_SIP_INVALID, "the ppt parameter and the header's ppt differ");
	snprintf(res->ppt, sizeof(res->ppt), "%s", hppt ? hppt : "");

	/* base claims (RFC 8225 section 5) */
	iat = json_object_get(res->payload, "iat");
	orig = json_object_get(res->payload, "orig");
	dest = json_object_get(res->payload, "dest");
	if (!json_is_integer(iat))
		return fail(res, STIR_SIP_INVALID, "iat is missing or not an integer");
	if (stir_claim_ident(orig, &res->orig) != STIR_OK)
		return fail(res, STIR_SIP_INVALID, "orig is missing or malformed");
	if (!dest_valid(dest))
		return fail(res, STIR_SIP_INVALID, "dest is missing or malformed");
	res->iat = json_integer_value(iat);
	rule = ppt_rule(hppt);
	res->authority_of = vmode_authority(v, rule);
	res->authority = res->authority_of == STIR_AUTH_ORIG ? res->orig : res->authority;
	if (res->authority_of == STIR_AUTH_DEST &&	/* the party reached */
	    ((r = dest_authority(v, dest, res)) != STIR_OK || res->code != 0))
		return r;
	if (rule->claims != NULL && ((r = rule->claims(v, res)) != STIR_OK || res->code != 0))
		return r;
	/* freshness: iat within iat_window of at, past and future */
	if (res->iat <= 0 || res->iat < v->at - (int64_t)v->iat_window ||
	    res->iat > v->at + (int64_t)v->iat_window)
		return fail(res, STIR_SIP_STALE, "iat is outside the freshness window");
	if (v->date >= 0 && v->date_iat_skew > 0 &&
	    (v->date - res->iat > (int64_t)v->date_iat_skew ||
	    res->iat - v->date > (int64_t)v->date_iat_skew))
		return fail(res, STIR_SIP_STALE, "iat and the Date header differ too much");
	/* the claims must match the SIP request */
	want = v->has_pai ? &v->pai : &v->from;
	if (!stir_ident_eq(&res->orig, want) && !(v->has_pai && stir_ident_eq(&res->orig, &v->from)))
		return fail(res, STIR_SIP_INVALID, "orig does not match %s",
		    v->has_pai ? "P-Asserted-Identity or From" : "From");
	if (rule->check_to && res->authority_of != STIR_AUTH_DEST && !stir_dest_has(dest, &v->to))
		return fail(res, STIR_SIP_INVALID, "dest does not include To");
	return STIR_OK;
}

bool
stir_es256_verify(gnutls_pubkey_t pub, const char *tbs, size_t len,
    const uint8_t sig[static STIR_ES256_SIG_LEN])
{
	gnutls_datum_t data = { (unsigned char *)tbs, (unsigned)len };
	gnutls_datum_t r = { (unsigned char *)sig, 32 }, s = { (unsigned char *)sig + 32, 32 };
	gnutls_datum_t der = { NULL, 0 };
	bool ok;

	if (gnutls_encode_rs_value(&der, &r, &s) < 0)
		return false;
	ok = gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_ECDSA_SHA256, 0, &data, &der) >= 0;
	gnutls_free(der.data);
	return ok;
}

int
stir_http_date(const char *s, int64_t *ret)
{
	static const char *formats[] = {
		"%a, %d %b %Y %H:%M:%S GMT",	/* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT",	/* RFC 850 */
		"%a %b %d %H:%M:%S %Y",		/* asctime */
	};
	struct tm tm;

	if (s == NULL || strlen(s) > 64)
		return STIR_EINVAL;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const char *end;

		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(s, formats[i], &tm)) != NULL && *end == '\0') {
			time_t t = timegm(&tm);

			if (t == (time_t)-1)
				return STIR_EINVAL;
			*ret = (int64_t)t;
			return STIR_OK;
		}
	}
	return STIR_EINVAL;
}
