/* test_url.c: the URL rules stird applies (daemon/stir/url.c). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/sign/creds.h"
#include "daemon/stir/url.h"
#include "tests/unit/test_util.h"

/* the limits other headers name for URLs are the rules' own */
_Static_assert(STIR_X5U_MAX == STIR_URL_MAX, "x5u_check() reports STIR_X5U_MAX");
_Static_assert(STIR_URL_MAX_CERT == STIR_URL_MAX, "certificate URLs are URLs");

/* "https://x.example/" and 'a' up to len bytes (free()). */
static char *
url_of_len(size_t len)
{
	static const char head[] = "https://x.example/";
	char *u = malloc(len + 1);

	ck_assert_ptr_nonnull(u);
	ck_assert_uint_ge(len, sizeof(head) - 1);
	memcpy(u, head, sizeof(head) - 1);
	memset(u + sizeof(head) - 1, 'a', len - (sizeof(head) - 1));
	u[len] = '\0';
	return u;
}

static void
assert_x5u(const char *u, bool allow_http, enum stir_url_fault want)
{
	enum stir_url_fault got = stir_url_check_x5u(u, allow_http);

	ck_assert_msg(got == want, "x5u '%s' (http %s): fault %d, expected %d", u,
	    allow_http ? "allowed" : "refused", (int)got, (int)want);
}

static void
assert_rcd(const char *u, bool want)
{
	ck_assert_msg(stir_url_rcd_ok(u) == want, "RCD URL '%s' %s", u,
	    want ? "refused" : "accepted");
}

/* ---- x5u ---- */

START_TEST(x5u_https_is_accepted_with_its_parts)
{
	assert_x5u("https://cert.example.org/passport.pem", false, STIR_URL_OK);
	assert_x5u("https://cert.example.org:8443/a/b.pem?v=2", false, STIR_URL_OK);
	/* the rules judge the text, not the parts: userinfo and fragments
	 * pass, and an IPv6 literal's brackets are printable characters */
	assert_x5u("https://user:pw@cert.example.org/c.pem", false, STIR_URL_OK);
	assert_x5u("https://cert.example.org/c.pem#frag", false, STIR_URL_OK);
	assert_x5u("https://[2001:db8::1]:8443/c.pem", false, STIR_URL_OK);
}
END_TEST

START_TEST(x5u_http_only_when_allowed)
{
	assert_x5u("http://cert.example.org/c.pem", false, STIR_URL_BAD_SCHEME);
	assert_x5u("http://cert.example.org/c.pem", true, STIR_URL_OK);
	assert_x5u("https://cert.example.org/c.pem", true, STIR_URL_OK);
}
END_TEST

START_TEST(x5u_other_schemes_are_refused)
{
	assert_x5u("HTTPS://cert.example.org/c.pem", false, STIR_URL_BAD_SCHEME);
	assert_x5u("HTTP://cert.example.org/c.pem", true, STIR_URL_BAD_SCHEME);
	assert_x5u("ftp://cert.example.org/c.pem", true, STIR_URL_BAD_SCHEME);
	assert_x5u("https:cert.example.org/c.pem", false, STIR_URL_BAD_SCHEME);
	assert_x5u("cert.example.org/c.pem", false, STIR_URL_BAD_SCHEME);
	assert_x5u("", true, STIR_URL_BAD_SCHEME);
}
END_TEST

