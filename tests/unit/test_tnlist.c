/*
 * test_tnlist.c: TNAuthList by reference (RFC 8226 section 10.1): the AIA
 * id-ad-stirTNList URI read from certificates the test makes
 * (tests/mktnlist.sh over scripts/mkpki.sh), the cache's "tnlist" kind,
 * and path checks taking a fetched list as if it were by value, RFC 9060
 * delegation included (cert.c, certcache_kind.c).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/pki/certcache.h"
#include "daemon/keys/signer.h"
#include "tests/unit/test_util.h"

#define BASE	"https://tn.example.com:8443/lists"

static char *pki;

static void
pki_setup(void)
{
	char script[4096], cmd[8192];

	pki = tu_mkpki("test_tnlist");
	snprintf(cmd, sizeof(cmd), "sh '%s' '%s' '%s' >/dev/null 2>&1",
	    tu_srcpath("tests/mktnlist.sh", script, sizeof(script)), pki, BASE);
	if (system(cmd) != 0) {
		fprintf(stderr, "test_tnlist: '%s' failed\n", cmd);
		tu_root_teardown();
		exit(EXIT_FAILURE);
	}
}

static void
pki_teardown(void)
{
	free(pki);
	pki = NULL;
	tu_root_teardown();
}

static struct stir_chain *
chain_of(const char *files)
{
	struct stir_chain *c = NULL;
	size_t len = 0;
	char *buf = tu_cat_files(pki, files, "", &len);

	ck_assert_int_eq(stir_chain_parse(buf, len, STIR_CHAIN_MAX, true, &c), STIR_OK);
	free(buf);
	return c;
}

/* The DER list pki/name, decoded (stir_tnauth_free). */
static struct stir_tnauth *
list_of(const char *name)
{
	struct stir_tnauth *ta = NULL;
	size_t len = 0;
	char *der = tu_cat_files(pki, name, "", &len);

	ck_assert_int_eq(stir_tnauth_decode((const uint8_t *)der, len, &ta), STIR_OK);
	free(der);
	return ta;
}

/* stir_cert_tnlist_url() of the end entity of pki/file; the URL in out. */
static int
url_of(const char *file, char *out, size_t outlen)
{
	struct stir_chain *c = chain_of(file);
	int r = stir_cert_tnlist_url(c->crt[0], out, outlen);

	stir_chain_free(c);
	return r;
}

START_TEST(aia_stirtnlist_uri_is_read_from_the_certificate)
{
	char url[STIR_URL_MAX_CERT + 1] = "";

	ck_assert_int_eq(url_of("ref.pem", url, sizeof(url)), STIR_OK);
	ck_assert_str_eq(url, BASE "/tnl-ee.der");
	/* another access method first (OCSP): the id-ad-stirTNList entry */
	ck_assert_int_eq(url_of("ocsp.pem", url, sizeof(url)), STIR_OK);
	ck_assert_str_eq(url, BASE "/tnl-ee.der");
	ck_assert_int_eq(url_of("refca.pem", url, sizeof(url)), STIR_OK);
	ck_assert_str_eq(url, BASE "/tnl-ca.der");
	/* no AIA, or no TN list in it */
	ck_assert_int_eq(url_of("tn.pem", url, sizeof(url)), STIR_ENOENT);
	ck_assert_int_eq(url_of("sp.pem", url, sizeof(url)), STIR_ENOENT);
	ck_assert_int_eq(url_of("refdeleg.pem", url, sizeof(url)), STIR_ENOENT);
	/* RFC 8226 10.1: the accessLocation MUST be an https URI */
	ck_assert_int_eq(url_of("plain.pem", url, sizeof(url)), STIR_ECERT);
	/* and it must fit */
	ck_assert_int_eq(url_of("ref.pem", url, 16), STIR_ECERT);
}
END_TEST

