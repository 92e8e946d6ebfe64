/*
 * test_verify.c: PASSporT checks against a SIP request, ES256, HTTP-dates
 * and SIP reason phrases (verify.c).  The PASSporTs are built here from
 * JSON text; the signature checks use a test PKI (scripts/mkpki.sh).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>

#include "stirclient.h"
#include "daemon/verify/diversion.h"
#include "daemon/stir/identity.h"
#include "daemon/base/log.h"
#include "daemon/stir/passport.h"
#include "daemon/stir/tn.h"
#include "daemon/verify/verify.h"
#include "tests/unit/test_util.h"

#define X5U	"https://cert.example.org/sp.pem"
#define AT	1795871896
#define AT_S	"1795871896"
#define ORIGID	"123e4567-e89b-12d3-a456-426655440000"
#define HDR	"{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" X5U "\"}"
#define HDR0	"{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"" X5U "\"}"
#define DEST	"\"dest\":{\"tn\":[\"12125551213\"]}"
#define ORIG	"\"orig\":{\"tn\":\"12155551212\"}"
#define PAY	"{\"attest\":\"A\"," DEST ",\"iat\":" AT_S "," ORIG ",\"origid\":\"" ORIGID "\"}"
#define PAY0	"{" DEST ",\"iat\":" AT_S "," ORIG "}"
#define PARAMS	";info=<" X5U ">;alg=ES256;ppt=shaken"
#define PARAMS0	";info=<" X5U ">"

/* Any 64 bytes: the checks here need no valid signature. */
static const uint8_t anysig[STIR_ES256_SIG_LEN] = {
	0x5a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
	0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19,
	0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26,
	0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33,
	0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0xff,
};

static char *
b64(const char *text)
{
	char *s = stir_b64url_encode((const uint8_t *)text, strlen(text));

	ck_assert_ptr_nonnull(s);
	return s;
}

static char *
b64sig(const uint8_t sig[STIR_ES256_SIG_LEN])
{
	char *s = stir_b64url_encode(sig, STIR_ES256_SIG_LEN);

	ck_assert_ptr_nonnull(s);
	return s;
}

/* "b64(hdr).b64(pay).b64(anysig)params" (free()). */
static char *
full(const char *hdr, const char *pay, const char *params)
{
	char *h = b64(hdr), *p = b64(pay), *s = b64sig(anysig), *v;

	ck_assert_int_ge(asprintf(&v, "%s.%s.%s%s", h, p, s, params), 0);
	free(h);
	free(p);
	free(s);
	return v;
}

static void
canon(const char *in, struct stir_ident *out)
{
	char msg[160];

	ck_assert_msg(stir_ident_canon(in, out, msg, sizeof(msg)) == STIR_OK, "%s: %s", in, msg);
}

/* The request of most tests: From the orig TN, To the dest TN, no Date. */
static struct stir_vctx
req(void)
{
	struct stir_vctx v;

	memset(&v, 0, sizeof(v));
	canon("<sip:+12155551212@example.com;user=phone>;tag=a", &v.from);
	canon("<tel:+1-212-555-1213>", &v.to);
	v.date = -1;
	v.at = AT;
	v.iat_window = 60;
	return v;
}

/*
 * Parse value and check it against v: res->code must be code and
 * res->detail exactly detail.  The result is left in *res (clear it).
 */
static void
check_into(const char *value, const struct stir_vctx *v, int code, const char *detail,
    struct stir_vresult *res)
{
	struct stir_identity *id = NULL;
	char msg[256] = "";

	ck_assert_msg(stir_identity_parse(value, strlen(value), &id, msg, sizeof(msg)) == STIR_OK,
	    "%s: %s", value, msg);
	memset(res, 0, sizeof(*res));
	ck_assert_int_eq(stir_passport_check(id, v, res), STIR_OK);
	ck_assert_msg(res->code == code, "code %d, want %d (%s)", res->code, code, res->detail);
	ck_assert_str_eq(res->detail, detail);
	stir_identity_free(id);
}

/* As check_into() for a full form of hdr and pay with params; clears. */
static void
check_full(const char *hdr, const char *pay, const char *params, const struct stir_vctx *v,
    int code, const char *detail)
{
	struct stir_vresult res;
	char *value = full(hdr, pay, params);

	check_into(value, v, code, detail, &res);
	if (code != 0)
		ck_assert(!res.ignored);
	stir_vresult_clear(&res);
	free(value);
}

/* A shaken payload with one member replaced (or added) by member. */
static char *
shaken_pay(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
shaken_pay(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&s, fmt, ap), 0);
	va_end(ap);
	return s;
}

START_TEST(valid_shaken_passport_fills_the_result)
{
	struct stir_vctx v = req();
	struct stir_vresult res;
	char *value = full(HDR, PAY, PARAMS), *want_tbs, *h = b64(HDR), *p = b64(PAY);
	char *s = b64sig(anysig), ppi[128];

	check_into(value, &v, 0, "", &res);
	ck_assert(!res.ignored);
	ck_assert_str_eq(res.ppt, "shaken");
	ck_assert_str_eq(res.x5u, X5U);
	ck_assert_int_eq(res.attest, 'A');
	ck_assert_str_eq(res.origid, ORIGID);
	ck_assert_int_eq(res.iat, AT);
	ck_assert_int_eq(res.orig.kind, STIR_IDENT_TN);
	ck_assert_str_eq(res.orig.value, "12155551212");
	ck_assert_mem_eq(res.sig, anysig, STIR_ES256_SIG_LEN);
	ck_assert_int_ge(asprintf(&want_tbs, "%s.%s", h, p), 0);
	ck_assert_str_eq(res.tbs, want_tbs);
	snprintf(ppi, sizeof(ppi), "..%s", s);
	ck_assert_str_eq(res.compact_ppi, ppi);
	ck_assert_str_eq(json_string_value(json_object_get(res.header, "x5u")), X5U);
	ck_assert_int_eq(json_integer_value(json_object_get(res.payload, "iat")), AT);
	stir_vresult_clear(&res);
	ck_assert_ptr_null(res.x5u);
	ck_assert_int_eq(res.code, 0);
	free(want_tbs);
	free(value);
	free(h);
	free(p);
	free(s);
}
END_TEST

START_TEST(base_passport_without_ppt_passes)
{
	struct stir_vctx v = req();
	struct stir_vresult res;
	char *value = full(HDR0, PAY0, PARAMS0);

	check_into(value, &v, 0, "", &res);
	ck_assert_str_eq(res.ppt, "");
	ck_assert_int_eq(res.attest, 0);
	ck_assert_str_eq(res.origid, "");
	stir_vresult_clear(&res);
	free(value);
}
END_TEST

START_TEST(typ_must_be_passport)
{
	struct stir_vctx v = req();
	static const char want[] = "typ is not \"passport\"";

	check_full("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"x5u\":\"" X5U "\"}", PAY, PARAMS, &v,
	    STIR_SIP_INVALID, want);
	check_full("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"JWT\",\"x5u\":\"" X5U "\"}",
	    PAY, PARAMS, &v, STIR_SIP_INVALID, want);
	check_full("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":1,\"x5u\":\"" X5U "\"}",
	    PAY, PARAMS, &v, STIR_SIP_INVALID, want);
}
END_TEST

START_TEST(alg_other_than_es256_is_unsupported_437)
{
	struct stir_vctx v = req();

	/* in the header */
	check_full("{\"alg\":\"RS256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" X5U "\"}",
	    PAY, PARAMS0 ";ppt=shaken", &v, STIR_SIP_UNSUPPORTED,
	    "alg RS256 is not supported (ES256 only)");
	check_full("{\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" X5U "\"}",
	    PAY, PARAMS, &v, STIR_SIP_UNSUPPORTED, "alg (missing) is not supported (ES256 only)");
	/* as a parameter, even with a good header */
	check_full(HDR, PAY, PARAMS0 ";alg=ES384;ppt=shaken", &v, STIR_SIP_UNSUPPORTED,
	    "alg 'ES384' is not supported (ES256 only)");
	/* a parameter and a header that disagree */
	check_full("{\"alg\":\"ES384\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" X5U "\"}",
	    PAY, PARAMS, &v, STIR_SIP_UNSUPPORTED, "alg ES384 is not supported (ES256 only)");
}
END_TEST

START_TEST(x5u_must_equal_info)
{
	struct stir_vctx v = req();
	static const char want[] = "x5u does not equal the info parameter";

	check_full(HDR, PAY, ";info=<https://cert.example.org/other.pem>;alg=ES256;ppt=shaken",
	    &v, STIR_SIP_INVALID, want);
	check_full(HDR, PAY, ";info=<HTTPS://cert.example.org/sp.pem>;ppt=shaken",
	    &v, STIR_SIP_INVALID, want);
	check_full("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\"}", PAY, PARAMS,
	    &v, STIR_SIP_INVALID, want);
}
END_TEST

START_TEST(ppt_parameter_must_match_the_header)
{
	struct stir_vctx v = req();

	check_full("{\"alg\":\"ES256\",\"ppt\":\"div\",\"typ\":\"passport\",\"x5u\":\"" X5U "\"}",
	    PAY, PARAMS, &v, STIR_SIP_INVALID, "the ppt parameter and the header's ppt differ");
	check_full("{\"alg\":\"ES256\",\"ppt\":7,\"typ\":\"passport\",\"x5u\":\"" X5U "\"}",
	    PAY, PARAMS, &v, STIR_SIP_INVALID, "ppt in the header is not a string");
}
END_TEST

START_TEST(unsupported_ppt_is_ignored)
{
	struct stir_vctx v = req();
	struct stir_vresult res;
	char *value;

	/* as a parameter: ignored before anything else is looked at */
	value = full("{}", "{}", PARAMS0 ";ppt=foo");
	check_into(value, &v, STIR_SIP_INVALID, "unsupported ppt 'foo'", &res);
	ck_assert(res.ignored);
	ck_assert_str_eq(res.ppt, "foo");
	ck_assert_str_eq(res.x5u, X5U);
	ck_assert_ptr_nonnull(res.compact_ppi);
	stir_vresult_clear(&res);
	free(value);
	/* only in the header (rcd, msg, div are supported now: use another) */
	value = full("{\"alg\":\"ES256\",\"ppt\":\"bar\",\"typ\":\"passport\",\"x5u\":\"" X5U "\"}",
	    PAY0, PARAMS0);
	check_into(value, &v, STIR_SIP_INVALID, "unsupported ppt 'bar'", &res);
	ck_assert(res.ignored);
	ck_assert_str_eq(res.ppt, "bar");
	stir_vresult_clear(&res);
	free(value);
	/* a connected-identity PASSporT does not belong in a request (RFC 9970) */
	value = full("{}", "{}", PARAMS0 ";ppt=rsp");
	check_into(value, &v, STIR_SIP_INVALID, "ppt 'rsp' does not belong in a request", &res);
	ck_assert(res.ignored);
	stir_vresult_clear(&res);
	free(value);
}
END_TEST

START_TEST(header_and_payload_must_be_base64url_json_objects)
{
	struct stir_vctx v = req();
	struct stir_vresult res;
	char *s = b64sig(anysig), *p = b64(PAY), *value;

	ck_assert_int_ge(asprintf(&value, "bm90IGpzb24.%s.%s" PARAMS, p, s), 0);
	check_into(value, &v, STIR_SIP_INVALID, "the PASSporT header is not base64url JSON", &res);
	stir_vresult_clear(&res);
	free(value);
	check_full(HDR, "[1,2]", PARAMS, &v, STIR_SIP_INVALID,
	    "the PASSporT payload is not base64url JSON");
	check_full(HDR, "{\"iat\":1,\"iat\":2}", PARAMS, &v, STIR_SIP_INVALID,
	    "the PASSporT payload is not base64url JSON");
	check_full(HDR, "{\"iat\":", PARAMS, &v, STIR_SIP_INVALID,
	    "the PASSporT payload is not base64url JSON");
	free(s);
	free(p);
}
END_TEST

