/*
 * test_trust.c: chain validation against trust anchors and CRLs
 * (cert.c stir_trust_*), and the validated-certificate memo and replay
 * table (vmemo.c), on a test PKI made by scripts/mkpki.sh.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/base/log.h"
#include "daemon/base/conf.h"
#include "daemon/pki/vmemo.h"
#include "tests/unit/test_util.h"

#define JUN_2020	1590969600	/* 2020-06-01 00:00:00 UTC */
#define NOT_TRUSTED	"the chain does not lead to a trusted CA (trust anchors: stirctl trust list)"

static char *pki;

static void
pki_setup(void)
{
	pki = tu_mkpki("test_trust");
}

static void
pki_teardown(void)
{
	free(pki);
	pki = NULL;
	tu_root_teardown();
}

static char *
pki_read(const char *name, size_t *ret_len)
{
	char path[512];
	char *s;

	snprintf(path, sizeof(path), "%s/%s", pki, name);
	s = tu_read_file(path, ret_len);
	ck_assert_msg(s != NULL, "%s", path);
	return s;
}

static void
pki_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", pki, name);
}

/* A trust list of the PEM files in anchors (space separated). */
static struct stir_trust *
trust_of(const char *anchors, const char *crl_file)
{
	char names[256], *save = NULL, *pems[8], msg[256] = "";
	size_t n = 0;
	struct stir_trust *t = NULL;

	snprintf(names, sizeof(names), "%s", anchors);
	for (char *f = strtok_r(names, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		ck_assert_uint_lt(n, 8);
		pems[n++] = pki_read(f, NULL);
	}
	ck_assert_msg(stir_trust_new((const char *const *)pems, n, crl_file, &t, msg,
	    sizeof(msg)) == STIR_OK, "%s", msg);
	ck_assert_ptr_nonnull(t);
	for (size_t i = 0; i < n; i++)
		free(pems[i]);
	return t;
}

static struct stir_chain *
chain_of(const char *file)
{
	size_t len = 0;
	char *pem = pki_read(file, &len);
	struct stir_chain *c = NULL;

	ck_assert_int_eq(stir_chain_parse(pem, len, STIR_CHAIN_MAX, true, &c), STIR_OK);
	free(pem);
	return c;
}

/*
 * stir_trust_verify(t, chain file, at): want and, on failure, exactly
 * msgwant.  On success the key and TNAuthList are returned (or freed).
 */
static void
verify(const struct stir_trust *t, const char *file, int64_t at, int want,
    const char *msgwant, gnutls_pubkey_t *ret_pub, struct stir_tnauth **ret_ta)
{
	struct stir_chain *c = chain_of(file);
	gnutls_pubkey_t pub = NULL;
	struct stir_tnauth *ta = NULL;
	char msg[256] = "";
	int r = stir_trust_verify(t, c, NULL, at, &pub, &ta, msg, sizeof(msg));

	ck_assert_msg(r == want, "%s at %lld: %d (%s), want %d", file, (long long)at, r, msg,
	    want);
	if (want == STIR_OK) {
		ck_assert_ptr_nonnull(pub);
		ck_assert_ptr_nonnull(ta);
	} else {
		ck_assert_str_eq(msg, msgwant);
		ck_assert_ptr_null(pub);
		ck_assert_ptr_null(ta);
	}
	if (ret_pub != NULL)
		*ret_pub = pub;
	else
		gnutls_pubkey_deinit(pub);
	if (ret_ta != NULL)
		*ret_ta = ta;
	else
		stir_tnauth_free(ta);
	stir_chain_free(c);
}

/* Field of a certificate of file, by index in the chain. */
static struct stir_cert_info
info_of(const char *file, unsigned i)
{
	struct stir_chain *c = chain_of(file);
	struct stir_cert_info info;

	ck_assert_uint_lt(i, c->n);
	ck_assert_int_eq(stir_cert_info(c->crt[i], &info), STIR_OK);
	stir_chain_free(c);
	return info;
}

/* DER SubjectPublicKeyInfo of a key (gnutls_free). */
static gnutls_datum_t
spki_der(gnutls_pubkey_t pub)
{
	gnutls_datum_t d = { NULL, 0 };

	ck_assert_int_ge(gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &d), 0);
	return d;
}

