/* test_cert.c: chains, credential and trust-anchor checks on a test PKI (cert.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "stirclient.h"
#include "daemon/cert.h"
#include "daemon/log.h"
#include "daemon/signer.h"
#include "tests/unit/test_util.h"

/* Certificates and keys made by scripts/mkpki.sh (see there). */
static char *pki;

static void
pki_setup(void)
{
	pki = tu_mkpki("test_cert");
}

static void
pki_teardown(void)
{
	free(pki);
	pki = NULL;
	tu_root_teardown();
}

static struct stir_chain *
chain_of(const char *files, bool sorted, int want)
{
	struct stir_chain *c = NULL;
	size_t len = 0;
	char *buf = tu_cat_files(pki, files, "", &len);

	ck_assert_int_eq(stir_chain_parse(buf, len, STIR_CHAIN_MAX, sorted, &c), want);
	free(buf);
	return c;
}

/* SubjectPublicKeyInfo of pki/name.key, via the signer (free()). */
static uint8_t *
spki_of(const char *name, size_t *ret_len)
{
	struct stir_signer *sg = NULL;
	uint8_t *der = NULL;

	ck_assert_int_eq(stir_signer_local_new(pki, 0, NULL, &sg), STIR_OK);
	ck_assert_int_eq(stir_signer_pubkey_der(sg, name, &der, ret_len), STIR_OK);
	stir_signer_free(sg);
	return der;
}

/* stir_cred_check(chain files, key name) at now: code and message. */
static struct stir_tnauth *
cred_check(const char *files, const char *key, time_t now, int want, const char *msgwant)
{
	struct stir_chain *c = chain_of(files, false, STIR_OK);
	struct stir_tnauth *ta = NULL;
	size_t len = 0;
	uint8_t *spki = spki_of(key, &len);
	char msg[256] = "";

	ck_assert_int_eq(stir_cred_check(c, spki, len, now, &ta, msg, sizeof(msg)), want);
	ck_assert_str_eq(msg, msgwant);
	if (want != STIR_OK)
		ck_assert_ptr_null(ta);
	free(spki);
	stir_chain_free(c);
	return ta;
}

START_TEST(sorted_chain_parses_end_entity_first)
{
	struct stir_chain *c = chain_of("sp-chain.pem", true, STIR_OK);
	struct stir_cert_info ee, ca;

	ck_assert_uint_eq(c->n, 2);
	ck_assert_int_eq(stir_cert_info(c->crt[0], &ee), STIR_OK);
	ck_assert_int_eq(stir_cert_info(c->crt[1], &ca), STIR_OK);
	ck_assert_ptr_nonnull(strstr(ee.subject, "CN=SHAKEN 709J"));
	ck_assert_ptr_nonnull(strstr(ee.issuer, "CN=stird test intermediate"));
	ck_assert(!ee.is_ca);
	ck_assert(ca.is_ca);
	ck_assert_uint_eq(strspn(ee.sha256, "0123456789abcdef"), 64);
	ck_assert_str_ne(ee.sha256, ca.sha256);
	ck_assert_int_lt(ee.not_before, ee.not_after);
	stir_chain_free(c);
}
END_TEST

START_TEST(unsorted_chain_is_refused_only_when_order_is_required)
{
	struct stir_chain *c;

	ck_assert_ptr_null(chain_of("inter.pem sp.pem", true, STIR_ECERT));
	c = chain_of("inter.pem sp.pem", false, STIR_OK);
	ck_assert_uint_eq(c->n, 2);
	stir_chain_free(c);
	c = chain_of("ca.pem inter.pem sp.pem tn.pem", false, STIR_OK);	/* a bundle */
	ck_assert_uint_eq(c->n, 4);
	stir_chain_free(c);
}
END_TEST

