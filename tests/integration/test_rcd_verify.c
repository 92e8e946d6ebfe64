/*
 * test_rcd_verify.c: Rich Call Data verification end to end (issue 4):
 * the real stird, a test PKI, and RCD content served by a local HTTPS
 * server (tests/https-server.py).  URLs inside a jCard (jcl or jcd) and
 * their rcdi digests, one level only and at most STIR_RCD_NESTED_MAX;
 * size limits; content judged by its bytes whatever its Content-Type;
 * and the switches rcd_require_rcdi, rcd_require_constraints and
 * rcd_anchors_only.  RCD never changes the call's verstat.
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
static char web[64];		/* https://127.0.0.1:<port> */

#define FROM	"'sip:+12155551212@example.com;user=phone'"
#define TO	"tel:+12125551213"
#define PNG	"\x89PNG\r\n\x1a\n"

/* (Re)write the config: the test server's CA and addresses, plus extra. */
static void
config(const char *extra)
{
	char conf[H_PATH_MAX * 2 + 512];

	snprintf(conf, sizeof(conf), "x5u_ca_file = %s/web-ca.pem\nx5u_allow_private = yes\n"
	    "fetch_timeout_ms = 1500\ncache_min_ttl = 0\n%s", H.pki, extra ? extra : "");
	h_write_conf(&H, conf);
}

static void
restart(const char *extra)
{
	ck_assert_int_eq(h_stop(&H), 0);
	config(extra);
	ck_assert_msg(h_start(&H), "stird did not start");
}

/* stirctl trust add [--rcd] pki/file; returns the new anchor's id. */
static long long
trust_add(const char *file, bool rcd)
{
	json_t *res, *a;
	long long id;

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json trust add %s'%s/%s'",
	    rcd ? "--rcd " : "", H.pki, file), 0);
	ck_assert_ptr_nonnull(res = json_loads(out, 0, NULL));
	a = json_array_get(json_object_get(res, "added"), 0);
	ck_assert_msg(a != NULL, "%s was not added: %s", file, out);
	ck_assert(json_is_true(json_object_get(a, "rcd")) == rcd);
	id = (long long)json_integer_value(json_object_get(a, "id"));
	json_decref(res);
	return id;
}

static long long anchor;	/* the root, added in setup without --rcd */

static void
setup(void)
{
	h_init(&H, NULL);
	config(NULL);
	h_publish(&H, "sp-chain.pem");
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(web, sizeof(web), "https://127.0.0.1:%d", H.https_port);
	ck_assert_msg(h_start(&H), "stird did not start");
	anchor = trust_add("ca.pem", false);
}

static void
teardown(void)
{
	h_teardown(&H);
}

/* ---- content on the test server ---- */

static void
put(const char *name, const void *data, size_t len)
{
	char path[H_PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", H.www, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void
put_str(const char *name, const char *s)
{
	put(name, s, strlen(s));
}

/* A PNG signature, then text, padded with 'x' to len bytes. */
static void
put_png(const char *name, const char *text, size_t len)
{
	char buf[2048];

	ck_assert_uint_le(len, sizeof(buf));
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, PNG, 8);
	memcpy(buf + 8, text, strlen(text));
	put(name, buf, len);
}

/* The rcdi digest (sha256, SRI base64) of a served file; static. */
static const char *
digest(const char *name)
{
	static char d[4][128];
	static int k;
	char *r = d[k++ % 4];

	ck_assert_int_eq(h_sh(r, sizeof(d[0]), "cd '%s' && printf 'sha256-%%s' "
	    "\"$(openssl dgst -sha256 -binary '%s' | base64 -w0)\"", H.www, name), 0);
	return r;
}

/* How many requests for path the test server has seen. */
static int
requests(const char *path)
{
	char log[H_PATH_MAX + 16], pat[256];

	snprintf(log, sizeof(log), "%s/https.log", H.dir);
	snprintf(pat, sizeof(pat), "GET /%s ", path);
	ck_assert_int_eq(h_sh(out, sizeof(out), "cat '%s'", log), 0);
	return h_count(out, pat);
}

/* ---- PASSporTs ---- */

/* A JWS over header and payload texts signed with key_file, for x5u info. */
static char *
jws(const char *key_file, const char *header, const char *payload, const char *info,
    const char *ppt)
{
	size_t n = strlen(info) + strlen(ppt) + 64;
	char *params, *res;

	ck_assert_ptr_nonnull(params = malloc(n));
	snprintf(params, n, ";info=<%s>;alg=ES256;ppt=%s", info, ppt);
	res = h_jws(&H, key_file, header, payload, params);
	free(params);
	return res;
}

/*
 * A PASSporT of type ppt carrying "rcd":{rcd} and, unless NULL,
 * "rcdi":rcdi, signed with cred's key for the x5u <web>/<cred>-chain.pem.
 */
static char *
passport_of(const char *cred, const char *ppt, const char *rcd, const char *rcdi)
{
	char hdr[1024], pay[8192], info[256], key[64];
	bool shaken = strcmp(ppt, "shaken") == 0;

	snprintf(info, sizeof(info), "%s/%s-chain.pem", web, cred);
	snprintf(key, sizeof(key), "%s.key", cred);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"%s\",\"typ\":\"passport\","
	    "\"x5u\":\"%s\"}", ppt, info);
	snprintf(pay, sizeof(pay), "{%s\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"12155551212\"},%s\"rcd\":{%s}%s%s}",
	    shaken ? "\"attest\":\"A\"," : "", (long)time(NULL),
	    shaken ? "\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"," : "",
	    rcd, rcdi ? ",\"rcdi\":" : "", rcdi ? rcdi : "");
	return jws(key, hdr, pay, info, ppt);
}

static char *
passport(const char *rcd, const char *rcdi)
{
	return passport_of("sp", "rcd", rcd, rcdi);
}

/* stirctl verify; the call must pass whatever the RCD.  *ret: decref. */
static json_t *
verify(const char *identity, json_t **ret)
{
	int st = h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from %s --to %s",
	    identity, FROM, TO);

	ck_assert_ptr_nonnull(*ret = json_loads(out, 0, NULL));
	ck_assert_msg(st == 0, "verify exit %d: %s", st, out);
	ck_assert_str_eq(json_string_value(json_object_get(*ret, "verstat")),
	    "TN-Validation-Passed");
	ck_assert(json_is_true(json_object_get(json_array_get(json_object_get(*ret,
	    "identities"), 0), "valid")));
	/* this PASSporT's own RCD result (alone, a ppt=rcd one brands no call) */
	return json_object_get(json_array_get(json_object_get(*ret, "identities"), 0), "rcd");
}

