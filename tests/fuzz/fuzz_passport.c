/*
 * fuzz_passport.c: an Identity header field value through
 * stir_identity_parse() and then stir_passport_check(): base64url and JSON
 * decoding of the header and payload, the header checks, the claims each
 * ppt needs (shaken, rcd, msg with msgi, div, div-o, rsp), freshness,
 * Date, orig against P-Asserted-Identity or From and dest against To, and
 * the rebuilding of a compact form.
 *
 * Two input modes:
 *  - anything else: the input is the Identity value, as it comes off the wire;
 *  - "J" HEADER-JSON "\n" PAYLOAD-JSON ["\n" PARAMS ["\n" BODY]]: the
 *    harness encodes HEADER-JSON and PAYLOAD-JSON as base64url, adds a
 *    fixed 64-byte signature and PARAMS (default ";info=<https://x.example/
 *    c.pem>;alg=ES256;ppt=shaken"), so the fuzzer mutates the JSON directly
 *    rather than its base64url.  BODY is the MESSAGE body of the fifth
 *    context below (default "Watson, come here.").
 *
 * Each parsed value is checked in six fixed contexts: (0) a request From
 * sip:+12155551212@example.com, To tel:+12125551213, no Date; (1) the
 * same To with a Date, P-Asserted-Identity tel:+12155551212 and From
 * sip:alice@example.com; (2) context 0 as a response (RFC 9970) and (3)
 * context 1 as a pre-call provisional response; (4) context 0 with a
 * MESSAGE body, so msgi is checked; (5) context 0 as the called party's
 * backward request (RFC 9970 section 6) in a dialog whose connected dest
 * is tel:+12125551214.  All verify as of 1795871896 with a
 * 60 s window.  Besides the outcome's shape: a ppt outside its context
 * is ignored; each type names the identity its signer must cover (orig;
 * div for div and div-o; the one dest tn for rsp and in a backward
 * request, where it is the connected dest); dest includes To except for
 * div, div-o, rsp and backward requests; a div-o's opt is a full form and a div
 * has none; msgi is matched exactly when there is a body.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/stir/identity.h"
#include "daemon/stir/passport.h"
#include "daemon/stir/tn.h"
#include "daemon/verify/verify.h"
#include "tests/fuzz/fuzz.h"

#define FUZZ_AT		1795871896
#define FUZZ_WINDOW	60
#define DEFAULT_PARAMS	";info=<https://x.example/c.pem>;alg=ES256;ppt=shaken"
#define DEFAULT_BODY	"Watson, come here."
#define NCTX		6
#define CTX_BODY	4
#define CTX_BWD		5

static struct stir_vctx vctx[NCTX];

static void
canon(const char *in, struct stir_ident *ret)
{
	char msg[160];

	FUZZ_ASSERT(stir_ident_canon(in, ret, msg, sizeof(msg)) == STIR_OK);
}

/* The two requests: the same every call, built once. */
static void
setup(void)
{
	static bool done;

	if (done)
		return;
	memset(vctx, 0, sizeof(vctx));
	canon("sip:+12155551212@example.com", &vctx[0].from);
	canon("tel:+12125551213", &vctx[0].to);
	vctx[0].date = -1;
	vctx[0].at = FUZZ_AT;
	vctx[0].iat_window = FUZZ_WINDOW;

	canon("sip:alice@example.com", &vctx[1].from);
	canon("tel:+12125551213", &vctx[1].to);
	canon("tel:+12155551212", &vctx[1].pai);
	vctx[1].has_pai = true;
	vctx[1].date = FUZZ_AT - 5;		/* Sat, 28 Nov 2026 13:18:11 GMT */
	vctx[1].at = FUZZ_AT;
	vctx[1].iat_window = FUZZ_WINDOW;
	vctx[1].date_iat_skew = FUZZ_WINDOW;

	vctx[2] = vctx[0];
	vctx[2].mode = STIR_VMODE_RESPONSE;
	vctx[3] = vctx[1];
	vctx[3].mode = STIR_VMODE_PRECALL;
	vctx[CTX_BODY] = vctx[0];
	vctx[CTX_BWD] = vctx[0];
	vctx[CTX_BWD].mode = STIR_VMODE_BACKWARD;
	canon("tel:+12125551214", &vctx[CTX_BWD].dialog_dest);
	done = true;
}

static bool
ident_eq(const struct stir_ident *a, const struct stir_ident *b)
{
	return a->kind == b->kind && strcmp(a->value, b->value) == 0;
}

