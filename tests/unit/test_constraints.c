/* test_constraints.c: JWT claim constraints, RFC 8226 and RFC 9118 (constraints.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/pki/constraints.h"
#include "daemon/base/log.h"
#include "daemon/stir/passport.h"
#include "tests/unit/test_util.h"

#define V_JCC	"# JWTClaimConstraints mustInclude ['attest']"
#define V_EJCC	"# EnhancedJWTClaimConstraints mustExclude ['rcd']"

/* ---- DER, built by hand ---- */

#define DER_MAX	(96 * 1024)

/* tag, length (short or long form) and body into out; returns the size. */
static size_t
enc(uint8_t *out, uint8_t tag, const void *body, size_t n)
{
	size_t h = 2;

	ck_assert_uint_lt(n, 65536);
	out[0] = tag;
	if (n < 128)
		out[1] = (uint8_t)n;
	else if (n < 256) {
		out[1] = 0x81;
		out[2] = (uint8_t)n;
		h = 3;
	} else {
		out[1] = 0x82;
		out[2] = (uint8_t)(n >> 8);
		out[3] = (uint8_t)n;
		h = 4;
	}
	if (n > 0)			/* body may be NULL for an empty value */
		memmove(out + h, body, n);
	return h + n;
}

/* SEQUENCE OF (tag) strings. */
static size_t
enc_strings(uint8_t *out, uint8_t tag, const char *const *v, size_t n)
{
	static uint8_t body[DER_MAX];
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += enc(body + len, tag, v[i], strlen(v[i]));
	return enc(out, 0x30, body, len);
}

/* [ctx] EXPLICIT inner */
static size_t
enc_ctx(uint8_t *out, unsigned ctx, const uint8_t *inner, size_t n)
{
	return enc(out, (uint8_t)(0xa0 | ctx), inner, n);
}

/* JWTClaimPermittedValues: SEQUENCE { claim IA5String, SEQUENCE OF UTF8String } */
static size_t
enc_pv(uint8_t *out, const char *claim, const char *const *v, size_t n)
{
	static uint8_t body[DER_MAX];
	size_t len = enc(body, 0x16, claim, strlen(claim));

	len += enc_strings(body + len, 0x0c, v, n);
	return enc(out, 0x30, body, len);
}

/*
 * SEQUENCE { [0] names(inc) , [1] SEQUENCE OF pv , [2] names(exc) }, each
 * part omitted when NULL.  pv is already an encoded SEQUENCE OF.
 */
static size_t
enc_constraints(uint8_t *out, const char *const *inc, size_t ninc,
    const uint8_t *pv, size_t pvlen, const char *const *exc, size_t nexc)
{
	static uint8_t body[DER_MAX], tmp[DER_MAX];
	size_t len = 0, t;

	if (inc != NULL) {
		t = enc_strings(tmp, 0x16, inc, ninc);
		len += enc_ctx(body + len, 0, tmp, t);
	}
	if (pv != NULL)
		len += enc_ctx(body + len, 1, pv, pvlen);
	if (exc != NULL) {
		t = enc_strings(tmp, 0x16, exc, nexc);
		len += enc_ctx(body + len, 2, tmp, t);
	}
	return enc(out, 0x30, body, len);
}

static void
assert_malformed(const uint8_t *der, size_t len, bool enhanced)
{
	struct stir_constraints *c = (struct stir_constraints *)(void *)&len;

	ck_assert_int_eq(stir_constraints_decode(der, len, enhanced, &c), STIR_ECERT);
	ck_assert_ptr_eq(c, (void *)&len);		/* untouched */
}

static struct stir_constraints *
decode_ok(const uint8_t *der, size_t len, bool enhanced)
{
	struct stir_constraints *c = NULL;

	ck_assert_int_eq(stir_constraints_decode(der, len, enhanced, &c), STIR_OK);
	ck_assert_ptr_nonnull(c);
	return c;
}

/* ---- the vectors ---- */

START_TEST(test_vector_jcc)
{
	size_t len = 0;
	uint8_t *der = tu_der_vector(V_JCC, &len);
	struct stir_constraints *c = decode_ok(der, len, false);

	ck_assert(!c->enhanced);
	ck_assert_uint_eq(c->n_include, 1);
	ck_assert_str_eq(c->include[0], "attest");
	ck_assert_uint_eq(c->n_exclude, 0);
	ck_assert_uint_eq(c->n_permitted, 1);
	ck_assert_str_eq(c->permitted[0].claim, "attest");
	ck_assert_uint_eq(c->permitted[0].n, 2);
	ck_assert_str_eq(c->permitted[0].values[0], "A");
	ck_assert_str_eq(c->permitted[0].values[1], "B");
	stir_constraints_free(c);
	/* the enhanced type shares [0] and [1], so the same bytes decode as it */
	c = decode_ok(der, len, true);
	ck_assert(c->enhanced);
	ck_assert_uint_eq(c->n_permitted, 1);
	stir_constraints_free(c);
	/* every truncation is malformed */
	for (size_t n = 0; n < len; n++)
		assert_malformed(der, n, false);
	free(der);
}
END_TEST

START_TEST(test_vector_ejcc)
{
	size_t len = 0;
	uint8_t *der = tu_der_vector(V_EJCC, &len);
	struct stir_constraints *c = decode_ok(der, len, true);

	ck_assert_uint_eq(c->n_include, 0);
	ck_assert_uint_eq(c->n_permitted, 0);
	ck_assert_uint_eq(c->n_exclude, 1);
	ck_assert_str_eq(c->exclude[0], "rcd");
	stir_constraints_free(c);
	/* [2] does not exist in RFC 8226's type */
	assert_malformed(der, len, false);
	for (size_t n = 0; n < len; n++)
		assert_malformed(der, n, true);
	free(der);
	stir_constraints_free(NULL);		/* NULL-safe */
}
END_TEST

/* ---- malformed DER ---- */