/* Verify and expect verified RCD; returns its "integrity". */
static bool
verified(const char *rcd, const char *rcdi)
{
	char *t = passport(rcd, rcdi);
	json_t *res, *r = verify(t, &res);
	bool integrity;

	ck_assert_msg(json_is_true(json_object_get(r, "verified")), "not verified: %s", out);
	ck_assert(json_is_null(json_object_get(r, "why_not")));
	ck_assert(json_is_boolean(json_object_get(r, "integrity")));
	integrity = json_is_true(json_object_get(r, "integrity"));
	json_decref(res);
	free(t);
	return integrity;
}

/*
 * Every piece of URL content the result lists as not verified stays out
 * of call_info, and what call_info holds says verified="true".
 */
static void
no_unverified_offered(json_t *r)
{
	json_t *c, *ci;
	size_t i, k;

	json_array_foreach(json_object_get(r, "content"), i, c) {
		const char *url = json_string_value(json_object_get(c, "url"));

		if (json_is_true(json_object_get(c, "verified")))
			continue;
		json_array_foreach(json_object_get(r, "call_info"), k, ci)
			ck_assert_msg(strstr(json_string_value(ci), url) == NULL,
			    "unverified %s in call_info: %s", url, out);
	}
	json_array_foreach(json_object_get(r, "call_info"), k, ci)
		ck_assert_ptr_nonnull(strstr(json_string_value(ci), ";verified=\"true\""));
}

/*
 * Verify the PASSporT t and expect RCD not wholly verified, why_not
 * having why.  Content that fails is not offered; what the claims carry
 * directly (nam here) still is (RFC 9795 section 8.2).
 */
static void
unverified_t(const char *t, const char *why)
{
	json_t *res, *r = verify(t, &res);
	const char *w = json_string_value(json_object_get(r, "why_not"));

	ck_assert_msg(json_is_false(json_object_get(r, "verified")), "verified: %s", out);
	ck_assert_msg(w != NULL && strstr(w, why) != NULL, "why_not lacks '%s': %s", why, out);
	ck_assert_str_eq(json_string_value(json_object_get(r, "nam")), "Q Branch");
	ck_assert_str_eq(json_string_value(json_object_get(r, "display_name")), "Q Branch");
	no_unverified_offered(r);
	json_decref(res);
}

static void
unverified(const char *rcd, const char *rcdi, const char *why)
{
	char *t = passport(rcd, rcdi);

	unverified_t(t, why);
	free(t);
}

/*
 * The same, for RCD that may not be used at all: malformed claims, or a
 * path that may not carry RCD.  Nothing of it is offered.
 */
static void
withheld_t(const char *t, const char *why)
{
	json_t *res, *r = verify(t, &res);
	const char *w = json_string_value(json_object_get(r, "why_not"));

	ck_assert_msg(json_is_false(json_object_get(r, "verified")), "verified: %s", out);
	ck_assert_msg(w != NULL && strstr(w, why) != NULL, "why_not lacks '%s': %s", why, out);
	ck_assert_ptr_null(json_object_get(r, "nam"));
	ck_assert_ptr_null(json_object_get(r, "jcard"));
	ck_assert_ptr_null(json_object_get(r, "display_name"));
	ck_assert_ptr_null(json_object_get(r, "call_info"));
	json_decref(res);
}

static void
withheld(const char *rcd, const char *rcdi, const char *why)
{
	char *t = passport(rcd, rcdi);

	withheld_t(t, why);
	free(t);
}

/* A jCard (name fn) with one more property [prop,{},"uri",<web>/file]. */
static void
put_card(const char *name, const char *prop, const char *file)
{
	char card[1024];

	snprintf(card, sizeof(card), "[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],"
	    "[\"fn\",{},\"text\",\"Q Branch\"],[\"%s\",{},\"uri\",\"%s/%s\"]]]", prop, web, file);
	put_str(name, card);
}

/* ---- URLs inside a jCard ---- */

START_TEST(a_photo_inside_a_jcl_jcard_is_fetched_and_digested)
{
	char rcd[512], rcdi[512];
	json_t *res, *r, *c;
	char *t;

	put_png("photo.png", "the photo", 100);
	put_png("swapped.png", "another photo", 100);
	put_card("card.json", "photo", "photo.png");
	put_card("swapped.json", "photo", "swapped.png");
	put_card("nodigest.json", "photo", "unfetched.png");
	/* the digests match: verified, and every piece of content listed */
	snprintf(rcd, sizeof(rcd), "\"jcl\":\"%s/card.json\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\",\"/jcl/1/2/3\":\"%s\"}",
	    digest("card.json"), digest("photo.png"));
	t = passport(rcd, rcdi);
	r = verify(t, &res);
	ck_assert_msg(json_is_true(json_object_get(r, "verified")), "%s", out);
	ck_assert(json_is_true(json_object_get(r, "integrity")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(json_array_get(
	    json_array_get(json_object_get(r, "jcard"), 1), 2), 3)), "/photo.png"));
	c = json_object_get(r, "content");
	ck_assert_uint_eq(json_array_size(c), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 0), "ptr")), "/jcl");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 0), "type")),
	    "application/vcard+json");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 1), "ptr")),
	    "/jcl/1/2/3");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 1), "type")),
	    "image/png");
	ck_assert(json_is_true(json_object_get(json_array_get(c, 1), "integrity")));
	ck_assert_int_eq(requests("photo.png"), 1);
	json_decref(res);
	free(t);
	/* the photo swapped behind the jCard: the call passes, the RCD is not shown */
	snprintf(rcd, sizeof(rcd), "\"jcl\":\"%s/swapped.json\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\",\"/jcl/1/2/3\":\"%s\"}",
	    digest("swapped.json"), digest("photo.png"));
	unverified(rcd, rcdi, "the content of /jcl/1/2/3 does not match its rcdi digest");
	/* no digest for the photo: not verified, and not even fetched */
	snprintf(rcd, sizeof(rcd), "\"jcl\":\"%s/nodigest.json\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\"}", digest("nodigest.json"));
	unverified(rcd, rcdi, "no rcdi digest covers /jcl/1/2/3");
	ck_assert_int_eq(requests("unfetched.png"), 0);
	/* the jCard itself swapped: its URLs are never followed */
	snprintf(rcd, sizeof(rcd), "\"jcl\":\"%s/swapped.json\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\",\"/jcl/1/2/3\":\"%s\"}",
	    digest("card.json"), digest("swapped.png"));
	unverified(rcd, rcdi, "the content of /jcl does not match its rcdi digest");
	ck_assert_int_eq(requests("swapped.png"), 1);	/* the earlier case only */
}
END_TEST