static bool
b64url_chars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static bool
is_ppt(const struct stir_vresult *res, const char *ppt)
{
	return strcmp(res->ppt, ppt) == 0;
}

/* "header.payload.signature", no part empty */
static bool
full_form(const char *s)
{
	const char *d1 = strchr(s, '.'), *d2 = d1 != NULL ? strchr(d1 + 1, '.') : NULL;

	return d1 != NULL && d1 > s && d2 != NULL && d2 > d1 + 1 && d2[1] != '\0' &&
	    strchr(d2 + 1, '.') == NULL;
}

/* A valid result: the rules of its ppt in its context. */
static void
check_ppt(const struct stir_vresult *res, const struct stir_vctx *v)
{
	json_t *dest = json_object_get(res->payload, "dest");
	json_t *msgi = json_object_get(res->payload, "msgi");
	json_t *div = json_object_get(res->payload, "div");

	if (v->mode == STIR_VMODE_REQUEST)
		FUZZ_ASSERT(is_ppt(res, "") || is_ppt(res, "shaken") || is_ppt(res, "rcd") ||
		    is_ppt(res, "msg") || is_ppt(res, "div") || is_ppt(res, "div-o"));
	else if (v->mode == STIR_VMODE_BACKWARD)
		FUZZ_ASSERT(is_ppt(res, "") || is_ppt(res, "shaken"));
	else
		FUZZ_ASSERT(is_ppt(res, "div") || is_ppt(res, "div-o") || is_ppt(res, "rsp"));
	if (v->mode == STIR_VMODE_BACKWARD) {
		json_t *tn = json_object_get(dest, "tn");

		/* signed for the connected party, the dialog's dest */
		FUZZ_ASSERT(res->authority_of == STIR_AUTH_DEST);
		FUZZ_ASSERT(json_object_size(dest) == 1 && json_array_size(tn) == 1);
		FUZZ_ASSERT(ident_eq(&res->authority, &v->dialog_dest));
	} else if (is_ppt(res, "div") || is_ppt(res, "div-o")) {
		FUZZ_ASSERT(res->authority_of == STIR_AUTH_DIV);
		FUZZ_ASSERT(res->div.value[0] != '\0' && ident_eq(&res->authority, &res->div));
		FUZZ_ASSERT(json_is_object(div));
		FUZZ_ASSERT(json_object_get(div, "hi") == NULL ||
		    json_is_string(json_object_get(div, "hi")));
		FUZZ_ASSERT((json_object_get(div, "tn") == NULL) !=
		    (json_object_get(div, "uri") == NULL));
		if (is_ppt(res, "div")) {
			FUZZ_ASSERT(res->opt == NULL && json_object_get(res->payload, "opt") == NULL);
		} else {
			FUZZ_ASSERT(res->opt != NULL && full_form(res->opt));
			FUZZ_ASSERT(res->opt == json_string_value(json_object_get(res->payload,
			    "opt")));
		}
	} else if (is_ppt(res, "rsp")) {
		json_t *tn = json_object_get(dest, "tn");

		FUZZ_ASSERT(res->authority_of == STIR_AUTH_DEST);
		FUZZ_ASSERT(json_object_size(dest) == 1 && json_array_size(tn) == 1);
		FUZZ_ASSERT(res->authority.kind == STIR_IDENT_TN && strcmp(res->authority.value,
		    json_string_value(json_array_get(tn, 0))) == 0);
	} else {
		FUZZ_ASSERT(res->authority_of == STIR_AUTH_ORIG);
		FUZZ_ASSERT(ident_eq(&res->authority, &res->orig));
		FUZZ_ASSERT(stir_dest_has(dest, &v->to));
	}
	if (is_ppt(res, "msg")) {
		FUZZ_ASSERT((res->msgi == -1) == (msgi == NULL));
		if (msgi != NULL)
			FUZZ_ASSERT(res->msgi == (v->body != NULL ? 1 : 0));
		if (res->msgi == 1)
			FUZZ_ASSERT(json_is_string(msgi) && strncmp(json_string_value(msgi), "sha",
			    3) == 0);
	} else {
		FUZZ_ASSERT(res->msgi == 0);
	}
}