START_TEST(sp_chain_validates_with_its_key_and_tnauthlist)
{
	struct stir_trust *t = trust_of("ca.pem", NULL);
	struct stir_chain *sp = chain_of("sp.pem");
	gnutls_pubkey_t pub = NULL, want;
	struct stir_tnauth *ta = NULL;
	gnutls_datum_t a, b;

	ck_assert_uint_eq(stir_trust_count(t), 1);
	verify(t, "sp-chain.pem", time(NULL), STIR_OK, "", &pub, &ta);
	ck_assert_uint_eq(ta->n, 1);
	ck_assert_int_eq(ta->e[0].type, STIR_TNE_SPC);
	ck_assert_str_eq(ta->e[0].value, "709J");
	ck_assert_int_ge(gnutls_pubkey_init(&want), 0);
	ck_assert_int_ge(gnutls_pubkey_import_x509(want, sp->crt[0], 0), 0);
	a = spki_der(pub);
	b = spki_der(want);
	ck_assert_uint_eq(a.size, b.size);
	ck_assert_mem_eq(a.data, b.data, a.size);
	gnutls_free(a.data);
	gnutls_free(b.data);
	/* not the key of another certificate */
	gnutls_pubkey_deinit(want);
	stir_tnauth_free(ta);
	stir_chain_free(sp);
	sp = chain_of("tn.pem");
	ck_assert_int_ge(gnutls_pubkey_init(&want), 0);
	ck_assert_int_ge(gnutls_pubkey_import_x509(want, sp->crt[0], 0), 0);
	b = spki_der(want);
	a = spki_der(pub);
	ck_assert(a.size != b.size || memcmp(a.data, b.data, a.size) != 0);
	gnutls_free(a.data);
	gnutls_free(b.data);
	gnutls_pubkey_deinit(want);
	gnutls_pubkey_deinit(pub);
	stir_chain_free(sp);
	stir_trust_unref(t);
}
END_TEST

START_TEST(tn_chain_returns_its_tn_entries)
{
	struct stir_trust *t = trust_of("ca.pem", NULL);
	struct stir_tnauth *ta = NULL;

	verify(t, "tn-chain.pem", time(NULL), STIR_OK, "", NULL, &ta);
	ck_assert(stir_tnauth_has_tns(ta));
	ck_assert(stir_tnauth_covers(ta, "12155550042"));
	ck_assert(stir_tnauth_covers(ta, "12025551000"));
	ck_assert(!stir_tnauth_covers(ta, "12155551212"));
	stir_tnauth_free(ta);
	stir_trust_unref(t);
}
END_TEST

START_TEST(untrusted_anchor_is_refused)
{
	struct stir_trust *t = trust_of("web-ca.pem", NULL), *none;

	verify(t, "sp-chain.pem", time(NULL), STIR_ECERT, NOT_TRUSTED, NULL, NULL);
	stir_trust_unref(t);
	/* the intermediate alone is no anchor either: the chain goes to ca.pem */
	none = trust_of("", NULL);
	ck_assert_uint_eq(stir_trust_count(none), 0);
	verify(none, "sp-chain.pem", time(NULL), STIR_ECERT, NOT_TRUSTED, NULL, NULL);
	stir_trust_unref(none);
	/* several anchors: the right one among them is enough */
	t = trust_of("web-ca.pem ca.pem", NULL);
	ck_assert_uint_eq(stir_trust_count(t), 2);
	verify(t, "sp-chain.pem", time(NULL), STIR_OK, "", NULL, NULL);
	stir_trust_unref(t);
}
END_TEST