START_TEST(a_photo_inside_an_inline_jcd_is_fetched_and_digested)
{
	char rcd[1024], rcdi[512];

	put_png("photo.png", "the photo", 100);
	put_png("logo.png", "the logo", 100);
	snprintf(rcd, sizeof(rcd), "\"jcd\":[\"vcard\",[[\"fn\",{},\"text\",\"Q Branch\"],"
	    "[\"url\",{},\"uri\",\"tel:+12155551212\"],"
	    "[\"logo\",{},\"uri\",\"%s/logo.png\",\"%s/photo.png\"]]],\"nam\":\"Q Branch\"", web, web);
	snprintf(rcdi, sizeof(rcdi), "{\"/jcd/1/2/3\":\"%s\",\"/jcd/1/2/4\":\"%s\"}",
	    digest("logo.png"), digest("photo.png"));
	ck_assert(verified(rcd, rcdi));
	/* the second value's digest is the first's */
	snprintf(rcdi, sizeof(rcdi), "{\"/jcd/1/2/3\":\"%s\",\"/jcd/1/2/4\":\"%s\"}",
	    digest("logo.png"), digest("logo.png"));
	unverified(rcd, rcdi, "the content of /jcd/1/2/4 does not match its rcdi digest");
	/* a digest under /jcl does not cover the inline jCard */
	snprintf(rcdi, sizeof(rcdi), "{\"/jcd/1/2/3\":\"%s\",\"/jcl/1/2/4\":\"%s\"}",
	    digest("logo.png"), digest("photo.png"));
	unverified(rcd, rcdi, "no rcdi digest covers /jcd/1/2/4");
}
END_TEST

START_TEST(one_level_of_urls_only_and_a_bounded_number)
{
	char rcd[8192], rcdi[512], card[4096];
	size_t o;

	/* a jCard naming another jCard (a "source"): nobody is shown that, so it
	 * is not fetched only to check its digest (RFC 9795 8.2); neither are
	 * the URLs inside it */
	put_card("inner.json", "photo", "deep.png");
	put_png("deep.png", "too deep", 100);
	put_card("outer.json", "source", "inner.json");
	snprintf(rcd, sizeof(rcd), "\"jcl\":\"%s/outer.json\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\",\"/jcl/1/2/3\":\"%s\"}",
	    digest("outer.json"), digest("inner.json"));
	ck_assert(verified(rcd, rcdi));
	ck_assert_int_eq(requests("inner.json"), 0);
	ck_assert_int_eq(requests("deep.png"), 0);
	/* more URLs than STIR_RCD_NESTED_MAX (8): none is fetched */
	o = (size_t)snprintf(card, sizeof(card), "[\"vcard\",[[\"fn\",{},\"text\",\"Q\"]");
	for (int i = 0; i < 9; i++)
		o += (size_t)snprintf(card + o, sizeof(card) - o,
		    ",[\"photo\",{},\"uri\",\"%s/many-%d.png\"]", web, i);
	snprintf(card + o, sizeof(card) - o, "]]");
	snprintf(rcd, sizeof(rcd), "\"jcd\":%s,\"nam\":\"Q Branch\"", card);
	withheld(rcd, "{}", "holds more than 8 URLs");
	ck_assert_int_eq(requests("many-0.png"), 0);
	/* plain http inside a jCard */
	snprintf(rcd, sizeof(rcd), "\"jcd\":[\"vcard\",[[\"photo\",{},\"uri\","
	    "\"http://127.0.0.1:%d/photo.png\"]]],\"nam\":\"Q Branch\"", H.https_port);
	withheld(rcd, NULL, "the URL at /jcd/1/0/3 is not a usable https URL");
	/* the same in a fetched jCard: refused at admission by the one rule
	 * (stir_rcd_jcard_check()), named as before; the rest still presented */
	snprintf(card, sizeof(card), "[\"vcard\",[[\"photo\",{},\"uri\","
	    "\"http://127.0.0.1:%d/photo.png\"]]]", H.https_port);
	put_str("httpcard.json", card);
	snprintf(rcd, sizeof(rcd), "\"jcl\":\"%s/httpcard.json\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\"}", digest("httpcard.json"));
	unverified(rcd, rcdi, "the URL at /jcl/1/0/3 is not a usable https URL");
	/* a photo that is no image, digest and all */
	put_str("text.png", "this is not a picture at all");
	put_card("textphoto.json", "photo", "text.png");
	snprintf(rcd, sizeof(rcd), "\"jcl\":\"%s/textphoto.json\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\",\"/jcl/1/2/3\":\"%s\"}",
	    digest("textphoto.json"), digest("text.png"));
	unverified(rcd, rcdi, "the image at /jcl/1/2/3 is not PNG, JPEG or SVG");
	/* a nested URL that cannot be fetched */
	put_card("gone.json", "logo", "gone.png");
	snprintf(rcd, sizeof(rcd), "\"jcl\":\"%s/gone.json\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\",\"/jcl/1/2/3\":\"%s\"}",
	    digest("gone.json"), digest("text.png"));
	unverified(rcd, rcdi, "the content of /jcl/1/2/3 could not be fetched");
}
END_TEST

/* ---- size limits and content types ---- */