START_TEST(signature_must_be_64_bytes)
{
	struct stir_vctx v = req();
	struct stir_vresult res;
	char *h = b64(HDR), *p = b64(PAY), *value;

	/* 63 bytes */
	ck_assert_int_ge(asprintf(&value, "%s.%s.%s" PARAMS, h, p,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
	    0);
	check_into(value, &v, STIR_SIP_INVALID,
	    "the signature is not 64 bytes of base64url (ES256 r||s)", &res);
	stir_vresult_clear(&res);
	free(value);
	/* 86 characters that do not decode (a stray last character) */
	ck_assert_int_ge(asprintf(&value, "%s.%s.%s" PARAMS, h, p,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_"),
	    0);
	check_into(value, &v, STIR_SIP_INVALID,
	    "the signature is not 64 bytes of base64url (ES256 r||s)", &res);
	stir_vresult_clear(&res);
	free(value);
	free(h);
	free(p);
}
END_TEST

START_TEST(iat_must_be_an_integer)
{
	struct stir_vctx v = req();
	static const char want[] = "iat is missing or not an integer";
	static const char *const pays[] = {
		"{\"attest\":\"A\"," DEST "," ORIG ",\"origid\":\"" ORIGID "\"}",
		"{\"attest\":\"A\"," DEST ",\"iat\":\"" AT_S "\"," ORIG ",\"origid\":\"" ORIGID "\"}",
		"{\"attest\":\"A\"," DEST ",\"iat\":" AT_S ".0," ORIG ",\"origid\":\"" ORIGID "\"}",
		"{\"attest\":\"A\"," DEST ",\"iat\":null," ORIG ",\"origid\":\"" ORIGID "\"}",
	};

	for (size_t i = 0; i < sizeof(pays) / sizeof(pays[0]); i++)
		check_full(HDR, pays[i], PARAMS, &v, STIR_SIP_INVALID, want);
}
END_TEST

/* RFC 8224 8.3: the claim is canonicalized like From and To ('+' dropped). */
START_TEST(a_leading_plus_in_tn_claims_is_canonicalized)
{
	struct stir_vctx v = req();
	struct stir_vresult res;
	char *pay = shaken_pay("{\"attest\":\"A\",\"dest\":{\"tn\":[\"+12125551213\"]},"
	    "\"iat\":" AT_S ",\"orig\":{\"tn\":\"+12155551212\"},\"origid\":\"" ORIGID "\"}");
	char *value = full(HDR, pay, PARAMS);
	char tn[STIR_TN_MAX + 1];

	check_into(value, &v, 0, "", &res);
	ck_assert_str_eq(res.orig.value, "12155551212");
	stir_vresult_clear(&res);
	ck_assert_str_eq(stir_claim_tn("+1", tn), "1");
	ck_assert_ptr_null(stir_claim_tn("+", tn));
	ck_assert_ptr_null(stir_claim_tn("++1", tn));
	ck_assert_ptr_null(stir_claim_tn("1+1", tn));
	ck_assert_ptr_null(stir_claim_tn(" 1", tn));
	free(value);
	free(pay);
}
END_TEST

START_TEST(orig_must_be_well_formed)
{
	struct stir_vctx v = req();
	static const char want[] = "orig is missing or malformed";
	static const char *const origs[] = {
		"",
		"\"orig\":\"12155551212\",",
		"\"orig\":{},",
		"\"orig\":{\"tn\":\"++12155551212\"},",
		"\"orig\":{\"tn\":\"1+2155551212\"},",
		"\"orig\":{\"tn\":\"+\"},",
		"\"orig\":{\"tn\":\"\"},",
		"\"orig\":{\"tn\":\"1234567890123456\"},",
		"\"orig\":{\"tn\":12155551212},",
		"\"orig\":{\"tn\":\"12155551212\",\"uri\":\"sip:a@example.com\"},",
		"\"orig\":{\"uri\":\"mailto:a@example.com\"},",
		"\"orig\":{\"tel\":\"12155551212\"},",
	};

	for (size_t i = 0; i < sizeof(origs) / sizeof(origs[0]); i++) {
		char *pay = shaken_pay("{\"attest\":\"A\"," DEST ",\"iat\":" AT_S ",%s"
		    "\"origid\":\"" ORIGID "\"}", origs[i]);

		check_full(HDR, pay, PARAMS, &v, STIR_SIP_INVALID, want);
		free(pay);
	}
}
END_TEST

START_TEST(dest_must_be_well_formed)
{
	struct stir_vctx v = req();
	static const char want[] = "dest is missing or malformed";
	static const char *const dests[] = {
		"",
		"\"dest\":{},",
		"\"dest\":[\"12125551213\"],",
		"\"dest\":{\"tn\":\"12125551213\"},",
		"\"dest\":{\"tn\":[]},",
		"\"dest\":{\"tn\":[12125551213]},",
		"\"dest\":{\"tn\":[\"12125551213\"],\"x\":[\"1\"]},",
	};

	for (size_t i = 0; i < sizeof(dests) / sizeof(dests[0]); i++) {
		char *pay = shaken_pay("{\"attest\":\"A\",%s\"iat\":" AT_S "," ORIG ","
		    "\"origid\":\"" ORIGID "\"}", dests[i]);

		check_full(HDR, pay, PARAMS, &v, STIR_SIP_INVALID, want);
		free(pay);
	}
}
END_TEST

START_TEST(shaken_needs_attest_and_origid)
{
	struct stir_vctx v = req();
	static const char *const attests[] = {
		"", "\"attest\":\"D\",", "\"attest\":\"AB\",", "\"attest\":\"a\",", "\"attest\":1,",
		"\"attest\":\"\",",
	};
	static const char *const origids[] = {
		"", ",\"origid\":\"not-a-uuid\"", ",\"origid\":\"123e4567e89b12d3a456426655440000\"",
		",\"origid\":42",
	};

	for (size_t i = 0; i < sizeof(attests) / sizeof(attests[0]); i++) {
		char *pay = shaken_pay("{%s" DEST ",\"iat\":" AT_S "," ORIG ",\"origid\":\""
		    ORIGID "\"}", attests[i]);

		check_full(HDR, pay, PARAMS, &v, STIR_SIP_INVALID,
		    "attest is missing or not A, B or C");
		free(pay);
	}
	for (size_t i = 0; i < sizeof(origids) / sizeof(origids[0]); i++) {
		char *pay = shaken_pay("{\"attest\":\"C\"," DEST ",\"iat\":" AT_S "," ORIG "%s}",
		    origids[i]);

		check_full(HDR, pay, PARAMS, &v, STIR_SIP_INVALID,
		    "origid is missing or not a UUID");
		free(pay);
	}
	/* a base PASSporT needs neither */
	check_full(HDR0, PAY0, PARAMS0, &v, 0, "");
}
END_TEST

/* A shaken payload with iat. */
static void
check_iat(int64_t iat, const struct stir_vctx *v, int code, const char *detail)
{
	char *pay = shaken_pay("{\"attest\":\"B\"," DEST ",\"iat\":%lld," ORIG ",\"origid\":\""
	    ORIGID "\"}", (long long)iat);

	check_full(HDR, pay, PARAMS, v, code, detail);
	free(pay);
}

START_TEST(iat_outside_the_window_is_stale_403)
{
	struct stir_vctx v = req();
	static const char stale[] = "iat is outside the freshness window";

	check_iat(AT, &v, 0, "");
	check_iat(AT - 60, &v, 0, "");
	check_iat(AT + 60, &v, 0, "");
	check_iat(AT - 61, &v, STIR_SIP_STALE, stale);
	check_iat(AT + 61, &v, STIR_SIP_STALE, stale);
	check_iat(0, &v, STIR_SIP_STALE, stale);
	check_iat(-5, &v, STIR_SIP_STALE, stale);
	v.iat_window = 3600;
	check_iat(AT - 3600, &v, 0, "");
	check_iat(AT + 3601, &v, STIR_SIP_STALE, stale);
	/* "at" is the reference, not the clock */
	v.at = 1000000000;
	check_iat(1000000000 - 30, &v, 0, "");
	check_iat(AT, &v, STIR_SIP_STALE, stale);
}
END_TEST

START_TEST(date_and_iat_must_agree_within_date_iat_skew)
{
	struct stir_vctx v = req();
	static const char skew[] = "iat and the Date header differ too much";

	v.date = AT + 30;
	check_iat(AT, &v, 0, "");			/* not checked: skew 0 */
	v.date_iat_skew = 10;
	check_iat(AT, &v, STIR_SIP_STALE, skew);	/* Date after iat */
	check_iat(AT + 20, &v, 0, "");			/* exactly the skew */
	check_iat(AT + 41, &v, STIR_SIP_STALE, skew);	/* Date before iat */
	check_iat(AT + 40, &v, 0, "");
	v.date = -1;					/* no Date: not checked */
	check_iat(AT - 50, &v, 0, "");
}
END_TEST

START_TEST(orig_must_match_pai_or_from)
{
	struct stir_vctx v = req();
	static const char *const pay_other =
	    "{\"attest\":\"A\"," DEST ",\"iat\":" AT_S ",\"orig\":{\"tn\":\"12155550000\"},"
	    "\"origid\":\"" ORIGID "\"}";

	check_full(HDR, pay_other, PARAMS, &v, STIR_SIP_INVALID, "orig does not match From");
	/* with a PAI: PAI first, From also accepted */
	canon("<sip:+12155550000@example.com;user=phone>", &v.pai);
	v.has_pai = true;
	check_full(HDR, pay_other, PARAMS, &v, 0, "");
	check_full(HDR, PAY, PARAMS, &v, 0, "");
	canon("tel:+19995550000", &v.pai);
	canon("sip:alice@example.com", &v.from);
	check_full(HDR, PAY, PARAMS, &v, STIR_SIP_INVALID,
	    "orig does not match P-Asserted-Identity or From");
	/* a URI orig, compared after canonicalization of the SIP field */
	v.has_pai = false;
	canon("\"Alice\" <sip:alice@EXAMPLE.com:5060;transport=tcp>;tag=1", &v.from);
	check_full(HDR, "{\"attest\":\"A\"," DEST ",\"iat\":" AT_S ","
	    "\"orig\":{\"uri\":\"sip:alice@example.com\"},\"origid\":\"" ORIGID "\"}", PARAMS,
	    &v, 0, "");
	/* a TN orig never equals a URI From */
	check_full(HDR, PAY, PARAMS, &v, STIR_SIP_INVALID, "orig does not match From");
}
END_TEST

START_TEST(dest_must_include_to)
{
	struct stir_vctx v = req();

	check_full(HDR, "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125550000\",\"12125559999\"]},"
	    "\"iat\":" AT_S "," ORIG ",\"origid\":\"" ORIGID "\"}", PARAMS, &v, STIR_SIP_INVALID,
	    "dest does not include To");
	check_full(HDR, "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125550000\",\"12125551213\"]},"
	    "\"iat\":" AT_S "," ORIG ",\"origid\":\"" ORIGID "\"}", PARAMS, &v, 0, "");
	/* a TN To is not found among URIs */
	check_full(HDR, "{\"attest\":\"A\",\"dest\":{\"uri\":[\"sip:12125551213@example.com\"]},"
	    "\"iat\":" AT_S "," ORIG ",\"origid\":\"" ORIGID "\"}", PARAMS, &v, STIR_SIP_INVALID,
	    "dest does not include To");
	/* a URI To against URI dest entries, both canonicalized */
	canon("<sip:bob@Example.ORG;transport=udp>", &v.to);
	check_full(HDR, "{\"attest\":\"A\",\"dest\":{\"uri\":[\"sip:bob@EXAMPLE.org:5061\"]},"
	    "\"iat\":" AT_S "," ORIG ",\"origid\":\"" ORIGID "\"}", PARAMS, &v, 0, "");
	check_full(HDR, "{\"attest\":\"A\",\"dest\":{\"uri\":[\"sip:carol@example.org\"]},"
	    "\"iat\":" AT_S "," ORIG ",\"origid\":\"" ORIGID "\"}", PARAMS, &v, STIR_SIP_INVALID,
	    "dest does not include To");
}
END_TEST

START_TEST(foreign_member_order_and_whitespace_pass_unchanged)
{
	static const char hdr[] = "{\n  \"x5u\" : \"" X5U "\",\n  \"typ\" : \"passport\",\n"
	    "  \"ppt\" : \"shaken\",\n  \"alg\" : \"ES256\"\n}";
	static const char pay[] = "{ \"origid\": \"" ORIGID "\", \"orig\": { \"tn\": \"12155551212\" },"
	    " \"iat\": " AT_S ", \"dest\": { \"tn\": [ \"12125551213\" ] }, \"attest\": \"A\" }";
	struct stir_vctx v = req();
	struct stir_vresult res;
	char *value = full(hdr, pay, PARAMS), *h = b64(hdr), *p = b64(pay), *want;

	check_into(value, &v, 0, "", &res);
	/* the signing input is the received bytes, never re-serialized */
	ck_assert_int_ge(asprintf(&want, "%s.%s", h, p), 0);
	ck_assert_str_eq(res.tbs, want);
	ck_assert_int_eq(res.attest, 'A');
	stir_vresult_clear(&res);
	free(want);
	free(value);
	free(h);
	free(p);
}
END_TEST

START_TEST(compact_form_is_rebuilt_from_the_request)
{
	static const char hdr[] = "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"" X5U "\"}";
	static const char pay[] = "{" DEST ",\"iat\":" AT_S ",\"orig\":{\"tn\":\"12155551212\"}}";
	static const char pay_pai[] = "{" DEST ",\"iat\":" AT_S ",\"orig\":{\"tn\":\"12155550000\"}}";
	struct stir_vctx v = req();
	struct stir_vresult res;
	char *s = b64sig(anysig), *value, *h = b64(hdr), *p = b64(pay), *want;

	v.date = AT;
	ck_assert_int_ge(asprintf(&value, "..%s;info=<" X5U ">;alg=ES256", s), 0);
	check_into(value, &v, 0, "", &res);
	ck_assert_int_ge(asprintf(&want, "%s.%s", h, p), 0);
	ck_assert_str_eq(res.tbs, want);
	ck_assert_ptr_null(json_object_get(res.header, "ppt"));
	ck_assert_str_eq(res.ppt, "");
	ck_assert_int_eq(res.iat, AT);
	ck_assert_mem_eq(res.sig, anysig, STIR_ES256_SIG_LEN);
	stir_vresult_clear(&res);
	free(want);
	free(p);
	/* orig from PAI when there is one */
	canon("tel:+12155550000", &v.pai);
	v.has_pai = true;
	check_into(value, &v, 0, "", &res);
	p = b64(pay_pai);
	ck_assert_int_ge(asprintf(&want, "%s.%s", h, p), 0);
	ck_assert_str_eq(res.tbs, want);
	stir_vresult_clear(&res);
	free(want);
	free(p);
	free(value);
	/* iat comes from Date, so Date is checked against at */
	v.date = AT - 61;
	ck_assert_int_ge(asprintf(&value, "..%s" PARAMS0, s), 0);
	check_into(value, &v, STIR_SIP_STALE, "iat is outside the freshness window", &res);
	stir_vresult_clear(&res);
	free(value);
	free(h);
	free(s);
}
END_TEST

/*
 * A compact ppt=rcd form (RFC 9795 9): the payload is rebuilt with
 * rcd {"nam": the From display-name, or ""} (9.1) and crn from the
 * Call-Info call-reason (9.3), both passed in the vctx.
 */
#define RCD_PARAMS	";info=<" X5U ">;alg=ES256;ppt=rcd"
#define RCD_HDR		"{\"alg\":\"ES256\",\"ppt\":\"rcd\",\"typ\":\"passport\",\"x5u\":\"" X5U "\"}"

/* "b64(RCD_HDR).b64(pay)" (free()). */
static char *
rcd_tbs(const char *pay)
{
	char *h = b64(RCD_HDR), *p = b64(pay), *tbs;

	ck_assert_int_ge(asprintf(&tbs, "%s.%s", h, p), 0);
	free(h);
	free(p);
	return tbs;
}

START_TEST(compact_rcd_is_rebuilt_with_nam_and_crn)
{
	struct stir_vctx v = req();
	struct stir_vresult res;
	char *s = b64sig(anysig), *value, *want;

	v.date = AT;
	v.from_name = "James Bond";
	v.call_reason = "For your ears only";
	ck_assert_int_ge(asprintf(&value, "..%s" RCD_PARAMS, s), 0);
	check_into(value, &v, 0, "", &res);
	want = rcd_tbs("{\"crn\":\"For your ears only\"," DEST ",\"iat\":" AT_S "," ORIG ","
	    "\"rcd\":{\"nam\":\"James Bond\"}}");
	ck_assert_str_eq(res.tbs, want);
	ck_assert_str_eq(res.ppt, "rcd");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(res.payload, "rcd"),
	    "nam")), "James Bond");
	stir_vresult_clear(&res);
	free(want);

	/* no display-name: nam is ""; no call-reason: no crn */
	v.from_name = NULL;
	v.call_reason = NULL;
	check_into(value, &v, 0, "", &res);
	want = rcd_tbs("{" DEST ",\"iat\":" AT_S "," ORIG ",\"rcd\":{\"nam\":\"\"}}");
	ck_assert_str_eq(res.tbs, want);
	ck_assert_ptr_null(json_object_get(res.payload, "crn"));
	stir_vresult_clear(&res);
	free(want);

	/* a call-reason without a display-name; JSON escapes in the rebuilt text */
	v.call_reason = "Say \"hi\" \\ bye";
	check_into(value, &v, 0, "", &res);
	want = rcd_tbs("{\"crn\":\"Say \\\"hi\\\" \\\\ bye\"," DEST ",\"iat\":" AT_S "," ORIG ","
	    "\"rcd\":{\"nam\":\"\"}}");
	ck_assert_str_eq(res.tbs, want);
	stir_vresult_clear(&res);
	free(want);
	free(value);

	/* RFC 9795 12.1 writes the parameter quoted: ppt="rcd" */
	v.from_name = "James Bond";
	v.call_reason = NULL;
	ck_assert_int_ge(asprintf(&value, "..%s;info=<" X5U ">;alg=ES256;ppt=\"rcd\"", s), 0);
	check_into(value, &v, 0, "", &res);
	want = rcd_tbs("{" DEST ",\"iat\":" AT_S "," ORIG ",\"rcd\":{\"nam\":\"James Bond\"}}");
	ck_assert_str_eq(res.tbs, want);
	stir_vresult_clear(&res);
	free(want);
	free(value);

	/* nam and crn are for ppt=rcd only: a compact form without ppt has neither */
	ck_assert_int_ge(asprintf(&value, "..%s" PARAMS0, s), 0);
	v.call_reason = "x";
	check_into(value, &v, 0, "", &res);
	ck_assert_ptr_null(json_object_get(res.payload, "rcd"));
	ck_assert_ptr_null(json_object_get(res.payload, "crn"));
	stir_vresult_clear(&res);
	free(value);
	free(s);
}
END_TEST