static void
check(const struct stir_identity *id, const struct stir_vctx *v)
{
	struct stir_vresult res;
	const char *sig = stir_identity_sig(id), *dot, *hppt;
	uint8_t *bin = NULL;
	size_t n = 0;
	int r;

	memset(&res, 0, sizeof(res));
	r = stir_passport_check(id, v, &res);
	FUZZ_ASSERT(r == STIR_OK);
	FUZZ_ASSERT(res.code == 0 || res.code == STIR_SIP_STALE ||
	    res.code == STIR_SIP_BAD_INFO || res.code == STIR_SIP_UNSUPPORTED ||
	    res.code == STIR_SIP_INVALID);
	FUZZ_ASSERT(FUZZ_IS_CSTR(res.detail, sizeof(res.detail)));
	FUZZ_ASSERT(FUZZ_IS_CSTR(res.ppt, sizeof(res.ppt)));
	FUZZ_ASSERT(res.code == 0 || res.detail[0] != '\0');
	FUZZ_ASSERT(!res.ignored || res.code == STIR_SIP_INVALID);
	FUZZ_ASSERT(res.x5u != NULL && strcmp(res.x5u, id->info) == 0);
	FUZZ_ASSERT(res.compact_ppi != NULL && strncmp(res.compact_ppi, "..", 2) == 0 &&
	    strcmp(res.compact_ppi + 2, sig) == 0);
	/* full form: the signing input is the received bytes, never rebuilt */
	if (res.tbs != NULL && !id->compact) {
		FUZZ_ASSERT(strlen(res.tbs) == id->hlen + 1 + id->plen);
		FUZZ_ASSERT(strncmp(res.tbs, id->jws, id->hlen + 1 + id->plen) == 0);
	}
	/* a supported ppt out of its context is ignored, before anything else */
	if (id->ppt != NULL && stir_ppt_supported(id->ppt) && v->mode != STIR_VMODE_BACKWARD &&
	    (strcmp(id->ppt, "rsp") == 0) == (v->mode == STIR_VMODE_REQUEST) &&
	    strcmp(id->ppt, "div") != 0 && strcmp(id->ppt, "div-o") != 0)
		FUZZ_ASSERT(res.ignored && res.code == STIR_SIP_INVALID);
	if (id->ppt != NULL && !stir_ppt_supported(id->ppt))
		FUZZ_ASSERT(res.ignored);
	if (v->mode == STIR_VMODE_BACKWARD && id->ppt != NULL && strcmp(id->ppt, "shaken") != 0)
		FUZZ_ASSERT(res.ignored);
	/* a compact form cannot say which party of the dialog it speaks for */
	if (v->mode == STIR_VMODE_BACKWARD && id->compact)
		FUZZ_ASSERT(res.code != 0);
	if (res.code != 0) {
		stir_vresult_clear(&res);
		return;
	}
	/* valid so far: everything the certificate step needs is there */
	FUZZ_ASSERT(!res.ignored);
	FUZZ_ASSERT(res.header != NULL && json_is_object(res.header));
	FUZZ_ASSERT(res.payload != NULL && json_is_object(res.payload));
	FUZZ_ASSERT(res.tbs != NULL);
	dot = strchr(res.tbs, '.');
	FUZZ_ASSERT(dot != NULL && dot > res.tbs && dot[1] != '\0');
	FUZZ_ASSERT(b64url_chars(res.tbs, (size_t)(dot - res.tbs)));
	FUZZ_ASSERT(b64url_chars(dot + 1, strlen(dot + 1)));
	FUZZ_ASSERT(stir_b64url_decode(sig, strlen(sig), &bin, &n) == STIR_OK);
	FUZZ_ASSERT(n == STIR_ES256_SIG_LEN && memcmp(bin, res.sig, n) == 0);
	free(bin);
	FUZZ_ASSERT(res.iat >= v->at - (int64_t)v->iat_window &&
	    res.iat <= v->at + (int64_t)v->iat_window);
	if (v->date >= 0 && v->date_iat_skew > 0)
		FUZZ_ASSERT(res.iat - v->date <= (int64_t)v->date_iat_skew &&
		    v->date - res.iat <= (int64_t)v->date_iat_skew);
	if (id->compact)
		FUZZ_ASSERT(v->date >= 0 && res.iat == v->date);
	FUZZ_ASSERT(ident_eq(&res.orig, v->has_pai ? &v->pai : &v->from) ||
	    (v->has_pai && ident_eq(&res.orig, &v->from)));
	check_ppt(&res, v);
	/* the ppt parameter and the header's ppt agree (RFC 8224 section 4.1) */
	hppt = json_string_value(json_object_get(res.header, "ppt"));
	FUZZ_ASSERT((hppt == NULL) == (id->ppt == NULL));
	FUZZ_ASSERT(hppt == NULL || strcmp(hppt, id->ppt) == 0);
	FUZZ_ASSERT(strcmp(res.ppt, hppt != NULL ? hppt : "") == 0);
	if (strcmp(res.ppt, "shaken") == 0) {
		FUZZ_ASSERT(res.attest == 'A' || res.attest == 'B' || res.attest == 'C');
		FUZZ_ASSERT(stir_uuid_check(res.origid) == STIR_OK);
	}
	FUZZ_ASSERT(strcmp(json_string_value(json_object_get(res.header, "x5u")),
	    id->info) == 0);
	stir_vresult_clear(&res);
	FUZZ_ASSERT(res.x5u == NULL && res.header == NULL && res.payload == NULL &&
	    res.tbs == NULL && res.compact_ppi == NULL);
}