START_TEST(test_malformed_structure)
{
	static uint8_t der[DER_MAX], pv[DER_MAX], tmp[DER_MAX];
	const char *att[] = { "attest" }, *ab[] = { "A", "B" };
	size_t len, pl;
	uint8_t *vec;

	/* the vector with one byte changed */
	vec = tu_der_vector(V_JCC, &len);
	vec[0] = 0x31;				/* SET, not SEQUENCE */
	assert_malformed(vec, len, false);
	vec[0] = 0x30;
	vec[2] = 0x80;				/* [0] IMPLICIT (primitive) */
	assert_malformed(vec, len, false);
	vec[2] = 0xa0;
	vec[6] = 0x0c;				/* claim name a UTF8String */
	assert_malformed(vec, len, false);
	vec[6] = 0x16;
	vec[len - 3] = 0x16;			/* value an IA5String */
	assert_malformed(vec, len, false);
	vec[len - 3] = 0x0c;
	vec[1] = 0x21;				/* outer length one short */
	assert_malformed(vec, len, false);
	vec[1] = 0x22;
	free(vec);

	/* trailing bytes */
	vec = tu_der_vector(V_JCC, &len);
	vec = realloc(vec, len + 2);
	vec[len] = 0x05;
	vec[len + 1] = 0x00;
	assert_malformed(vec, len + 2, false);
	free(vec);

	/* [0] IMPLICIT, as a constructed tag directly holding the names */
	len = enc(tmp, 0x16, "attest", 6);
	len = enc(der, 0xa0, tmp, len);
	len = enc(tmp, 0x30, der, len);
	assert_malformed(tmp, len, false);

	/* empty SEQUENCE: WITH COMPONENTS needs one component */
	assert_malformed((const uint8_t *)"\x30\x00", 2, false);
	assert_malformed((const uint8_t *)"\x30\x00", 2, true);
	/* SIZE (1..MAX): empty mustInclude, permittedValues, mustExclude */
	len = enc_constraints(der, att, 0, NULL, 0, NULL, 0);
	assert_malformed(der, len, false);
	pl = enc(pv, 0x30, NULL, 0);
	len = enc_constraints(der, NULL, 0, pv, pl, NULL, 0);
	assert_malformed(der, len, false);
	len = enc_constraints(der, NULL, 0, NULL, 0, att, 0);
	assert_malformed(der, len, true);
	/* and an entry with no values */
	pl = enc_pv(tmp, "attest", ab, 0);
	pl = enc(pv, 0x30, tmp, pl);
	len = enc_constraints(der, NULL, 0, pv, pl, NULL, 0);
	assert_malformed(der, len, false);
	/* but one value is enough */
	pl = enc_pv(tmp, "attest", ab, 1);
	pl = enc(pv, 0x30, tmp, pl);
	len = enc_constraints(der, NULL, 0, pv, pl, NULL, 0);
	stir_constraints_free(decode_ok(der, len, false));

	/* nothing, NULL */
	assert_malformed(NULL, 0, false);
	assert_malformed(der, 0, true);
}
END_TEST

START_TEST(test_malformed_strings)
{
	static uint8_t der[DER_MAX], pv[DER_MAX], tmp[DER_MAX];
	static char big[STIR_CLAIM_STR_MAX + 2];
	const char *bad_names[] = { "", "a\x01", "tab\t", "del\x7f", "caf\xc3\xa9" };
	const char *bad_values[] = {
		"\xc3\x28",		/* bad continuation */
		"\xc0\xaf",		/* overlong '/' */
		"\xe0\x80\xaf",		/* overlong, 3 bytes */
		"\xed\xa0\x80",		/* surrogate U+D800 */
		"\xf4\x90\x80\x80",	/* past U+10FFFF */
		"\xe2\x82",		/* truncated */
		"\xff",
	};
	const char *good_values[] = { "", "caf\xc3\xa9", "\xf0\x9f\x93\x9e", "a b" };
	const char *one[1];
	size_t len, pl;

	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		one[0] = bad_names[i];
		len = enc_constraints(der, one, 1, NULL, 0, NULL, 0);
		assert_malformed(der, len, false);
		len = enc_constraints(der, NULL, 0, NULL, 0, one, 1);
		assert_malformed(der, len, true);
		pl = enc_pv(tmp, bad_names[i], good_values, 1);
		pl = enc(pv, 0x30, tmp, pl);
		len = enc_constraints(der, NULL, 0, pv, pl, NULL, 0);
		assert_malformed(der, len, false);
	}
	for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		one[0] = bad_values[i];
		pl = enc_pv(tmp, "attest", one, 1);
		pl = enc(pv, 0x30, tmp, pl);
		len = enc_constraints(der, NULL, 0, pv, pl, NULL, 0);
		assert_malformed(der, len, false);
	}
	/* a NUL inside a value or a name */
	pl = enc(tmp, 0x0c, "A\0B", 3);
	pl = enc(pv, 0x30, tmp, pl);
	len = enc(tmp, 0x16, "attest", 6);
	memcpy(tmp + len, pv, pl);
	pl = enc(pv, 0x30, tmp, len + pl);
	pl = enc(tmp, 0x30, pv, pl);
	len = enc_constraints(der, NULL, 0, tmp, pl, NULL, 0);
	assert_malformed(der, len, false);
	pl = enc(tmp, 0x16, "at\0st", 5);
	pl = enc(pv, 0x30, tmp, pl);
	len = enc(der, 0xa0, pv, pl);
	len = enc(tmp, 0x30, der, len);
	assert_malformed(tmp, len, false);

	/* valid UTF-8, including the empty string */
	pl = enc_pv(tmp, "attest", good_values, 4);
	pl = enc(pv, 0x30, tmp, pl);
	len = enc_constraints(der, NULL, 0, pv, pl, NULL, 0);
	{
		struct stir_constraints *c = decode_ok(der, len, false);

		ck_assert_uint_eq(c->permitted[0].n, 4);
		ck_assert_str_eq(c->permitted[0].values[1], "caf\xc3\xa9");
		ck_assert_str_eq(c->permitted[0].values[0], "");
		stir_constraints_free(c);
	}

	/* STIR_CLAIM_STR_MAX bytes pass, one more does not */
	memset(big, 'x', STIR_CLAIM_STR_MAX);
	big[STIR_CLAIM_STR_MAX] = '\0';
	one[0] = big;
	len = enc_constraints(der, one, 1, NULL, 0, NULL, 0);
	stir_constraints_free(decode_ok(der, len, false));
	pl = enc_pv(tmp, "attest", one, 1);
	pl = enc(pv, 0x30, tmp, pl);
	len = enc_constraints(der, NULL, 0, pv, pl, NULL, 0);
	stir_constraints_free(decode_ok(der, len, false));
	big[STIR_CLAIM_STR_MAX] = 'x';
	big[STIR_CLAIM_STR_MAX + 1] = '\0';
	len = enc_constraints(der, one, 1, NULL, 0, NULL, 0);
	assert_malformed(der, len, false);
	pl = enc_pv(tmp, "attest", one, 1);
	pl = enc(pv, 0x30, tmp, pl);
	len = enc_constraints(der, NULL, 0, pv, pl, NULL, 0);
	assert_malformed(der, len, false);
}
END_TEST

