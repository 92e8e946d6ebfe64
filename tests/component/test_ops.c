/*
 * test_ops.c: the sign and verify ops against a hand-built state, the
 * fake signer and the scripted fetcher (harness.h), without starting the
 * daemon.  Each test asserts outcomes, the order replies come in and how
 * often the signer and the fetcher were called; none waits on the clock.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/pki/rcd_fetch.h"
#include "tests/component/fake_fetch.h"
#include "tests/component/fake_signer.h"
#include "tests/component/harness.h"
#include "tests/unit/test_util.h"

#define CALLER	"12155551212"
#define CALLED	"12125551213"
#define FWD1	"12125550100"
#define FROM	"<sip:+" CALLER "@example.com;user=phone>;tag=a"
#define TO	"<tel:+" CALLED ">"

static char *pki;		/* made once, before the tests (pki_setup) */
static struct ch H;

/* The error of a reply that is not a result: its name, and its message. */
static const char *
err_name(const json_t *reply)
{
	return json_string_value(json_object_get(json_object_get(reply, "error"), "name"));
}

static const char *
err_message(const json_t *reply)
{
	return json_string_value(json_object_get(json_object_get(reply, "error"), "message"));
}

static const char *
id_detail(const json_t *reply, size_t i)
{
	return json_string_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(json_object_get(reply, "result"), "identities"), i), "error"),
	    "detail"));
}

static bool
requests_in_flight(struct ch *h, void *arg)
{
	return h->srv.inflight_total >= *(unsigned *)arg;
}

/* Turn the loop until n requests are in flight (dispatched, not answered). */
static void
wait_inflight(unsigned n)
{
	ch_run_until(&H, requests_in_flight, &n, "requests in flight");
}

START_TEST(a_signed_passport_verifies_through_the_scripted_chain)
{
	const char *ids[2] = { NULL, NULL };
	char *identity;
	json_t *rep, *id0;

	ch_init(&H, pki, NULL);
	ch_serve_chain(&H, "max-age=3600");
	ids[0] = identity = ch_sign(&H, 1, CALLER, CALLED);
	ck_assert_uint_eq(fake_signer_calls(H.signer), 1);
	ck_assert_uint_eq(H.srv.stats.signs, 1);
	ck_assert_ptr_nonnull(strstr(identity, ";info=<" CH_X5U ">;alg=ES256;ppt=shaken"));
	/* signing fetches nothing */
	ck_assert_uint_eq(fake_fetch_requests(H.fetcher, CH_X5U), 0);

	ch_verify_send(&H, 2, FROM, TO, ids);
	rep = ch_reply(&H, 2);
	ck_assert_msg(strcmp(ch_verstat(rep), "TN-Validation-Passed") == 0, "%s", ch_text(rep));
	ck_assert(json_is_null(json_object_get(json_object_get(rep, "result"), "error")));
	ck_assert(ch_id_valid(rep, 0));
	id0 = json_array_get(json_object_get(json_object_get(rep, "result"), "identities"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(id0, "x5u")), CH_X5U);
	ck_assert_str_eq(json_string_value(json_object_get(id0, "attest")), "A");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(id0,
	    "cert"), "subject")), "SHAKEN 709J"));
	ck_assert_uint_eq(fake_fetch_requests(H.fetcher, CH_X5U), 1);

	/* max-age=3600: the next verify is answered from the cache */
	ch_verify_send(&H, 3, FROM, TO, ids);
	rep = ch_reply(&H, 3);
	ck_assert_str_eq(ch_verstat(rep), "TN-Validation-Passed");
	ck_assert_uint_eq(fake_fetch_requests(H.fetcher, CH_X5U), 1);
	ck_assert_uint_eq(fake_signer_calls(H.signer), 1);
	free(identity);
	ch_done(&H);
}
END_TEST

START_TEST(no_store_makes_every_verify_fetch_again)
{
	const char *ids[2] = { NULL, NULL };
	char *identity;

	ch_init(&H, pki, NULL);
	ch_serve_chain(&H, "no-store");
	ids[0] = identity = ch_sign(&H, 1, CALLER, CALLED);
	for (json_int_t id = 2; id <= 4; id++) {
		ch_verify_send(&H, id, FROM, TO, ids);
		ck_assert_str_eq(ch_verstat(ch_reply(&H, id)), "TN-Validation-Passed");
		ck_assert_uint_eq(fake_fetch_requests(H.fetcher, CH_X5U), (unsigned)id - 1);
	}
	free(identity);
	ch_done(&H);
}
END_TEST