START_TEST(content_over_its_size_limit_is_not_verified)
{
	char rcd[512], rcdi[512], card[1024];

	restart("rcd_icon_max_bytes = 256\nrcd_jcard_max_bytes = 256\n");
	put_png("small.png", "small", 256);
	put_png("big.png", "big", 257);
	/* at the limit: verified; one byte over: not */
	snprintf(rcd, sizeof(rcd), "\"icn\":\"%s/small.png\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/icn\":\"%s\"}", digest("small.png"));
	ck_assert(verified(rcd, rcdi));
	snprintf(rcd, sizeof(rcd), "\"icn\":\"%s/big.png\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/icn\":\"%s\"}", digest("big.png"));
	unverified(rcd, rcdi, "the icon is larger than rcd_icon_max_bytes (256 bytes)");
	/* an image inside a jCard has the icon's limit */
	put_card("bigphoto.json", "photo", "big.png");
	snprintf(rcd, sizeof(rcd), "\"jcl\":\"%s/bigphoto.json\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\",\"/jcl/1/2/3\":\"%s\"}",
	    digest("bigphoto.json"), digest("big.png"));
	unverified(rcd, rcdi, "the image at /jcl/1/2/3 is larger than rcd_icon_max_bytes (256 bytes)");
	/* a jCard over rcd_jcard_max_bytes */
	snprintf(card, sizeof(card), "[\"vcard\",[[\"fn\",{},\"text\",\"%0300d\"]]]", 0);
	put_str("bigcard.json", card);
	snprintf(rcd, sizeof(rcd), "\"jcl\":\"%s/bigcard.json\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\"}", digest("bigcard.json"));
	unverified(rcd, rcdi, "the jCard is larger than rcd_jcard_max_bytes (256 bytes)");
}
END_TEST

START_TEST(the_bytes_decide_the_type_not_the_content_type)
{
	char rcd[512], rcdi[512];
	json_t *res, *r;
	char *t;

	/* text served as image/png, digest and all: not an icon */
	put_str("fake.png", "<html><body>not a picture</body></html>");
	put_str("fake.png.meta", "{\"headers\":{\"Content-Type\":\"image/png\"}}");
	snprintf(rcd, sizeof(rcd), "\"icn\":\"%s/fake.png\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/icn\":\"%s\"}", digest("fake.png"));
	unverified(rcd, rcdi, "the icon is not PNG, JPEG or SVG");
	/* a PNG served as text/plain is a PNG */
	put_png("real.png", "a real icon", 64);
	put_str("real.png.meta", "{\"headers\":{\"Content-Type\":\"text/plain\"}}");
	snprintf(rcd, sizeof(rcd), "\"icn\":\"%s/real.png\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/icn\":\"%s\"}", digest("real.png"));
	t = passport(rcd, rcdi);
	r = verify(t, &res);
	ck_assert_msg(json_is_true(json_object_get(r, "verified")), "%s", out);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(r,
	    "content"), 0), "type")), "image/png");
	json_decref(res);
	free(t);
	/* an image served as the jCard */
	snprintf(rcd, sizeof(rcd), "\"jcl\":\"%s/real.png\",\"nam\":\"Q Branch\"", web);
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\"}", digest("real.png"));
	unverified(rcd, rcdi, "the content of /jcl is not a jCard");
}
END_TEST

/* ---- verification policy switches ---- */

START_TEST(rcd_require_rcdi_no_accepts_content_without_a_digest)
{
	char rcd[512], rcdi[512];
	json_t *res, *r;
	char *t;

	put_png("logo.png", "the logo", 80);
	put_png("photo.png", "the photo", 80);
	put_card("card.json", "photo", "photo.png");
	snprintf(rcd, sizeof(rcd), "\"icn\":\"%s/logo.png\",\"nam\":\"Q Branch\"", web);
	/* by default a digest is needed */
	unverified(rcd, NULL, "no rcdi digest covers /icn");
	restart("rcd_require_rcdi = no\n");
	/* without one: verified, but without integrity */
	t = passport(rcd, NULL);
	r = verify(t, &res);
	ck_assert_msg(json_is_true(json_object_get(r, "verified")), "%s", out);
	ck_assert(json_is_false(json_object_get(r, "integrity")));
	ck_assert(json_is_false(json_object_get(json_array_get(json_object_get(r, "content"), 0),
	    "integrity")));
	json_decref(res);
	free(t);
	/* with one: integrity */
	snprintf(rcdi, sizeof(rcdi), "{\"/icn\":\"%s\"}", digest("logo.png"));
	ck_assert(verified(rcd, rcdi));
	/* a digest given is still checked, and so is the kind of content */
	snprintf(rcdi, sizeof(rcdi), "{\"/icn\":\"%s\"}", digest("photo.png"));
	unverified(rcd, rcdi, "the content of /icn does not match its rcdi digest");
	put_str("text.png", "not a picture");
	snprintf(rcd, sizeof(rcd), "\"icn\":\"%s/text.png\",\"nam\":\"Q Branch\"", web);
	unverified(rcd, NULL, "the icon is not PNG, JPEG or SVG");
	/* a jCard and its photo, neither covered: fetched, checked, no integrity */
	snprintf(rcd, sizeof(rcd), "\"jcl\":\"%s/card.json\",\"nam\":\"Q Branch\"", web);
	ck_assert(!verified(rcd, NULL));
	ck_assert_int_eq(requests("photo.png"), 1);
	/* the jCard covered, its photo not: still no integrity */
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\"}", digest("card.json"));
	ck_assert(!verified(rcd, rcdi));
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\",\"/jcl/1/2/3\":\"%s\"}",
	    digest("card.json"), digest("photo.png"));
	ck_assert(verified(rcd, rcdi));
}
END_TEST

START_TEST(rcd_require_constraints_needs_claim_constraints_in_the_path)
{
	char rcd[256];
	char *t;

	/* a certificate with JWT claim constraints (attest A or B) */
	ck_assert_int_eq(h_sh(out, sizeof(out), "cd '%s' && cat >> ext.cnf <<EOF\n"
	    "[cons]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n"
	    "1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_spc\n"
	    "1.3.6.1.5.5.7.1.27 = DER:3022a00a30081606617474657374a11430123010160661747465737430060c01410c0142\nEOF\n"
	    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out cons.key 2>/dev/null &&"
	    " openssl req -new -key cons.key -subj /CN=constrained -config ext.cnf -out cons.csr &&"
	    " openssl x509 -req -in cons.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 30"
	    " -extfile ext.cnf -extensions cons -out cons.pem 2>/dev/null && cat cons.pem inter.pem > cons-chain.pem &&"
	    " cp cons-chain.pem '%s/'", H.pki, H.www), 0);
	snprintf(rcd, sizeof(rcd), "\"nam\":\"Q Branch\"");
	/* off (the default): any valid certificate will do */
	ck_assert(verified(rcd, NULL));
	restart("rcd_require_constraints = yes\n");
	/* a certificate without constraints: the call passes, the RCD does not */
	t = passport_of("sp", "shaken", rcd, NULL);
	withheld_t(t, "the signing certificate carries no JWT claim constraints");
	free(t);
	/* one with constraints: verified */
	t = passport_of("cons", "shaken", rcd, NULL);
	{
		json_t *res, *r = verify(t, &res);

		ck_assert_msg(json_is_true(json_object_get(r, "verified")), "%s", out);
		json_decref(res);
	}
	free(t);
}
END_TEST