START_TEST(cache_keeps_only_a_der_tnauthlist_as_a_tn_list)
{
	enum stir_cc_kind k = STIR_CC_CHAIN;
	char msg[160] = "";
	size_t len = 0, badlen = 0;
	char *der = tu_cat_files(pki, "tnl-ee.der", "", &len), *bad;
	uint8_t *big;

	ck_assert_int_eq(stir_cc_kind_parse("tnlist", &k), STIR_OK);
	ck_assert_int_eq(k, STIR_CC_TNLIST);
	ck_assert_str_eq(stir_cc_kind_name(STIR_CC_TNLIST), "tnlist");
	ck_assert_int_eq(stir_cc_kind_check(STIR_CC_TNLIST, (const uint8_t *)der, len, msg,
	    sizeof(msg)), STIR_OK);
	/* one byte short: not DER */
	ck_assert_int_eq(stir_cc_kind_check(STIR_CC_TNLIST, (const uint8_t *)der, len - 1, msg,
	    sizeof(msg)), STIR_ECERT);
	ck_assert_str_eq(msg, "the TN list is not a DER TNAuthList (RFC 8226 section 9)");
	bad = tu_cat_files(pki, "tnl-garbage.der", "", &badlen);
	ck_assert_int_eq(stir_cc_kind_check(STIR_CC_TNLIST, (const uint8_t *)bad, badlen, msg,
	    sizeof(msg)), STIR_ECERT);
	ck_assert_int_eq(stir_cc_kind_check(STIR_CC_TNLIST, NULL, 0, msg, sizeof(msg)),
	    STIR_ECERT);
	/* a PEM chain is no TN list, nor a TN list a chain */
	ck_assert_int_eq(stir_cc_kind_check(STIR_CC_CHAIN, (const uint8_t *)der, len, msg,
	    sizeof(msg)), STIR_ECERT);
	big = calloc(1, STIR_TNLIST_MAX_BYTES + 1);
	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(stir_cc_kind_check(STIR_CC_TNLIST, big, STIR_TNLIST_MAX_BYTES + 1, msg,
	    sizeof(msg)), STIR_ECERT);
	ck_assert_str_eq(msg, "the TN list is larger than 65536 bytes");
	free(big);
	free(bad);
	free(der);
}
END_TEST

START_TEST(trust_verify_takes_the_fetched_list_as_if_by_value)
{
	struct stir_trust *t = NULL;
	struct stir_chain *c = chain_of("ref-chain.pem");
	struct stir_tnauth *ta = NULL, *ee = list_of("tnl-ee.der"), *one = list_of("tnl-one.der");
	struct stir_tnrefs refs;
	gnutls_pubkey_t pub = NULL;
	size_t len = 0;
	char msg[256] = "", *root = tu_cat_files(pki, "ca.pem", "", &len);
	const char *roots[] = { root };

	ck_assert_int_eq(stir_trust_new(roots, 1, NULL, &t, msg, sizeof(msg)), STIR_OK);
	/* not fetched: refused, whether the caller passes lists or not */
	memset(&refs, 0, sizeof(refs));
	ck_assert_int_eq(stir_trust_verify(t, c, NULL, time(NULL), &pub, &ta, msg, sizeof(msg)),
	    STIR_ECERT);
	ck_assert_str_eq(msg, "the TNAuthList of the certificate by reference ("
	    BASE "/tnl-ee.der) was not fetched");
	ck_assert_int_eq(stir_trust_verify(t, c, &refs, time(NULL), &pub, &ta, msg, sizeof(msg)),
	    STIR_ECERT);
	ck_assert_ptr_null(pub);
	/* fetched: the path verifies; the list by value is none */
	refs.ta[0] = ee;
	ck_assert_int_eq(stir_trust_verify(t, c, &refs, time(NULL), &pub, &ta, msg, sizeof(msg)),
	    STIR_OK);
	ck_assert_ptr_nonnull(pub);
	ck_assert_ptr_null(ta);
	gnutls_pubkey_deinit(pub);
	pub = NULL;
	stir_chain_free(c);
	/* both: the list by value comes back, the caller keeps the other */
	c = chain_of("both-chain.pem");
	refs.ta[0] = one;
	ck_assert_int_eq(stir_trust_verify(t, c, &refs, time(NULL), &pub, &ta, msg, sizeof(msg)),
	    STIR_OK);
	ck_assert_ptr_nonnull(ta);
	ck_assert(stir_tnauth_covers(ta, "12155550006"));
	ck_assert(!stir_tnauth_covers(one, "12155550006"));
	gnutls_pubkey_deinit(pub);
	stir_tnauth_free(ta);
	stir_chain_free(c);
	stir_trust_unref(t);
	stir_tnauth_free(ee);
	stir_tnauth_free(one);
	free(root);
}
END_TEST