START_TEST(concurrent_verifies_of_one_x5u_share_one_fetch)
{
	const char *ids[2] = { NULL, NULL };
	char *identity;

	ch_init(&H, pki, NULL);
	ch_serve_chain(&H, "max-age=3600");
	fake_fetch_hold(H.fetcher, CH_X5U, true);
	ids[0] = identity = ch_sign(&H, 1, CALLER, CALLED);
	ch_verify_send(&H, 2, FROM, TO, ids);
	ch_verify_send(&H, 3, FROM, TO, ids);
	/* both dispatched, both waiting for the x5u: one transfer */
	wait_inflight(2);
	ch_wait_fetches(&H, CH_X5U, 1);
	ck_assert_uint_eq(fake_fetch_requests(H.fetcher, CH_X5U), 1);
	ck_assert_uint_eq(fake_fetch_held(H.fetcher, CH_X5U), 1);
	ck_assert_uint_eq(H.nreplies, 1);		/* the sign only */

	ck_assert_uint_eq(fake_fetch_release(H.fetcher, CH_X5U), 1);
	ck_assert_str_eq(ch_verstat(ch_reply(&H, 2)), "TN-Validation-Passed");
	ck_assert_str_eq(ch_verstat(ch_reply(&H, 3)), "TN-Validation-Passed");
	ck_assert_uint_eq(fake_fetch_requests(H.fetcher, CH_X5U), 1);
	free(identity);
	ch_done(&H);
}
END_TEST

START_TEST(a_fetch_failure_is_436)
{
	const char *ids[2] = { NULL, NULL };
	char *identity;
	json_t *rep;
	const char *reason;

	/* failures not remembered: each verify fetches */
	ch_init(&H, pki, "cache_negative_ttl = 0\n");
	ids[0] = identity = ch_sign(&H, 1, CALLER, CALLED);

	fake_fetch_http_error(H.fetcher, CH_X5U, 404);
	ch_verify_send(&H, 2, FROM, TO, ids);
	rep = ch_reply(&H, 2);
	ck_assert_msg(strcmp(ch_verstat(rep), "TN-Validation-Failed") == 0, "%s", ch_text(rep));
	ck_assert_int_eq(ch_code(rep), 436);
	ck_assert_int_eq(ch_id_code(rep, 0), 436);
	ck_assert(!ch_id_valid(rep, 0));
	ck_assert_msg(strstr(id_detail(rep, 0), "HTTP status 404") != NULL, "%s", ch_text(rep));
	reason = json_string_value(json_array_get(json_object_get(json_object_get(rep, "result"),
	    "reason"), 0));
	ck_assert_msg(reason != NULL && strstr(reason, "STIR;cause=436") == reason, "%s",
	    ch_text(rep));

	/* no answer in time: the same verdict */
	fake_fetch_fail(H.fetcher, CH_X5U, STIR_ETIMEDOUT, NULL);
	ch_verify_send(&H, 3, FROM, TO, ids);
	rep = ch_reply(&H, 3);
	ck_assert_int_eq(ch_code(rep), 436);
	ck_assert_msg(strstr(id_detail(rep, 0), "no complete answer") != NULL, "%s",
	    ch_text(rep));
	ck_assert_uint_eq(fake_fetch_requests(H.fetcher, CH_X5U), 2);
	free(identity);
	ch_done(&H);
}
END_TEST

START_TEST(a_failed_fetch_is_remembered_for_cache_negative_ttl)
{
	const char *ids[2] = { NULL, NULL };
	char *identity;

	ch_init(&H, pki, "cache_negative_ttl = 3600\n");
	ids[0] = identity = ch_sign(&H, 1, CALLER, CALLED);
	fake_fetch_http_error(H.fetcher, CH_X5U, 503);
	ch_verify_send(&H, 2, FROM, TO, ids);
	ck_assert_int_eq(ch_code(ch_reply(&H, 2)), 436);
	/* the server is fixed, but the failure is remembered: no fetch */
	ch_serve_chain(&H, "max-age=3600");
	ch_verify_send(&H, 3, FROM, TO, ids);
	ck_assert_int_eq(ch_code(ch_reply(&H, 3)), 436);
	ck_assert_uint_eq(fake_fetch_requests(H.fetcher, CH_X5U), 1);
	free(identity);
	ch_done(&H);
}
END_TEST