START_TEST(rcd_anchors_only_needs_an_anchor_added_for_rcd)
{
	const char *rcd = "\"nam\":\"Q Branch\"";
	char *t = passport_of("sp", "shaken", rcd, NULL);

	restart("rcd_anchors_only = yes\n");
	/* the anchor was added without --rcd: the call passes, the RCD does not */
	withheld_t(t, "the path does not end at a trust anchor added for RCD");
	/* the same anchor added again with --rcd */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust remove %lld", anchor), 0);
	anchor = trust_add("ca.pem", true);
	{
		json_t *res, *r = verify(t, &res);

		ck_assert_msg(json_is_true(json_object_get(r, "verified")), "%s", out);
		json_decref(res);
	}
	/* and after a restart, which loads the anchors afresh */
	restart("rcd_anchors_only = yes\n");
	{
		json_t *res, *r = verify(t, &res);

		ck_assert_msg(json_is_true(json_object_get(r, "verified")), "%s", out);
		json_decref(res);
	}
	/* an unrelated anchor for RCD does not make this chain one */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust remove %lld", anchor), 0);
	(void)trust_add("ca.pem", false);
	(void)trust_add("web-ca.pem", true);
	withheld_t(t, "rcd_anchors_only");
	/* switched off, any anchor will do again */
	restart(NULL);
	{
		json_t *res, *r = verify(t, &res);

		ck_assert_msg(json_is_true(json_object_get(r, "verified")), "%s", out);
		json_decref(res);
	}
	free(t);
}
END_TEST


/* ---- the RFC's own examples (RFC 9795, RFC 9796) ---- */

/*
 * A PASSporT of type ppt (NULL: none) whose claims are the base ones and
 * members (JSON members, may be ""), signed with cred's key for its x5u.
 */
static char *
claims_jws(const char *cred, const char *ppt, const char *members)
{
	char hdr[1024], pay[16384], info[256], key[64], params[320];

	snprintf(info, sizeof(info), "%s/%s-chain.pem", web, cred);
	snprintf(key, sizeof(key), "%s.key", cred);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",%s%s%s\"typ\":\"passport\",\"x5u\":\"%s\"}",
	    ppt ? "\"ppt\":\"" : "", ppt ? ppt : "", ppt ? "\"," : "", info);
	snprintf(pay, sizeof(pay), "{\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"12155551212\"}%s%s}", (long)time(NULL), *members ? "," : "",
	    members);
	snprintf(params, sizeof(params), ";info=<%s>;alg=ES256%s%s", info, ppt ? ";ppt=" : "",
	    ppt ? ppt : "");
	return h_jws(&H, key, hdr, pay, params);
}

/* stirctl verify with From and more options; the first value's rcd. */
static json_t *
verify_as(const char *identity, const char *from, const char *more, json_t **ret)
{
	int st = h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from '%s' --to %s %s",
	    identity, from, TO, more ? more : "");

	ck_assert_ptr_nonnull(*ret = json_loads(out, 0, NULL));
	ck_assert_msg(st == 0, "verify exit %d: %s", st, out);
	return json_object_get(json_array_get(json_object_get(*ret, "identities"), 0), "rcd");
}

/* call_info of r is exactly the n values of want, in order. */
static void
call_info_is(json_t *r, const char *const *want, size_t n)
{
	json_t *ci = json_object_get(r, "call_info");

	ck_assert_msg(json_array_size(ci) == n, "call_info: %.2000s", out);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(json_string_value(json_array_get(ci, i)), want[i]);
}

/* The jCard of RFC 9795 6.1.3, as printed (quartermaster photo). */
#define RFC9795_JCD \
	"[\"vcard\",\n  [ [\"version\",{},\"text\",\"4.0\"],\n    [\"fn\",{},\"text\",\"Q Branch\"],\n" \
	"    [\"org\",{},\"text\",\"MI6;Q Branch Spy Gadgets\"],\n    [\"photo\",{},\"uri\",\n" \
	"      \"https://example.com/photos/quartermaster-256x256.png\"],\n    [\"logo\",{},\"uri\",\n" \
	"      \"https://example.com/logos/mi6-256x256.jpg\"],\n    [\"logo\",{},\"uri\",\n" \
	"      \"https://example.com/logos/mi6-64x64.jpg\"]\n  ]\n]"
/* The jCard file of RFC 9795 8.3 (5), compact: its digest is the RFC's /jcl one. */
#define RFC9795_Q256 \
	"[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],[\"fn\",{},\"text\",\"Q Branch\"],[\"org\",{}," \
	"\"text\",\"MI6;Q Branch Spy Gadgets\"],[\"photo\",{},\"uri\",\"https://example.com/photos/" \
	"q-256x256.png\"],[\"logo\",{},\"uri\",\"https://example.com/logos/mi6-256x256.jpg\"],[\"logo\"," \
	"{},\"uri\",\"https://example.com/logos/mi6-64x64.jpg\"]]]"
/* The data: URI icon of RFC 9795 8.3 (3), its three lines joined. */
#define RFC9795_DATA_ICN \
	"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAUAAAAFCAYAAACNbyblAAAAHElEQVQI12P4//8/w38GIA" \
	"XDIBKE0DHxgljNBAAO9TXL0Y4OHwAAAABJRU5ErkJggg=="