/*
 * "J" HEADER "\n" PAYLOAD ["\n" PARAMS ["\n" BODY]] -> an Identity value
 * (malloc'd); *body and *body_len point at BODY if there is one.
 */
static char *
build_value(const uint8_t *data, size_t size, size_t *ret_len, const uint8_t **body,
    size_t *body_len)
{
	static const uint8_t sigbin[STIR_ES256_SIG_LEN] = {
		0x5a, 0x17, 0xd5, 0xee, 0x00, 0xff, 0x80, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8,
		0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xba, 0xbe, 9, 10, 11, 12, 13, 14, 15,
		16, 0x30, 0x44, 0x02, 0x20, 0xfb, 0xfc, 0xfd, 0xfe, 17, 18, 19, 20, 21,
		22, 23, 24, 0x3e, 0x3f, 0xf8, 0xf9, 25, 26, 27, 28, 29, 30, 31, 32, 33,
		34, 35, 36 };
	const uint8_t *h = data, *p, *params = NULL, *nl;
	size_t hl, pl, ml = 0;
	char *hb = NULL, *pb = NULL, *sb = NULL, *out = NULL;
	int n;

	if ((nl = memchr(h, '\n', size)) == NULL)
		return NULL;
	hl = (size_t)(nl - h);
	p = nl + 1;
	pl = size - hl - 1;
	if ((nl = memchr(p, '\n', pl)) != NULL) {
		params = nl + 1;
		ml = pl - (size_t)(nl - p) - 1;
		pl = (size_t)(nl - p);
		if ((nl = memchr(params, '\n', ml)) != NULL) {
			*body = nl + 1;
			*body_len = ml - (size_t)(nl - params) - 1;
			ml = (size_t)(nl - params);
		}
	}
	if ((hb = stir_b64url_encode(h, hl)) == NULL ||
	    (pb = stir_b64url_encode(p, pl)) == NULL ||
	    (sb = stir_b64url_encode(sigbin, sizeof(sigbin))) == NULL)
		goto out;
	if (params != NULL)
		n = asprintf(&out, "%s.%s.%s%.*s", hb, pb, sb, (int)ml, (const char *)params);
	else
		n = asprintf(&out, "%s.%s.%s%s", hb, pb, sb, DEFAULT_PARAMS);
	if (n < 0) {
		out = NULL;
		goto out;
	}
	/* %.*s stops at a NUL in PARAMS: the value is what was printed */
	*ret_len = (size_t)n;
 out:
	free(hb);
	free(pb);
	free(sb);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stir_identity *id = NULL;
	const char *value = (const char *)data;
	const uint8_t *body = (const uint8_t *)DEFAULT_BODY;
	char *built = NULL, msg[256];
	size_t len = size, body_len = strlen(DEFAULT_BODY);

	if (size > STIR_IDENTITY_MAX + 64)
		return 0;
	setup();
	if (size > 0 && data[0] == 'J') {
		if ((built = build_value(data + 1, size - 1, &len, &body, &body_len)) == NULL)
			return 0;
		value = built;
	}
	vctx[CTX_BODY].body = body;
	vctx[CTX_BODY].body_len = body_len;
	if (stir_identity_parse(value, len, &id, msg, sizeof(msg)) == STIR_OK) {
		for (size_t i = 0; i < NCTX; i++)
			check(id, &vctx[i]);
		stir_identity_free(id);
	}
	free(built);
	return 0;
}
