/*
 * test_tnlist.c: TNAuthList by reference (RFC 8226 section 10.1) end to
 * end: the real stird, certificates whose AIA names an id-ad-stirTNList
 * https URI (tests/mktnlist.sh, made at test time for the port of the
 * local HTTPS server that also serves x5u and the DER lists).  A fetched
 * list counts as if it were in the certificate: it must cover orig (else
 * 438) and, in a CA, bound its delegates (RFC 9060; else 437).  A list
 * that cannot be fetched is 436, one that is not a TNAuthList 437.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "harness.h"

static struct h H;
static char out[H_OUT_MAX];
static char base[64];

#define TO	"tel:+12125551213"

static void
write_www(const char *name, const char *text)
{
	char path[H_PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", H.www, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void
setup(void)
{
	static const char *const www[] = { "ref-chain.pem", "both-chain.pem", "garb-chain.pem",
	    "gone-chain.pem", "plain-chain.pem", "refdeleg-chain.pem", "refwide-chain.pem",
	    "tnl-ee.der", "tnl-ca.der", "tnl-one.der", "tnl-garbage.der", "sp-chain.pem" };
	const char *src = getenv("top_srcdir");

	h_init(&H, NULL);
	h_verifier_conf(&H, NULL);
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(base, sizeof(base), "https://127.0.0.1:%d", H.https_port);
	ck_assert_int_eq(h_sh(out, sizeof(out), "sh '%s/tests/mktnlist.sh' '%s' '%s' 2>&1",
	    src != NULL ? src : ".", H.pki, base), 0);
	for (size_t i = 0; i < sizeof(www) / sizeof(www[0]); i++)
		h_publish(&H, www[i]);
	ck_assert_msg(h_start(&H), "stird did not start");
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
}

static void
teardown(void)
{
	h_teardown(&H);
}

/* A PASSporT for orig signed with pki/key_file, x5u www/chain (free()). */
static char *
passport(const char *key_file, const char *chain, const char *orig)
{
	char hdr[512], pay[512], params[256];

	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","
	    "\"x5u\":\"%s/%s\"}", base, chain);
	snprintf(pay, sizeof(pay), "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125551213\"]},"
	    "\"iat\":%ld,\"orig\":{\"tn\":\"%s\"},"
	    "\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}", (long)time(NULL), orig);
	snprintf(params, sizeof(params), ";info=<%s/%s>;alg=ES256;ppt=shaken", base, chain);
	return h_jws(&H, key_file, hdr, pay, params);
}

/* stirctl verify of a PASSporT for orig: the JSON result (json_decref). */
static json_t *
verify(const char *key_file, const char *chain, const char *orig)
{
	char *t = passport(key_file, chain, orig);
	json_t *res;
	int st = h_ctl(&H, NULL, out, sizeof(out),
	    "verify --identity '%s' --from 'sip:+%s@example.com;user=phone' --to %s", t, orig, TO);

	free(t);
	res = json_loads(out, 0, NULL);
	ck_assert_msg(res != NULL, "verify printed no JSON (exit %d): %s", st, out);
	return res;
}

static int
code_of(json_t *res)
{
	return (int)json_integer_value(json_object_get(json_object_get(res, "error"), "code"));
}

static const char *
detail_of(json_t *res)
{
	const char *d = json_string_value(json_object_get(json_object_get(res, "error"),
	    "detail"));

	return d != NULL ? d : "";
}

static bool
passed(json_t *res)
{
	return strcmp(json_string_value(json_object_get(res, "verstat")),
	    "TN-Validation-Passed") == 0;
}