START_TEST(the_rfc9795_digests_over_json_values_verify)
{
	static const char *const jcd_urls[] = { "/jcd/1/3/3", "/jcd/1/4/3", "/jcd/1/5/3" };
	char m[4096];
	json_t *res, *r, *c;
	char *t;

	/* 8.3 (6): the /nam digest, and an icon the signer's digest does not
	 * fit (the RFC gives no image bytes): the name stays verified */
	put_png("q-256x256.png", "not the RFC's image", 100);
	snprintf(m, sizeof(m), "\"crn\":\"Rendezvous for Little Nellie\",\"rcd\":{\"nam\":\"Q Branch Spy Gadgets\","
	    "\"icn\":\"%s/q-256x256.png\"},\"rcdi\":{\"/nam\":\"sha256-sM275lTgzCte+LHOKHtU4SxG8shlOo6OS4ot8IJQImY\","
	    "\"/icn\":\"sha256-RojgWwU6xUtI4q82+kHPyHm1JKbm7+663bMvzymhkl4\"}", web);
	t = claims_jws("sp", "rcd", m);
	r = verify(t, &res);
	ck_assert(json_is_false(json_object_get(r, "verified")));
	ck_assert_str_eq(json_string_value(json_object_get(r, "why_not")),
	    "the content of /icn does not match its rcdi digest");
	ck_assert_str_eq(json_string_value(json_object_get(r, "nam")), "Q Branch Spy Gadgets");
	ck_assert_str_eq(json_string_value(json_object_get(r, "crn")), "Rendezvous for Little Nellie");
	ck_assert(json_is_null(json_object_get(r, "icon")));
	c = json_array_get(json_object_get(r, "digests"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "ptr")), "/nam");
	ck_assert(json_is_true(json_object_get(c, "verified")));
	c = json_array_get(json_object_get(r, "content"), 0);
	ck_assert(json_is_false(json_object_get(c, "verified")));
	ck_assert(json_is_true(json_object_get(c, "fetched")));
	no_unverified_offered(r);
	json_decref(res);
	free(t);
	/* the same digest over another name: the name is not verified */
	snprintf(m, sizeof(m), "\"rcd\":{\"nam\":\"Q Branch Spy Gadgetz\"},\"rcdi\":{\"/nam\":"
	    "\"sha256-sM275lTgzCte+LHOKHtU4SxG8shlOo6OS4ot8IJQImY\"}");
	t = claims_jws("sp", "rcd", m);
	r = verify(t, &res);
	ck_assert(json_is_false(json_object_get(r, "verified")));
	ck_assert_str_eq(json_string_value(json_object_get(r, "why_not")),
	    "the value at /nam does not match its rcdi digest");
	ck_assert(json_is_null(json_object_get(r, "nam")));
	ck_assert(json_is_null(json_object_get(r, "display_name")));
	json_decref(res);
	free(t);
	/* 6.1.3: the /jcd digest over the jCard as the RFC prints it (the
	 * digest is over its serialization, not its whitespace); its URLs
	 * have no digest here, so they are neither fetched nor verified */
	snprintf(m, sizeof(m), "\"rcd\":{\"jcd\":%s,\"nam\":\"Q Branch Spy Gadgets\"},\"rcdi\":{"
	    "\"/jcd\":\"sha256-7kdCBZqH0nqMSPsmABvsKlHPhZEStgjojhdSJGRr3rk\"}", RFC9795_JCD);
	t = claims_jws("sp", "rcd", m);
	r = verify(t, &res);
	ck_assert_ptr_nonnull(json_object_get(r, "jcard"));
	ck_assert(json_is_true(json_object_get(json_array_get(json_object_get(r, "digests"), 0),
	    "verified")));
	ck_assert_uint_eq(json_array_size(json_object_get(r, "content")), 3);
	for (size_t i = 0; i < 3; i++) {
		c = json_array_get(json_object_get(r, "content"), i);
		ck_assert_str_eq(json_string_value(json_object_get(c, "ptr")), jcd_urls[i]);
		ck_assert(json_is_false(json_object_get(c, "fetched")));
		ck_assert(json_is_false(json_object_get(c, "verified")));
	}
	ck_assert_str_eq(json_string_value(json_object_get(r, "why_not")),
	    "no rcdi digest covers /jcd/1/3/3");
	json_decref(res);
	free(t);
	/* the same digest over a jCard changed by one character */
	snprintf(m, sizeof(m), "\"rcd\":{\"jcd\":[\"vcard\",[[\"fn\",{},\"text\",\"Q Branch\"]]],"
	    "\"nam\":\"Q Branch\"},\"rcdi\":{\"/jcd\":\"sha256-7kdCBZqH0nqMSPsmABvsKlHPhZEStgjojhdSJGRr3rk\"}");
	t = claims_jws("sp", "rcd", m);
	r = verify(t, &res);
	ck_assert_str_eq(json_string_value(json_object_get(r, "why_not")),
	    "the value at /jcd does not match its rcdi digest");
	ck_assert(json_is_null(json_object_get(r, "jcard")));
	ck_assert_str_eq(json_string_value(json_object_get(r, "nam")), "Q Branch");
	json_decref(res);
	free(t);
	/* 8.3 (5): the jCard file served with the RFC's bytes matches the
	 * RFC's unpadded /jcl digest */
	put_str("qbranch.json", RFC9795_Q256);
	snprintf(m, sizeof(m), "\"crn\":\"Rendezvous for Little Nellie\",\"rcd\":{\"nam\":"
	    "\"Q Branch Spy Gadgets\",\"jcl\":\"%s/qbranch.json\"},\"rcdi\":{\"/jcl\":"
	    "\"sha256-qCn4pEH6BJu7zXndLFuAP6DwlTv5fRmJ1AFkqftwnCs\"}", web);
	t = claims_jws("sp", "rcd", m);
	r = verify(t, &res);
	c = json_array_get(json_object_get(r, "content"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "ptr")), "/jcl");
	ck_assert_msg(json_is_true(json_object_get(c, "verified")), "%s", out);
	ck_assert(json_is_true(json_object_get(c, "integrity")));
	ck_assert_ptr_nonnull(json_object_get(r, "jcard"));
	{
		char want[512];
		const char *w[2] = { want,
		    "<data:>;purpose=jcard;call-reason=\"Rendezvous for Little Nellie\";verified=\"true\"" };

		snprintf(want, sizeof(want), "<%s/qbranch.json>;purpose=jcard;verified=\"true\";"
		    "integrity=\"sha256-qCn4pEH6BJu7zXndLFuAP6DwlTv5fRmJ1AFkqftwnCs\"", web);
		call_info_is(r, w, 2);
	}
	json_decref(res);
	free(t);
	/* a stale pointer: rcdi names what the RCD does not hold */
	unverified("\"nam\":\"Q Branch\"", "{\"/apn\":\"sha256-sM275lTgzCte+LHOKHtU4SxG8shlOo6OS4ot8IJQImY\"}",
	    "rcdi names /apn, which the RCD does not hold");
}
END_TEST