START_TEST(compact_form_with_shaken_or_without_date_is_invalid_438)
{
	struct stir_vctx v = req();
	struct stir_vresult res;
	char *s = b64sig(anysig), *value;

	v.date = AT;
	ck_assert_int_ge(asprintf(&value, "..%s" PARAMS, s), 0);
	check_into(value, &v, STIR_SIP_INVALID,
	    "a compact form cannot carry the claims of ppt 'shaken'; send the full form", &res);
	ck_assert(!res.ignored);
	stir_vresult_clear(&res);
	free(value);
	v.date = -1;
	ck_assert_int_ge(asprintf(&value, "..%s" PARAMS0, s), 0);
	check_into(value, &v, STIR_SIP_INVALID,
	    "a compact form needs the Date header to rebuild iat", &res);
	stir_vresult_clear(&res);
	free(value);
	/* a compact form's alg parameter still counts */
	v.date = AT;
	ck_assert_int_ge(asprintf(&value, "..%s" PARAMS0 ";alg=PS256", s), 0);
	check_into(value, &v, STIR_SIP_UNSUPPORTED, "alg 'PS256' is not supported (ES256 only)",
	    &res);
	stir_vresult_clear(&res);
	free(value);
	free(s);
}
END_TEST

START_TEST(sip_reason_phrases)
{
	ck_assert_str_eq(stir_sip_reason(STIR_SIP_STALE), "Stale Date");
	ck_assert_str_eq(stir_sip_reason(STIR_SIP_USE_IDENTITY), "Use Identity Header");
	ck_assert_str_eq(stir_sip_reason(STIR_SIP_BAD_INFO), "Bad Identity Info");
	ck_assert_str_eq(stir_sip_reason(STIR_SIP_UNSUPPORTED), "Unsupported Credential");
	ck_assert_str_eq(stir_sip_reason(STIR_SIP_INVALID), "Invalid Identity Header");
	ck_assert_int_eq(STIR_SIP_STALE, 403);
	ck_assert_int_eq(STIR_SIP_BAD_INFO, 436);
	ck_assert_int_eq(STIR_SIP_UNSUPPORTED, 437);
	ck_assert_int_eq(STIR_SIP_INVALID, 438);
	ck_assert_str_eq(stir_sip_reason(0), "");
	ck_assert_str_eq(stir_sip_reason(200), "");
	ck_assert_str_eq(stir_sip_reason(-1), "");
}
END_TEST

START_TEST(http_date_three_forms_and_garbage)
{
	static const char *const bad[] = {
		"", "yesterday", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 GMT x",
		"Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 32 Nov 1994 08:49:37 GMT",
		"Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
		"1994-11-06T08:49:37Z", "784111777",
		("Sun, 06 Nov 1994 08:49:37 GMT                                               "
		"       "),
	};
	int64_t t = 0;

	ck_assert_int_eq(stir_http_date("Sun, 06 Nov 1994 08:49:37 GMT", &t), STIR_OK);
	ck_assert_int_eq(t, 784111777);
	t = 0;
	ck_assert_int_eq(stir_http_date("Sunday, 06-Nov-94 08:49:37 GMT", &t), STIR_OK);
	ck_assert_int_eq(t, 784111777);
	t = 0;
	ck_assert_int_eq(stir_http_date("Sun Nov  6 08:49:37 1994", &t), STIR_OK);
	ck_assert_int_eq(t, 784111777);
	ck_assert_int_eq(stir_http_date("Thu, 01 Jan 1970 00:00:00 GMT", &t), STIR_OK);
	ck_assert_int_eq(t, 0);
	ck_assert_int_eq(stir_http_date("Wed, 26 Nov 2026 10:38:16 GMT", &t), STIR_OK);
	ck_assert_int_eq(t, 1795689496);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 12345;
		ck_assert_msg(stir_http_date(bad[i], &t) == STIR_EINVAL, "'%s' accepted", bad[i]);
		ck_assert_int_eq(t, 12345);
	}
	ck_assert_int_eq(stir_http_date(NULL, &t), STIR_EINVAL);
}
END_TEST