START_TEST(validity_is_checked_at_the_given_time)
{
	struct stir_trust *t = trust_of("ca.pem", NULL);
	struct stir_cert_info sp = info_of("sp-chain.pem", 0), ex = info_of("expired-chain.pem", 0);

	/* expired-chain.pem: 2020-01-01 .. 2021-01-01 */
	ck_assert_int_lt(ex.not_before, JUN_2020);
	ck_assert_int_gt(ex.not_after, JUN_2020);
	verify(t, "expired-chain.pem", time(NULL), STIR_ECERT,
	    "certificate 1 of the chain has expired", NULL, NULL);
	verify(t, "expired-chain.pem", ex.not_after, STIR_ECERT,
	    "certificate 1 of the chain has expired", NULL, NULL);
	/*
	 * Inside its own validity the end entity passes, but mkpki.sh makes
	 * its intermediate today, so as of 2020-06-01 certificate 2 is not
	 * valid yet: every certificate of the chain is checked at `at`.
	 */
	verify(t, "expired-chain.pem", JUN_2020, STIR_ECERT,
	    "certificate 2 of the chain is not valid yet", NULL, NULL);
	/* a chain inside the validity of all its certificates */
	verify(t, "sp-chain.pem", sp.not_before, STIR_OK, "", NULL, NULL);
	verify(t, "sp-chain.pem", sp.not_after - 1, STIR_OK, "", NULL, NULL);
	verify(t, "sp-chain.pem", sp.not_after, STIR_ECERT,
	    "certificate 1 of the chain has expired", NULL, NULL);
	/* not yet valid: before notBefore */
	verify(t, "sp-chain.pem", sp.not_before - 1, STIR_ECERT,
	    "certificate 1 of the chain is not valid yet", NULL, NULL);
	verify(t, "sp-chain.pem", JUN_2020, STIR_ECERT,
	    "certificate 1 of the chain is not valid yet", NULL, NULL);
	stir_trust_unref(t);
}
END_TEST

START_TEST(revoked_certificate_is_refused_only_with_the_crl)
{
	char crl[512];
	struct stir_trust *t = trust_of("ca.pem", NULL), *tc;

	verify(t, "revoked-chain.pem", time(NULL), STIR_OK, "", NULL, NULL);
	stir_trust_unref(t);
	pki_path("crl.pem", crl, sizeof(crl));
	tc = trust_of("ca.pem", crl);
	verify(tc, "revoked-chain.pem", time(NULL), STIR_ECERT,
	    "a certificate of the chain is revoked", NULL, NULL);
	/* the CRL names that one certificate only */
	verify(tc, "sp-chain.pem", time(NULL), STIR_OK, "", NULL, NULL);
	stir_trust_unref(tc);
	/* an empty crl_file is no CRL */
	t = trust_of("ca.pem", "");
	verify(t, "revoked-chain.pem", time(NULL), STIR_OK, "", NULL, NULL);
	stir_trust_unref(t);
}
END_TEST

START_TEST(unreadable_crl_file_is_an_error)
{
	char crl[512], msg[256] = "", *pem = pki_read("ca.pem", NULL);
	const char *pems[] = { pem };
	struct stir_trust *t = NULL;
	size_t n;

	pki_path("no-such-crl.pem", crl, sizeof(crl));
	ck_assert_int_eq(stir_trust_new(pems, 1, crl, &t, msg, sizeof(msg)), STIR_ECERT);
	ck_assert_ptr_null(t);
	n = strlen("crl_file '") + strlen(crl) + strlen("': ");
	ck_assert_int_eq(strncmp(msg, "crl_file '", 10), 0);
	ck_assert_int_eq(strncmp(msg + 10, crl, strlen(crl)), 0);
	ck_assert_uint_gt(strlen(msg), n);
	free(pem);
}
END_TEST

START_TEST(chains_without_tnauthlist_or_digital_signature_are_refused)
{
	struct stir_trust *t = trust_of("ca.pem", NULL);

	verify(t, "notn-chain.pem", time(NULL), STIR_ECERT, "the certificate has no TNAuthList",
	    NULL, NULL);
	verify(t, "nods-chain.pem", time(NULL), STIR_ECERT,
	    "the certificate lacks keyUsage digitalSignature", NULL, NULL);
	stir_trust_unref(t);
}
END_TEST

START_TEST(trust_list_is_reference_counted)
{
	struct stir_trust *t = trust_of("ca.pem", NULL);

	ck_assert_ptr_eq(stir_trust_ref(t), t);
	stir_trust_unref(t);
	/* still usable with the first reference */
	verify(t, "sp-chain.pem", time(NULL), STIR_OK, "", NULL, NULL);
	stir_trust_unref(t);
	stir_trust_unref(NULL);
}
END_TEST