START_TEST(x5u_refuses_controls_space_non_ascii_and_info_delimiters)
{
	static const char *const bad[] = {
		"https://x.example/a b.pem", "https://x.example/a\tb.pem",
		"https://x.example/a\r\nb.pem", "https://x.example/\x01.pem",
		"https://x.example/\x7f.pem", "https://x.example/caf\xc3\xa9.pem",
		"https://x.example/<c.pem", "https://x.example/c.pem>",
		"https://x.example/\"c.pem", "https://x.example/c\\d.pem",
		"https://x.example/c.pem;alg=ES256",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_x5u(bad[i], true, STIR_URL_BAD_CHAR);
	/* not URI characters, but nothing the Identity header cares about */
	assert_x5u("https://x.example/{a}|b^`c.pem", false, STIR_URL_OK);
}
END_TEST

START_TEST(x5u_needs_a_host)
{
	assert_x5u("https://", false, STIR_URL_NO_HOST);
	assert_x5u("https:///c.pem", false, STIR_URL_NO_HOST);
	assert_x5u("http://", true, STIR_URL_NO_HOST);
	assert_x5u("http:///c.pem", true, STIR_URL_NO_HOST);
	/* only the first byte of the authority is looked at: a port alone
	 * passes here, and libcurl refuses it when it is fetched */
	assert_x5u("https://:443/c.pem", false, STIR_URL_OK);
}
END_TEST

START_TEST(x5u_length_is_judged_first)
{
	char *u = url_of_len(STIR_URL_MAX);

	assert_x5u(u, false, STIR_URL_OK);
	free(u);
	u = url_of_len(STIR_URL_MAX + 1);
	assert_x5u(u, false, STIR_URL_TOO_LONG);
	u[0] = 'H';				/* a bad scheme too: length wins */
	u[STIR_URL_MAX - 1] = ' ';
	assert_x5u(u, false, STIR_URL_TOO_LONG);
	free(u);
	/* then the scheme, then the characters, then the host */
	assert_x5u("ftp://a b", false, STIR_URL_BAD_SCHEME);
	assert_x5u("https:// ", false, STIR_URL_BAD_CHAR);
}
END_TEST

/* ---- RCD URLs ---- */

START_TEST(rcd_https_is_accepted)
{
	assert_rcd("https://brand.example.com/acme/logo.png", true);
	assert_rcd("https://brand.example.com:8443/logo.png?size=64#top", true);
	assert_rcd("https://u@brand.example.com/logo.png", true);
	assert_rcd("https://[2001:db8::1]/logo.png", true);
	/* ';' is a URI sub-delimiter; an RCD URL is not in an info parameter */
	assert_rcd("https://brand.example.com/logo;v=1.png", true);
	/* no host check: anything after "//" will do */
	assert_rcd("https:///logo.png", true);
}
END_TEST

START_TEST(rcd_refuses_http_and_other_schemes)
{
	assert_rcd("http://brand.example.com/logo.png", false);
	assert_rcd("HTTPS://brand.example.com/logo.png", false);
	assert_rcd("data:image/png;base64,iVBORw0KGgo=", false);
	assert_rcd("", false);
	assert_rcd(NULL, false);
}
END_TEST

START_TEST(rcd_refuses_what_is_not_a_uri_character)
{
	static const char chars[] = "\"<>\\^`{|} \t\x01\x7f\xc3";
	char u[64];

	for (size_t i = 0; i < sizeof(chars) - 1; i++) {
		(void)snprintf(u, sizeof(u), "https://brand.example.com/a%cb.png", chars[i]);
		assert_rcd(u, false);
	}
}
END_TEST

START_TEST(rcd_needs_something_after_the_scheme_and_a_bounded_length)
{
	char *u;

	assert_rcd("https://", false);
	assert_rcd("https://b", true);
	u = url_of_len(STIR_URL_MAX);
	assert_rcd(u, true);
	free(u);
	u = url_of_len(STIR_URL_MAX + 1);
	assert_rcd(u, false);
	free(u);
}
END_TEST

/* ---- a certificate's TNAuthList URI ---- */

START_TEST(tnlist_uri_is_https_printable_counted)
{
	static const char with_nul[] = "https://tn.example/list\0.der";
	static const char longer[] = "https://tn.example/listXXXX";

	ck_assert(stir_url_tnlist_ok("https://tn.example/list", 23));
	/* printable is enough here: no URI-character rule */
	ck_assert(stir_url_tnlist_ok("https://tn.example/{l}", 22));
	ck_assert(!stir_url_tnlist_ok("http://tn.example/list", 22));
	ck_assert(!stir_url_tnlist_ok("https://", 8));
	ck_assert(!stir_url_tnlist_ok("https:/", 7));
	ck_assert(!stir_url_tnlist_ok("", 0));
	ck_assert(!stir_url_tnlist_ok(with_nul, sizeof(with_nul) - 1));
	/* only the len bytes count */
	ck_assert(stir_url_tnlist_ok(longer, 23));
	ck_assert(!stir_url_tnlist_ok("https://tn.example/a b", 22));
}
END_TEST

/* ---- web URLs among a jCard's values ---- */

START_TEST(web_scheme_is_http_or_https_in_any_case)
{
	ck_assert(stir_url_is_web("https://x.example/"));
	ck_assert(stir_url_is_web("HTTP://x.example/"));
	ck_assert(stir_url_is_web("Https:"));
	ck_assert(stir_url_is_web("http:x"));
	ck_assert(!stir_url_is_web("tel:+12155551212"));
	ck_assert(!stir_url_is_web("data:image/png;base64,AA=="));
	ck_assert(!stir_url_is_web("mailto:a@x.example"));
	ck_assert(!stir_url_is_web("httpx://x.example/"));
	ck_assert(!stir_url_is_web("https"));
	ck_assert(!stir_url_is_web(""));
}
END_TEST

/* ---- cache and fetch keys ---- */

START_TEST(key_is_one_to_max_bytes_of_anything)
{
	char *u;

	ck_assert(!stir_url_key_ok(NULL));
	ck_assert(!stir_url_key_ok(""));
	ck_assert(stir_url_key_ok("x"));
	ck_assert(stir_url_key_ok("ftp://x.example/ a"));	/* the fetcher refuses it */
	u = url_of_len(STIR_URL_MAX);
	ck_assert(stir_url_key_ok(u));
	free(u);
	u = url_of_len(STIR_URL_MAX + 1);
	ck_assert(!stir_url_key_ok(u));
	free(u);
}
END_TEST

/* ---- CRL distribution points ---- */

START_TEST(crl_point_is_http_or_https_without_nul)
{
	static const char with_nul[] = "http://crl.example/ca\0.crl";
	char *u;

	ck_assert(stir_url_crl_ok("http://crl.example/ca.crl", 25));
	ck_assert(stir_url_crl_ok("https://crl.example/ca.crl", 26));
	ck_assert(!stir_url_crl_ok("ldap://crl.example/cn=ca", 24));
	ck_assert(!stir_url_crl_ok("HTTP://crl.example/ca.crl", 25));
	ck_assert(!stir_url_crl_ok("http:/", 6));
	ck_assert(!stir_url_crl_ok(with_nul, sizeof(with_nul) - 1));
	/* taken as they are, to fail when fetched (see url.h): passed over,
	 * they would leave the certificate unchecked under crl_mode = hard */
	ck_assert(stir_url_crl_ok("http://", 7));
	ck_assert(stir_url_crl_ok("http://crl.example/a b\x01.crl", 27));
	u = url_of_len(STIR_URL_MAX);
	ck_assert(stir_url_crl_ok(u, STIR_URL_MAX));
	free(u);
	u = url_of_len(STIR_URL_MAX + 1);
	ck_assert(!stir_url_crl_ok(u, STIR_URL_MAX + 1));
	free(u);
}
END_TEST

/* ---- the options ---- */

START_TEST(each_option_refuses_or_admits_its_own)
{
	const char *semi = "https://x.example/a;b", *brace = "https://x.example/{b}";
	const char *angle = "https://x.example/<b>", *root = "https:///b";

	ck_assert_int_eq(stir_url_check(semi, strlen(semi), 0), STIR_URL_OK);
	ck_assert_int_eq(stir_url_check(semi, strlen(semi), STIR_URL_URI_CHARS), STIR_URL_OK);
	ck_assert_int_eq(stir_url_check(semi, strlen(semi), STIR_URL_INFO_CHARS),
	    STIR_URL_BAD_CHAR);
	ck_assert_int_eq(stir_url_check(brace, strlen(brace), STIR_URL_INFO_CHARS), STIR_URL_OK);
	ck_assert_int_eq(stir_url_check(brace, strlen(brace), STIR_URL_URI_CHARS),
	    STIR_URL_BAD_CHAR);
	ck_assert_int_eq(stir_url_check(angle, strlen(angle), 0), STIR_URL_OK);
	ck_assert_int_eq(stir_url_check(angle, strlen(angle), STIR_URL_URI_CHARS),
	    STIR_URL_BAD_CHAR);
	ck_assert_int_eq(stir_url_check(angle, strlen(angle), STIR_URL_INFO_CHARS),
	    STIR_URL_BAD_CHAR);
	ck_assert_int_eq(stir_url_check(root, strlen(root), 0), STIR_URL_OK);
	ck_assert_int_eq(stir_url_check(root, strlen(root), STIR_URL_HOST), STIR_URL_NO_HOST);
	ck_assert_int_eq(stir_url_check("http://x", 8, 0), STIR_URL_BAD_SCHEME);
	ck_assert_int_eq(stir_url_check("http://x", 8, STIR_URL_HTTP), STIR_URL_OK);
	/* counted: a prefix cut short is no scheme */
	ck_assert_int_eq(stir_url_check("https://x", 7, STIR_URL_HTTP), STIR_URL_BAD_SCHEME);
}
END_TEST

static Suite *
url_suite(void)
{
	Suite *s = suite_create("url");
	TCase *tx = tcase_create("x5u");
	TCase *tr = tcase_create("rcd");
	TCase *to = tcase_create("other");

	tcase_add_test(tx, x5u_https_is_accepted_with_its_parts);
	tcase_add_test(tx, x5u_http_only_when_allowed);
	tcase_add_test(tx, x5u_other_schemes_are_refused);
	tcase_add_test(tx, x5u_refuses_controls_space_non_ascii_and_info_delimiters);
	tcase_add_test(tx, x5u_needs_a_host);
	tcase_add_test(tx, x5u_length_is_judged_first);
	suite_add_tcase(s, tx);
	tcase_add_test(tr, rcd_https_is_accepted);
	tcase_add_test(tr, rcd_refuses_http_and_other_schemes);
	tcase_add_test(tr, rcd_refuses_what_is_not_a_uri_character);
	tcase_add_test(tr, rcd_needs_something_after_the_scheme_and_a_bounded_length);
	suite_add_tcase(s, tr);
	tcase_add_test(to, tnlist_uri_is_https_printable_counted);
	tcase_add_test(to, web_scheme_is_http_or_https_in_any_case);
	tcase_add_test(to, key_is_one_to_max_bytes_of_anything);
	tcase_add_test(to, crl_point_is_http_or_https_without_nul);
	tcase_add_test(to, each_option_refuses_or_admits_its_own);
	suite_add_tcase(s, to);
	return s;
}

int
main(void)
{
	return tu_run(url_suite());
}