/* ---- the PASSporT types of RFC 8946, RFC 9475 and RFC 9970 ---- */

#define HDRP(p)		"{\"alg\":\"ES256\",\"ppt\":\"" p "\",\"typ\":\"passport\",\"x5u\":\"" X5U "\"}"
#define PARAMSP(p)	";info=<" X5U ">;alg=ES256;ppt=" p
#define DEST14		"\"dest\":{\"tn\":[\"12125551214\"]}"
#define DIV13		"\"div\":{\"tn\":\"12125551213\"}"
/* a div payload: the call to ...213 (To) was diverted to ...214 */
#define DIVPAY(div)	"{" DEST14 "," div ",\"iat\":" AT_S "," ORIG "}"
#define OPT		"eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOjF9.c2ln"
#define WATSON		"Watson, come here."
#define MSGI256		"sha256-ue/P9bl3JA2dP1gHlIE963aIq2n6vvZ7JTG44Tqu3o0="
#define MSGI384		"sha384-3gT0m0c8z21NpXBDoG8eEClyYW6xEEyqFX98SMv2aDc/MipBsq6apQFbms0iVn35"
#define MSGI512		"sha512-oG8ebFo7n4AgIBW5Qg7hRSTX54fMTbVNE9EdEAY568kL8TttmPksm+lnajTUvFqSm" \
			"jbBGLjYel2S8Zxw3XRIZg=="
#define MSGPAY(msgi)	"{" DEST ",\"iat\":" AT_S ",\"msgi\":" msgi "," ORIG "}"
#define RSPPAY(dest)	"{\"dest\":" dest ",\"iat\":" AT_S "," ORIG "}"

/* As check_into() for a full form of hdr and pay with params; the caller clears. */
static void
check_res(const char *hdr, const char *pay, const char *params, const struct stir_vctx *v,
    int code, const char *detail, struct stir_vresult *res)
{
	char *value = full(hdr, pay, params);

	check_into(value, v, code, detail, res);
	free(value);
}

/* The request of req() with a MESSAGE body. */
static struct stir_vctx
req_body(const char *body, size_t len)
{
	struct stir_vctx v = req();

	v.body = (const uint8_t *)body;
	v.body_len = len;
	return v;
}

/* A response (or pre-call provisional response) to the request of req(). */
static struct stir_vctx
rsp_ctx(enum stir_vmode mode)
{
	struct stir_vctx v = req();

	v.mode = mode;
	return v;
}

static void
want_ident(const struct stir_ident *id, enum stir_ident_kind kind, const char *value)
{
	ck_assert_int_eq(id->kind, kind);
	ck_assert_str_eq(id->value, value);
}

START_TEST(div_valid_claims_pass_without_the_to_check)
{
	struct stir_vctx v = req();
	struct stir_vresult res;

	/* dest (...214) does not include To (...213): not checked for div */
	check_res(HDRP("div"), DIVPAY(DIV13), PARAMSP("div"), &v, 0, "", &res);
	ck_assert(!res.ignored);
	ck_assert_str_eq(res.ppt, "div");
	ck_assert_int_eq(res.authority_of, STIR_AUTH_DIV);
	want_ident(&res.authority, STIR_IDENT_TN, "12125551213");
	want_ident(&res.div, STIR_IDENT_TN, "12125551213");
	want_ident(&res.orig, STIR_IDENT_TN, "12155551212");
	ck_assert_ptr_null(res.opt);
	ck_assert_int_eq(res.attest, 0);
	stir_vresult_clear(&res);
	/* nor against any To at all */
	canon("tel:+19995550000", &v.to);
	check_full(HDRP("div"), DIVPAY(DIV13), PARAMSP("div"), &v, 0, "");
	/* with hi (RFC 8946 section 8), a quoted ppt, the RFC's header without alg */
	check_full(HDRP("div"), DIVPAY("\"div\":{\"hi\":\"1.2.1\",\"tn\":\"12125551213\"}"),
	    ";info=<" X5U ">;ppt=\"div\"", &v, 0, "");
	/* a URI div, canonicalized */
	check_res(HDRP("div"), DIVPAY("\"div\":{\"uri\":\"sip:bob@EXAMPLE.org;transport=tcp\"}"),
	    PARAMSP("div"), &v, 0, "", &res);
	want_ident(&res.div, STIR_IDENT_URI, "sip:bob@example.org");
	want_ident(&res.authority, STIR_IDENT_URI, "sip:bob@example.org");
	stir_vresult_clear(&res);
	/* the base checks still apply: orig, freshness */
	check_full(HDRP("div"), "{" DEST14 "," DIV13 ",\"iat\":" AT_S
	    ",\"orig\":{\"tn\":\"12155550000\"}}", PARAMSP("div"), &v, STIR_SIP_INVALID,
	    "orig does not match From");
	check_full(HDRP("div"), "{" DEST14 "," DIV13 ",\"iat\":1," ORIG "}", PARAMSP("div"), &v,
	    STIR_SIP_STALE, "iat is outside the freshness window");
	/* div PASSporTs belong in responses too (RFC 9970 section 5) */
	v = rsp_ctx(STIR_VMODE_RESPONSE);
	check_full(HDRP("div"), DIVPAY(DIV13), PARAMSP("div"), &v, 0, "");
	v = rsp_ctx(STIR_VMODE_PRECALL);
	check_full(HDRP("div-o"), "{" DEST14 "," DIV13 ",\"iat\":" AT_S ",\"opt\":\"" OPT "\","
	    ORIG "}", PARAMSP("div-o"), &v, 0, "");
}
END_TEST

START_TEST(div_with_opt_is_invalid_438)
{
	struct stir_vctx v = req();
	static const char want[] = "a ppt div PASSporT must not carry opt (RFC 8946)";

	check_full(HDRP("div"), "{" DEST14 "," DIV13 ",\"iat\":" AT_S ",\"opt\":\"" OPT "\","
	    ORIG "}", PARAMSP("div"), &v, STIR_SIP_INVALID, want);
	check_full(HDRP("div"), "{" DEST14 "," DIV13 ",\"iat\":" AT_S ",\"opt\":null," ORIG "}",
	    PARAMSP("div"), &v, STIR_SIP_INVALID, want);
}
END_TEST

START_TEST(div_malformed_div_is_invalid_438)
{
	struct stir_vctx v = req();
	static const char missing[] = "div is missing or not an object";
	static const char one[] = "div must hold exactly one \"tn\" or \"uri\" string";
	static const char *const not_object[] = {
		"\"x\":1", "\"div\":[\"12125551213\"]", "\"div\":[{\"tn\":\"12125551213\"}]",
		"\"div\":\"12125551213\"", "\"div\":null", "\"div\":12125551213",
	};
	static const char *const not_one[] = {
		"\"div\":{}",
		"\"div\":{\"tn\":\"12125551213\",\"uri\":\"sip:bob@example.org\"}",
		"\"div\":{\"tn\":[\"12125551213\"]}",
		"\"div\":{\"tn\":12125551213}",
		"\"div\":{\"tn\":\"++12125551213\"}",
		"\"div\":{\"tn\":\"\"}",
		"\"div\":{\"tn\":\"1234567890123456\"}",
		"\"div\":{\"uri\":\"mailto:bob@example.org\"}",
		"\"div\":{\"hi\":\"1.1\"}",
		"\"div\":{\"tel\":\"12125551213\"}",
	};
	static const char *const bad_hi[] = {
		"\"div\":{\"hi\":1,\"tn\":\"12125551213\"}",
		"\"div\":{\"hi\":null,\"tn\":\"12125551213\"}",
		"\"div\":{\"hi\":[\"1.1\"],\"tn\":\"12125551213\"}",
	};

	for (size_t i = 0; i < sizeof(not_object) / sizeof(not_object[0]); i++) {
		char *pay = shaken_pay(DIVPAY("%s"), not_object[i]);

		check_full(HDRP("div"), pay, PARAMSP("div"), &v, STIR_SIP_INVALID, missing);
		free(pay);
	}
	for (size_t i = 0; i < sizeof(not_one) / sizeof(not_one[0]); i++) {
		char *pay = shaken_pay(DIVPAY("%s"), not_one[i]);

		check_full(HDRP("div"), pay, PARAMSP("div"), &v, STIR_SIP_INVALID, one);
		free(pay);
	}
	for (size_t i = 0; i < sizeof(bad_hi) / sizeof(bad_hi[0]); i++) {
		char *pay = shaken_pay(DIVPAY("%s"), bad_hi[i]);

		check_full(HDRP("div"), pay, PARAMSP("div"), &v, STIR_SIP_INVALID,
		    "div.hi is not a string");
		free(pay);
	}
	/* a div PASSporT in compact form cannot be rebuilt */
	{
		struct stir_vresult res;
		char *s = b64sig(anysig), *value;

		v.date = AT;
		ck_assert_int_ge(asprintf(&value, "..%s" PARAMSP("div"), s), 0);
		check_into(value, &v, STIR_SIP_INVALID,
		    "a compact form cannot carry the claims of ppt 'div'; send the full form", &res);
		stir_vresult_clear(&res);
		free(value);
		free(s);
	}
}
END_TEST

START_TEST(div_o_needs_a_full_form_opt)
{
	struct stir_vctx v = req();
	struct stir_vresult res;
	static const char no_opt[] = "a ppt div-o PASSporT has no opt string";
	static const char not_full[] =
	    "opt is not a full-form PASSporT (header.payload.signature)";
	static const char *const bad_opts[] = {
		"\"\"", "\"abc\"", "\"a.b\"", "\"a.b.c.d\"", "\"a..c\"", "\"a.b.\"", "\".b.c\"",
		"\"..c2ln\"", "\"...\"",
	};

	check_full(HDRP("div-o"), DIVPAY(DIV13), PARAMSP("div-o"), &v, STIR_SIP_INVALID, no_opt);
	check_full(HDRP("div-o"), "{" DEST14 "," DIV13 ",\"iat\":" AT_S ",\"opt\":42," ORIG "}",
	    PARAMSP("div-o"), &v, STIR_SIP_INVALID, no_opt);
	check_full(HDRP("div-o"), "{" DEST14 "," DIV13 ",\"iat\":" AT_S ",\"opt\":{}," ORIG "}",
	    PARAMSP("div-o"), &v, STIR_SIP_INVALID, no_opt);
	for (size_t i = 0; i < sizeof(bad_opts) / sizeof(bad_opts[0]); i++) {
		char *pay = shaken_pay("{" DEST14 "," DIV13 ",\"iat\":" AT_S ",\"opt\":%s," ORIG "}",
		    bad_opts[i]);

		check_full(HDRP("div-o"), pay, PARAMSP("div-o"), &v, STIR_SIP_INVALID, not_full);
		free(pay);
	}
	/* a full-form opt: the div rules apply next */
	check_res(HDRP("div-o"), "{" DEST14 "," DIV13 ",\"iat\":" AT_S ",\"opt\":\"" OPT "\","
	    ORIG "}", PARAMSP("div-o"), &v, 0, "", &res);
	ck_assert_str_eq(res.ppt, "div-o");
	ck_assert_int_eq(res.authority_of, STIR_AUTH_DIV);
	want_ident(&res.authority, STIR_IDENT_TN, "12125551213");
	ck_assert_ptr_nonnull(res.opt);
	ck_assert_str_eq(res.opt, OPT);
	ck_assert_ptr_eq(res.opt, json_string_value(json_object_get(res.payload, "opt")));
	stir_vresult_clear(&res);
	check_full(HDRP("div-o"), "{" DEST14 ",\"iat\":" AT_S ",\"opt\":\"" OPT "\"," ORIG "}",
	    PARAMSP("div-o"), &v, STIR_SIP_INVALID, "div is missing or not an object");
	check_full(HDRP("div-o"), "{" DEST14 ",\"div\":{\"tn\":\"1\",\"hi\":2},\"iat\":" AT_S
	    ",\"opt\":\"" OPT "\"," ORIG "}", PARAMSP("div-o"), &v, STIR_SIP_INVALID,
	    "div.hi is not a string");
}
END_TEST