/* ---- vmemo ---- */

START_TEST(vmemo_get_put_and_expiry)
{
	struct stir_vmemo *m = NULL;
	struct stir_vcert *vc, *got;

	ck_assert_int_eq(stir_vmemo_new(&m), STIR_OK);
	ck_assert_ptr_null(stir_vmemo_get(m, "https://a/x.pem", 1, 0, 0, 0));
	vc = stir_vcert_new("https://a/x.pem", 1, 100);
	ck_assert_ptr_nonnull(vc);
	ck_assert_str_eq(vc->url, "https://a/x.pem");
	ck_assert_int_eq(vc->refs, 1);
	stir_vmemo_put(m, vc);
	ck_assert_int_eq(vc->refs, 2);
	got = stir_vmemo_get(m, "https://a/x.pem", 1, 99, 0, 0);
	ck_assert_ptr_eq(got, vc);
	ck_assert_int_eq(vc->refs, 3);
	stir_vcert_unref(got);
	ck_assert_ptr_null(stir_vmemo_get(m, "https://a/y.pem", 1, 99, 0, 0));
	ck_assert_ptr_null(stir_vmemo_get(m, "https://a/x.pe", 1, 99, 0, 0));
	/* validated with another trust list: dropped, not reused */
	ck_assert_ptr_null(stir_vmemo_get(m, "https://a/x.pem", 1, 99, 1, 0));
	ck_assert_int_eq(vc->refs, 1);
	stir_vmemo_put(m, vc);
	ck_assert_ptr_null(stir_vmemo_get(m, "https://a/x.pem", 1, 99, 0, STIR_CRL_HARD));
	ck_assert_int_eq(vc->refs, 1);
	stir_vmemo_put(m, vc);
	/* expired at `expires`: dropped, the memo's reference released */
	ck_assert_ptr_null(stir_vmemo_get(m, "https://a/x.pem", 1, 100, 0, 0));
	ck_assert_int_eq(vc->refs, 1);
	ck_assert_ptr_null(stir_vmemo_get(m, "https://a/x.pem", 1, 50, 0, 0));
	stir_vcert_unref(vc);
	stir_vmemo_free(m);
	stir_vmemo_free(NULL);
}
END_TEST

START_TEST(vmemo_serial_change_drops_the_entry)
{
	struct stir_vmemo *m = NULL;
	struct stir_vcert *a = stir_vcert_new("https://a/x.pem", 7, 1000);
	struct stir_vcert *b = stir_vcert_new("https://b/x.pem", 1, 1000), *got;

	ck_assert_int_eq(stir_vmemo_new(&m), STIR_OK);
	stir_vmemo_put(m, a);
	stir_vmemo_put(m, b);
	/* the cache entry was refetched: a new serial */
	ck_assert_ptr_null(stir_vmemo_get(m, "https://a/x.pem", 8, 10, 0, 0));
	ck_assert_int_eq(a->refs, 1);
	/* and gone for the old serial too */
	ck_assert_ptr_null(stir_vmemo_get(m, "https://a/x.pem", 7, 10, 0, 0));
	/* the other entry is untouched */
	got = stir_vmemo_get(m, "https://b/x.pem", 1, 10, 0, 0);
	ck_assert_ptr_eq(got, b);
	stir_vcert_unref(got);
	stir_vcert_unref(a);
	stir_vcert_unref(b);
	stir_vmemo_free(m);
}
END_TEST

START_TEST(vmemo_put_replaces_the_same_url)
{
	struct stir_vmemo *m = NULL;
	struct stir_vcert *a = stir_vcert_new("https://a/x.pem", 1, 1000);
	struct stir_vcert *a2 = stir_vcert_new("https://a/x.pem", 2, 2000), *got;

	ck_assert_int_eq(stir_vmemo_new(&m), STIR_OK);
	stir_vmemo_put(m, a);
	stir_vmemo_put(m, a2);
	ck_assert_int_eq(a->refs, 1);
	ck_assert_int_eq(a2->refs, 2);
	got = stir_vmemo_get(m, "https://a/x.pem", 2, 1500, 0, 0);
	ck_assert_ptr_eq(got, a2);
	stir_vcert_unref(got);
	stir_vmemo_clear(m);
	ck_assert_int_eq(a2->refs, 1);
	ck_assert_ptr_null(stir_vmemo_get(m, "https://a/x.pem", 2, 1500, 0, 0));
	stir_vcert_unref(a);
	stir_vcert_unref(a2);
	stir_vmemo_free(m);
}
END_TEST