START_TEST(a_value_refused_before_its_x5u_fetches_nothing)
{
	const char *ids[] = { "not an Identity value", NULL };
	json_t *rep;

	ch_init(&H, pki, NULL);
	ch_serve_chain(&H, "max-age=3600");
	ch_verify_send(&H, 1, FROM, TO, ids);
	rep = ch_reply(&H, 1);
	ck_assert_str_eq(ch_verstat(rep), "TN-Validation-Failed");
	ck_assert_int_eq(ch_code(rep), 438);
	ck_assert_uint_eq(fake_fetch_requests(H.fetcher, CH_X5U), 0);
	ch_done(&H);
}
END_TEST

START_TEST(a_signer_failure_is_a_clear_sign_error)
{
	json_t *rep;
	char *identity;

	ch_init(&H, pki, NULL);
	fake_signer_fail(H.signer, STIR_ECRYPTO);
	ch_request(&H, json_pack("{s:i, s:i, s:s, s:s, s:s, s:s}", "v", 1, "id", 1,
	    "op", "sign", "orig", CALLER, "dest", CALLED, "attest", "A"));
	rep = ch_reply(&H, 1);
	ck_assert_msg(json_object_get(rep, "result") == NULL, "%s", ch_text(rep));
	ck_assert_str_eq(err_name(rep), "ECRYPTO");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(rep, "error"),
	    "code")), STIR_ECRYPTO);
	ck_assert_msg(strstr(err_message(rep), "credential 'sp'") != NULL, "%s", ch_text(rep));

	/* a key the signer does not have */
	fake_signer_fail(H.signer, STIR_ENOENT);
	ch_request(&H, json_pack("{s:i, s:i, s:s, s:s, s:s, s:s}", "v", 1, "id", 2,
	    "op", "sign", "orig", CALLER, "dest", CALLED, "attest", "A"));
	rep = ch_reply(&H, 2);
	ck_assert_str_eq(err_name(rep), "EKEY");
	ck_assert_msg(strstr(err_message(rep), "its key is not loaded") != NULL, "%s",
	    ch_text(rep));
	ck_assert_uint_eq(H.srv.stats.sign_errors, 2);
	ck_assert_uint_eq(H.srv.stats.signs, 0);

	/* the same connection signs again once the signer does */
	fake_signer_fail(H.signer, STIR_OK);
	identity = ch_sign(&H, 3, CALLER, CALLED);
	ck_assert_uint_eq(H.srv.stats.signs, 1);
	ck_assert_uint_eq(fake_signer_calls(H.signer), 3);
	ck_assert_int_eq(ch_reply_index(&H, 1), 0);
	ck_assert_int_eq(ch_reply_index(&H, 3), 2);
	free(identity);
	ch_done(&H);
}
END_TEST

START_TEST(a_request_keeps_its_state_across_an_install)
{
	static const char *const ca[] = { "ca.pem" };
	const char *ids[2] = { NULL, NULL };
	uint64_t gen;
	char *identity;
	json_t *rep;

	ch_init(&H, pki, NULL);
	ch_serve_chain(&H, "max-age=3600");
	fake_fetch_hold(H.fetcher, CH_X5U, true);
	ids[0] = identity = ch_sign(&H, 1, CALLER, CALLED);

	/* request 2 reads the state with the root as anchor, and waits */
	ch_verify_send(&H, 2, FROM, TO, ids);
	ch_wait_fetches(&H, CH_X5U, 1);
	gen = H.srv.state->gen;

	/* a reload installs a state that trusts nothing */
	ch_install_trust(&H, NULL, 0);
	ck_assert_uint_eq(H.srv.state->gen, gen + 1);
	ck_assert_uint_eq(stir_trust_count(H.srv.state->trust), 0);

	/* request 3 reads the new state, and joins the same transfer */
	ch_verify_send(&H, 3, FROM, TO, ids);
	wait_inflight(2);
	ck_assert_uint_eq(fake_fetch_requests(H.fetcher, CH_X5U), 1);
	ck_assert_uint_eq(H.nreplies, 1);

	ck_assert_uint_eq(fake_fetch_release(H.fetcher, CH_X5U), 1);
	rep = ch_reply(&H, 2);
	ck_assert_msg(strcmp(ch_verstat(rep), "TN-Validation-Passed") == 0,
	    "the request that began with the old trust: %s", ch_text(rep));
	rep = ch_reply(&H, 3);
	ck_assert_msg(strcmp(ch_verstat(rep), "TN-Validation-Failed") == 0, "%s", ch_text(rep));
	ck_assert_int_eq(ch_code(rep), 437);
	ck_assert_int_eq(ch_id_code(rep, 0), 437);

	/* later requests: the new state, the chain from the cache */
	fake_fetch_hold(H.fetcher, CH_X5U, false);
	ch_verify_send(&H, 4, FROM, TO, ids);
	ck_assert_int_eq(ch_code(ch_reply(&H, 4)), 437);
	/* and the root trusted again: the memo of the old verdict is gone */
	ch_install_trust(&H, ca, 1);
	ch_verify_send(&H, 5, FROM, TO, ids);
	ck_assert_str_eq(ch_verstat(ch_reply(&H, 5)), "TN-Validation-Passed");
	ck_assert_uint_eq(fake_fetch_requests(H.fetcher, CH_X5U), 1);
	free(identity);
	ch_done(&H);
}
END_TEST