START_TEST(msg_msgi_matches_the_body)
{
	static const char *const good[] = {
		"\"" MSGI256 "\"", "\"" MSGI384 "\"", "\"" MSGI512 "\"",
		/* padding is optional */
		"\"sha256-ue/P9bl3JA2dP1gHlIE963aIq2n6vvZ7JTG44Tqu3o0\"",
		"\"sha512-oG8ebFo7n4AgIBW5Qg7hRSTX54fMTbVNE9EdEAY568kL8TttmPksm+lnajTUvFqSm"
		"jbBGLjYel2S8Zxw3XRIZg\"",
		"\"sha512-oG8ebFo7n4AgIBW5Qg7hRSTX54fMTbVNE9EdEAY568kL8TttmPksm+lnajTUvFqSm"
		"jbBGLjYel2S8Zxw3XRIZg==\"",
	};
	struct stir_vctx v = req_body(WATSON, strlen(WATSON));
	struct stir_vresult res;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *pay = shaken_pay(MSGPAY("%s"), good[i]);

		check_res(HDRP("msg"), pay, PARAMSP("msg"), &v, 0, "", &res);
		ck_assert_msg(res.msgi == 1, "%s: msgi %d", good[i], res.msgi);
		ck_assert_str_eq(res.ppt, "msg");
		ck_assert_int_eq(res.authority_of, STIR_AUTH_ORIG);
		want_ident(&res.authority, STIR_IDENT_TN, "12155551212");
		stir_vresult_clear(&res);
		free(pay);
	}
	/* the empty body, and a multipart body hashed as one blob */
	v = req_body("", 0);
	check_res(HDRP("msg"), MSGPAY("\"sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\""),
	    PARAMSP("msg"), &v, 0, "", &res);
	ck_assert_int_eq(res.msgi, 1);
	stir_vresult_clear(&res);
	{
		static const char mixed[] =
		    "--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
		    "--b1\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
		    "iVBORw0KGgo=\r\n--b1--\r\n";

		v = req_body(mixed, sizeof(mixed) - 1);
		check_res(HDRP("msg"),
		    MSGPAY("\"sha256-wyz1NcKRuDr5w+XX8N6hgBke5u8dwaxGTRHwA0aC2q4=\""),
		    PARAMSP("msg"), &v, 0, "", &res);
		ck_assert_int_eq(res.msgi, 1);
		stir_vresult_clear(&res);
	}
	/* a group: several dest values, one of them To */
	v = req_body(WATSON, strlen(WATSON));
	check_res(HDRP("msg"), "{\"dest\":{\"tn\":[\"12125551213\",\"12125551214\"]},\"iat\":"
	    AT_S ",\"msgi\":\"" MSGI256 "\"," ORIG "}", PARAMSP("msg"), &v, 0, "", &res);
	ck_assert_int_eq(res.msgi, 1);
	stir_vresult_clear(&res);
}
END_TEST

START_TEST(msg_msgi_mismatch_is_invalid_438)
{
	static const char mismatch[] = "the message body does not match msgi";
	static const char malformed[] =
	    "msgi is malformed or of an unsupported algorithm (sha256, sha384, sha512)";
	static const char *const bad[] = {
		"\"md5-AAAAAAAAAAAAAAAAAAAAAA==\"",
		"\"sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=\"",
		"\"SHA256-ue/P9bl3JA2dP1gHlIE963aIq2n6vvZ7JTG44Tqu3o0=\"",
		"\"sha256ue/P9bl3JA2dP1gHlIE963aIq2n6vvZ7JTG44Tqu3o0=\"",
		"\"sha256-\"",
		"\"sha256-!!!!\"",
		"\"sha256-ue_P9bl3JA2dP1gHlIE963aIq2n6vvZ7JTG44Tqu3o0=\"",	/* base64url */
		"\"sha256-ue/P9bl3JA2dP1gHlIE963aIq2n6vvZ7JTG44Tqu3o0==\"",
		/* padding is complete or absent */
		("\"sha512-oG8ebFo7n4AgIBW5Qg7hRSTX54fMTbVNE9EdEAY568kL8TttmPksm+lnajTUvFqSm"
		"jbBGLjYel2S8Zxw3XRIZg=\""),
		"\"sha256-3gT0m0c8z21NpXBDoG8eEClyYW6xEEyqFX98SMv2aDc/MipBsq6apQFbms0iVn35\"",
		/* RFC 9475's own example: 42 bytes, no SHA-256 digest */
		"\"sha256-H8BRh8j48O9oYatfu5AZzq6A9RINQZngK7T62em8MUt1FLm52t+eX6xO\"",
		"\"\"",
	};
	struct stir_vctx v = req_body("Watson, come here!", 18);
	struct stir_vresult res;

	check_res(HDRP("msg"), MSGPAY("\"" MSGI256 "\""), PARAMSP("msg"), &v, STIR_SIP_INVALID,
	    mismatch, &res);
	ck_assert(!res.ignored);
	ck_assert_int_ne(res.msgi, 1);
	stir_vresult_clear(&res);
	check_full(HDRP("msg"), MSGPAY("\"" MSGI512 "\""), PARAMSP("msg"), &v, STIR_SIP_INVALID,
	    mismatch);
	/* one byte fewer */
	v = req_body(WATSON, strlen(WATSON) - 1);
	check_full(HDRP("msg"), MSGPAY("\"" MSGI384 "\""), PARAMSP("msg"), &v, STIR_SIP_INVALID,
	    mismatch);
	v = req_body(WATSON, strlen(WATSON));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *pay = shaken_pay(MSGPAY("%s"), bad[i]);

		check_full(HDRP("msg"), pay, PARAMSP("msg"), &v, STIR_SIP_INVALID, malformed);
		free(pay);
	}
	/* not a string, or too long to be a digest */
	check_full(HDRP("msg"), MSGPAY("42"), PARAMSP("msg"), &v, STIR_SIP_INVALID,
	    "msgi is not a digest string");
	check_full(HDRP("msg"), MSGPAY("[\"" MSGI256 "\"]"), PARAMSP("msg"), &v, STIR_SIP_INVALID,
	    "msgi is not a digest string");
	{
		char digest[200], *pay;

		memset(digest, 'A', sizeof(digest));
		memcpy(digest, "sha512-", 7);
		digest[157] = '\0';
		pay = shaken_pay(MSGPAY("\"%s\""), digest);
		check_full(HDRP("msg"), pay, PARAMSP("msg"), &v, STIR_SIP_INVALID,
		    "msgi is not a digest string");
		free(pay);
		digest[156] = '\0';
		pay = shaken_pay(MSGPAY("\"%s\""), digest);
		check_full(HDRP("msg"), pay, PARAMSP("msg"), &v, STIR_SIP_INVALID, malformed);
		free(pay);
	}
	/* msg keeps the To check */
	check_full(HDRP("msg"), "{" DEST14 ",\"iat\":" AT_S ",\"msgi\":\"" MSGI256 "\"," ORIG "}",
	    PARAMSP("msg"), &v, STIR_SIP_INVALID, "dest does not include To");
}
END_TEST

START_TEST(msg_without_body_or_msgi)
{
	struct stir_vctx v = req();
	struct stir_vresult res;

	/* no body: msgi is not checked, whatever it holds */
	check_res(HDRP("msg"), MSGPAY("\"" MSGI256 "\""), PARAMSP("msg"), &v, 0, "", &res);
	ck_assert_int_eq(res.msgi, 0);
	stir_vresult_clear(&res);
	check_res(HDRP("msg"), MSGPAY("\"md5-x\""), PARAMSP("msg"), &v, 0, "", &res);
	ck_assert_int_eq(res.msgi, 0);
	stir_vresult_clear(&res);
	/* no msgi (optional in RFC 9475), with or without a body */
	check_res(HDRP("msg"), PAY0, PARAMSP("msg"), &v, 0, "", &res);
	ck_assert_int_eq(res.msgi, -1);
	stir_vresult_clear(&res);
	v = req_body(WATSON, strlen(WATSON));
	check_res(HDRP("msg"), PAY0, PARAMSP("msg"), &v, 0, "", &res);
	ck_assert_int_eq(res.msgi, -1);
	stir_vresult_clear(&res);
	/* msgi in another ppt is ignored (RFC 9475 3.2), even when it does not match */
	check_res(HDR, "{\"attest\":\"A\"," DEST ",\"iat\":" AT_S ",\"msgi\":\"sha256-AAAA\","
	    ORIG ",\"origid\":\"" ORIGID "\"}", PARAMS, &v, 0, "", &res);
	ck_assert_int_eq(res.msgi, 0);
	stir_vresult_clear(&res);
	check_res(HDR0, MSGPAY("\"" MSGI256 "\""), PARAMS0, &v, 0, "", &res);
	ck_assert_int_eq(res.msgi, 0);
	stir_vresult_clear(&res);
}
END_TEST

START_TEST(rsp_in_a_request_is_ignored)
{
	struct stir_vctx v = req();
	struct stir_vresult res;
	static const char want[] = "ppt 'rsp' does not belong in a request";

	check_res(HDRP("rsp"), RSPPAY("{\"tn\":[\"12125551213\"]}"), PARAMSP("rsp"), &v,
	    STIR_SIP_INVALID, want, &res);
	ck_assert(res.ignored);
	ck_assert_str_eq(res.ppt, "rsp");
	stir_vresult_clear(&res);
	/* the ppt in the header only */
	check_res(HDRP("rsp"), RSPPAY("{\"tn\":[\"12125551213\"]}"), PARAMS0, &v,
	    STIR_SIP_INVALID, want, &res);
	ck_assert(res.ignored);
	ck_assert_str_eq(res.ppt, "rsp");
	stir_vresult_clear(&res);
	/* a compact form too */
	{
		char *s = b64sig(anysig), *value;

		v.date = AT;
		ck_assert_int_ge(asprintf(&value, "..%s" PARAMSP("rsp"), s), 0);
		check_into(value, &v, STIR_SIP_INVALID, want, &res);
		ck_assert(res.ignored);
		stir_vresult_clear(&res);
		free(value);
		free(s);
	}
}
END_TEST