START_TEST(test_malformed_counts)
{
	static uint8_t der[DER_MAX], pv[DER_MAX], tmp[DER_MAX];
	static char names[STIR_CLAIM_NAMES_MAX + 1][16];	/* "c" and any int */
	const char *v[STIR_CLAIM_NAMES_MAX + 1];
	size_t len, pl;

	ck_assert_int_eq(STIR_CLAIM_NAMES_MAX, 64);
	ck_assert_int_eq(STIR_PERMITTED_MAX, 64);
	ck_assert_int_eq(STIR_PERMITTED_VALUES_MAX, 64);
	for (int i = 0; i <= STIR_CLAIM_NAMES_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "c%d", i);
		v[i] = names[i];
	}
	/* 64 names pass, 65 do not: mustInclude, mustExclude */
	len = enc_constraints(der, v, 64, NULL, 0, NULL, 0);
	stir_constraints_free(decode_ok(der, len, false));
	len = enc_constraints(der, v, 65, NULL, 0, NULL, 0);
	assert_malformed(der, len, false);
	len = enc_constraints(der, NULL, 0, NULL, 0, v, 64);
	stir_constraints_free(decode_ok(der, len, true));
	len = enc_constraints(der, NULL, 0, NULL, 0, v, 65);
	assert_malformed(der, len, true);
	/* 64 values of one entry pass, 65 do not */
	pl = enc_pv(tmp, "attest", v, 64);
	pl = enc(pv, 0x30, tmp, pl);
	len = enc_constraints(der, NULL, 0, pv, pl, NULL, 0);
	stir_constraints_free(decode_ok(der, len, false));
	pl = enc_pv(tmp, "attest", v, 65);
	pl = enc(pv, 0x30, tmp, pl);
	len = enc_constraints(der, NULL, 0, pv, pl, NULL, 0);
	assert_malformed(der, len, false);
	/* 64 entries pass, 65 do not */
	for (size_t want = 64; want <= 65; want++) {
		size_t body = 0;

		for (size_t i = 0; i < want; i++)
			body += enc_pv(tmp + body, v[i], v, 1);
		pl = enc(pv, 0x30, tmp, body);
		len = enc_constraints(der, NULL, 0, pv, pl, NULL, 0);
		if (want == 64) {
			struct stir_constraints *c = decode_ok(der, len, false);

			ck_assert_uint_eq(c->n_permitted, 64);
			ck_assert_str_eq(c->permitted[63].claim, "c63");
			stir_constraints_free(c);
		} else
			assert_malformed(der, len, false);
	}
}
END_TEST

/* ---- evaluation ---- */

static json_t *
payload(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);

	ck_assert_msg(j != NULL, "%s: %s", text, e.text);
	return j;
}

/* check c against text: want, and msg when want is not STIR_OK */
static void
expect(const struct stir_constraints *c, const char *text, int want,
    const char *want_msg)
{
	json_t *j = payload(text);
	char msg[256] = "";

	ck_assert_int_eq(stir_constraints_check(c, j, msg, sizeof(msg)), want);
	if (want_msg != NULL)
		ck_assert_str_eq(msg, want_msg);
	json_decref(j);
}

#define BASE	"\"iat\":1,\"orig\":{\"tn\":\"12155551212\"},\"dest\":{\"tn\":[\"12155551213\"]}"

START_TEST(test_check_rules)
{
	static uint8_t der[DER_MAX], pv[DER_MAX], tmp[DER_MAX];
	const char *inc[] = { "attest", "origid" }, *exc[] = { "rcd", "crn" };
	const char *ab[] = { "A", "B" }, *ppt[] = { "shaken" }, *rcdv[] = { "{\"nam\":\"Acme\"}" };
	struct stir_constraints *c;
	size_t len, pl;
	json_t *j;
	char msg[64];

	pl = enc_pv(tmp, "attest", ab, 2);
	pl += enc_pv(tmp + pl, "ppt", ppt, 1);
	pl += enc_pv(tmp + pl, "rcd", rcdv, 1);
	pl = enc(pv, 0x30, tmp, pl);
	len = enc_constraints(der, inc, 2, pv, pl, exc, 2);
	c = decode_ok(der, len, true);

	expect(c, "{" BASE ",\"attest\":\"A\",\"origid\":\"x\"}", STIR_OK, NULL);
	expect(c, "{" BASE ",\"attest\":\"B\",\"origid\":\"x\",\"ppt\":\"shaken\"}", STIR_OK, NULL);
	/* iat, orig, dest: always */
	expect(c, "{\"orig\":{},\"dest\":{},\"attest\":\"A\",\"origid\":\"x\"}", STIR_EPOLICY,
	    "the certificate requires claim 'iat', which the PASSporT lacks");
	expect(c, "{\"iat\":1,\"dest\":{},\"attest\":\"A\",\"origid\":\"x\"}", STIR_EPOLICY,
	    "the certificate requires claim 'orig', which the PASSporT lacks");
	expect(c, "{\"iat\":1,\"orig\":{},\"attest\":\"A\",\"origid\":\"x\"}", STIR_EPOLICY,
	    "the certificate requires claim 'dest', which the PASSporT lacks");
	/* mustInclude */
	expect(c, "{" BASE ",\"attest\":\"A\"}", STIR_EPOLICY,
	    "the certificate requires claim 'origid', which the PASSporT lacks");
	expect(c, "{" BASE ",\"origid\":\"x\"}", STIR_EPOLICY,
	    "the certificate requires claim 'attest', which the PASSporT lacks");
	/* a null claim is present (JSON has it), so it is not missing */
	expect(c, "{" BASE ",\"attest\":\"A\",\"origid\":null}", STIR_OK, NULL);
	/* mustExclude */
	expect(c, "{" BASE ",\"attest\":\"A\",\"origid\":\"x\",\"crn\":\"call\"}", STIR_EPOLICY,
	    "the certificate forbids claim 'crn', which the PASSporT has");
	expect(c, "{" BASE ",\"attest\":\"A\",\"origid\":\"x\",\"rcd\":\"{\\\"nam\\\":\\\"Acme\\\"}\"}",
	    STIR_EPOLICY, "the certificate forbids claim 'rcd', which the PASSporT has");
	/* permittedValues */
	expect(c, "{" BASE ",\"attest\":\"C\",\"origid\":\"x\"}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'attest'");
	expect(c, "{" BASE ",\"attest\":\"a\",\"origid\":\"x\"}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'attest'");
	expect(c, "{" BASE ",\"attest\":\"AB\",\"origid\":\"x\"}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'attest'");
	/* "A" then NUL (JSON_ALLOW_NUL) is not "A" */
	expect(c, "{" BASE ",\"attest\":\"A\\u0000\",\"origid\":\"x\"}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'attest'");
	expect(c, "{" BASE ",\"attest\":\"A\",\"origid\":\"x\",\"ppt\":\"div\"}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'ppt'");
	/* a claim that is not a string is compared as JSON text; A and B are
	 * not JSON, so only the strings "A" and "B" match them */
	expect(c, "{" BASE ",\"attest\":[\"A\"],\"origid\":\"x\"}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'attest'");
	expect(c, "{" BASE ",\"attest\":1,\"origid\":\"x\"}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'attest'");
	expect(c, "{" BASE ",\"attest\":null,\"origid\":\"x\"}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'attest'");
	stir_constraints_free(c);

	/* without mustExclude, "rcd" is listed: the object matches by its
	 * serialization, and a string with the same characters matches too */
	len = enc_constraints(der, NULL, 0, pv, pl, NULL, 0);
	c = decode_ok(der, len, true);
	expect(c, "{" BASE ",\"rcd\":{\"nam\":\"Acme\"}}", STIR_OK, NULL);
	expect(c, "{" BASE ",\"rcd\":{\"nam\":\"Acme \"}}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'rcd'");
	expect(c, "{" BASE ",\"rcd\":\"{\\\"nam\\\":\\\"Acme\\\"}\"}", STIR_OK, NULL);
	expect(c, "{" BASE "}", STIR_OK, NULL);	/* absent claims are not checked */

	/* not an object; a short msg buffer is cut, not overrun */
	j = json_string("x");
	ck_assert_int_eq(stir_constraints_check(c, j, msg, sizeof(msg)), STIR_EINVAL);
	json_decref(j);
	j = payload("{" BASE ",\"ppt\":\"div\"}");
	memset(msg, 'Z', sizeof(msg));
	ck_assert_int_eq(stir_constraints_check(c, j, msg, 10), STIR_EPOLICY);
	ck_assert_str_eq(msg, "the certi");
	ck_assert_int_eq(msg[10], 'Z');
	ck_assert_int_eq(stir_constraints_check(c, j, NULL, 0), STIR_EPOLICY);
	json_decref(j);
	stir_constraints_free(c);
}
END_TEST

