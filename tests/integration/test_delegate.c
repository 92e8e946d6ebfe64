/*
 * test_delegate.c: RFC 9060 delegate certificates end to end: the real
 * stird, the test PKI's SP CA -> enterprise CA -> end entity chains
 * (scripts/mkpki.sh), x5u served by a local HTTPS server.  A delegate
 * signs for the numbers of its own TNAuthList (else 438), and only if that
 * TNAuthList lies within its CA's (else 437, the certificate is bad).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>

#include "stirclient.h"
#include "daemon/stir/passport.h"
#include "harness.h"

static struct h H;
static char out[H_OUT_MAX];
static char x5u[64];

#define TO	"tel:+12125551213"

static void
setup(void)
{
	h_init(&H, NULL);
	h_verifier_conf(&H, NULL);
	h_publish(&H, "deleg-chain.pem");
	h_publish(&H, "deleg-wide-chain.pem");
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(x5u, sizeof(x5u), "https://127.0.0.1:%d", H.https_port);
	ck_assert_msg(h_start(&H), "stird did not start");
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
}

static void
teardown(void)
{
	h_teardown(&H);
}

/* stirctl verify from orig: exit status; the JSON lands in *ret (decref). */
static int
verify(const char *identity, const char *orig, json_t **ret)
{
	int st = h_ctl(&H, NULL, out, sizeof(out),
	    "verify --identity '%s' --from 'sip:+%s@example.com;user=phone' --to %s",
	    identity, orig, TO);

	*ret = json_loads(out, 0, NULL);
	ck_assert_msg(*ret != NULL, "verify printed no JSON (exit %d): %s", st, out);
	return st;
}

static int
code_of(json_t *res)
{
	return (int)json_integer_value(json_object_get(json_object_get(res, "error"), "code"));
}

/* A PASSporT for orig signed with pki/key_file, x5u www/chain (free()). */
static char *
passport(const char *key_file, const char *chain, const char *orig)
{
	gnutls_datum_t pem = { NULL, 0 }, data, sig = { NULL, 0 }, r = { NULL, 0 }, s = { NULL, 0 };
	gnutls_privkey_t pk;
	char key[H_PATH_MAX + 32], info[256], hdr[512], pay[512], *h64, *p64, *s64, *tbs, *res;
	uint8_t raw[64];

	snprintf(info, sizeof(info), "%s/%s", x5u, chain);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","
	    "\"x5u\":\"%s\"}", info);
	snprintf(pay, sizeof(pay), "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125551213\"]},"
	    "\"iat\":%ld,\"orig\":{\"tn\":\"%s\"},"
	    "\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}", (long)time(NULL), orig);
	snprintf(key, sizeof(key), "%s/%s", H.pki, key_file);
	ck_assert_int_ge(gnutls_load_file(key, &pem), 0);
	ck_assert_int_ge(gnutls_privkey_init(&pk), 0);
	ck_assert_int_ge(gnutls_privkey_import_x509_raw(pk, &pem, GNUTLS_X509_FMT_PEM, NULL, 0), 0);
	h64 = stir_b64url_encode((const uint8_t *)hdr, strlen(hdr));
	p64 = stir_b64url_encode((const uint8_t *)pay, strlen(pay));
	tbs = malloc(strlen(h64) + strlen(p64) + 2);
	ck_assert_ptr_nonnull(tbs);
	sprintf(tbs, "%s.%s", h64, p64);
	data.data = (unsigned char *)tbs;
	data.size = (unsigned)strlen(tbs);
	ck_assert_int_ge(gnutls_privkey_sign_data2(pk, GNUTLS_SIGN_ECDSA_SHA256, 0, &data, &sig), 0);
	ck_assert_int_ge(gnutls_decode_rs_value(&sig, &r, &s), 0);
	memset(raw, 0, sizeof(raw));
	memcpy(raw + 32 - (r.size > 32 ? 32 : r.size), r.data + (r.size > 32 ? r.size - 32 : 0),
	    r.size > 32 ? 32 : r.size);
	memcpy(raw + 64 - (s.size > 32 ? 32 : s.size), s.data + (s.size > 32 ? s.size - 32 : 0),
	    s.size > 32 ? 32 : s.size);
	s64 = stir_b64url_encode(raw, 64);
	res = malloc(strlen(tbs) + strlen(s64) + strlen(info) + 64);
	ck_assert_ptr_nonnull(res);
	sprintf(res, "%s.%s;info=<%s>;alg=ES256;ppt=shaken", tbs, s64, info);
	free(h64);
	free(p64);
	free(s64);
	free(tbs);
	gnutls_free(sig.data);
	gnutls_free(r.data);
	gnutls_free(s.data);
	gnutls_free(pem.data);
	gnutls_privkey_deinit(pk);
	return res;
}