/* Covered orig: verifies, and the result shows the list and where from. */
START_TEST(covered_orig_verifies_with_the_list_by_reference)
{
	json_t *res, *cert, *ta;
	char url[128];

	write_www("tnl-ee.der.meta", "{\"headers\":{\"Cache-Control\":\"max-age=600\"}}");
	res = verify("ref.key", "ref-chain.pem", "12155550123");
	ck_assert_msg(passed(res), "verify said: %s", out);
	cert = json_object_get(json_array_get(json_object_get(res, "identities"), 0), "cert");
	ta = json_array_get(json_object_get(cert, "tnauth"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(ta, "start")), "12155550000");
	ck_assert_int_eq(json_integer_value(json_object_get(ta, "count")), 1000);
	snprintf(url, sizeof(url), "%s/tnl-ee.der", base);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(cert, "tnlist"), "url")),
	    url);
	json_decref(res);
	/* the last number of the range; then again from the memo */
	for (int i = 0; i < 2; i++) {
		res = verify("ref.key", "ref-chain.pem", "12155550999");
		ck_assert_msg(passed(res), "verify said: %s", out);
		json_decref(res);
	}
	/* the list went through the certificate cache as its own kind */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "cache show '%s' 2>&1", url), 0);
	ck_assert_msg(strstr(out, "tnlist") != NULL, "cache show said: %s", out);
}
END_TEST

START_TEST(uncovered_orig_is_438)
{
	json_t *res = verify("ref.key", "ref-chain.pem", "12155551000");

	ck_assert_int_eq(code_of(res), 438);
	ck_assert_str_eq(detail_of(res), "the certificate's TNAuthList by reference does not cover orig");
	json_decref(res);
}
END_TEST

/* Unreachable (404 here): the credential could not be obtained, 436. */
START_TEST(unreachable_list_is_436)
{
	json_t *res = verify("gone.key", "gone-chain.pem", "12155550123");

	ck_assert_int_eq(code_of(res), 436);
	ck_assert_msg(strstr(detail_of(res), "the TNAuthList by reference of certificate 1 could "
	    "not be fetched") != NULL, "verify said: %s", out);
	json_decref(res);
}
END_TEST

/* Fetched, but not a TNAuthList (and an http URI): unusable, 437. */
START_TEST(garbage_list_or_http_uri_is_437)
{
	json_t *res = verify("garb.key", "garb-chain.pem", "12155550123");

	ck_assert_int_eq(code_of(res), 437);
	ck_assert_msg(strstr(detail_of(res), "not a DER TNAuthList") != NULL, "verify said: %s", out);
	json_decref(res);
	res = verify("plain.key", "plain-chain.pem", "12155550123");
	ck_assert_int_eq(code_of(res), 437);
	ck_assert_str_eq(detail_of(res), "the TNAuthList URI of certificate 1 (AIA id-ad-stirTNList) "
	    "is not an https URI (RFC 8226 section 10.1)");
	json_decref(res);
}
END_TEST

/* By value (12155550000+1000) and by reference (12155550005): both bound it. */
START_TEST(both_lists_must_cover_orig)
{
	json_t *res = verify("both.key", "both-chain.pem", "12155550005");

	ck_assert_msg(passed(res), "verify said: %s", out);
	json_decref(res);
	res = verify("both.key", "both-chain.pem", "12155550006");
	ck_assert_int_eq(code_of(res), 438);
	ck_assert_str_eq(detail_of(res), "the certificate's TNAuthList by reference does not cover orig");
	json_decref(res);
}
END_TEST

/* RFC 9060: a CA's list by reference bounds its delegates' lists. */
START_TEST(delegates_are_bounded_by_their_cas_list_by_reference)
{
	json_t *res = verify("refdeleg.key", "refdeleg-chain.pem", "12155551010");

	ck_assert_msg(passed(res), "verify said: %s", out);
	json_decref(res);
	res = verify("refwide.key", "refwide-chain.pem", "12165550005");
	ck_assert_int_eq(code_of(res), 437);
	ck_assert_str_eq(detail_of(res), "certificate 1 holds range 12165550000+10, outside the "
	    "TNAuthList by reference of its issuer (certificate 2) (RFC 9060)");
	json_decref(res);
}
END_TEST

/*
 * The verdict is memoised no longer than the list is cached: the chain is
 * cached for 10 minutes, the list for 1 second; once the list changed and
 * its entry expired, the new list decides.
 */