/* One permittedValues entry, claim in values (an EnhancedJWTClaimConstraints). */
static struct stir_constraints *
permitting(const char *claim, const char *const *values, size_t n)
{
	static uint8_t der[DER_MAX], pv[DER_MAX], tmp[DER_MAX];
	size_t pl = enc_pv(tmp, claim, values, n), len;

	pl = enc(pv, 0x30, tmp, pl);
	len = enc_constraints(der, NULL, 0, pv, pl, NULL, 0);
	return decode_ok(der, len, true);
}

/* RFC 9795 section 6.1.3: "rcd" and "rcdi" as the RFC prints them (the
 * rcdi block without its one closing brace too many) */
#define RFC9795_RCD \
	"{\n     \"jcd\": [\"vcard\",\n       [ [\"version\",{},\"text\",\"4.0\"],\n" \
	"         [\"fn\",{},\"text\",\"Q Branch\"],\n" \
	"         [\"org\",{},\"text\",\"MI6;Q Branch Spy Gadgets\"],\n" \
	"         [\"photo\",{},\"uri\",\n" \
	"           \"https://example.com/photos/quartermaster-256x256.png\"],\n" \
	"         [\"logo\",{},\"uri\",\n" \
	"           \"https://example.com/logos/mi6-256x256.jpg\"],\n" \
	"         [\"logo\",{},\"uri\",\n" \
	"           \"https://example.com/logos/mi6-64x64.jpg\"]\n" \
	"       ]\n     ],\n     \"nam\": \"Q Branch Spy Gadgets\"\n   }"
#define RFC9795_RCDI \
	"{\n     \"/jcd\": \"sha256-7kdCBZqH0nqMSPsmABvsKlHPhZEStgjojhdSJGRr3rk\",\n" \
	"     \"/jcd/1/3/3\": \"sha256-RojgWwU6xUtI4q82+kHPyHm1JKbm7+663bMvzymhkl4\",\n" \
	"     \"/jcd/1/4/3\": \"sha256-jL4f47fF82LuwcrOrSyckA4SWrlElfARHkW6kYo1JdI\",\n" \
	"     \"/jcd/1/5/3\": \"sha256-GKNxxqlLRarbyBNh7hc/4lbZAdK6B0kMRf1AMRWPkSo\"\n     }"