START_TEST(rsp_in_a_response_is_signed_for_dest)
{
	static const enum stir_vmode modes[] = { STIR_VMODE_RESPONSE, STIR_VMODE_PRECALL };
	static const char one_tn[] = "a ppt rsp PASSporT's dest must be one tn";

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct stir_vctx v = rsp_ctx(modes[m]);
		struct stir_vresult res;

		/* the party reached (...214) is not To (...213): linked later, not here */
		check_res(HDRP("rsp"), RSPPAY("{\"tn\":[\"12125551214\"]}"), PARAMSP("rsp"), &v, 0,
		    "", &res);
		ck_assert(!res.ignored);
		ck_assert_str_eq(res.ppt, "rsp");
		ck_assert_int_eq(res.authority_of, STIR_AUTH_DEST);
		want_ident(&res.authority, STIR_IDENT_TN, "12125551214");
		want_ident(&res.orig, STIR_IDENT_TN, "12155551212");
		stir_vresult_clear(&res);
		check_res(HDRP("rsp"), RSPPAY("{\"tn\":[\"12125551213\"]}"), PARAMSP("rsp"), &v, 0,
		    "", &res);
		want_ident(&res.authority, STIR_IDENT_TN, "12125551213");
		stir_vresult_clear(&res);
		/* dest must be one tn */
		check_full(HDRP("rsp"), RSPPAY("{\"tn\":[\"12125551213\",\"12125551214\"]}"),
		    PARAMSP("rsp"), &v, STIR_SIP_INVALID, one_tn);
		check_full(HDRP("rsp"), RSPPAY("{\"uri\":[\"sip:bob@example.org\"]}"),
		    PARAMSP("rsp"), &v, STIR_SIP_INVALID, one_tn);
		check_full(HDRP("rsp"), RSPPAY("{\"tn\":[\"12125551213\"],\"uri\":[\"sip:b@x.org\"]}"),
		    PARAMSP("rsp"), &v, STIR_SIP_INVALID, one_tn);
		check_full(HDRP("rsp"), RSPPAY("{\"tn\":[]}"), PARAMSP("rsp"), &v,
		    STIR_SIP_INVALID, "dest is missing or malformed");
		/* orig is still the caller's (not swapped, RFC 9970 section 9) */
		check_full(HDRP("rsp"), "{\"dest\":{\"tn\":[\"12155551212\"]},\"iat\":" AT_S
		    ",\"orig\":{\"tn\":\"12125551214\"}}", PARAMSP("rsp"), &v, STIR_SIP_INVALID,
		    "orig does not match From");
		check_full(HDRP("rsp"), "{\"dest\":{\"tn\":[\"12125551214\"]},\"iat\":1," ORIG "}",
		    PARAMSP("rsp"), &v, STIR_SIP_STALE, "iat is outside the freshness window");
	}
}
END_TEST

START_TEST(request_types_in_a_response_are_ignored)
{
	static const enum stir_vmode modes[] = { STIR_VMODE_RESPONSE, STIR_VMODE_PRECALL };

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct stir_vctx v = rsp_ctx(modes[m]);
		struct stir_vresult res;

		check_res(HDR, PAY, PARAMS, &v, STIR_SIP_INVALID,
		    "ppt 'shaken' does not belong in a response", &res);
		ck_assert(res.ignored);
		ck_assert_str_eq(res.ppt, "shaken");
		stir_vresult_clear(&res);
		/* the ppt in the header only */
		check_res(HDR, PAY, PARAMS0, &v, STIR_SIP_INVALID,
		    "ppt 'shaken' does not belong in a response", &res);
		ck_assert(res.ignored);
		stir_vresult_clear(&res);
		check_res(HDR0, PAY0, PARAMS0, &v, STIR_SIP_INVALID,
		    "ppt '(none)' does not belong in a response", &res);
		ck_assert(res.ignored);
		ck_assert_str_eq(res.ppt, "");
		stir_vresult_clear(&res);
		check_res(HDRP("rcd"), "{" DEST ",\"iat\":" AT_S "," ORIG ",\"rcd\":{\"nam\":\"A\"}}",
		    PARAMSP("rcd"), &v, STIR_SIP_INVALID, "ppt 'rcd' does not belong in a response",
		    &res);
		ck_assert(res.ignored);
		stir_vresult_clear(&res);
		check_res(HDRP("msg"), PAY0, PARAMSP("msg"), &v, STIR_SIP_INVALID,
		    "ppt 'msg' does not belong in a response", &res);
		ck_assert(res.ignored);
		stir_vresult_clear(&res);
		/* unsupported stays unsupported */
		check_res(HDRP("foo"), PAY0, PARAMSP("foo"), &v, STIR_SIP_INVALID,
		    "unsupported ppt 'foo'", &res);
		ck_assert(res.ignored);
		stir_vresult_clear(&res);
	}
}
END_TEST

/* ---- RFC 9970 section 6: the called party's requests in the dialog ---- */

/* The RFC 9970 section 9 example claim set, verbatim, and its x5u. */
#define RFC9970_X5U	"https://www.example.com/cert.pem"
#define RFC9970_PAY	"{ \"orig\":{\"tn\":\"12155551212\"},\n" \
			"  \"dest\":{\"tn\":[\"12155551214\"]},\n" \
			"  \"iat\":1443208345 }"
#define RFC9970_AT	1443208345
/* the rsp header of section 9, verbatim; the same without ppt; shaken */
#define RFC9970_RSPHDR	"{ \"typ\":\"passport\",\n  \"ppt\":\"rsp\",\n  \"alg\":\"ES256\",\n" \
			"  \"x5u\":\"" RFC9970_X5U "\" }"
#define RFC9970_HDR0	"{ \"typ\":\"passport\",\n  \"alg\":\"ES256\",\n" \
			"  \"x5u\":\"" RFC9970_X5U "\" }"
#define RFC9970_SHKHDR	"{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" \
			RFC9970_X5U "\"}"
#define RFC9970_PARAMS0	";info=<" RFC9970_X5U ">;alg=ES256"
#define RFC9970_PARAMSP(p) RFC9970_PARAMS0 ";ppt=" p

/*
 * A BYE from the called party of the RFC's call: From ...212 called
 * ...213, answered (after a retarget) by ...214, whose dest the first
 * response asserted.  from and to stay the dialog's, as in a response.
 */
static struct stir_vctx
bwd_ctx(const char *dialog_dest)
{
	struct stir_vctx v;

	memset(&v, 0, sizeof(v));
	canon("<sip:+12155551212@example.com;user=phone>;tag=a", &v.from);
	canon("<tel:+12155551213>;tag=b", &v.to);
	canon(dialog_dest, &v.dialog_dest);
	v.date = -1;
	v.at = RFC9970_AT;
	v.iat_window = 60;
	v.mode = STIR_VMODE_BACKWARD;
	return v;
}

START_TEST(backward_requests_are_signed_for_the_connected_dest)
{
	struct stir_vctx v = bwd_ctx("tel:+12155551214");
	struct stir_vresult res;
	char *shaken;

	/* the RFC's claim set in a base PASSporT: signed for dest, not orig */
	check_res(RFC9970_HDR0, RFC9970_PAY, RFC9970_PARAMS0, &v, 0, "", &res);
	ck_assert(!res.ignored);
	ck_assert_str_eq(res.ppt, "");
	ck_assert_int_eq(res.authority_of, STIR_AUTH_DEST);
	want_ident(&res.authority, STIR_IDENT_TN, "12155551214");
	want_ident(&res.orig, STIR_IDENT_TN, "12155551212");
	ck_assert_int_eq(res.iat, RFC9970_AT);
	stir_vresult_clear(&res);
	/* the same claims as shaken: also the connected party's */
	shaken = shaken_pay("{\"attest\":\"A\",\"dest\":{\"tn\":[\"12155551214\"]},\"iat\":%d,"
	    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"" ORIGID "\"}", RFC9970_AT);
	check_res(RFC9970_SHKHDR, shaken, RFC9970_PARAMSP("shaken"), &v, 0, "", &res);
	ck_assert_int_eq(res.authority_of, STIR_AUTH_DEST);
	want_ident(&res.authority, STIR_IDENT_TN, "12155551214");
	ck_assert_int_eq(res.attest, 'A');
	stir_vresult_clear(&res);
	free(shaken);
	/* a dialog not retargeted: the connected dest is To, dest need not hold To */
	v = bwd_ctx("tel:+12155551213");
	check_full(RFC9970_HDR0, RFC9970_PAY, RFC9970_PARAMS0, &v, STIR_SIP_INVALID,
	    "dest is not the dest the dialog's first response asserted (RFC 9970 section 6)");
	check_full(RFC9970_HDR0, "{\"dest\":{\"tn\":[\"+12155551213\"]},\"iat\":1443208345,"
	    "\"orig\":{\"tn\":\"12155551212\"}}", RFC9970_PARAMS0, &v, 0, "");
}
END_TEST

START_TEST(backward_requests_keep_the_dialogs_dest_and_orig)
{
	struct stir_vctx v = bwd_ctx("12155551214");
	static const char one_tn[] =
	    "the dest of a backward request's PASSporT must be one tn (RFC 9970 section 6)";

	/* dest must be the one the first response asserted, and only it */
	check_full(RFC9970_HDR0, "{\"dest\":{\"tn\":[\"12155551215\"]},\"iat\":1443208345,"
	    "\"orig\":{\"tn\":\"12155551212\"}}", RFC9970_PARAMS0, &v, STIR_SIP_INVALID,
	    "dest is not the dest the dialog's first response asserted (RFC 9970 section 6)");
	check_full(RFC9970_HDR0, "{\"dest\":{\"tn\":[\"12155551214\",\"12155551215\"]},"
	    "\"iat\":1443208345,\"orig\":{\"tn\":\"12155551212\"}}", RFC9970_PARAMS0, &v,
	    STIR_SIP_INVALID, one_tn);
	check_full(RFC9970_HDR0, "{\"dest\":{\"uri\":[\"sip:carol@example.com\"]},"
	    "\"iat\":1443208345,\"orig\":{\"tn\":\"12155551212\"}}", RFC9970_PARAMS0, &v,
	    STIR_SIP_INVALID, one_tn);
	/* not swapped: orig stays the caller's (the dialog's From) */
	check_full(RFC9970_HDR0, "{\"dest\":{\"tn\":[\"12155551214\"]},\"iat\":1443208345,"
	    "\"orig\":{\"tn\":\"12155551214\"}}", RFC9970_PARAMS0, &v, STIR_SIP_INVALID,
	    "orig does not match From");
	/* the base checks still apply */
	check_full(RFC9970_HDR0, "{\"dest\":{\"tn\":[\"12155551214\"]},\"iat\":1443208000,"
	    "\"orig\":{\"tn\":\"12155551212\"}}", RFC9970_PARAMS0, &v, STIR_SIP_STALE,
	    "iat is outside the freshness window");
	/* a compact form cannot say which party it speaks for */
	{
		struct stir_vresult res;
		char *s = b64sig(anysig), *value;

		v.date = RFC9970_AT;
		ck_assert_int_ge(asprintf(&value, "..%s" RFC9970_PARAMS0, s), 0);
		check_into(value, &v, STIR_SIP_INVALID,
		    "a backward request's PASSporT must be in full form", &res);
		ck_assert(!res.ignored);
		stir_vresult_clear(&res);
		free(value);
		free(s);
	}
}
END_TEST

START_TEST(rsp_and_other_types_in_a_backward_request_are_ignored)
{
	struct stir_vctx v = bwd_ctx("12155551214");
	struct stir_vresult res;
	static const struct { const char *ppt, *pay; } other[] = {
		{ "div", "{\"dest\":{\"tn\":[\"12155551214\"]},\"div\":{\"tn\":\"12155551213\"},"
		    "\"iat\":1443208345,\"orig\":{\"tn\":\"12155551212\"}}" },
		{ "div-o", RFC9970_PAY },
		{ "rcd", RFC9970_PAY },
		{ "msg", RFC9970_PAY },
	};

	/* rsp MUST NOT be sent in requests, and is ignored there (RFC 9970
	 * section 9): the RFC's own rsp header and claims */
	check_res(RFC9970_RSPHDR, RFC9970_PAY, RFC9970_PARAMSP("rsp"), &v, STIR_SIP_INVALID,
	    "ppt 'rsp' does not belong in a backward request", &res);
	ck_assert(res.ignored);
	ck_assert_str_eq(res.ppt, "rsp");
	stir_vresult_clear(&res);
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		char hdr[256], params[128], want[96];

		snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"%s\",\"typ\":\"passport\","
		    "\"x5u\":\"" RFC9970_X5U "\"}", other[i].ppt);
		snprintf(params, sizeof(params), RFC9970_PARAMS0 ";ppt=%s", other[i].ppt);
		snprintf(want, sizeof(want), "ppt '%s' does not belong in a backward request",
		    other[i].ppt);
		check_res(hdr, other[i].pay, params, &v, STIR_SIP_INVALID, want, &res);
		ck_assert_msg(res.ignored, "%s", other[i].ppt);
		stir_vresult_clear(&res);
	}
}
END_TEST