START_TEST(memo_does_not_outlive_the_list)
{
	json_t *res;

	write_www("ref-chain.pem.meta", "{\"headers\":{\"Cache-Control\":\"max-age=600\"}}");
	write_www("tnl-ee.der.meta", "{\"headers\":{\"Cache-Control\":\"max-age=1\"}}");
	res = verify("ref.key", "ref-chain.pem", "12155550123");
	ck_assert_msg(passed(res), "verify said: %s", out);
	json_decref(res);
	/* the list now holds 12155550005 only */
	ck_assert_int_eq(h_sh(NULL, 0, "cp '%s/tnl-one.der' '%s/tnl-ee.der'", H.pki, H.www), 0);
	sleep(3);
	res = verify("ref.key", "ref-chain.pem", "12155550123");
	ck_assert_int_eq(code_of(res), 438);
	json_decref(res);
	res = verify("ref.key", "ref-chain.pem", "12155550005");
	ck_assert_msg(passed(res), "verify said: %s", out);
	json_decref(res);
}
END_TEST

/*
 * A list server that never answers holds up only the values waiting for
 * it: a verify pipelined behind is answered first, and the waiting one
 * fails at its deadline_ms (436).
 */
START_TEST(hanging_list_server_delays_nothing_else)
{
	char *slow = passport("ref.key", "ref-chain.pem", "12155550123"),
	    *fast = passport("sp.key", "sp-chain.pem", "12155550123"), *in, *l1, *l2;
	json_t *r1, *r2;
	size_t len;

	write_www("tnl-ee.der.meta", "{\"hang\":true}");
	len = strlen(slow) + strlen(fast) + 512;
	ck_assert_ptr_nonnull(in = malloc(len));
	snprintf(in, len,
	    "{\"v\":1,\"id\":1,\"op\":\"verify\",\"deadline_ms\":500,\"identity\":[\"%s\"],"
	    "\"from\":\"tel:+12155550123\",\"to\":\"%s\"}\n"
	    "{\"v\":1,\"id\":2,\"op\":\"verify\",\"identity\":[\"%s\"],"
	    "\"from\":\"tel:+12155550123\",\"to\":\"%s\"}\n", slow, TO, fast, TO);
	ck_assert_int_gt(h_raw(H.sock, in, strlen(in), out, sizeof(out), 20000), 0);
	l1 = out;
	ck_assert_ptr_nonnull(l2 = strchr(out, '\n'));
	*l2++ = '\0';
	ck_assert_ptr_nonnull(r1 = json_loads(l1, 0, NULL));
	ck_assert_ptr_nonnull(r2 = json_loads(l2, JSON_DISABLE_EOF_CHECK, NULL));
	ck_assert_int_eq(json_integer_value(json_object_get(r1, "id")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r1, "result"),
	    "verstat")), "TN-Validation-Passed");
	ck_assert_int_eq(json_integer_value(json_object_get(r2, "id")), 1);
	ck_assert_int_eq(code_of(json_object_get(r2, "result")), 436);
	ck_assert_msg(strstr(detail_of(json_object_get(r2, "result")), "deadline_ms (500 ms)") != NULL,
	    "reply: %s", l2);
	json_decref(r1);
	json_decref(r2);
	free(in);
	free(slow);
	free(fast);
}
END_TEST

static Suite *
tnlist_suite(void)
{
	Suite *s = suite_create("tnlist");
	TCase *tc = tcase_create("tnlist");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, covered_orig_verifies_with_the_list_by_reference);
	tcase_add_test(tc, uncovered_orig_is_438);
	tcase_add_test(tc, unreachable_list_is_436);
	tcase_add_test(tc, garbage_list_or_http_uri_is_437);
	tcase_add_test(tc, both_lists_must_cover_orig);
	tcase_add_test(tc, delegates_are_bounded_by_their_cas_list_by_reference);
	tcase_add_test(tc, memo_does_not_outlive_the_list);
	tcase_add_test(tc, hanging_list_server_delays_nothing_else);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return h_run(tnlist_suite());
}
