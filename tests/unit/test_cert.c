/* test_cert.c: chains, credential and trust-anchor checks on a test PKI (cert.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/base/log.h"
#include "daemon/keys/signer.h"
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

/* ---- RFC 9060: a TNAuthList within its issuer's ---- */

/*
 * A TNAuthList from text: space-separated "spc:X", "one:TN" and
 * "range:START+COUNT" (free()).
 */
static struct stir_tnauth *
ta_of(const char *spec)
{
	struct stir_tnauth *ta = calloc(1, sizeof(*ta) + 8 * sizeof(ta->e[0]));
	char buf[256], *save = NULL;

	ck_assert_ptr_nonnull(ta);
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *w = strtok_r(buf, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save)) {
		struct stir_tnentry *e = &ta->e[ta->n++];
		char *plus;

		ck_assert_uint_le(ta->n, 8);
		if (strncmp(w, "spc:", 4) == 0) {
			e->type = STIR_TNE_SPC;
			snprintf(e->value, sizeof(e->value), "%s", w + 4);
		} else if (strncmp(w, "one:", 4) == 0) {
			e->type = STIR_TNE_ONE;
			snprintf(e->value, sizeof(e->value), "%s", w + 4);
		} else {
			ck_assert_int_eq(strncmp(w, "range:", 6), 0);
			ck_assert_ptr_nonnull(plus = strchr(w, '+'));
			*plus = '\0';
			e->type = STIR_TNE_RANGE;
			snprintf(e->value, sizeof(e->value), "%s", w + 6);
			e->count = strtoul(plus + 1, NULL, 10);
		}
	}
	return ta;
}

/*
 * Is child within parent?  want_outside is the index of the first child
 * entry reported outside, or -1 when child is within.
 */
static void
within(const char *child, const char *parent, int want_outside)
{
	struct stir_tnauth *c = ta_of(child), *p = ta_of(parent);
	const struct stir_tnentry *bad = NULL;
	bool ok = stir_tnauth_within(c, p, &bad);

	ck_assert_msg(ok == (want_outside < 0), "'%s' within '%s': %s", child, parent,
	    ok ? "yes" : "no");
	if (want_outside >= 0)
		ck_assert_ptr_eq(bad, &c->e[want_outside]);
	else
		ck_assert_ptr_null(bad);
	free(c);
	free(p);
}

START_TEST(delegated_scope_inside_the_issuers_is_within)
{
	within("range:12155550100+50", "range:12155550000+1000", -1);
	within("range:12155550000+2", "range:12155550000+1000", -1);		/* first numbers */
	within("range:12155550998+2", "range:12155550000+1000", -1);		/* last numbers */
	within("one:12155550999 range:12155550500+10", "range:12155550000+1000", -1);
	within("one:12025551000", "range:12155550000+1000 one:12025551000", -1);
}
END_TEST

START_TEST(delegated_scope_equal_to_the_issuers_is_within)
{
	within("range:12155550000+1000", "range:12155550000+1000", -1);
	within("one:12025551000", "one:12025551000", -1);
	within("spc:709J", "spc:709J", -1);
	/* '#' and '*' are not digits: only the identical entry holds them */
	within("one:*67", "one:*67", -1);
	within("one:*67", "range:12155550000+1000", 0);
	within("range:#1000+10", "range:#1000+10", -1);
}
END_TEST

START_TEST(delegated_scope_outside_the_issuers_is_refused)
{
	within("range:12155552000+10", "range:12155551000+100", 0);
	within("one:12155551100", "range:12155551000+100", 0);		/* one past the end */
	within("one:12155550999", "range:12155551000+100", 0);		/* one before */
	within("one:12155551050 one:12155559999", "range:12155551000+100", 1);
	within("range:12155551000+100", "one:12025551000", 0);
	/* the same digits at another length are other numbers */
	within("one:1215555100", "range:12155551000+100", 0);
	within("one:121555510000", "range:12155551000+100", 0);
}
END_TEST