/* issue 11 point 13: permittedValues of claims that are not strings */
START_TEST(test_permitted_json)
{
	const char *rcd[] = { RFC9795_RCD, "{ \"nam\" : \"Caf\\u00e9\" }" };
	const char *rcdi[] = { RFC9795_RCDI };
	const char *other[] = { "1", "[1, 2]", "true", "null", "{\"a\":{\"c\":1,\"b\":[{\"e\":0,\"d\":0}]}}" };
	const char *not_json[] = { "{\"nam\":\"Acme\"", "{\"nam\":\"Acme\",\"nam\":\"Acme\"}", "Acme" };
	struct stir_constraints *c;
	char *claims;
	json_t *j;

	/* the RFC's text, whitespace and all, as the certificate lists it */
	c = permitting("rcd", rcd, 2);
	ck_assert_ptr_nonnull(c->permitted[0].canon[0]);
	j = payload(RFC9795_RCD);
	claims = stir_json_canonical(j);
	ck_assert_str_eq(c->permitted[0].canon[0], claims);
	json_decref(j);
	free(claims);
	/* its jcd member is derived-rfc9795-qbranch-quartermaster.compact.json
	 * (../shared/specs/vectors/rfc), whose SHA-256 is the RFC's own "/jcd"
	 * digest 7kdCBZqH...: the serialization the RFC hashes */
	ck_assert_str_eq(c->permitted[0].canon[0], "{\"jcd\":[\"vcard\",[[\"version\",{},"
	    "\"text\",\"4.0\"],[\"fn\",{},\"text\",\"Q Branch\"],[\"org\",{},\"text\","
	    "\"MI6;Q Branch Spy Gadgets\"],[\"photo\",{},\"uri\","
	    "\"https://example.com/photos/quartermaster-256x256.png\"],[\"logo\",{},\"uri\","
	    "\"https://example.com/logos/mi6-256x256.jpg\"],[\"logo\",{},\"uri\","
	    "\"https://example.com/logos/mi6-64x64.jpg\"]]],\"nam\":\"Q Branch Spy Gadgets\"}");
	/* a PASSporT carrying it, in its own key order and spacing, passes */
	expect(c, "{" BASE ",\"rcd\":{\"nam\":\"Q Branch Spy Gadgets\",\"jcd\":[\"vcard\","
	    "[[\"version\",{},\"text\",\"4.0\"],[\"fn\",{},\"text\",\"Q Branch\"],"
	    "[\"org\",{},\"text\",\"MI6;Q Branch Spy Gadgets\"],"
	    "[\"photo\",{},\"uri\",\"https://example.com/photos/quartermaster-256x256.png\"],"
	    "[\"logo\",{},\"uri\",\"https://example.com/logos/mi6-256x256.jpg\"],"
	    "[\"logo\",{},\"uri\",\"https://example.com/logos/mi6-64x64.jpg\"]]]}}", STIR_OK, NULL);
	/* the same with the logos swapped: arrays keep their order */
	expect(c, "{" BASE ",\"rcd\":{\"nam\":\"Q Branch Spy Gadgets\",\"jcd\":[\"vcard\","
	    "[[\"version\",{},\"text\",\"4.0\"],[\"fn\",{},\"text\",\"Q Branch\"],"
	    "[\"org\",{},\"text\",\"MI6;Q Branch Spy Gadgets\"],"
	    "[\"photo\",{},\"uri\",\"https://example.com/photos/quartermaster-256x256.png\"],"
	    "[\"logo\",{},\"uri\",\"https://example.com/logos/mi6-64x64.jpg\"],"
	    "[\"logo\",{},\"uri\",\"https://example.com/logos/mi6-256x256.jpg\"]]]}}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'rcd'");
	/* an escape in the listed value equals the character in the claim */
	expect(c, "{" BASE ",\"rcd\":{\"nam\":\"Caf\xc3\xa9\"}}", STIR_OK, NULL);
	expect(c, "{" BASE ",\"rcd\":{\"nam\":\"Cafe\"}}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'rcd'");
	/* one member more or less is another value */
	expect(c, "{" BASE ",\"rcd\":{\"nam\":\"Caf\xc3\xa9\",\"apn\":\"x\"}}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'rcd'");
	expect(c, "{" BASE ",\"rcd\":{}}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'rcd'");
	/* the string "{...}" is compared by its characters, not as JSON */
	expect(c, "{" BASE ",\"rcd\":\"{\\\"nam\\\":\\\"Caf\xc3\xa9\\\"}\"}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'rcd'");
	stir_constraints_free(c);

	/* RFC 9795 section 6.3: permittedValues "equal to the created rcdi
	 * claim value string"; key order and spacing do not matter */
	c = permitting("rcdi", rcdi, 1);
	expect(c, "{" BASE ",\"rcdi\":{"
	    "\"/jcd/1/5/3\":\"sha256-GKNxxqlLRarbyBNh7hc/4lbZAdK6B0kMRf1AMRWPkSo\","
	    "\"/jcd/1/4/3\":\"sha256-jL4f47fF82LuwcrOrSyckA4SWrlElfARHkW6kYo1JdI\","
	    "\"/jcd/1/3/3\":\"sha256-RojgWwU6xUtI4q82+kHPyHm1JKbm7+663bMvzymhkl4\","
	    "\"/jcd\":\"sha256-7kdCBZqH0nqMSPsmABvsKlHPhZEStgjojhdSJGRr3rk\"}}", STIR_OK, NULL);
	/* one digest changed (the last character) */
	expect(c, "{" BASE ",\"rcdi\":{"
	    "\"/jcd/1/5/3\":\"sha256-GKNxxqlLRarbyBNh7hc/4lbZAdK6B0kMRf1AMRWPkSo\","
	    "\"/jcd/1/4/3\":\"sha256-jL4f47fF82LuwcrOrSyckA4SWrlElfARHkW6kYo1JdI\","
	    "\"/jcd/1/3/3\":\"sha256-RojgWwU6xUtI4q82+kHPyHm1JKbm7+663bMvzymhkl4\","
	    "\"/jcd\":\"sha256-7kdCBZqH0nqMSPsmABvsKlHPhZEStgjojhdSJGRr3rl\"}}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'rcdi'");
	/* a pointer missing */
	expect(c, "{" BASE ",\"rcdi\":{"
	    "\"/jcd\":\"sha256-7kdCBZqH0nqMSPsmABvsKlHPhZEStgjojhdSJGRr3rk\"}}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'rcdi'");
	stir_constraints_free(c);

	/* numbers, arrays, booleans, null, nested objects: by serialization */
	c = permitting("x", other, 5);
	expect(c, "{" BASE ",\"x\":1}", STIR_OK, NULL);
	expect(c, "{" BASE ",\"x\":[1,2]}", STIR_OK, NULL);
	expect(c, "{" BASE ",\"x\":true}", STIR_OK, NULL);
	expect(c, "{" BASE ",\"x\":null}", STIR_OK, NULL);
	expect(c, "{" BASE ",\"x\":{\"a\":{\"b\":[{\"d\":0,\"e\":0}],\"c\":1}}}", STIR_OK, NULL);
	expect(c, "{" BASE ",\"x\":[2,1]}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'x'");
	expect(c, "{" BASE ",\"x\":1.0}", STIR_EPOLICY,		/* "1.0" is not "1" */
	    "the certificate does not permit this value of claim 'x'");
	expect(c, "{" BASE ",\"x\":false}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'x'");
	expect(c, "{" BASE ",\"x\":\"1\"}", STIR_OK, NULL);	/* the string's characters */
	expect(c, "{" BASE ",\"x\":\"true\"}", STIR_OK, NULL);
	stir_constraints_free(c);

	/* listed values that are not JSON text (cut short, a duplicate key,
	 * a bare word) match no object, and stay strings */
	c = permitting("rcd", not_json, 3);
	for (size_t k = 0; k < 3; k++)
		ck_assert_ptr_null(c->permitted[0].canon[k]);
	expect(c, "{" BASE ",\"rcd\":{\"nam\":\"Acme\"}}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'rcd'");
	expect(c, "{" BASE ",\"rcd\":\"Acme\"}", STIR_OK, NULL);
	stir_constraints_free(c);
}
END_TEST