START_TEST(crn_alone_and_an_icn_data_uri_need_no_fetch)
{
	static const char *const reason[] = {
		"<data:>;purpose=jcard;call-reason=\"For your ears only\";verified=\"true\"" };
	static const char *const icon[] = { "<" RFC9795_DATA_ICN ">;purpose=icon;verified=\"true\"" };
	json_t *res, *r;
	char *t;

	/* 9795 8: a ppt=rcd PASSporT with only crn */
	t = claims_jws("sp", "rcd", "\"crn\":\"For your ears only\"");
	r = verify(t, &res);
	ck_assert_msg(json_is_true(json_object_get(r, "verified")), "%s", out);
	ck_assert_str_eq(json_string_value(json_object_get(r, "crn")), "For your ears only");
	ck_assert(json_is_null(json_object_get(r, "nam")));
	call_info_is(r, reason, 1);
	json_decref(res);
	free(t);
	/* 8.3 (3): nam, apn and an icn data: URI, with no digest and no fetch */
	t = claims_jws("sp", "rcd", "\"rcd\":{\"apn\":\"12025559990\",\"icn\":\"" RFC9795_DATA_ICN
	    "\",\"nam\":\"Her Majesty's Secret Service\"}");
	r = verify(t, &res);
	ck_assert_msg(json_is_true(json_object_get(r, "verified")), "%s", out);
	ck_assert_str_eq(json_string_value(json_object_get(r, "icon")), RFC9795_DATA_ICN);
	ck_assert_str_eq(json_string_value(json_object_get(r, "apn")), "12025559990");
	ck_assert_uint_eq(json_array_size(json_object_get(r, "content")), 0);
	call_info_is(r, icon, 1);
	json_decref(res);
	free(t);
	/* a data: URI that is not what it declares */
	t = claims_jws("sp", "rcd", "\"rcd\":{\"icn\":\"data:image/jpeg;base64,iVBORw0KGgoAAAANSUhEUg"
	    "AAAAUAAAAFCAYAAACNbyblAAAAHElEQVQI12P4//8/w38GIAXDIBKE0DHxgljNBAAO9TXL0Y4OHwAAAABJRU5E"
	    "rkJggg==\",\"nam\":\"Q Branch\"}");
	unverified_t(t, "the icn data: URI does not hold the image/jpeg it declares");
	free(t);
	/* neither rcd nor crn in a ppt=rcd PASSporT: the identity fails */
	t = claims_jws("sp", "rcd", "");
	ck_assert_int_ne(h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from %s --to %s",
	    t, FROM, TO), 0);
	ck_assert_ptr_nonnull(strstr(out, "a ppt rcd PASSporT has neither an rcd nor a crn claim"));
	free(t);
}
END_TEST

START_TEST(nam_is_compared_and_call_info_is_rfc9796s)
{
	char m[1024], icn[256], icon[512];
	const char *s8[3];
	json_t *res, *r;
	char *t;

	/* RFC 9796 8's example, our icon served and digested */
	put_png("q.png", "the icon", 90);
	snprintf(icn, sizeof(icn), "%s/q.png", web);
	snprintf(m, sizeof(m), "\"crn\":\"Rendezvous for Little Nellie\",\"rcd\":{\"nam\":"
	    "\"Q Branch Spy Gadgets\",\"icn\":\"%s\"},\"rcdi\":{\"/icn\":\"%s\"}", icn, digest("q.png"));
	snprintf(icon, sizeof(icon), "<%s>;purpose=icon;verified=\"true\";integrity=\"%s\"", icn,
	    digest("q.png"));
	s8[0] = icon;
	s8[1] = "<data:>;purpose=jcard;call-reason=\"Rendezvous for Little Nellie\";verified=\"true\"";
	s8[2] = "<data:>;purpose=jcard;verified=\"true\"";
	t = claims_jws("sp", "rcd", m);
	/* the From display-name is nam: all three of 9796 8 */
	r = verify_as(t, "\"Q Branch Spy Gadgets\" <sip:+12155551212@example.com;user=phone>;tag=1",
	    NULL, &res);
	ck_assert_msg(json_is_true(json_object_get(r, "verified")), "%s", out);
	ck_assert_str_eq(json_string_value(json_object_get(r, "nam_match")), "from");
	call_info_is(r, s8, 3);
	json_decref(res);
	/* P-Asserted-Identity's is (the preferred value of 9795 12.2) */
	r = verify_as(t, "sip:+12155551212@example.com;user=phone",
	    "--pai 'Q Branch Spy Gadgets <tel:+12155551212>'", &res);
	ck_assert_str_eq(json_string_value(json_object_get(r, "nam_match")), "pai");
	call_info_is(r, s8, 3);
	json_decref(res);
	/* another name shown: said, and the display-name is not vouched for */
	r = verify_as(t, "\"Someone Else\" <sip:+12155551212@example.com;user=phone>", NULL, &res);
	ck_assert_str_eq(json_string_value(json_object_get(r, "nam_match")), "differs");
	call_info_is(r, s8, 2);
	json_decref(res);
	r = verify_as(t, "<sip:+12155551212@example.com;user=phone>", NULL, &res);
	ck_assert_str_eq(json_string_value(json_object_get(r, "nam_match")), "no-display-name");
	json_decref(res);
	/* the operator chooses what is passed on */
	restart("rcd_call_info = icon, call-reason\n");
	r = verify_as(t, "\"Q Branch Spy Gadgets\" <sip:+12155551212@example.com>", NULL, &res);
	snprintf(icon, sizeof(icon), "<%s>;purpose=icon", icn);
	s8[1] = "<data:>;purpose=jcard;call-reason=\"Rendezvous for Little Nellie\"";
	call_info_is(r, s8, 2);
	json_decref(res);
	restart("rcd_call_info = none\n");
	r = verify_as(t, "\"Q Branch Spy Gadgets\" <sip:+12155551212@example.com>", NULL, &res);
	call_info_is(r, s8, 0);
	json_decref(res);
	free(t);
	/* a word stird does not know keeps it from starting */
	ck_assert_int_eq(h_stop(&H), 0);
	config("rcd_call_info = icon, colour\n");
	ck_assert_int_ne(h_start_fails(&H), 0);
}
END_TEST