START_TEST(delegated_range_overlapping_the_issuers_is_refused)
{
	within("range:12155551090+20", "range:12155551000+100", 0);		/* past the end */
	within("range:12155550990+20", "range:12155551000+100", 0);		/* before the start */
	within("range:12155550990+200", "range:12155551000+100", 0);		/* around it */
	/* a range is held by the issuer's ranges and numbers together */
	within("range:12155550050+100", "range:12155550000+100 range:12155550100+100", -1);
	within("range:12155550050+100", "range:12155550100+100 range:12155550000+100", -1);
	within("range:12155550000+3", "one:12155550001 one:12155550000 one:12155550002", -1);
	within("range:12155550050+100", "range:12155550000+100 range:12155550101+99", 0);
	within("range:12155550000+3", "one:12155550000 one:12155550002", 0);
}
END_TEST

START_TEST(delegated_tn_within_an_issuers_range)
{
	within("one:12155551000", "range:12155551000+100", -1);
	within("one:12155551099", "range:12155551000+100", -1);
	within("one:12155551000", "one:12155551000 range:12025550000+10", -1);
	within("range:12155551000+2", "one:12155551000", 0);
	/* numbers past the last of their length do not exist: not held */
	within("range:99999999995+100", "range:99999999990+10", -1);
	within("range:99999999985+100", "range:99999999990+10", 0);
}
END_TEST

START_TEST(spc_issuer_holds_numbers_but_only_its_own_spc)
{
	/* which numbers an SPC holds is in no certificate: TNs under it pass */
	within("range:12155551000+100", "spc:709J", -1);
	within("one:12025551000 range:19995550000+10", "spc:709J", -1);
	within("one:*67", "spc:709J", -1);
	within("spc:709J", "spc:709J range:12155550000+10", -1);
	within("spc:709J one:12025551000", "spc:123A spc:709J", -1);
	/* but an SPC is a name: another one, or one under TNs, is not held */
	within("spc:123A", "spc:709J", 0);
	within("spc:709j", "spc:709J", 0);
	within("spc:709J", "range:12155550000+10000", 0);
	within("range:12155550000+10 spc:709J", "range:12155550000+10000", 1);
}
END_TEST

START_TEST(delegate_chain_within_its_cas_passes)
{
	struct stir_chain *c = chain_of("deleg-chain.pem", true, STIR_OK);
	char msg[256] = "";

	ck_assert_uint_eq(c->n, 3);
	ck_assert_int_eq(stir_chain_check_delegation(c, NULL, msg, sizeof(msg)), STIR_OK);
	ck_assert_str_eq(msg, "");
	stir_chain_free(c);
	/* CAs without a TNAuthList constrain nothing (SHAKEN today) */
	c = chain_of("sp-chain.pem", true, STIR_OK);
	ck_assert_int_eq(stir_chain_check_delegation(c, NULL, msg, sizeof(msg)), STIR_OK);
	stir_chain_free(c);
	c = chain_of("tn.pem inter.pem ca.pem", true, STIR_OK);
	ck_assert_int_eq(stir_chain_check_delegation(c, NULL, msg, sizeof(msg)), STIR_OK);
	stir_chain_free(c);
	stir_tnauth_free(cred_check("deleg-chain.pem", "deleg", time(NULL), STIR_OK, ""));
}
END_TEST

START_TEST(delegate_outside_its_ca_is_refused)
{
	static const char want[] = "certificate 1 holds range 12155552000+10, outside the "
	    "TNAuthList of its issuer (certificate 2) (RFC 9060)";
	struct stir_chain *c = chain_of("deleg-wide-chain.pem", true, STIR_OK);
	char msg[256] = "";

	ck_assert_int_eq(stir_chain_check_delegation(c, NULL, msg, sizeof(msg)), STIR_ECERT);
	ck_assert_str_eq(msg, want);
	stir_chain_free(c);
	/* the issuer is found in a bundle too */
	c = chain_of("sp-ca.pem deleg-wide.pem ent-ca.pem", false, STIR_OK);
	ck_assert_int_eq(stir_chain_check_delegation(c, NULL, msg, sizeof(msg)), STIR_ECERT);
	ck_assert_str_eq(msg, "certificate 2 holds range 12155552000+10, outside the "
	    "TNAuthList of its issuer (certificate 3) (RFC 9060)");
	stir_chain_free(c);
	/* a credential with it is refused when added */
	cred_check("deleg-wide-chain.pem", "deleg-wide", time(NULL), STIR_ECERT, want);
}
END_TEST