/* issue 11 point 12: a baseline claim in mustExclude (RFC 9118 section 3) */
START_TEST(test_baseline_exclude)
{
	static uint8_t der[DER_MAX];
	const char *conf[] = { "confidence" };
	const char *bad[][2] = {
		{ "iat", NULL }, { "orig", NULL }, { "dest", NULL },
		{ "priority", "dest" }, { "iat", "orig" },
	};
	const char *fine[][2] = { { "IAT", NULL }, { "origid", NULL }, { "dest ", NULL } };
	struct stir_constraints *c = (void *)der;
	size_t len;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = bad[i][1] != NULL ? 2 : 1;

		/* alone, and beside a mustInclude that would otherwise fail */
		len = enc_constraints(der, NULL, 0, NULL, 0, bad[i], n);
		ck_assert_int_eq(stir_constraints_decode(der, len, true, &c), STIR_ENOENT);
		len = enc_constraints(der, conf, 1, NULL, 0, bad[i], n);
		ck_assert_int_eq(stir_constraints_decode(der, len, true, &c), STIR_ENOENT);
		ck_assert_ptr_eq(c, (void *)der);		/* untouched */
	}
	/* names are case-sensitive and exact: these are other claims */
	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
		len = enc_constraints(der, conf, 1, NULL, 0, fine[i], 1);
		c = decode_ok(der, len, true);
		expect(c, "{" BASE "}", STIR_EPOLICY,
		    "the certificate requires claim 'confidence', which the PASSporT lacks");
		stir_constraints_free(c);
	}
	/* a malformed extension stays malformed, whatever it excludes */
	len = enc_constraints(der, NULL, 0, NULL, 0, bad[0], 1);
	assert_malformed(der, len - 1, true);
	/* mustInclude may name them (SHOULD NOT, but harmless) */
	len = enc_constraints(der, bad[4], 2, NULL, 0, NULL, 0);
	c = decode_ok(der, len, true);
	expect(c, "{" BASE "}", STIR_OK, NULL);
	stir_constraints_free(c);
}
END_TEST

/* ---- certificates made by openssl ---- */

static char *pki;

static const char pki_cnf[] =
"[req]\n"
"distinguished_name = dn\n"
"[dn]\n"
"[none]\n"
"basicConstraints = critical, CA:FALSE\n"
"keyUsage = critical, digitalSignature\n"
"[jcc]\n"
"basicConstraints = critical, CA:FALSE\n"
"keyUsage = critical, digitalSignature\n"
"1.3.6.1.5.5.7.1.27 = ASN1:SEQUENCE:jcc_body\n"
"[ejcc]\n"
"basicConstraints = critical, CA:FALSE\n"
"keyUsage = critical, digitalSignature\n"
"1.3.6.1.5.5.7.1.33 = ASN1:SEQUENCE:ejcc_body\n"
"[rcd]\n"
"basicConstraints = critical, CA:FALSE\n"
"keyUsage = critical, digitalSignature\n"
"1.3.6.1.5.5.7.1.33 = ASN1:SEQUENCE:rcd_body\n"
"[both]\n"
"basicConstraints = critical, CA:FALSE\n"
"keyUsage = critical, digitalSignature\n"
"1.3.6.1.5.5.7.1.27 = ASN1:SEQUENCE:jcc_body\n"
"1.3.6.1.5.5.7.1.33 = ASN1:SEQUENCE:ejcc_body\n"
"[empty]\n"
"basicConstraints = critical, CA:FALSE\n"
"1.3.6.1.5.5.7.1.27 = ASN1:SEQUENCE:empty_body\n"
/* RFC 9118 section 3: mustExclude names dest, so the extension is void */
"[void]\n"
"basicConstraints = critical, CA:FALSE\n"
"keyUsage = critical, digitalSignature\n"
"1.3.6.1.5.5.7.1.33 = ASN1:SEQUENCE:void_body\n"
"[bothvoid]\n"
"basicConstraints = critical, CA:FALSE\n"
"keyUsage = critical, digitalSignature\n"
"1.3.6.1.5.5.7.1.27 = ASN1:SEQUENCE:jcc_body\n"
"1.3.6.1.5.5.7.1.33 = ASN1:SEQUENCE:void_body\n"
"[root]\n"
"basicConstraints = critical, CA:TRUE\n"
"keyUsage = critical, keyCertSign, cRLSign\n"
"subjectKeyIdentifier = hash\n"
"1.3.6.1.5.5.7.1.33 = ASN1:SEQUENCE:noexcl_rcd\n"
"[ee]\n"
"basicConstraints = critical, CA:FALSE\n"
"keyUsage = critical, digitalSignature\n"
"authorityKeyIdentifier = keyid\n"
"1.3.6.1.5.5.7.1.27 = ASN1:SEQUENCE:jcc_body\n"
/* RFC 8226: mustInclude attest, permittedValues attest in A, B */
"[jcc_body]\n"
"mustInclude = EXP:0,SEQUENCE:names_attest\n"
"permittedValues = EXP:1,SEQUENCE:pv_attest_list\n"
"[names_attest]\n"
"n1 = IA5:attest\n"
"[pv_attest_list]\n"
"e1 = SEQUENCE:pv_attest\n"
"[pv_attest]\n"
"claim = IA5:attest\n"
"permitted = SEQUENCE:vals_ab\n"
"[vals_ab]\n"
"v1 = UTF8:A\n"
"v2 = UTF8:B\n"
/* RFC 9118 style: confidence in high, medium; no priority */
"[ejcc_body]\n"
"mustInclude = EXP:0,SEQUENCE:names_conf\n"
"permittedValues = EXP:1,SEQUENCE:pv_conf_list\n"
"mustExclude = EXP:2,SEQUENCE:names_prio\n"
"[names_conf]\n"
"n1 = IA5:confidence\n"
"[pv_conf_list]\n"
"e1 = SEQUENCE:pv_conf\n"
"[pv_conf]\n"
"claim = IA5:confidence\n"
"values = SEQUENCE:vals_conf\n"
"[vals_conf]\n"
"v1 = UTF8:high\n"
"v2 = UTF8:medium\n"
"[names_prio]\n"
"n1 = IA5:priority\n"
/* permitted values for the rcd object, as its JSON text */
"[rcd_body]\n"
"mustInclude = EXP:0,SEQUENCE:names_rcd\n"
"permittedValues = EXP:1,SEQUENCE:pv_rcd_list\n"
"[names_rcd]\n"
"n1 = IA5:rcd\n"
"[pv_rcd_list]\n"
"e1 = SEQUENCE:pv_rcd\n"
"[pv_rcd]\n"
"claim = IA5:rcd\n"
"values = SEQUENCE:vals_rcd\n"
"[vals_rcd]\n"
"v1 = UTF8:{\\\"nam\\\":\\\"Acme\\\"}\n"
"[noexcl_rcd]\n"
"mustExclude = EXP:2,SEQUENCE:names_rcd\n"
"[empty_body]\n"
"[void_body]\n"
"mustInclude = EXP:0,SEQUENCE:names_conf\n"
"mustExclude = EXP:2,SEQUENCE:names_dest\n"
"[names_dest]\n"
"n1 = IA5:dest\n";