START_TEST(vmode_names_round_trip)
{
	static const char *const names[] = { "request", "response", "precall", "backward" };
	enum stir_vmode m;

	for (unsigned i = 0; i < _STIR_VMODE_MAX; i++) {
		ck_assert_str_eq(stir_vmode_name((enum stir_vmode)i), names[i]);
		ck_assert_int_eq(stir_vmode_parse(names[i], &m), STIR_OK);
		ck_assert_int_eq(m, (enum stir_vmode)i);
	}
	ck_assert_str_eq(stir_vmode_name(_STIR_VMODE_MAX), "");
	m = STIR_VMODE_PRECALL;
	ck_assert_int_eq(stir_vmode_parse("Backward", &m), STIR_EINVAL);
	ck_assert_int_eq(stir_vmode_parse("", &m), STIR_EINVAL);
	ck_assert_int_eq(stir_vmode_parse(NULL, &m), STIR_EINVAL);
	ck_assert_int_eq(m, STIR_VMODE_PRECALL);	/* untouched on failure */
	ck_assert(stir_vmode_is_response(STIR_VMODE_RESPONSE));
	ck_assert(stir_vmode_is_response(STIR_VMODE_PRECALL));
	ck_assert(!stir_vmode_is_response(STIR_VMODE_REQUEST));
	ck_assert(!stir_vmode_is_response(STIR_VMODE_BACKWARD));
}
END_TEST

START_TEST(request_types_fill_the_authority)
{
	struct stir_vctx v = req();
	struct stir_vresult res;

	check_res(HDR, PAY, PARAMS, &v, 0, "", &res);
	ck_assert_int_eq(res.authority_of, STIR_AUTH_ORIG);
	want_ident(&res.authority, STIR_IDENT_TN, "12155551212");
	ck_assert_int_eq(res.msgi, 0);
	ck_assert_ptr_null(res.opt);
	ck_assert_str_eq(res.div.value, "");
	stir_vresult_clear(&res);
	check_res(HDRP("rcd"), "{" DEST ",\"iat\":" AT_S "," ORIG ",\"rcd\":{\"nam\":\"A\"}}",
	    PARAMSP("rcd"), &v, 0, "", &res);
	ck_assert_int_eq(res.authority_of, STIR_AUTH_ORIG);
	want_ident(&res.authority, STIR_IDENT_TN, "12155551212");
	stir_vresult_clear(&res);
	check_full(HDRP("rcd"), PAY0, PARAMSP("rcd"), &v, STIR_SIP_INVALID,
	    "a ppt rcd PASSporT has neither an rcd nor a crn claim");
	/* RFC 9795 8: "at least one "rcd" or "crn" claim (or both)" */
	check_full(HDRP("rcd"), "{\"crn\":\"For your ears only\"," DEST ",\"iat\":" AT_S ","
	    ORIG "}", PARAMSP("rcd"), &v, 0, "");
	check_full(HDRP("rcd"), "{\"crn\":7," DEST ",\"iat\":" AT_S "," ORIG "}",
	    PARAMSP("rcd"), &v, STIR_SIP_INVALID,
	    "a ppt rcd PASSporT has neither an rcd nor a crn claim");
	check_full(HDRP("rcd"), "{" DEST ",\"iat\":" AT_S "," ORIG ",\"rcd\":\"A\"}",
	    PARAMSP("rcd"), &v, STIR_SIP_INVALID,
	    "a ppt rcd PASSporT has neither an rcd nor a crn claim");
}
END_TEST

START_TEST(ppt_supported_list)
{
	static const char *const yes[] = { "shaken", "rcd", "msg", "div", "div-o", "rsp" };
	static const char *const no[] = { "", "foo", "DIV", "Shaken", "div-", "divo", "rph", "rsp " };

	ck_assert(stir_ppt_supported(NULL));
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ck_assert_msg(stir_ppt_supported(yes[i]), "%s", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ck_assert_msg(!stir_ppt_supported(no[i]), "'%s'", no[i]);
}
END_TEST

START_TEST(dest_has_tn_and_uri)
{
	json_t *dest = json_loads("{\"tn\":[\"12125551213\",7,\"12125551214\"],"
	    "\"uri\":[\"sip:bob@EXAMPLE.org:5060\",\"not a uri\",\"sip:+12125551215@x.org;user=phone\"]}",
	    0, NULL);
	struct stir_ident id;

	ck_assert_ptr_nonnull(dest);
	canon("tel:+12125551213", &id);
	ck_assert(stir_dest_has(dest, &id));
	canon("tel:+12125551214", &id);
	ck_assert(stir_dest_has(dest, &id));
	canon("tel:+12125551215", &id);		/* only in uri: a TN is looked up in tn */
	ck_assert(!stir_dest_has(dest, &id));
	canon("sip:bob@example.org", &id);
	ck_assert(stir_dest_has(dest, &id));
	canon("sip:carol@example.org", &id);
	ck_assert(!stir_dest_has(dest, &id));
	ck_assert(!stir_dest_has(NULL, &id));
	json_decref(dest);
	dest = json_loads("{\"tn\":\"12125551213\"}", 0, NULL);
	canon("tel:+12125551213", &id);
	ck_assert(!stir_dest_has(dest, &id));
	json_decref(dest);
}
END_TEST

START_TEST(identity_payload_of_full_and_compact)
{
	struct stir_identity *id = NULL;
	json_t *p = NULL;
	char msg[256], *value = full(HDRP("div"), DIVPAY(DIV13), PARAMSP("div")), *s;

	ck_assert_int_eq(stir_identity_parse(value, strlen(value), &id, msg, sizeof(msg)), STIR_OK);
	ck_assert_int_eq(stir_identity_payload(id, &p), STIR_OK);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(p, "div"), "tn")),
	    "12125551213");
	json_decref(p);
	stir_identity_free(id);
	free(value);
	/* not JSON, not an object */
	value = full(HDR, "[1]", PARAMS);
	ck_assert_int_eq(stir_identity_parse(value, strlen(value), &id, msg, sizeof(msg)), STIR_OK);
	p = (json_t *)&p;
	ck_assert_int_eq(stir_identity_payload(id, &p), STIR_EINVAL);
	stir_identity_free(id);
	free(value);
	/* compact */
	s = b64sig(anysig);
	ck_assert_int_ge(asprintf(&value, "..%s" PARAMS0, s), 0);
	ck_assert_int_eq(stir_identity_parse(value, strlen(value), &id, msg, sizeof(msg)), STIR_OK);
	ck_assert_int_eq(stir_identity_payload(id, &p), STIR_EINVAL);
	stir_identity_free(id);
	free(value);
	free(s);
}
END_TEST

/* ---- ES256 with a key of the test PKI ---- */

static char *pki;

static void
pki_setup(void)
{
	pki = tu_mkpki("test_verify");
}

static void
pki_teardown(void)
{
	free(pki);
	pki = NULL;
	tu_root_teardown();
}

static gnutls_datum_t
pki_file(const char *name)
{
	char path[512];
	size_t len = 0;
	char *data;

	snprintf(path, sizeof(path), "%s/%s", pki, name);
	data = tu_read_file(path, &len);
	ck_assert_msg(data != NULL, "%s", path);
	return (gnutls_datum_t){ (unsigned char *)data, (unsigned)len };
}