START_TEST(a_diverted_call_verifies_with_one_fetch)
{
	char *orig;
	const char *div;
	json_t *rep, *dv, *ids;

	ch_init(&H, pki, NULL);
	ch_serve_chain(&H, "max-age=3600");
	orig = ch_sign(&H, 1, CALLER, CALLED);
	ch_request(&H, json_pack("{s:i, s:i, s:s, s:s, s:s, s:s}", "v", 1, "id", 2,
	    "op", "sign", "ppt", "div", "original", orig, "dest", FWD1));
	rep = ch_reply(&H, 2);
	div = json_string_value(json_object_get(json_object_get(rep, "result"), "identity"));
	ck_assert_msg(div != NULL && strstr(div, ";ppt=div") != NULL, "%s", ch_text(rep));
	ck_assert_uint_eq(fake_signer_calls(H.signer), 2);

	ids = json_pack("[s, s]", orig, div);
	ch_request(&H, json_pack("{s:i, s:i, s:s, s:o, s:s, s:s, s:s, s:s}", "v", 1, "id", 3,
	    "op", "verify", "identity", ids, "from", FROM, "to", TO,
	    "request_uri", "tel:+" FWD1,
	    "history_info", "<tel:+" CALLED ">;index=1, <tel:+" FWD1 ">;index=1.1"));
	rep = ch_reply(&H, 3);
	ck_assert_msg(strcmp(ch_verstat(rep), "TN-Validation-Passed") == 0, "%s", ch_text(rep));
	ck_assert(ch_id_valid(rep, 0));
	ck_assert(ch_id_valid(rep, 1));
	dv = json_object_get(json_object_get(rep, "result"), "diversion");
	ck_assert_msg(json_is_true(json_object_get(dv, "verified")), "%s", ch_text(rep));
	ck_assert_int_eq(json_array_size(json_object_get(dv, "hops")), 1);
	ck_assert(json_is_true(json_object_get(json_array_get(json_object_get(dv, "hops"), 0),
	    "in_history")));
	/* two values, one x5u: one fetch */
	ck_assert_uint_eq(fake_fetch_requests(H.fetcher, CH_X5U), 1);
	free(orig);
	ch_done(&H);
}
END_TEST

/* The test PKI (scripts/mkpki.sh), made in the parent before the tests. */
/* RCD content as both sides fetch it (pki/rcd_fetch.h): one verdict per URL. */
struct rf_answer {
	unsigned		 n;
	enum stir_rcd_verdict	 verdict[5];
	const char		*type[5];
	bool			 jcard[5];
	int			 err[5];
};

struct rf_call {
	struct rf_answer	*a;
	int			 i;
};

static void
rf_done(void *arg, const struct stir_rcd_fetched *f)
{
	struct rf_call *c = arg;

	c->a->verdict[c->i] = f->verdict;
	c->a->type[c->i] = f->type;		/* a static string */
	c->a->jcard[c->i] = f->jcard != NULL;
	c->a->err[c->i] = f->err;
	c->a->n++;
}

static bool
rf_all(struct ch *h, void *arg)
{
	(void)h;
	return ((struct rf_answer *)arg)->n == 5;
}