static void
pki_setup(void)
{
	char cmd[4096], path[512];

	if (system("command -v openssl >/dev/null") != 0) {
		fprintf(stderr, "test_constraints: openssl is needed; skipped\n");
		exit(77);			/* automake: SKIP */
	}
	tu_root_setup();
	pki = tu_mkdtemp();
	snprintf(path, sizeof(path), "%s/ext.cnf", pki);
	if (tu_write_file(path, pki_cnf, strlen(pki_cnf), 0600) != 0)
		goto fail;
	snprintf(cmd, sizeof(cmd),
	    "cd '%s' && {"
	    " for n in none jcc ejcc rcd both empty void bothvoid root; do"
	    "  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
	    "   -keyout $n.key -subj /CN=$n -days 30 -config ext.cnf -extensions $n"
	    "   -out $n.pem || exit 1;"
	    " done;"
	    " openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
	    "  -keyout ee.key -subj /CN=ee -config ext.cnf -out ee.csr &&"
	    " openssl x509 -req -in ee.csr -CA root.pem -CAkey root.key -CAcreateserial"
	    "  -days 30 -extfile ext.cnf -extensions ee -out ee.pem;"
	    " } >pki.log 2>&1", pki);
	if (system(cmd) == 0)
		return;
 fail:
	fprintf(stderr, "test_constraints: openssl could not make the test PKI (%s)\n", pki);
	exit(EXIT_FAILURE);
}

static void
pki_teardown(void)
{
	free(pki);
	pki = NULL;
	tu_root_teardown();
}

/* pki/<files> (space-separated) as one chain */
static struct stir_chain *
load(const char *files)
{
	struct stir_chain *c = NULL;
	size_t len = 0;
	char *buf = tu_cat_files(pki, files, ".pem", &len);

	ck_assert_int_eq(stir_chain_parse(buf, len, STIR_CHAIN_MAX, false, &c), STIR_OK);
	free(buf);
	return c;
}

static int
from_cert(const char *name, struct stir_constraints **ret)
{
	struct stir_chain *ch = load(name);
	int r = stir_constraints_from_cert(ch->crt[0], ret, NULL);

	stir_chain_free(ch);
	return r;
}

START_TEST(test_cert_extensions)
{
	struct stir_constraints *c = NULL, *sentinel = (void *)&c;
	size_t len = 0;
	uint8_t *der;

	/* openssl's encoding decodes to what the DER vector holds */
	ck_assert_int_eq(from_cert("jcc", &c), STIR_OK);
	der = tu_der_vector(V_JCC, &len);
	{
		struct stir_constraints *v = decode_ok(der, len, false);

		ck_assert(!c->enhanced);
		ck_assert_uint_eq(c->n_include, v->n_include);
		ck_assert_str_eq(c->include[0], v->include[0]);
		ck_assert_uint_eq(c->permitted[0].n, v->permitted[0].n);
		ck_assert_str_eq(c->permitted[0].values[1], v->permitted[0].values[1]);
		stir_constraints_free(v);
	}
	free(der);
	expect(c, "{" BASE ",\"attest\":\"B\"}", STIR_OK, NULL);
	expect(c, "{" BASE ",\"attest\":\"C\"}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'attest'");
	stir_constraints_free(c);

	ck_assert_int_eq(from_cert("ejcc", &c), STIR_OK);
	ck_assert(c->enhanced);
	ck_assert_str_eq(c->exclude[0], "priority");
	expect(c, "{" BASE ",\"confidence\":\"medium\"}", STIR_OK, NULL);
	expect(c, "{" BASE ",\"confidence\":\"low\"}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'confidence'");
	expect(c, "{" BASE ",\"confidence\":\"high\",\"priority\":\"1\"}", STIR_EPOLICY,
	    "the certificate forbids claim 'priority', which the PASSporT has");
	expect(c, "{" BASE "}", STIR_EPOLICY,
	    "the certificate requires claim 'confidence', which the PASSporT lacks");
	stir_constraints_free(c);

	/* rcd: the listed value is JSON text, matched by the object */
	ck_assert_int_eq(from_cert("rcd", &c), STIR_OK);
	ck_assert_str_eq(c->permitted[0].values[0], "{\"nam\":\"Acme\"}");
	expect(c, "{" BASE ",\"rcd\":{\"nam\":\"Acme\"}}", STIR_OK, NULL);
	expect(c, "{" BASE ",\"rcd\":{\"nam\":\"Acme\",\"apn\":\"Acme Inc\"}}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'rcd'");
	stir_constraints_free(c);

	/* a baseline claim in mustExclude: as if there were no extension */
	c = sentinel;
	ck_assert_int_eq(from_cert("void", &c), STIR_ENOENT);
	ck_assert_ptr_eq(c, sentinel);

	c = sentinel;
	ck_assert_int_eq(from_cert("none", &c), STIR_ENOENT);
	ck_assert_ptr_eq(c, sentinel);
	ck_assert_int_eq(from_cert("both", &c), STIR_ECERT);
	ck_assert_ptr_eq(c, sentinel);
	/* RFC 9118 section 6 forbids both; that one is void changes nothing */
	ck_assert_int_eq(from_cert("bothvoid", &c), STIR_ECERT);
	ck_assert_ptr_eq(c, sentinel);
	ck_assert_int_eq(from_cert("empty", &c), STIR_ECERT);
	ck_assert_ptr_eq(c, sentinel);
}
END_TEST

/* stir_constraints_check_cert() on the first certificate of pki/<files>. */
static void
expect_cert(const char *files, const char *text, int want, const char *want_msg)
{
	struct stir_chain *ch = load(files);
	json_t *j = payload(text);
	char msg[256] = "";

	ck_assert_int_eq(stir_constraints_check_cert(ch->crt[0], j, msg, sizeof(msg)), want);
	if (want_msg != NULL)
		ck_assert_str_eq(msg, want_msg);
	json_decref(j);
	stir_chain_free(ch);
}