/* The public key of pki/name.pem. */
static gnutls_pubkey_t
pub_of(const char *name)
{
	char file[128];
	gnutls_datum_t d;
	gnutls_x509_crt_t crt;
	gnutls_pubkey_t pub;

	snprintf(file, sizeof(file), "%s.pem", name);
	d = pki_file(file);
	ck_assert_int_ge(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_ge(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);
	ck_assert_int_ge(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_ge(gnutls_pubkey_import_x509(pub, crt, 0), 0);
	gnutls_x509_crt_deinit(crt);
	free(d.data);
	return pub;
}

/* An integer of at most 33 bytes as 32 big-endian bytes. */
static void
fixed32(const gnutls_datum_t *v, uint8_t out[32])
{
	unsigned n = v->size;
	const unsigned char *p = v->data;

	while (n > 32) {
		ck_assert_int_eq(*p, 0);
		p++;
		n--;
	}
	memset(out, 0, 32);
	memcpy(out + 32 - n, p, n);
}

/* ES256 r||s over tbs with pki/name.key, signed by GnuTLS here. */
static void
sign_with(const char *name, const char *tbs, uint8_t sig[STIR_ES256_SIG_LEN])
{
	char file[128];
	gnutls_datum_t d, data = { (unsigned char *)tbs, (unsigned)strlen(tbs) }, der, r, s;
	gnutls_privkey_t pk;

	snprintf(file, sizeof(file), "%s.key", name);
	d = pki_file(file);
	ck_assert_int_ge(gnutls_privkey_init(&pk), 0);
	ck_assert_int_ge(gnutls_privkey_import_x509_raw(pk, &d, GNUTLS_X509_FMT_PEM, NULL, 0), 0);
	ck_assert_int_ge(gnutls_privkey_sign_data(pk, GNUTLS_DIG_SHA256, 0, &data, &der), 0);
	ck_assert_int_ge(gnutls_decode_rs_value(&der, &r, &s), 0);
	fixed32(&r, sig);
	fixed32(&s, sig + 32);
	gnutls_free(r.data);
	gnutls_free(s.data);
	gnutls_free(der.data);
	gnutls_privkey_deinit(pk);
	free(d.data);
}

START_TEST(es256_good_and_flipped_signature)
{
	gnutls_pubkey_t pub = pub_of("sp"), other = pub_of("tn");
	static const char tbs[] = "eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOjF9";
	uint8_t sig[STIR_ES256_SIG_LEN], bad[STIR_ES256_SIG_LEN];

	sign_with("sp", tbs, sig);
	ck_assert(stir_es256_verify(pub, tbs, strlen(tbs), sig));
	/* one bit of r, one bit of s */
	memcpy(bad, sig, sizeof(bad));
	bad[5] ^= 0x01;
	ck_assert(!stir_es256_verify(pub, tbs, strlen(tbs), bad));
	memcpy(bad, sig, sizeof(bad));
	bad[63] ^= 0x80;
	ck_assert(!stir_es256_verify(pub, tbs, strlen(tbs), bad));
	/* other data, a shorter length, another key */
	ck_assert(!stir_es256_verify(pub, "eyJhbGciOiJFUzI1NiJ9.eyJpYXQiOjJ9", strlen(tbs), sig));
	ck_assert(!stir_es256_verify(pub, tbs, strlen(tbs) - 1, sig));
	ck_assert(!stir_es256_verify(other, tbs, strlen(tbs), sig));
	/* zeros are no signature */
	memset(bad, 0, sizeof(bad));
	ck_assert(!stir_es256_verify(pub, tbs, strlen(tbs), bad));
	gnutls_pubkey_deinit(pub);
	gnutls_pubkey_deinit(other);
}
END_TEST

/* A signed full form goes through the checks and verifies over res.tbs. */
START_TEST(signed_passport_checks_and_verifies)
{
	gnutls_pubkey_t pub = pub_of("sp");
	struct stir_vctx v = req();
	struct stir_vresult res;
	uint8_t sig[STIR_ES256_SIG_LEN];
	char *h = b64(HDR), *p = b64(PAY), *tbs, *s, *value;

	ck_assert_int_ge(asprintf(&tbs, "%s.%s", h, p), 0);
	sign_with("sp", tbs, sig);
	s = b64sig(sig);
	ck_assert_int_ge(asprintf(&value, "%s.%s" PARAMS, tbs, s), 0);
	check_into(value, &v, 0, "", &res);
	ck_assert(stir_es256_verify(pub, res.tbs, strlen(res.tbs), res.sig));
	stir_vresult_clear(&res);
	free(value);
	free(s);
	free(tbs);
	/* compact: signed over the rebuilt header and payload */
	free(h);
	free(p);
	h = b64(HDR0);
	p = b64(PAY0);
	ck_assert_int_ge(asprintf(&tbs, "%s.%s", h, p), 0);
	sign_with("sp", tbs, sig);
	s = b64sig(sig);
	ck_assert_int_ge(asprintf(&value, "..%s" PARAMS0, s), 0);
	v.date = AT;
	check_into(value, &v, 0, "", &res);
	ck_assert_str_eq(res.tbs, tbs);
	ck_assert(stir_es256_verify(pub, res.tbs, strlen(res.tbs), res.sig));
	stir_vresult_clear(&res);
	/* the same signature under another Date no longer verifies */
	v.date = AT + 1;
	check_into(value, &v, 0, "", &res);
	ck_assert(!stir_es256_verify(pub, res.tbs, strlen(res.tbs), res.sig));
	stir_vresult_clear(&res);
	free(value);
	free(s);
	free(tbs);
	free(h);
	free(p);
	gnutls_pubkey_deinit(pub);
}
END_TEST

/*
 * RFC 8946's own div example (sections 3 and 4.1), with its Appendix A
 * key: a known-answer signature vector.  Its div is one digit too long
 * (121555551213 for 12155551213; see doc/extensions.md 1.8), so as a
 * chain it must not link to the original it names.
 */
static const char RFC8946_DIV[] =
    "eyJhbGciOiJFUzI1NiIsInBwdCI6ImRpdiIsInR5cCI6InBhc3Nwb3J0IiwieDV1IjoiaHR0cHM6Ly93d3cuZXhhbXBsZS5jb20vY2VydC5jZXIifQ"
    ".eyJkZXN0Ijp7InRuIjpbIjEyMTU1NTUxMjE0Il19LCJkaXYiOnsidG4iOiIxMjE1NTU1NTEyMTMifSwiaWF0IjoxNDQzMjA4MzQ1LCJvcmlnIjp7InRuIjoiMTIxNTU1NTEyMTIifX0"
    ".xBHWipDEEJ8a6TsdX6xUXAnblsFiGUiAxwLiv0HLC9IICj6eG9jQd6WzeSSjHRBwxmChHhVIiMTSqIlk3yCNkg"
    ";info=<https://www.example.com/cert.cer>;ppt=\"div\"";
static const char RFC8946_PUB[] =
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEmzGM1VsO+3IqbMF54rQMaYKQftO4hUYm9wv5wutLgEd9FsiTy3+4+Wa2O7pffOXPC0QzO+yD8hGEXGP/2mZo6w==";

START_TEST(rfc8946_div_example_signature_and_chain)
{
	struct stir_vctx v = req();
	struct stir_identity *id = NULL;
	struct stir_vresult res;
	gnutls_datum_t der;
	gnutls_pubkey_t pub;
	uint8_t spki[128];
	size_t len = 0;
	char msg[256];
	struct stir_ident orig, to;
	json_t *odest;
	struct stir_div_in in[2];
	struct stir_div_out out[2];

	v.at = 1443208345;
	canon("tel:+12155551212", &v.from);
	canon("tel:+12155551213", &v.to);
	ck_assert_int_eq(stir_identity_parse(RFC8946_DIV, strlen(RFC8946_DIV), &id, msg,
	    sizeof(msg)), STIR_OK);
	memset(&res, 0, sizeof(res));
	ck_assert_int_eq(stir_passport_check(id, &v, &res), STIR_OK);
	ck_assert_msg(res.code == 0, "%s", res.detail);
	ck_assert_str_eq(res.ppt, "div");
	ck_assert_int_eq(res.authority_of, STIR_AUTH_DIV);
	ck_assert_str_eq(res.div.value, "121555551213");
	ck_assert_int_eq(sodium_base642bin(spki, sizeof(spki), RFC8946_PUB, strlen(RFC8946_PUB),
	    NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	der.data = spki;
	der.size = (unsigned)len;
	ck_assert_int_ge(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_ge(gnutls_pubkey_import(pub, &der, GNUTLS_X509_FMT_DER), 0);
	ck_assert(stir_es256_verify(pub, res.tbs, strlen(res.tbs), res.sig));
	res.tbs[5] ^= 1;
	ck_assert(!stir_es256_verify(pub, res.tbs, strlen(res.tbs), res.sig));
	/* the original it names (dest 12155551213) does not hold its div */
	canon("tel:+12155551212", &orig);
	canon("tel:+12155551213", &to);
	odest = json_pack("{s:[s]}", "tn", "12155551213");
	memset(in, 0, sizeof(in));
	in[0] = (struct stir_div_in){ true, false, &orig, odest, NULL, -1 };
	in[1] = (struct stir_div_in){ true, true, &res.orig, json_object_get(res.payload, "dest"),
	    &res.div, -1 };
	stir_div_link(in, 2, 5, NULL, out);
	ck_assert_int_eq(out[1].code, STIR_SIP_INVALID);
	ck_assert_str_eq(out[1].detail, "div 121555551213 is not the dest of any other PASSporT of the request");
	json_decref(odest);
	gnutls_pubkey_deinit(pub);
	stir_vresult_clear(&res);
	stir_identity_free(id);
}
END_TEST

/* A compact ppt=rcd form verifies only over the nam and crn it was signed with. */
START_TEST(signed_compact_rcd_verifies_over_nam_and_crn)
{
	gnutls_pubkey_t pub = pub_of("sp");
	struct stir_vctx v = req();
	struct stir_vresult res;
	uint8_t sig[STIR_ES256_SIG_LEN];
	char *tbs, *s, *value;

	tbs = rcd_tbs("{\"crn\":\"Rendezvous for Little Nellie\"," DEST ",\"iat\":" AT_S ","
	    ORIG ",\"rcd\":{\"nam\":\"Q Branch Spy Gadgets\"}}");
	sign_with("sp", tbs, sig);
	s = b64sig(sig);
	ck_assert_int_ge(asprintf(&value, "..%s" RCD_PARAMS, s), 0);
	v.date = AT;
	v.from_name = "Q Branch Spy Gadgets";
	v.call_reason = "Rendezvous for Little Nellie";
	check_into(value, &v, 0, "", &res);
	ck_assert_str_eq(res.tbs, tbs);
	ck_assert(stir_es256_verify(pub, res.tbs, strlen(res.tbs), res.sig));
	stir_vresult_clear(&res);
	/* another display-name, none, another call-reason, none: no longer */
	v.from_name = "Q Branch";
	check_into(value, &v, 0, "", &res);
	ck_assert(!stir_es256_verify(pub, res.tbs, strlen(res.tbs), res.sig));
	stir_vresult_clear(&res);
	v.from_name = NULL;
	check_into(value, &v, 0, "", &res);
	ck_assert(!stir_es256_verify(pub, res.tbs, strlen(res.tbs), res.sig));
	stir_vresult_clear(&res);
	v.from_name = "Q Branch Spy Gadgets";
	v.call_reason = "For your ears only";
	check_into(value, &v, 0, "", &res);
	ck_assert(!stir_es256_verify(pub, res.tbs, strlen(res.tbs), res.sig));
	stir_vresult_clear(&res);
	v.call_reason = NULL;
	check_into(value, &v, 0, "", &res);
	ck_assert(!stir_es256_verify(pub, res.tbs, strlen(res.tbs), res.sig));
	stir_vresult_clear(&res);
	free(value);
	free(s);
	free(tbs);
	gnutls_pubkey_deinit(pub);
}
END_TEST

static Suite *
verify_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("checks"), *tk = tcase_create("es256");
	TCase *tp = tcase_create("ppt");

	tcase_add_test(tc, valid_shaken_passport_fills_the_result);
	tcase_add_test(tc, base_passport_without_ppt_passes);
	tcase_add_test(tc, typ_must_be_passport);
	tcase_add_test(tc, alg_other_than_es256_is_unsupported_437);
	tcase_add_test(tc, x5u_must_equal_info);
	tcase_add_test(tc, ppt_parameter_must_match_the_header);
	tcase_add_test(tc, unsupported_ppt_is_ignored);
	tcase_add_test(tc, header_and_payload_must_be_base64url_json_objects);
	tcase_add_test(tc, signature_must_be_64_bytes);
	tcase_add_test(tc, iat_must_be_an_integer);
	tcase_add_test(tc, orig_must_be_well_formed);
	tcase_add_test(tc, a_leading_plus_in_tn_claims_is_canonicalized);
	tcase_add_test(tc, dest_must_be_well_formed);
	tcase_add_test(tc, shaken_needs_attest_and_origid);
	tcase_add_test(tc, iat_outside_the_window_is_stale_403);
	tcase_add_test(tc, date_and_iat_must_agree_within_date_iat_skew);
	tcase_add_test(tc, orig_must_match_pai_or_from);
	tcase_add_test(tc, dest_must_include_to);
	tcase_add_test(tc, foreign_member_order_and_whitespace_pass_unchanged);
	tcase_add_test(tc, compact_form_is_rebuilt_from_the_request);
	tcase_add_test(tc, compact_rcd_is_rebuilt_with_nam_and_crn);
	tcase_add_test(tc, compact_form_with_shaken_or_without_date_is_invalid_438);
	tcase_add_test(tc, sip_reason_phrases);
	tcase_add_test(tc, http_date_three_forms_and_garbage);
	suite_add_tcase(s, tc);
	tcase_add_test(tp, div_valid_claims_pass_without_the_to_check);
	tcase_add_test(tp, div_with_opt_is_invalid_438);
	tcase_add_test(tp, div_malformed_div_is_invalid_438);
	tcase_add_test(tp, div_o_needs_a_full_form_opt);
	tcase_add_test(tp, msg_msgi_matches_the_body);
	tcase_add_test(tp, msg_msgi_mismatch_is_invalid_438);
	tcase_add_test(tp, msg_without_body_or_msgi);
	tcase_add_test(tp, rsp_in_a_request_is_ignored);
	tcase_add_test(tp, rsp_in_a_response_is_signed_for_dest);
	tcase_add_test(tp, request_types_in_a_response_are_ignored);
	tcase_add_test(tp, request_types_fill_the_authority);
	tcase_add_test(tp, backward_requests_are_signed_for_the_connected_dest);
	tcase_add_test(tp, backward_requests_keep_the_dialogs_dest_and_orig);
	tcase_add_test(tp, rsp_and_other_types_in_a_backward_request_are_ignored);
	tcase_add_test(tp, vmode_names_round_trip);
	tcase_add_test(tp, ppt_supported_list);
	tcase_add_test(tp, dest_has_tn_and_uri);
	tcase_add_test(tp, identity_payload_of_full_and_compact);
	tcase_add_test(tp, rfc8946_div_example_signature_and_chain);
	suite_add_tcase(s, tp);
	tcase_add_unchecked_fixture(tk, pki_setup, pki_teardown);
	tcase_set_timeout(tk, 60);
	tcase_add_test(tk, es256_good_and_flipped_signature);
	tcase_add_test(tk, signed_passport_checks_and_verifies);
	tcase_add_test(tk, signed_compact_rcd_verifies_over_nam_and_crn);
	suite_add_tcase(s, tk);
	return s;
}

int
main(void)
{
	stir_log_init(STIR_LOG_ERR);
	return tu_run(verify_suite());
}