/* The delegate's credential signs through stird for a TN of its range. */
START_TEST(a_delegate_signs_for_its_own_numbers)
{
	json_t *res, *id0;

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add deleg --key '%s/deleg.key' --chain '%s/deleg-chain.pem' --x5u %s/deleg-chain.pem",
	    H.pki, H.pki, x5u), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551010 --dest 12125551213 --attest A --cred deleg"), 0);
	ck_assert_int_eq(verify(h_last_line(out), "12155551010", &res), 0);
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Passed");
	ck_assert(json_is_null(json_object_get(res, "error")));
	id0 = json_array_get(json_object_get(res, "identities"), 0);
	ck_assert(json_is_true(json_object_get(id0, "valid")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(id0, "cert"),
	    "subject")), "Enterprise delegate 12155551000-049"));
	json_decref(res);
	/* the last number of the range, signed outside stird */
	{
		char *t = passport("deleg.key", "deleg-chain.pem", "12155551049");

		ck_assert_int_eq(verify(t, "12155551049", &res), 0);
		ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")),
		    "TN-Validation-Passed");
		json_decref(res);
		free(t);
	}
}
END_TEST

/* Inside the enterprise CA's range but outside the end entity's: 438. */
START_TEST(a_delegate_outside_its_own_range_is_438)
{
	json_t *res;
	char *t = passport("deleg.key", "deleg-chain.pem", "12155551070");

	ck_assert_int_eq(verify(t, "12155551070", &res), 1);
	ck_assert_int_eq(code_of(res), 438);
	ck_assert_ptr_nonnull(strstr(out, "does not cover orig"));
	ck_assert_str_ne(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Passed");
	json_decref(res);
	free(t);
	/* just past the end as well */
	t = passport("deleg.key", "deleg-chain.pem", "12155551050");
	ck_assert_int_eq(verify(t, "12155551050", &res), 1);
	ck_assert_int_eq(code_of(res), 438);
	json_decref(res);
	free(t);
}
END_TEST

/*
 * An end entity whose range is outside its CA's: stirctl cred add refuses
 * it, and a PASSporT signed with its key anyway, for a TN its own
 * certificate covers, is refused as a bad certificate: 437.
 */
START_TEST(a_delegate_wider_than_its_ca_is_437)
{
	json_t *res;
	char *t;

	ck_assert_int_ne(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add wide --key '%s/deleg-wide.key' --chain '%s/deleg-wide-chain.pem' "
	    "--x5u %s/deleg-wide-chain.pem 2>&1", H.pki, H.pki, x5u), 0);
	ck_assert_msg(strstr(out, "certificate 1 holds range 12155552000+10, outside the TNAuthList "
	    "of its issuer (certificate 2) (RFC 9060)") != NULL, "cred add said: %s", out);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "cred list"), 0);
	ck_assert_ptr_null(strstr(out, "wide"));
	t = passport("deleg-wide.key", "deleg-wide-chain.pem", "12155552005");
	ck_assert_int_eq(verify(t, "12155552005", &res), 1);
	ck_assert_int_eq(code_of(res), 437);
	ck_assert_msg(strstr(out, "outside the TNAuthList of its issuer (certificate 2) (RFC 9060)")
	    != NULL, "verify said: %s", out);
	json_decref(res);
	/* again, from the memo of the verdict */
	ck_assert_int_eq(verify(t, "12155552005", &res), 1);
	ck_assert_int_eq(code_of(res), 437);
	json_decref(res);
	free(t);
	/* the good chain still verifies next to it */
	t = passport("deleg.key", "deleg-chain.pem", "12155551000");
	ck_assert_int_eq(verify(t, "12155551000", &res), 0);
	json_decref(res);
	free(t);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("delegate");
	TCase *tc = tcase_create("delegate");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_delegate_signs_for_its_own_numbers);
	tcase_add_test(tc, a_delegate_outside_its_own_range_is_438);
	tcase_add_test(tc, a_delegate_wider_than_its_ca_is_437);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