/* issue 11 point 11: the end-entity certificate's constraints alone apply */
START_TEST(test_end_entity_only)
{
	const char *ok = "{" BASE ",\"attest\":\"A\"}";
	const char *rcd = "{" BASE ",\"attest\":\"A\",\"rcd\":{\"nam\":\"Acme\"}}";
	struct stir_chain *ch;
	json_t *j;

	/* ee (JWTClaimConstraints) issued by root, a CA whose own extension
	 * excludes rcd: RFC 8226 section 8 makes it "applicable only to
	 * end-entity certificates", so root's is ignored */
	expect_cert("ee root", ok, STIR_OK, NULL);
	expect_cert("ee root", rcd, STIR_OK, NULL);
	expect_cert("ee root", "{" BASE ",\"attest\":\"C\"}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'attest'");
	expect_cert("ee root", "{" BASE "}", STIR_EPOLICY,
	    "the certificate requires claim 'attest', which the PASSporT lacks");
	/* root itself, were it the signer, would exclude rcd */
	expect_cert("root", rcd, STIR_EPOLICY,
	    "the certificate forbids claim 'rcd', which the PASSporT has");
	/* a CA's extension that cannot be read does not matter either */
	expect_cert("ee empty", ok, STIR_OK, NULL);
	expect_cert("ee both", ok, STIR_OK, NULL);
	/* the end entity's does */
	expect_cert("both ee", ok, STIR_ECERT,
	    "it has both JWTClaimConstraints and EnhancedJWTClaimConstraints");
	expect_cert("empty", ok, STIR_ECERT, "its JWT claim constraints are malformed");
	expect_cert("bothvoid", ok, STIR_ECERT,
	    "it has both JWTClaimConstraints and EnhancedJWTClaimConstraints");
	/* without constraints (or with void ones) nothing is required */
	expect_cert("none", "{\"iat\":1}", STIR_OK, NULL);
	expect_cert("void", "{\"iat\":1}", STIR_OK, NULL);
	/* not an object */
	ch = load("ee");
	j = json_string("x");
	ck_assert_int_eq(stir_constraints_check_cert(ch->crt[0], j, NULL, 0), STIR_EINVAL);
	json_decref(j);
	stir_chain_free(ch);
}
END_TEST

/*
 * The RFC 9118 section 5 Figure 1 certificate, verbatim: its extension
 * decodes to Figure 2 and means what the section says: ""confidence"
 * claim must be present", "must have a value of "high" or "medium"",
 * ""priority" claim must not be present".
 */
START_TEST(test_rfc9118_figure1)
{
	struct stir_constraints *c = NULL;
	struct stir_chain *ch = NULL;
	gnutls_datum_t ext = { NULL, 0 };
	unsigned critical = 1;
	size_t len = 0, hexlen = 0;
	char *pem = tu_read_vector("rfc9118-fig1-example-certificate.pem", &len);
	char *hex = tu_vector_value("rfc9118-fig2-ejwtcc-dump.txt", "extnValue",
	    "#   1.3.6.1.5.5.7.1.33  ");
	uint8_t *der = NULL;

	ck_assert_int_eq(stir_chain_parse(pem, len, STIR_CHAIN_MAX, false, &ch), STIR_OK);
	ck_assert_int_eq(gnutls_x509_crt_get_extension_by_oid2(ch->crt[0],
	    STIR_OID_EJWTCLAIMCONSTRAINTS, 0, &ext, &critical), 0);
	ck_assert_uint_eq(critical, 0);			/* "non-critical" */
	ck_assert_int_eq(tu_hex_decode(hex, &der, &hexlen), 0);
	ck_assert_uint_eq(ext.size, hexlen);
	ck_assert_uint_eq(hexlen, 66);			/* Figure 2: 0 64: SEQUENCE */
	ck_assert_mem_eq(ext.data, der, hexlen);

	ck_assert_int_eq(stir_constraints_from_cert(ch->crt[0], &c, NULL), STIR_OK);
	ck_assert(c->enhanced);
	ck_assert_uint_eq(c->n_include, 1);
	ck_assert_str_eq(c->include[0], "confidence");
	ck_assert_uint_eq(c->n_permitted, 1);
	ck_assert_str_eq(c->permitted[0].claim, "confidence");
	ck_assert_uint_eq(c->permitted[0].n, 2);
	ck_assert_str_eq(c->permitted[0].values[0], "high");
	ck_assert_str_eq(c->permitted[0].values[1], "medium");
	ck_assert_ptr_null(c->permitted[0].canon[0]);	/* not JSON text */
	ck_assert_uint_eq(c->n_exclude, 1);
	ck_assert_str_eq(c->exclude[0], "priority");

	expect(c, "{" BASE ",\"confidence\":\"high\"}", STIR_OK, NULL);
	expect(c, "{" BASE ",\"confidence\":\"medium\"}", STIR_OK, NULL);
	expect(c, "{" BASE ",\"confidence\":\"low\"}", STIR_EPOLICY,
	    "the certificate does not permit this value of claim 'confidence'");
	expect(c, "{" BASE "}", STIR_EPOLICY,
	    "the certificate requires claim 'confidence', which the PASSporT lacks");
	expect(c, "{" BASE ",\"confidence\":\"high\",\"priority\":\"urgent\"}", STIR_EPOLICY,
	    "the certificate forbids claim 'priority', which the PASSporT has");
	stir_constraints_free(c);
	/* the same bytes through the decoder */
	c = decode_ok(der, hexlen, true);
	ck_assert_str_eq(c->exclude[0], "priority");
	stir_constraints_free(c);

	gnutls_free(ext.data);
	free(der);
	free(hex);
	free(pem);
	stir_chain_free(ch);
}
END_TEST

static Suite *
constraints_suite(void)
{
	Suite *s = suite_create("constraints");
	TCase *tc = tcase_create("decode");
	TCase *tp = tcase_create("pki");

	tcase_add_test(tc, test_vector_jcc);
	tcase_add_test(tc, test_vector_ejcc);
	tcase_add_test(tc, test_malformed_structure);
	tcase_add_test(tc, test_malformed_strings);
	tcase_add_test(tc, test_malformed_counts);
	tcase_add_test(tc, test_check_rules);
	tcase_add_test(tc, test_permitted_json);
	tcase_add_test(tc, test_baseline_exclude);
	tcase_add_test(tc, test_rfc9118_figure1);
	suite_add_tcase(s, tc);
	tcase_add_unchecked_fixture(tp, pki_setup, pki_teardown);
	tcase_add_test(tp, test_cert_extensions);
	tcase_add_test(tp, test_end_entity_only);
	suite_add_tcase(s, tp);
	return s;
}

int
main(void)
{
	stir_log_init(STIR_LOG_ERR);
	return tu_run(constraints_suite());
}