START_TEST(trust_verify_applies_delegation_up_to_the_anchor)
{
	struct stir_trust *t = NULL;
	struct stir_chain *c;
	struct stir_tnauth *ta = NULL;
	gnutls_pubkey_t pub = NULL;
	size_t len = 0;
	char msg[256] = "", *root = tu_cat_files(pki, "ca.pem", "", &len),
	    *ent = tu_cat_files(pki, "ent-ca.pem", "", &len);
	const char *roots[] = { root }, *ents[] = { ent };

	/* the root as anchor: the path verifies, the scope check refuses */
	ck_assert_int_eq(stir_trust_new(roots, 1, NULL, &t, msg, sizeof(msg)), STIR_OK);
	c = chain_of("deleg-chain.pem", true, STIR_OK);
	ck_assert_int_eq(stir_trust_verify(t, c, NULL, time(NULL), &pub, &ta, msg, sizeof(msg)),
	    STIR_OK);
	ck_assert(stir_tnauth_covers(ta, "12155551049"));
	ck_assert(!stir_tnauth_covers(ta, "12155551050"));
	gnutls_pubkey_deinit(pub);
	stir_tnauth_free(ta);
	stir_chain_free(c);
	pub = NULL;
	ta = NULL;
	c = chain_of("deleg-wide-chain.pem", true, STIR_OK);
	ck_assert_int_eq(stir_trust_verify(t, c, NULL, time(NULL), &pub, &ta, msg, sizeof(msg)),
	    STIR_ECERT);
	ck_assert_str_eq(msg, "certificate 1 holds range 12155552000+10, outside the "
	    "TNAuthList of its issuer (certificate 2) (RFC 9060)");
	ck_assert_ptr_null(pub);
	ck_assert_ptr_null(ta);
	stir_chain_free(c);
	stir_trust_unref(t);
	/* the enterprise CA as anchor: its own TNAuthList bounds the chain */
	t = NULL;
	ck_assert_int_eq(stir_trust_new(ents, 1, NULL, &t, msg, sizeof(msg)), STIR_OK);
	c = chain_of("deleg.pem", true, STIR_OK);
	ck_assert_int_eq(stir_trust_verify(t, c, NULL, time(NULL), &pub, &ta, msg, sizeof(msg)),
	    STIR_OK);
	gnutls_pubkey_deinit(pub);
	stir_tnauth_free(ta);
	stir_chain_free(c);
	pub = NULL;
	ta = NULL;
	c = chain_of("deleg-wide.pem", true, STIR_OK);
	ck_assert_int_eq(stir_trust_verify(t, c, NULL, time(NULL), &pub, &ta, msg, sizeof(msg)),
	    STIR_ECERT);
	ck_assert_str_eq(msg, "certificate 1 holds range 12155552000+10, outside the "
	    "TNAuthList of its issuer (the trust anchor) (RFC 9060)");
	stir_chain_free(c);
	stir_trust_unref(t);
	free(root);
	free(ent);
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
	tcase_add_test(tc, delegate_chain_within_its_cas_passes);
	tcase_add_test(tc, delegate_outside_its_ca_is_refused);
	tcase_add_test(tc, trust_verify_applies_delegation_up_to_the_anchor);
	suite_add_tcase(s, tc);
	tc = tcase_create("delegation");
	tcase_add_test(tc, delegated_scope_inside_the_issuers_is_within);
	tcase_add_test(tc, delegated_scope_equal_to_the_issuers_is_within);
	tcase_add_test(tc, delegated_scope_outside_the_issuers_is_refused);
	tcase_add_test(tc, delegated_range_overlapping_the_issuers_is_refused);
	tcase_add_test(tc, delegated_tn_within_an_issuers_range);
	tcase_add_test(tc, spc_issuer_holds_numbers_but_only_its_own_spc);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	stir_log_init(STIR_LOG_ERR);
	return tu_run(cert_suite());
}