START_TEST(chain_over_the_maximum_or_not_pem_is_refused)
{
	static const char junk[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
	struct stir_chain *c = NULL;
	char path[512], *pem;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/sp-chain.pem", pki);
	pem = tu_read_file(path, &len);
	ck_assert_int_eq(stir_chain_parse(pem, len, 1, true, &c), STIR_ETOOBIG);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(stir_chain_parse(junk, sizeof(junk) - 1, 8, false, &c), STIR_ECERT);
	ck_assert_int_eq(stir_chain_parse("hello\n", 6, 8, false, &c), STIR_ECERT);
	ck_assert_ptr_null(c);
	free(pem);
}
END_TEST

START_TEST(spc_credential_passes_and_returns_its_tnauthlist)
{
	struct stir_tnauth *ta = cred_check("sp-chain.pem", "sp", time(NULL), STIR_OK, "");

	ck_assert_uint_eq(ta->n, 1);
	ck_assert_int_eq(ta->e[0].type, STIR_TNE_SPC);
	ck_assert_str_eq(ta->e[0].value, "709J");
	stir_tnauth_free(ta);
}
END_TEST

START_TEST(tn_credential_covers_its_range_and_number)
{
	struct stir_tnauth *ta = cred_check("tn-chain.pem", "tn", time(NULL), STIR_OK, "");

	ck_assert(stir_tnauth_has_tns(ta));
	ck_assert(stir_tnauth_covers(ta, "12155550000"));
	ck_assert(stir_tnauth_covers(ta, "12155550999"));
	ck_assert(!stir_tnauth_covers(ta, "12155551000"));
	ck_assert(stir_tnauth_covers(ta, "12025551000"));
	ck_assert(!stir_tnauth_covers(ta, "12025551001"));
	stir_tnauth_free(ta);
}
END_TEST

START_TEST(credential_with_another_key_is_refused)
{
	cred_check("sp-chain.pem", "other", time(NULL), STIR_ECERT,
	    "the certificate does not match the key");
}
END_TEST

START_TEST(expired_credential_is_refused)
{
	cred_check("expired-chain.pem", "expired", time(NULL), STIR_ECERT,
	    "the certificate has expired");
}
END_TEST

START_TEST(credential_is_checked_at_the_given_time)
{
	struct stir_chain *c = chain_of("sp-chain.pem", true, STIR_OK);
	struct stir_cert_info info;

	ck_assert_int_eq(stir_cert_info(c->crt[0], &info), STIR_OK);
	stir_chain_free(c);
	cred_check("sp-chain.pem", "sp", (time_t)info.not_before - 1, STIR_ECERT,
	    "the certificate is not valid yet");
	cred_check("sp-chain.pem", "sp", (time_t)info.not_after, STIR_ECERT,
	    "the certificate has expired");
	stir_tnauth_free(cred_check("sp-chain.pem", "sp", (time_t)info.not_after - 1,
	    STIR_OK, ""));
}
END_TEST

START_TEST(credential_without_digital_signature_is_refused)
{
	cred_check("nods-chain.pem", "nods", time(NULL), STIR_ECERT,
	    "the certificate lacks keyUsage digitalSignature");
}
END_TEST

START_TEST(credential_without_tnauthlist_is_refused)
{
	struct stir_chain *c = chain_of("notn.pem", true, STIR_OK);
	struct stir_tnauth *ta = NULL;

	ck_assert_int_eq(stir_cert_tnauth(c->crt[0], &ta), STIR_ENOENT);
	stir_chain_free(c);
	cred_check("notn-chain.pem", "notn", time(NULL), STIR_ECERT,
	    "the certificate has no TNAuthList (1.3.6.1.5.5.7.1.26)");
}
END_TEST

START_TEST(credential_chain_with_a_gap_is_refused)
{
	cred_check("sp.pem ca.pem", "sp", time(NULL), STIR_ECERT,
	    "certificate 2 of the chain did not issue certificate 1");
}
END_TEST

START_TEST(trust_anchor_must_be_an_unexpired_ca)
{
	struct stir_chain *c = chain_of("ca.pem inter.pem sp.pem", false, STIR_OK);
	char msg[256] = "";

	ck_assert_int_eq(stir_trust_check(c->crt[0], time(NULL), msg, sizeof(msg)), STIR_OK);
	ck_assert_int_eq(stir_trust_check(c->crt[1], time(NULL), msg, sizeof(msg)), STIR_OK);
	ck_assert_int_eq(stir_trust_check(c->crt[2], time(NULL), msg, sizeof(msg)),
	    STIR_ECERT);
	ck_assert_str_eq(msg, "the certificate is not a CA (basicConstraints cA is not TRUE)");
	msg[0] = '\0';
	ck_assert_int_eq(stir_trust_check(c->crt[0], time(NULL) + 20 * 366 * 86400L, msg,
	    sizeof(msg)), STIR_ECERT);
	ck_assert_str_eq(msg, "the certificate has expired");
	stir_chain_free(c);
}
END_TEST

static Suite *
cert_suite(void)
{
	Suite *s = suite_create("cert");
	TCase *tc = tcase_create("pki");

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sorted_chain_parses_end_entity_first);
	tcase_add_test(tc, unsorted_chain_is_refused_only_when_order_is_required);
	tcase_add_test(tc, chain_over_the_maximum_or_not_pem_is_refused);
	tcase_add_test(tc, spc_credential_passes_and_returns_its_tnauthlist);
	tcase_add_test(tc, tn_credential_covers_its_range_and_number);
	tcase_add_test(tc, credential_with_another_key_is_refused);
	tcase_add_test(tc, expired_credential_is_refused);
	tcase_add_test(tc, credential_is_checked_at_the_given_time);
	tcase_add_test(tc, credential_without_digital_signature_is_refused);
	tcase_add_test(tc, credential_without_tnauthlist_is_refused);
	tcase_add_test(tc, credential_chain_with_a_gap_is_refused);
	tcase_add_test(tc, trust_anchor_must_be_an_unexpired_ca);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	stir_log_init(STIR_LOG_ERR);
	return tu_run(cert_suite());
}