START_TEST(rfc9060_delegation_under_a_list_by_reference)
{
	struct stir_chain *c = chain_of("refdeleg-chain.pem");
	struct stir_tnauth *ca = list_of("tnl-ca.der"), *ee = list_of("tnl-ee.der"),
	    *one = list_of("tnl-one.der");
	struct stir_tnrefs refs;
	char msg[256] = "";

	memset(&refs, 0, sizeof(refs));
	refs.ta[1] = ca;
	ck_assert_int_eq(stir_chain_check_delegation(c, &refs, msg, sizeof(msg)), STIR_OK);
	/* the CA's list is not a narrower one: 12155551000+50 is outside */
	refs.ta[1] = one;
	ck_assert_int_eq(stir_chain_check_delegation(c, &refs, msg, sizeof(msg)), STIR_ECERT);
	ck_assert_str_eq(msg, "certificate 1 holds range 12155551000+50, outside the TNAuthList "
	    "by reference of its issuer (certificate 2) (RFC 9060)");
	/* lists were fetched, but not the CA's: refused */
	refs.ta[1] = NULL;
	ck_assert_int_eq(stir_chain_check_delegation(c, &refs, msg, sizeof(msg)), STIR_ECERT);
	ck_assert_str_eq(msg, "the TNAuthList of certificate 2 by reference (" BASE
	    "/tnl-ca.der) was not fetched");
	stir_chain_free(c);
	c = chain_of("refwide-chain.pem");
	refs.ta[1] = ca;
	ck_assert_int_eq(stir_chain_check_delegation(c, &refs, msg, sizeof(msg)), STIR_ECERT);
	ck_assert_str_eq(msg, "certificate 1 holds range 12165550000+10, outside the TNAuthList "
	    "by reference of its issuer (certificate 2) (RFC 9060)");
	/* the signing side fetches nothing: the CA's scope is unknown there */
	ck_assert_int_eq(stir_chain_check_delegation(c, NULL, msg, sizeof(msg)), STIR_OK);
	stir_chain_free(c);
	stir_tnauth_free(ca);
	stir_tnauth_free(ee);
	stir_tnauth_free(one);
}
END_TEST

START_TEST(signing_credential_with_a_list_only_by_reference_is_refused)
{
	struct stir_signer *sg = NULL;
	struct stir_chain *c = chain_of("ref-chain.pem");
	struct stir_tnauth *ta = NULL;
	uint8_t *spki = NULL;
	size_t len = 0;
	char msg[256] = "";

	ck_assert_int_eq(stir_signer_local_new(pki, 0, NULL, &sg), STIR_OK);
	ck_assert_int_eq(stir_signer_pubkey_der(sg, "ref", &spki, &len), STIR_OK);
	ck_assert_int_eq(stir_cred_check(c, spki, len, time(NULL), &ta, msg, sizeof(msg)),
	    STIR_ECERT);
	ck_assert_ptr_null(ta);
	ck_assert_str_eq(msg, "the certificate carries its TNAuthList only by reference (AIA "
	    "id-ad-stirTNList, RFC 8226 section 10.1); stird signs only with a TNAuthList by "
	    "value, which it checks orig against");
	free(spki);
	stir_chain_free(c);
	/* with a list by value too, the value is what it checks orig against */
	c = chain_of("both-chain.pem");
	ck_assert_int_eq(stir_signer_pubkey_der(sg, "both", &spki, &len), STIR_OK);
	ck_assert_int_eq(stir_cred_check(c, spki, len, time(NULL), &ta, msg, sizeof(msg)),
	    STIR_OK);
	ck_assert(stir_tnauth_covers(ta, "12155550999"));
	stir_tnauth_free(ta);
	free(spki);
	stir_chain_free(c);
	stir_signer_free(sg);
}
END_TEST

static Suite *
tnlist_suite(void)
{
	Suite *s = suite_create("tnlist");
	TCase *tc = tcase_create("pki");

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, aia_stirtnlist_uri_is_read_from_the_certificate);
	tcase_add_test(tc, cache_keeps_only_a_der_tnauthlist_as_a_tn_list);
	tcase_add_test(tc, trust_verify_takes_the_fetched_list_as_if_by_value);
	tcase_add_test(tc, rfc9060_delegation_under_a_list_by_reference);
	tcase_add_test(tc, signing_credential_with_a_list_only_by_reference_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(tnlist_suite());
}
