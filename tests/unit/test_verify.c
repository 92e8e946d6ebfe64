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

#include "stirclient.h"
#include "daemon/identity.h"
#include "daemon/log.h"
#include "daemon/passport.h"
#include "daemon/tn.h"
#include "daemon/verify.h"
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

START_TEST(orig_must_be_well_formed)
{
	struct stir_vctx v = req();
	static const char want[] = "orig is missing or malformed";
	static const char *const origs[] = {
		"",
		"\"orig\":\"12155551212\",",
		"\"orig\":{},",
		"\"orig\":{\"tn\":\"+12155551212\"},",
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
		"Sun, 06 Nov 1994 08:49:37 GMT                                               "
		"       ",
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

static Suite *
verify_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("checks"), *tk = tcase_create("es256");

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
	tcase_add_test(tc, dest_must_be_well_formed);
	tcase_add_test(tc, shaken_needs_attest_and_origid);
	tcase_add_test(tc, iat_outside_the_window_is_stale_403);
	tcase_add_test(tc, date_and_iat_must_agree_within_date_iat_skew);
	tcase_add_test(tc, orig_must_match_pai_or_from);
	tcase_add_test(tc, dest_must_include_to);
	tcase_add_test(tc, foreign_member_order_and_whitespace_pass_unchanged);
	tcase_add_test(tc, compact_form_is_rebuilt_from_the_request);
	tcase_add_test(tc, compact_form_with_shaken_or_without_date_is_invalid_438);
	tcase_add_test(tc, sip_reason_phrases);
	tcase_add_test(tc, http_date_three_forms_and_garbage);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(tk, pki_setup, pki_teardown);
	tcase_set_timeout(tk, 60);
	tcase_add_test(tk, es256_good_and_flipped_signature);
	tcase_add_test(tk, signed_passport_checks_and_verifies);
	suite_add_tcase(s, tk);
	return s;
}

int
main(void)
{
	stir_log_init(STIR_LOG_ERR);
	return tu_run(verify_suite());
}