START_TEST(a_compact_rcd_is_rebuilt_from_from_and_call_info)
{
	char hdr[512], pay[1024], info[256], more[256], *full, *sig, compact[512];
	json_t *res, *r;
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(more, sizeof(more), "--date '%a, %d %b %Y %H:%M:%S GMT' --call-info "
	    "'<data:>;purpose=jcard;call-reason=\"Your appointment\"'", &tm);
	snprintf(info, sizeof(info), "%s/sp-chain.pem", web);
	/* what RFC 9795 9.1 and 9.3 rebuild: nam from From, crn from call-reason */
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"rcd\",\"typ\":\"passport\",\"x5u\":\"%s\"}",
	    info);
	snprintf(pay, sizeof(pay), "{\"crn\":\"Your appointment\",\"dest\":{\"tn\":[\"12125551213\"]},"
	    "\"iat\":%ld,\"orig\":{\"tn\":\"12155551212\"},\"rcd\":{\"nam\":\"Q Branch\"}}", (long)now);
	full = h_jws(&H, "sp.key", hdr, pay, "");
	ck_assert_ptr_nonnull(sig = strrchr(full, '.'));
	snprintf(compact, sizeof(compact), "..%s;info=<%s>;alg=ES256;ppt=rcd", sig + 1, info);
	r = verify_as(compact, "\"Q Branch\" <sip:+12155551212@example.com;user=phone>", more, &res);
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Passed");
	ck_assert_msg(json_is_true(json_object_get(r, "verified")), "%s", out);
	ck_assert_str_eq(json_string_value(json_object_get(r, "nam")), "Q Branch");
	ck_assert_str_eq(json_string_value(json_object_get(r, "crn")), "Your appointment");
	ck_assert_str_eq(json_string_value(json_object_get(r, "nam_match")), "from");
	json_decref(res);
	/* another display-name, or no call-reason: another signing input */
	(void)h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from '%s' --to %s %s",
	    compact, "\"Q Brunch\" <sip:+12155551212@example.com>", TO, more);
	ck_assert_ptr_nonnull(strstr(out, "the signature does not verify"));
	strftime(more, sizeof(more), "--date '%a, %d %b %Y %H:%M:%S GMT'", &tm);
	(void)h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from '%s' --to %s %s",
	    compact, "\"Q Branch\" <sip:+12155551212@example.com>", TO, more);
	ck_assert_ptr_nonnull(strstr(out, "the signature does not verify"));
	free(full);
}
END_TEST

START_TEST(a_third_party_rcd_passport_is_named_and_held_to_orig)
{
	json_t *res, *r;
	char *t;

	/* RFC 9795 10.1's example claims, signed by a signer for orig */
	t = claims_jws("sp", "rcd", "\"iss\":\"Zorin Industries\",\"rcd\":{\"nam\":\"James St. John Smythe\"}");
	r = verify(t, &res);
	ck_assert_msg(json_is_true(json_object_get(r, "verified")), "%s", out);
	ck_assert_str_eq(json_string_value(json_object_get(r, "iss")), "Zorin Industries");
	json_decref(res);
	free(t);
	/* 12.1: a third party MUST use ppt rcd */
	t = claims_jws("sp", "shaken", "\"attest\":\"A\",\"origid\":\"123e4567-e89b-12d3-a456-426655440000\","
	    "\"iss\":\"Zorin Industries\",\"rcd\":{\"nam\":\"James St. John Smythe\"}");
	withheld_t(t, "a third-party PASSporT (iss) must have ppt rcd");
	free(t);
	/* a certificate for another number: the value fails, saying why */
	ck_assert_int_eq(h_sh(out, sizeof(out), "cd '%s' && cat >> ext.cnf <<EOF\n"
	    "[other]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n"
	    "1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_tn\n[tnauth_tn]\ntn = EXP:2,IA5:12025551000\nEOF\n"
	    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key 2>/dev/null &&"
	    " openssl req -new -key other.key -subj /CN=Zorin\\ Industries -config ext.cnf -out other.csr &&"
	    " openssl x509 -req -in other.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 30"
	    " -extfile ext.cnf -extensions other -out other.pem 2>/dev/null && cat other.pem inter.pem > other-chain.pem &&"
	    " cp other-chain.pem '%s/'", H.pki, H.www), 0);
	t = claims_jws("other", "rcd", "\"iss\":\"Zorin Industries\",\"rcd\":{\"nam\":\"James St. John Smythe\"}");
	ck_assert_int_ne(h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from %s --to %s",
	    t, FROM, TO), 0);
	ck_assert_msg(strstr(out, "does not cover orig (a third-party PASSporT, iss \\\"Zorin Industries\\\"") != NULL,
	    "%.2000s", out);
	free(t);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("rcd_verify");
	TCase *tc = tcase_create("rcd_verify");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_photo_inside_a_jcl_jcard_is_fetched_and_digested);
	tcase_add_test(tc, a_photo_inside_an_inline_jcd_is_fetched_and_digested);
	tcase_add_test(tc, one_level_of_urls_only_and_a_bounded_number);
	tcase_add_test(tc, content_over_its_size_limit_is_not_verified);
	tcase_add_test(tc, the_bytes_decide_the_type_not_the_content_type);
	tcase_add_test(tc, rcd_require_rcdi_no_accepts_content_without_a_digest);
	tcase_add_test(tc, rcd_require_constraints_needs_claim_constraints_in_the_path);
	tcase_add_test(tc, rcd_anchors_only_needs_an_anchor_added_for_rcd);
	tcase_add_test(tc, the_rfc9795_digests_over_json_values_verify);
	tcase_add_test(tc, crn_alone_and_an_icn_data_uri_need_no_fetch);
	tcase_add_test(tc, nam_is_compared_and_call_info_is_rfc9796s);
	tcase_add_test(tc, a_compact_rcd_is_rebuilt_from_from_and_call_info);
	tcase_add_test(tc, a_third_party_rcd_passport_is_named_and_held_to_orig);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