START_TEST(vmemo_is_bounded)
{
	struct stir_vmemo *m = NULL;
	struct stir_vcert *first = NULL, *got;
	char url[64];

	ck_assert_int_eq(stir_vmemo_new(&m), STIR_OK);
	for (unsigned i = 0; i <= STIR_VMEMO_MAX; i++) {
		struct stir_vcert *vc;

		snprintf(url, sizeof(url), "https://c/%u.pem", i);
		vc = stir_vcert_new(url, 1, 1000);
		stir_vmemo_put(m, vc);
		if (i == 0)
			first = vc;
		else
			stir_vcert_unref(vc);
	}
	/* one over the maximum: the first one put was evicted */
	ck_assert_int_eq(first->refs, 1);
	ck_assert_ptr_null(stir_vmemo_get(m, "https://c/0.pem", 1, 10, 0, 0));
	snprintf(url, sizeof(url), "https://c/%u.pem", STIR_VMEMO_MAX);
	got = stir_vmemo_get(m, url, 1, 10, 0, 0);
	ck_assert_ptr_nonnull(got);
	stir_vcert_unref(got);
	got = stir_vmemo_get(m, "https://c/1.pem", 1, 10, 0, 0);
	ck_assert_ptr_nonnull(got);
	stir_vcert_unref(got);
	stir_vcert_unref(first);
	stir_vmemo_free(m);
}
END_TEST

START_TEST(replay_within_and_after_the_window)
{
	struct stir_vmemo *m = NULL;

	ck_assert_int_eq(stir_vmemo_new(&m), STIR_OK);
	ck_assert(!stir_replay_seen(m, "sig-one", 1000, 60));
	ck_assert(stir_replay_seen(m, "sig-one", 1000, 60));
	ck_assert(!stir_replay_seen(m, "sig-two", 1000, 60));
	ck_assert(stir_replay_seen(m, "sig-one", 1060, 60));	/* exactly the window */
	/* the last sighting counts: 1060 + 61 is outside */
	ck_assert(!stir_replay_seen(m, "sig-one", 1121, 60));
	ck_assert(stir_replay_seen(m, "sig-one", 1130, 60));
	ck_assert(!stir_replay_seen(m, "sig-two", 1200, 60));
	ck_assert(!stir_replay_seen(m, "sig-one", 1300, 60));
	/* the memo of certificates does not touch the replay table */
	stir_vmemo_clear(m);
	ck_assert(stir_replay_seen(m, "sig-one", 1301, 60));
	stir_vmemo_free(m);
}
END_TEST

static Suite *
trust_suite(void)
{
	Suite *s = suite_create("trust");
	TCase *tc = tcase_create("pki"), *tm = tcase_create("vmemo");

	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, sp_chain_validates_with_its_key_and_tnauthlist);
	tcase_add_test(tc, tn_chain_returns_its_tn_entries);
	tcase_add_test(tc, untrusted_anchor_is_refused);
	tcase_add_test(tc, validity_is_checked_at_the_given_time);
	tcase_add_test(tc, revoked_certificate_is_refused_only_with_the_crl);
	tcase_add_test(tc, unreadable_crl_file_is_an_error);
	tcase_add_test(tc, chains_without_tnauthlist_or_digital_signature_are_refused);
	tcase_add_test(tc, trust_list_is_reference_counted);
	suite_add_tcase(s, tc);
	tcase_add_test(tm, vmemo_get_put_and_expiry);
	tcase_add_test(tm, vmemo_serial_change_drops_the_entry);
	tcase_add_test(tm, vmemo_put_replaces_the_same_url);
	tcase_add_test(tm, vmemo_is_bounded);
	tcase_add_test(tm, replay_within_and_after_the_window);
	suite_add_tcase(s, tm);
	return s;
}

int
main(void)
{
	stir_log_init(STIR_LOG_ERR);
	return tu_run(trust_suite());
}