START_TEST(rcd_content_is_fetched_as_its_kind_and_judged)
{
	static const char png[] = "\x89PNG\r\n\x1a\n0123456789abcdef";
	static const char card[] = "[\"vcard\",[[\"fn\",{},\"text\",\"A\"]]]";
	static const char *const urls[5] = {
		"https://rcd.example.org/icon.png", "https://rcd.example.org/page.html",
		"https://rcd.example.org/big.png", "https://rcd.example.org/card.json",
		"https://rcd.example.org/gone.png",
	};
	static const enum stir_cc_kind kinds[5] = {
		STIR_CC_IMAGE, STIR_CC_IMAGE, STIR_CC_IMAGE, STIR_CC_JCARD, STIR_CC_IMAGE,
	};
	static const size_t max[5] = { 1024, 1024, 16, 1024, 1024 };
	struct rf_answer a;
	struct rf_call calls[5];

	memset(&a, 0, sizeof(a));
	ch_init(&H, pki, NULL);
	fake_fetch_serve(H.fetcher, urls[0], png, sizeof(png) - 1, "max-age=3600");
	fake_fetch_serve(H.fetcher, urls[1], "<html></html>", 13, "max-age=3600");
	fake_fetch_serve(H.fetcher, urls[2], png, sizeof(png) - 1, "max-age=3600");
	fake_fetch_serve(H.fetcher, urls[3], card, sizeof(card) - 1, "max-age=3600");
	fake_fetch_http_error(H.fetcher, urls[4], 404);
	for (int i = 0; i < 5; i++) {
		calls[i].a = &a;
		calls[i].i = i;
		ck_assert_int_eq(stir_rcd_fetch(H.srv.certcache, urls[i], kinds[i], max[i], 0, 0,
		    rf_done, &calls[i]), STIR_OK);
	}
	ck_assert_uint_eq(a.n, 0);		/* answers come from the loop */
	ch_run_until(&H, rf_all, &a, "five RCD answers");
	ck_assert_int_eq(a.verdict[0], STIR_RCD_OK);
	ck_assert_str_eq(a.type[0], "image/png");
	ck_assert_int_eq(a.verdict[1], STIR_RCD_NOT_KIND);
	ck_assert_int_eq(a.err[1], STIR_EINVAL);
	ck_assert_int_eq(a.verdict[2], STIR_RCD_TOO_BIG);
	ck_assert_int_eq(a.verdict[3], STIR_RCD_OK);
	ck_assert_str_eq(a.type[3], "application/vcard+json");
	ck_assert(a.jcard[3]);
	ck_assert_int_eq(a.verdict[4], STIR_RCD_FETCH_FAILED);
	ck_assert_int_eq(a.err[4], STIR_EFETCH);
	/* the pure judgement, the same rule */
	ck_assert_int_eq(stir_rcd_judge(STIR_CC_OTHER, (const uint8_t *)"abc", 3, 3, &a.type[0],
	    NULL), STIR_RCD_OK);
	ck_assert_ptr_null(a.type[0]);
	ck_assert_int_eq(stir_rcd_judge(STIR_CC_OTHER, (const uint8_t *)"abcd", 4, 3, &a.type[0],
	    NULL), STIR_RCD_TOO_BIG);
	ck_assert_int_eq(stir_rcd_judge(STIR_CC_JCARD, (const uint8_t *)"[1]", 3, 64, &a.type[0],
	    NULL), STIR_RCD_BAD_TYPE);
	ch_done(&H);
}
END_TEST

static void
pki_setup(void)
{
	pki = tu_mkpki("test_ops");
}

static void
pki_teardown(void)
{
	free(pki);
	pki = NULL;
	tu_root_teardown();
}

static Suite *
ops_suite(void)
{
	Suite *s = suite_create("component: sign and verify ops");
	TCase *tc = tcase_create("ops");

	/* a hang guard, not a measure: the tests count, they do not time */
	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, pki_setup, pki_teardown);
	tcase_add_test(tc, a_signed_passport_verifies_through_the_scripted_chain);
	tcase_add_test(tc, no_store_makes_every_verify_fetch_again);
	tcase_add_test(tc, concurrent_verifies_of_one_x5u_share_one_fetch);
	tcase_add_test(tc, a_fetch_failure_is_436);
	tcase_add_test(tc, a_failed_fetch_is_remembered_for_cache_negative_ttl);
	tcase_add_test(tc, a_value_refused_before_its_x5u_fetches_nothing);
	tcase_add_test(tc, a_signer_failure_is_a_clear_sign_error);
	tcase_add_test(tc, a_request_keeps_its_state_across_an_install);
	tcase_add_test(tc, a_diverted_call_verifies_with_one_fetch);
	tcase_add_test(tc, rcd_content_is_fetched_as_its_kind_and_judged);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(ops_suite());
}
