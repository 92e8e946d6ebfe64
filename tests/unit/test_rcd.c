/*
 * test_rcd.c: Rich Call Data claims, rcdi digests, icons, jCards and the
 * URLs inside them, display names (rcd.c), and the trust anchors added
 * for RCD (rcd_anchor.c, on a test PKI made by scripts/mkpki.sh).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <sodium.h>

#include "stirclient.h"
#include "daemon/pki/cert.h"
#include "daemon/pki/certcache_kind.h"
#include "daemon/pki/rcd_fetch.h"
#include "daemon/stir/rcd.h"
#include "daemon/pki/rcd_anchor.h"
#include "daemon/sign/policy.h"
#include "tests/unit/test_util.h"

#define ICN	"https://x.example/logo.png"
#define JCL	"https://x.example/card.json"
#define JCARD	"[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],[\"fn\",{},\"text\",\"Alice\"]]]"

/* JSON values whose strings a test still compares (freed in main). */
static json_t *keep;

static json_t *
load(const char *s)
{
	json_error_t err;
	json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, &err);

	ck_assert_msg(j != NULL, "%s: %s", s, err.text);
	return j;
}

/* stir_rcd_read() of the JSON text s; the payload goes to *ret_payload. */
static int
read_rcd(const char *s, struct stir_rcd *r, json_t **ret_payload, char *msg, size_t msglen)
{
	*ret_payload = load(s);
	msg[0] = '\0';
	return stir_rcd_read(*ret_payload, r, msg, msglen);
}

/* s must be refused, with a reason mentioning what. */
static void
read_bad(const char *s, const char *what)
{
	struct stir_rcd r;
	json_t *p;
	char msg[160];

	ck_assert_int_eq(read_rcd(s, &r, &p, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_msg(strstr(msg, what) != NULL, "%s: '%s' lacks '%s'", s, msg, what);
	json_decref(p);
}

START_TEST(test_read_none)
{
	struct stir_rcd r;
	json_t *p;
	char msg[160];

	/* neither rcd nor crn (RFC 9795 8): rcdi alone is not RCD */
	ck_assert_int_eq(read_rcd("{\"attest\":\"A\",\"rcdi\":{}}", &r, &p,
	    msg, sizeof(msg)), STIR_ENOENT);
	json_decref(p);
	ck_assert_int_eq(read_rcd("{}", &r, &p, msg, sizeof(msg)), STIR_ENOENT);
	json_decref(p);
	read_bad("{\"rcd\":[\"nam\",\"Alice\"]}", "not an object");
	read_bad("{\"rcd\":\"Alice\"}", "not an object");
}
END_TEST

START_TEST(test_read_nam)
{
	struct stir_rcd r;
	json_t *p;
	char msg[160], big[400];

	ck_assert_int_eq(read_rcd("{\"rcd\":{\"nam\":\"Alice\"}}", &r, &p, msg, sizeof(msg)),
	    STIR_OK);
	ck_assert_str_eq(r.nam, "Alice");
	ck_assert_ptr_null(r.apn);
	ck_assert_ptr_null(r.icn);
	ck_assert_ptr_null(r.jcl);
	ck_assert_ptr_null(r.jcd);
	ck_assert_ptr_null(r.crn);
	ck_assert_uint_eq(r.nrefs, 0);
	json_decref(p);

	read_bad("{\"rcd\":{}}", "no nam");
	read_bad("{\"rcd\":{\"apn\":\"Acme\",\"icn\":\"" ICN "\"}}", "no nam");
	read_bad("{\"rcd\":{\"nam\":42}}", "'nam'");
	read_bad("{\"rcd\":{\"nam\":null}}", "'nam'");
	read_bad("{\"rcd\":{\"nam\":\"A\",\"apn\":[]}}", "'apn'");

	/* 256 bytes is the most */
	snprintf(big, sizeof(big), "{\"rcd\":{\"nam\":\"%0256d\"}}", 0);
	ck_assert_int_eq(read_rcd(big, &r, &p, msg, sizeof(msg)), STIR_OK);
	ck_assert_uint_eq(strlen(r.nam), STIR_RCD_NAM_MAX);
	json_decref(p);
	snprintf(big, sizeof(big), "{\"rcd\":{\"nam\":\"%0257d\"}}", 0);
	read_bad(big, "'nam'");
}
END_TEST

START_TEST(test_read_jcd)
{
	struct stir_rcd r;
	json_t *p;
	char msg[160];

	ck_assert_int_eq(read_rcd("{\"rcd\":{\"nam\":\"Alice\",\"jcd\":" JCARD "}}", &r, &p,
	    msg, sizeof(msg)), STIR_OK);
	ck_assert_ptr_nonnull(r.jcd);
	ck_assert(json_is_array(r.jcd));
	ck_assert_ptr_eq(r.jcd, json_object_get(json_object_get(p, "rcd"), "jcd"));
	ck_assert_uint_eq(r.nrefs, 0);
	json_decref(p);

	read_bad("{\"rcd\":{\"nam\":\"Alice\",\"jcd\":" JCARD ",\"jcl\":\"" JCL "\"}}",
	    "both jcd and jcl");
	read_bad("{\"rcd\":{\"nam\":\"Alice\",\"jcd\":[\"vcard\",{}]}}", "jCard");
	read_bad("{\"rcd\":{\"nam\":\"Alice\",\"jcd\":[\"vCard\",[]]}}", "jCard");
	read_bad("{\"rcd\":{\"nam\":\"Alice\",\"jcd\":[\"vcard\",[],[]]}}", "jCard");
	read_bad("{\"rcd\":{\"nam\":\"Alice\",\"jcd\":{\"vcard\":[]}}}", "jCard");
}
END_TEST

START_TEST(test_read_urls)
{
	struct stir_rcd r;
	json_t *p;
	char msg[160];

	ck_assert_int_eq(read_rcd("{\"rcd\":{\"nam\":\"Alice\",\"icn\":\"" ICN "\",\"jcl\":\""
	    JCL "\"},\"rcdi\":{\"/icn\":\"sha256-x\",\"/jcl\":\"sha512-y\"}}", &r, &p,
	    msg, sizeof(msg)), STIR_OK);
	ck_assert_str_eq(r.icn, ICN);
	ck_assert_str_eq(r.jcl, JCL);
	ck_assert_uint_eq(r.nrefs, 2);
	ck_assert_str_eq(r.refs[0].ptr, "/icn");
	ck_assert_str_eq(r.refs[0].url, ICN);
	ck_assert_str_eq(r.refs[0].digest, "sha256-x");
	ck_assert_str_eq(r.refs[1].ptr, "/jcl");
	ck_assert_str_eq(r.refs[1].url, JCL);
	ck_assert_str_eq(r.refs[1].digest, "sha512-y");
	ck_assert_ptr_eq(r.rcdi, json_object_get(p, "rcdi"));
	json_decref(p);

	/* no rcdi: refs without digests */
	ck_assert_int_eq(read_rcd("{\"rcd\":{\"nam\":\"Alice\",\"jcl\":\"" JCL "\"}}", &r, &p,
	    msg, sizeof(msg)), STIR_OK);
	ck_assert_uint_eq(r.nrefs, 1);
	ck_assert_str_eq(r.refs[0].ptr, "/jcl");
	ck_assert_ptr_null(r.refs[0].digest);
	ck_assert_ptr_null(r.rcdi);
	json_decref(p);

	read_bad("{\"rcd\":{\"nam\":\"A\",\"icn\":\"http://x.example/logo.png\"}}", "https");
	read_bad("{\"rcd\":{\"nam\":\"A\",\"icn\":\"HTTPS://x.example/logo.png\"}}", "https");
	read_bad("{\"rcd\":{\"nam\":\"A\",\"icn\":\"https://\"}}", "https");
	read_bad("{\"rcd\":{\"nam\":\"A\",\"icn\":\"https://x.example/a b.png\"}}", "https");
	read_bad("{\"rcd\":{\"nam\":\"A\",\"icn\":\"https://x.example/\\u00e9.png\"}}", "https");
	read_bad("{\"rcd\":{\"nam\":\"A\",\"jcl\":\"ftp://x.example/c.json\"}}", "https");
	read_bad("{\"rcd\":{\"nam\":\"A\",\"icn\":1}}", "'icn'");
}
END_TEST

START_TEST(test_read_rcdi)
{
	struct stir_rcd r;
	json_t *p;
	char msg[160];

	/* keys are JSON pointers; ones we do not follow are allowed */
	ck_assert_int_eq(read_rcd("{\"rcd\":{\"nam\":\"A\",\"icn\":\"" ICN "\"},"
	    "\"rcdi\":{\"/icn\":\"sha256-x\",\"/jcd/1/0\":\"sha256-y\"}}", &r, &p,
	    msg, sizeof(msg)), STIR_OK);
	ck_assert_uint_eq(r.nrefs, 1);
	ck_assert_str_eq(r.refs[0].digest, "sha256-x");
	json_decref(p);

	read_bad("{\"rcd\":{\"nam\":\"A\",\"icn\":\"" ICN "\"},\"rcdi\":{\"icn\":\"sha256-x\"}}",
	    "'icn'");
	read_bad("{\"rcd\":{\"nam\":\"A\"},\"rcdi\":{\"\":\"sha256-x\"}}", "pointer");
	read_bad("{\"rcd\":{\"nam\":\"A\"},\"rcdi\":{\"/icn\":1}}", "'/icn'");
	read_bad("{\"rcd\":{\"nam\":\"A\"},\"rcdi\":[\"sha256-x\"]}", "rcdi is not an object");
}
END_TEST

START_TEST(test_read_crn)
{
	struct stir_rcd r;
	json_t *p;
	char msg[160], big[400];

	ck_assert_int_eq(read_rcd("{\"rcd\":{\"nam\":\"A\"},\"crn\":\"Your delivery\"}", &r,
	    &p, msg, sizeof(msg)), STIR_OK);
	ck_assert_str_eq(r.crn, "Your delivery");
	json_decref(p);

	/* crn alone is RCD (RFC 9795 8: "at least one "rcd" or "crn" claim") */
	ck_assert_int_eq(read_rcd("{\"attest\":\"A\",\"crn\":\"x\",\"rcdi\":{}}", &r,
	    &p, msg, sizeof(msg)), STIR_OK);
	ck_assert_ptr_null(r.obj);
	ck_assert_ptr_null(r.nam);
	ck_assert_str_eq(r.crn, "x");
	ck_assert_uint_eq(r.nrefs, 0);
	ck_assert_ptr_eq(r.rcdi, json_object_get(p, "rcdi"));
	json_decref(p);
	read_bad("{\"crn\":1}", "crn");
	read_bad("{\"crn\":\"x\",\"rcdi\":[]}", "rcdi is not an object");

	read_bad("{\"rcd\":{\"nam\":\"A\"},\"crn\":1}", "crn");
	read_bad("{\"rcd\":{\"nam\":\"A\"},\"crn\":[\"x\"]}", "crn");
	read_bad("{\"rcd\":{\"nam\":\"A\"},\"crn\":null}", "crn");
	snprintf(big, sizeof(big), "{\"rcd\":{\"nam\":\"A\"},\"crn\":\"%0257d\"}", 0);
	read_bad(big, "crn");
}
END_TEST

/* ---- rcdi digests ---- */

/* (its sha256 and sha384 in base64 hold '+' or '/', so base64url differs) */
static const uint8_t BODY[] = "\x89PNG\r\n\x1a\n not really an icon 5 \x00\xff";

/* "<prefix><base64 of the digest of BODY, flipped at byte flip if >= 0>" */
static char *
digest_of(const char *prefix, gnutls_digest_algorithm_t alg, int variant, int flip)
{
	uint8_t h[64];
	size_t n = gnutls_hash_get_len(alg), pl = strlen(prefix);
	size_t bl = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *out = malloc(pl + bl);

	ck_assert_ptr_nonnull(out);
	ck_assert_uint_le(n, sizeof(h));
	ck_assert_int_eq(gnutls_hash_fast(alg, BODY, sizeof(BODY), h), 0);
	if (flip >= 0)
		h[flip] ^= 0x80;
	memcpy(out, prefix, pl);
	sodium_bin2base64(out + pl, bl, h, n, variant);
	return out;
}

static void
rcdi_is(const char *prefix, gnutls_digest_algorithm_t alg, int variant, int flip, int want)
{
	char *d = digest_of(prefix, alg, variant, flip);

	ck_assert_msg(stir_rcdi_check(d, BODY, sizeof(BODY)) == want, "%s: not %d", d, want);
	free(d);
}

START_TEST(test_rcdi_match)
{
	rcdi_is("sha256-", GNUTLS_DIG_SHA256, sodium_base64_VARIANT_ORIGINAL, -1, STIR_OK);
	rcdi_is("sha384-", GNUTLS_DIG_SHA384, sodium_base64_VARIANT_ORIGINAL, -1, STIR_OK);
	rcdi_is("sha512-", GNUTLS_DIG_SHA512, sodium_base64_VARIANT_ORIGINAL, -1, STIR_OK);
}
END_TEST

START_TEST(test_rcdi_mismatch)
{
	char *d;

	rcdi_is("sha256-", GNUTLS_DIG_SHA256, sodium_base64_VARIANT_ORIGINAL, 0, STIR_EPOLICY);
	rcdi_is("sha384-", GNUTLS_DIG_SHA384, sodium_base64_VARIANT_ORIGINAL, 47, STIR_EPOLICY);
	rcdi_is("sha512-", GNUTLS_DIG_SHA512, sodium_base64_VARIANT_ORIGINAL, 31, STIR_EPOLICY);
	/* the right digest over other bytes */
	d = digest_of("sha256-", GNUTLS_DIG_SHA256, sodium_base64_VARIANT_ORIGINAL, -1);
	ck_assert_int_eq(stir_rcdi_check(d, BODY, sizeof(BODY) - 1), STIR_EPOLICY);
	ck_assert_int_eq(stir_rcdi_check(d, (const uint8_t *)"", 0), STIR_EPOLICY);
	free(d);
}
END_TEST

START_TEST(test_rcdi_malformed)
{
	char *d;

	/* base64url, padded or not */
	d = digest_of("sha256-", GNUTLS_DIG_SHA256, sodium_base64_VARIANT_URLSAFE, -1);
	ck_assert_ptr_nonnull(strpbrk(d + 7, "-_"));
	free(d);
	rcdi_is("sha256-", GNUTLS_DIG_SHA256, sodium_base64_VARIANT_URLSAFE, -1, STIR_EINVAL);
	rcdi_is("sha256-", GNUTLS_DIG_SHA256, sodium_base64_VARIANT_URLSAFE_NO_PADDING, -1,
	    STIR_EINVAL);
	rcdi_is("sha384-", GNUTLS_DIG_SHA384, sodium_base64_VARIANT_URLSAFE, -1, STIR_EINVAL);
	rcdi_is("sha512-", GNUTLS_DIG_SHA512, sodium_base64_VARIANT_URLSAFE_NO_PADDING, -1,
	    STIR_EINVAL);
	/* the digest of one algorithm under another's name */
	rcdi_is("sha512-", GNUTLS_DIG_SHA256, sodium_base64_VARIANT_ORIGINAL, -1, STIR_EINVAL);
	rcdi_is("sha256-", GNUTLS_DIG_SHA384, sodium_base64_VARIANT_ORIGINAL, -1, STIR_EINVAL);
	/* unknown or no algorithm */
	rcdi_is("sha1-", GNUTLS_DIG_SHA1, sodium_base64_VARIANT_ORIGINAL, -1, STIR_EINVAL);
	rcdi_is("md5-", GNUTLS_DIG_MD5, sodium_base64_VARIANT_ORIGINAL, -1, STIR_EINVAL);
	rcdi_is("SHA256-", GNUTLS_DIG_SHA256, sodium_base64_VARIANT_ORIGINAL, -1, STIR_EINVAL);
	rcdi_is("sha256:", GNUTLS_DIG_SHA256, sodium_base64_VARIANT_ORIGINAL, -1, STIR_EINVAL);
	rcdi_is("", GNUTLS_DIG_SHA256, sodium_base64_VARIANT_ORIGINAL, -1, STIR_EINVAL);
	/* junk around the base64 */
	d = digest_of("sha256-", GNUTLS_DIG_SHA256, sodium_base64_VARIANT_ORIGINAL, -1);
	d[strlen(d) - 2] = '\0';		/* cut "x=": 42 characters, 31 bytes */
	ck_assert_int_eq(stir_rcdi_check(d, BODY, sizeof(BODY)), STIR_EINVAL);
	free(d);
	ck_assert_int_eq(stir_rcdi_check("sha256-", BODY, sizeof(BODY)), STIR_EINVAL);
	ck_assert_int_eq(stir_rcdi_check("sha256-!!!!", BODY, sizeof(BODY)), STIR_EINVAL);
	ck_assert_int_eq(stir_rcdi_check("", BODY, sizeof(BODY)), STIR_EINVAL);
}
END_TEST

START_TEST(test_rcdi_trailing)
{
	char *d = digest_of("sha256-", GNUTLS_DIG_SHA256, sodium_base64_VARIANT_ORIGINAL, -1);
	char buf[200];

	snprintf(buf, sizeof(buf), "%s ", d);
	ck_assert_int_eq(stir_rcdi_check(buf, BODY, sizeof(BODY)), STIR_EINVAL);
	snprintf(buf, sizeof(buf), "%s?opt", d);
	ck_assert_int_eq(stir_rcdi_check(buf, BODY, sizeof(BODY)), STIR_EINVAL);
	snprintf(buf, sizeof(buf), "%sAAAA", d);
	ck_assert_int_eq(stir_rcdi_check(buf, BODY, sizeof(BODY)), STIR_EINVAL);
	free(d);
}
END_TEST

/* ---- icons and jCards ---- */

START_TEST(test_icon_type)
{
	static const uint8_t png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	static const uint8_t jpeg[] = "\xff\xd8\xff\xe0\0\x10JFIF";
	static const char svg[] = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
	static const char gif[] = "GIF89a\x01\0\x01\0";
	char *late;

	ck_assert_str_eq(stir_rcd_icon_type(png, sizeof(png) - 1), "image/png");
	ck_assert_ptr_null(stir_rcd_icon_type(png, 7));
	ck_assert_str_eq(stir_rcd_icon_type(jpeg, sizeof(jpeg) - 1), "image/jpeg");
	ck_assert_str_eq(stir_rcd_icon_type(jpeg, 3), "image/jpeg");
	ck_assert_ptr_null(stir_rcd_icon_type(jpeg, 2));
	ck_assert_str_eq(stir_rcd_icon_type((const uint8_t *)svg, strlen(svg)), "image/svg+xml");
	ck_assert_str_eq(stir_rcd_icon_type((const uint8_t *)"<svg", 4), "image/svg+xml");
	ck_assert_ptr_null(stir_rcd_icon_type((const uint8_t *)"<sv", 3));
	ck_assert_ptr_null(stir_rcd_icon_type((const uint8_t *)gif, sizeof(gif) - 1));
	ck_assert_ptr_null(stir_rcd_icon_type((const uint8_t *)"<html><body/>", 13));
	ck_assert_ptr_null(stir_rcd_icon_type((const uint8_t *)"", 0));
	/* an SVG must be self-contained: local #fragments only */
	{
		static const char *const ok[] = {
			"<svg><use href=\"#a\"/><rect fill=\"url(#g)\"/></svg>",
			"<svg><a xlink:href = '#top'>x</a></svg>",
		};
		static const char *const bad[] = {
			"<svg><image href=\"https://evil.example/p.png\"/></svg>",
			"<svg><image xlink:href='//evil.example/p.png'/></svg>",
			"<svg><rect style=\"fill:url(https://evil.example/f)\"/></svg>",
			"<svg><SCRIPT>alert(1)</SCRIPT></svg>",
			"<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><svg>&x;</svg>",
			"<svg><foreignObject><iframe/></foreignObject></svg>",
			"<svg><style>@import 'https://evil.example/s.css';</style></svg>",
			"<svg><a href=\"javascript:alert(1)\">x</a></svg>",
		};

		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
			ck_assert_msg(stir_rcd_icon_type((const uint8_t *)ok[i], strlen(ok[i])) != NULL,
			    "%s", ok[i]);
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			ck_assert_msg(stir_rcd_icon_type((const uint8_t *)bad[i], strlen(bad[i])) == NULL,
			    "%s", bad[i]);
	}
	/* <svg only counts in the first KiB */
	late = malloc(2048);
	ck_assert_ptr_nonnull(late);
	memset(late, ' ', 2048);
	memcpy(late + 1500, "<svg", 4);
	ck_assert_ptr_null(stir_rcd_icon_type((const uint8_t *)late, 2048));
	memcpy(late + 100, "<svg", 4);
	ck_assert_str_eq(stir_rcd_icon_type((const uint8_t *)late, 2048), "image/svg+xml");
	free(late);
}
END_TEST

static bool
jcard(const char *s)
{
	json_t *j = NULL;
	char msg[160] = "";
	bool ok = stir_rcd_jcard_parse((const uint8_t *)s, strlen(s), &j, msg,
	    sizeof(msg)) == STIR_OK;

	ck_assert(ok == (j != NULL));
	ck_assert(ok || msg[0] != '\0');	/* a refusal says why */
	if (ok) {
		ck_assert(json_is_array(j));
		ck_assert_str_eq(json_string_value(json_array_get(j, 0)), "vcard");
	}
	json_decref(j);
	return ok;
}

START_TEST(test_jcard)
{
	ck_assert(jcard(JCARD));
	ck_assert(jcard("[\"vcard\",[]]"));
	ck_assert(jcard(" [ \"vcard\" , [ ] ] \n"));
	ck_assert(!jcard("[\"vcard\"]"));
	ck_assert(!jcard("[\"vcard\",{}]"));
	ck_assert(!jcard("[\"vcard\",[],[]]"));
	ck_assert(!jcard("[\"VCARD\",[]]"));
	ck_assert(!jcard("[\"vcalendar\",[]]"));
	ck_assert(!jcard("[1,[]]"));
	ck_assert(!jcard("{\"vcard\":[]}"));
	ck_assert(!jcard("[\"vcard\",[{\"a\":1,\"a\":2}]]"));	/* duplicate keys */
	ck_assert(!jcard("[\"vcard\",[]] x"));
	ck_assert(!jcard("BEGIN:VCARD\r\nFN:Alice\r\nEND:VCARD\r\n"));
	ck_assert(!jcard(""));
}
END_TEST

/* ---- the one rule for a usable jCard ---- */

/* A jCard of n photo URLs https://x.example/<i>.png, as JSON text (free()). */
static char *
photos(int n, const char *scheme)
{
	char *card = malloc(4096);
	size_t o;

	ck_assert_ptr_nonnull(card);
	o = (size_t)snprintf(card, 4096, "[\"vcard\",[[\"fn\",{},\"text\",\"A\"]");
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(card + o, 4096 - o,
		    ",[\"photo\",{},\"uri\",\"%s://x.example/%d.png\"]", scheme, i);
	snprintf(card + o, 4096 - o, "]]");
	return card;
}

START_TEST(test_jcard_rule)
{
	char msg[160], *card;
	json_t *j = NULL;

	/* a good one passes, with its URL values */
	card = photos(2, "https");
	ck_assert_int_eq(stir_rcd_jcard_parse((const uint8_t *)card, strlen(card), &j, msg,
	    sizeof(msg)), STIR_OK);
	ck_assert_int_eq(stir_rcd_jcard_check(j, "/jcd", msg, sizeof(msg)), STIR_OK);
	json_decref(j);
	free(card);
	/* the shape alone is not enough: an http URL value is refused, named */
	j = (json_t *)&j;
	card = photos(1, "http");
	ck_assert_int_eq(stir_rcd_jcard_parse((const uint8_t *)card, strlen(card), &j, msg,
	    sizeof(msg)), STIR_EINVAL);
	ck_assert_ptr_eq(j, (json_t *)&j);		/* untouched on failure */
	ck_assert_str_eq(msg, "the URL at /jcl/1/1/3 is not a usable https URL");
	free(card);
	/* STIR_RCD_NESTED_MAX URL values pass, one more does not */
	card = photos(STIR_RCD_NESTED_MAX + 1, "https");
	ck_assert_int_eq(stir_rcd_jcard_parse((const uint8_t *)card, strlen(card), &j, msg,
	    sizeof(msg)), STIR_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(msg, "more than 8 URLs"));
	free(card);
	/* not a jCard: the words the verifier has always given */
	ck_assert_int_eq(stir_rcd_jcard_parse((const uint8_t *)"[1]", 3, &j, msg, sizeof(msg)),
	    STIR_EINVAL);
	ck_assert_str_eq(msg, "the content of /jcl is not a jCard");
	ck_assert_int_eq(stir_rcd_jcard_parse((const uint8_t *)"not json", 8, &j, msg,
	    sizeof(msg)), STIR_EINVAL);
	ck_assert_str_eq(msg, "the content of /jcl is not a jCard");
	/* the rule over a value: an inline jcd, pointers under its base */
	j = json_loads("[\"vcard\",[[\"logo\",{},\"uri\",\"http://x.example/l.png\"]]]", 0,
	    NULL);
	ck_assert_int_eq(stir_rcd_jcard_check(j, "/jcd", msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_str_eq(msg, "the URL at /jcd/1/0/3 is not a usable https URL");
	json_decref(j);
}
END_TEST

/*
 * The signing side (policy content, stir_policy_content_entry(), and the
 * inline jcd, stir_jcard_urls()) and the verifying side (the certificate
 * cache's admission, then stir_rcd_judge()) admit the same jCards.
 */
START_TEST(test_jcard_sides_agree)
{
	static const char *const fixed[] = {
		JCARD, "[\"vcard\",[]]", "[\"vcard\",{}]", "[\"vcard\"]", "{}", "not json", "",
		"[\"vcard\",[[\"url\",{},\"uri\",\"http://x.example/\"]]]",
		"[\"vcard\",[[\"url\",{},\"uri\",\"https://x.example/\"]]]",
		"[\"vcard\",[[\"url\",{},\"uri\",\"HTTPS://x.example/\"]]]",
		"[\"vcard\",[[\"url\",{},\"uri\",\"https://x.example/a b\"]]]",
		"[\"vcard\",[[\"tel\",{},\"uri\",\"tel:+12155551212\"]]]",
		"[\"vcard\",[[\"fn\",{\"a\":1,\"a\":2},\"text\",\"B\"]]]",
	};
	char *cards[sizeof(fixed) / sizeof(fixed[0]) + 4];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		cards[n++] = strdup(fixed[i]);
	cards[n++] = photos(STIR_RCD_NESTED_MAX, "https");
	cards[n++] = photos(STIR_RCD_NESTED_MAX + 1, "https");
	cards[n++] = photos(1, "http");
	cards[n++] = photos(3, "https");
	for (size_t i = 0; i < n; i++) {
		const uint8_t *b = (const uint8_t *)cards[i];
		size_t len = strlen(cards[i]);
		const char *type = NULL;
		json_t *j = NULL, *e = NULL, *urls = NULL, *v;
		char msg[256];
		bool rule, cache, judge, sign, inline_jcd;

		ck_assert_ptr_nonnull(cards[i]);
		rule = stir_rcd_jcard_parse(b, len, &j, msg, sizeof(msg)) == STIR_OK;
		json_decref(j);
		cache = stir_cc_kind_check(STIR_CC_JCARD, b, len, msg, sizeof(msg)) == STIR_OK;
		j = NULL;
		judge = stir_rcd_judge(STIR_CC_JCARD, b, len, 65536, &type, &j) == STIR_RCD_OK;
		ck_assert(judge == (j != NULL));
		json_decref(j);
		sign = stir_policy_content_entry("jcard", b, len, 1000, 65536, false, 1, 2, &e,
		    msg, sizeof(msg)) == STIR_OK;
		json_decref(e);
		/* the inline jcd: a value of the same text (no duplicate members) */
		v = json_loadb(cards[i], len, JSON_REJECT_DUPLICATES, NULL);
		inline_jcd = v != NULL && stir_jcard_urls(v, false, &urls) == STIR_OK;
		json_decref(urls);
		urls = NULL;
		json_decref(v);
		ck_assert_msg(rule == cache && rule == judge && rule == sign &&
		    rule == inline_jcd, "%s: rule %d cache %d judge %d sign %d jcd %d",
		    cards[i], rule, cache, judge, sign, inline_jcd);
		free(cards[i]);
	}
}
END_TEST

/* ---- URLs inside a jCard ---- */

/* stir_rcd_jcard_refs() of the JSON text card under base, with rcdi (or NULL). */
static int
card_refs(const char *card, const char *base, const char *rcdi,
    struct stir_rcd_nref refs[static STIR_RCD_NESTED_MAX], size_t *n, char *msg, size_t msglen)
{
	json_t *j = load(card), *ri = rcdi != NULL ? load(rcdi) : NULL;
	int r;

	msg[0] = '\0';
	r = stir_rcd_jcard_refs(j, base, ri, refs, n, msg, msglen);
	/* refs borrow from j and ri: keep them until main() ends */
	json_array_append_new(keep, j);
	if (ri != NULL)
		json_array_append_new(keep, ri);
	return r;
}

#define PHOTO	"https://x.example/photo.png"
#define CARD_PHOTO "[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],[\"fn\",{},\"text\",\"Bank\"]," \
	"[\"photo\",{\"mediatype\":\"image/png\"},\"uri\",\"" PHOTO "\"]]]"

START_TEST(test_jcard_refs_none)
{
	struct stir_rcd_nref refs[STIR_RCD_NESTED_MAX];
	size_t n = 99;
	char msg[160];

	ck_assert_int_eq(card_refs(JCARD, "/jcl", NULL, refs, &n, msg, sizeof(msg)), STIR_OK);
	ck_assert_uint_eq(n, 0);
	n = 99;
	ck_assert_int_eq(card_refs("[\"vcard\",[]]", "/jcd", NULL, refs, &n, msg, sizeof(msg)),
	    STIR_OK);
	ck_assert_uint_eq(n, 0);
	/* URIs of other schemes, text values, short or odd properties: not references */
	n = 99;
	ck_assert_int_eq(card_refs("[\"vcard\",[[\"tel\",{},\"uri\",\"tel:+12025551000\"],"
	    "[\"impp\",{},\"uri\",\"sip:bank@example.com\"],"
	    "[\"photo\",{},\"uri\",\"data:image/png;base64,iVBORw0K\"],"
	    "[\"note\",{},\"text\",\"https://x.example/a.png\"],"
	    "[\"photo\",{},\"uri\"],[\"photo\",{}],\"photo\",42,{},"
	    "[1,{},\"uri\",\"https://x.example/a.png\"],"
	    "[\"photo\",{},\"uri\",[\"https://x.example/a.png\"],7,null]]]",
	    "/jcl", NULL, refs, &n, msg, sizeof(msg)), STIR_OK);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_jcard_refs_found)
{
	struct stir_rcd_nref refs[STIR_RCD_NESTED_MAX];
	size_t n = 0;
	char msg[160];

	ck_assert_int_eq(card_refs(CARD_PHOTO, "/jcl",
	    "{\"/jcl\":\"sha256-j\",\"/jcl/1/2/3\":\"sha256-p\"}", refs, &n, msg, sizeof(msg)),
	    STIR_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(refs[0].ptr, "/jcl/1/2/3");
	ck_assert_str_eq(refs[0].prop, "photo");
	ck_assert_str_eq(refs[0].url, PHOTO);
	ck_assert_str_eq(refs[0].digest, "sha256-p");
	/* the same card inline: pointers under /jcd; a digest under /jcl does not count */
	ck_assert_int_eq(card_refs(CARD_PHOTO, "/jcd", "{\"/jcl/1/2/3\":\"sha256-p\"}", refs,
	    &n, msg, sizeof(msg)), STIR_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(refs[0].ptr, "/jcd/1/2/3");
	ck_assert_ptr_null(refs[0].digest);
	/* several values of one property, several properties, any case of "uri" */
	ck_assert_int_eq(card_refs("[\"vcard\",[[\"logo\",{},\"URI\",\"https://x.example/1.png\","
	    "\"https://x.example/2.svg\"],[\"fn\",{},\"text\",\"B\"],"
	    "[\"sound\",{},\"uri\",\"https://x.example/hello.ogg\"],"
	    "[\"url\",{},\"uri\",\"https://bank.example/\"]]]", "/jcd",
	    "{\"/jcd/1/0/4\":\"sha384-l\"}", refs, &n, msg, sizeof(msg)), STIR_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(refs[0].ptr, "/jcd/1/0/3");
	ck_assert_ptr_null(refs[0].digest);
	ck_assert_str_eq(refs[1].ptr, "/jcd/1/0/4");
	ck_assert_str_eq(refs[1].url, "https://x.example/2.svg");
	ck_assert_str_eq(refs[1].digest, "sha384-l");
	ck_assert_str_eq(refs[2].ptr, "/jcd/1/2/3");
	ck_assert_str_eq(refs[2].prop, "sound");
	ck_assert_str_eq(refs[3].ptr, "/jcd/1/3/3");
	ck_assert_str_eq(refs[3].prop, "url");
}
END_TEST

START_TEST(test_jcard_refs_refused)
{
	struct stir_rcd_nref refs[STIR_RCD_NESTED_MAX];
	size_t n = 77;
	char msg[160], card[4096];
	size_t o;

	/* plain http, an upper-case scheme, a space: not usable https URLs */
	ck_assert_int_eq(card_refs("[\"vcard\",[[\"fn\",{},\"text\",\"B\"],"
	    "[\"photo\",{},\"uri\",\"http://x.example/p.png\"]]]", "/jcl", NULL, refs, &n,
	    msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "/jcl/1/1/3"));
	ck_assert_uint_eq(n, 77);		/* untouched on failure */
	ck_assert_int_eq(card_refs("[\"vcard\",[[\"photo\",{},\"uri\",\"HTTPS://x.example/p.png\"]]]",
	    "/jcd", NULL, refs, &n, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_int_eq(card_refs("[\"vcard\",[[\"photo\",{},\"uri\",\"https://x.example/a b.png\"]]]",
	    "/jcd", NULL, refs, &n, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_int_eq(card_refs("[\"vcard\",[[\"photo\",{},\"uri\",\"https://\"]]]",
	    "/jcd", NULL, refs, &n, msg, sizeof(msg)), STIR_EINVAL);
	/* not a jCard */
	ck_assert_int_eq(card_refs("[\"vcard\",{}]", "/jcl", NULL, refs, &n, msg, sizeof(msg)),
	    STIR_EINVAL);
	ck_assert_int_eq(card_refs("{\"vcard\":[]}", "/jcl", NULL, refs, &n, msg, sizeof(msg)),
	    STIR_EINVAL);
	ck_assert_int_eq(card_refs("[\"vcalendar\",[]]", "/jcl", NULL, refs, &n, msg, sizeof(msg)),
	    STIR_EINVAL);
	ck_assert_uint_eq(n, 77);
	/* STIR_RCD_NESTED_MAX URLs are followed, one more is too many */
	for (int extra = 0; extra < 2; extra++) {
		o = (size_t)snprintf(card, sizeof(card), "[\"vcard\",[");
		for (int i = 0; i < STIR_RCD_NESTED_MAX + extra; i++)
			o += (size_t)snprintf(card + o, sizeof(card) - o,
			    "%s[\"photo\",{},\"uri\",\"https://x.example/%d.png\"]", i ? "," : "", i);
		snprintf(card + o, sizeof(card) - o, "]]");
		ck_assert_int_eq(card_refs(card, "/jcl", NULL, refs, &n, msg, sizeof(msg)),
		    extra ? STIR_ETOOBIG : STIR_OK);
	}
	ck_assert_uint_eq(n, STIR_RCD_NESTED_MAX);
	ck_assert_str_eq(refs[STIR_RCD_NESTED_MAX - 1].ptr, "/jcl/1/7/3");
	ck_assert_ptr_nonnull(strstr(msg, "more than 8 URLs"));
}
END_TEST

START_TEST(test_prop_is_image)
{
	ck_assert(stir_rcd_prop_is_image("photo"));
	ck_assert(stir_rcd_prop_is_image("logo"));
	ck_assert(stir_rcd_prop_is_image("LOGO"));
	ck_assert(!stir_rcd_prop_is_image("sound"));
	ck_assert(!stir_rcd_prop_is_image("url"));
	ck_assert(!stir_rcd_prop_is_image("photos"));
	ck_assert(!stir_rcd_prop_is_image(""));
}
END_TEST

/* ---- trust anchors added for RCD (rcd_anchor.c) ---- */

static char *pki;

static void
pki_setup(void)
{
	/* without the tools only these tests are skipped, not the program */
	if (system("command -v openssl >/dev/null && command -v certtool >/dev/null") == 0)
		pki = tu_mkpki("test_rcd");
	else
		fprintf(stderr, "test_rcd: openssl and certtool are needed for the anchor tests\n");
}

static void
pki_teardown(void)
{
	if (pki != NULL)
		tu_root_teardown();
	free(pki);
	pki = NULL;
}

/* The RCD anchors in the space-separated PEM files of the PKI. */
static struct stir_rcd_anchors *
anchors_of(const char *names)
{
	struct stir_rcd_anchors *a = NULL;
	char list[256], path[1024], *save = NULL, *pems[8];
	size_t n = 0;

	snprintf(list, sizeof(list), "%s", names);
	for (char *f = strtok_r(list, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
		ck_assert_uint_lt(n, 8);
		snprintf(path, sizeof(path), "%s/%s", pki, f);
		ck_assert_ptr_nonnull(pems[n++] = tu_read_file(path, NULL));
	}
	ck_assert_int_eq(stir_rcd_anchors_new((const char *const *)pems, n, &a), STIR_OK);
	ck_assert_ptr_nonnull(a);
	for (size_t i = 0; i < n; i++)
		free(pems[i]);
	return a;
}

/* Does the chain of the PEM files (end entity first) end at one of a? */
static bool
issued(const struct stir_rcd_anchors *a, const char *names)
{
	struct stir_chain *c = NULL;
	size_t len;
	char *pem = tu_cat_files(pki, names, "", &len);
	bool r;

	ck_assert_int_eq(stir_chain_parse(pem, len, STIR_CHAIN_MAX, true, &c), STIR_OK);
	r = stir_rcd_anchors_issued(a, c);
	stir_chain_free(c);
	free(pem);
	return r;
}

START_TEST(test_anchors_issued)
{
	struct stir_rcd_anchors *root, *inter, *web, *both, *none;

	if (pki == NULL)
		return;
	root = anchors_of("ca.pem");
	inter = anchors_of("inter.pem");
	web = anchors_of("web-ca.pem");
	both = anchors_of("web-ca.pem ca.pem");
	none = anchors_of("");
	ck_assert_uint_eq(stir_rcd_anchors_count(root), 1);
	ck_assert_uint_eq(stir_rcd_anchors_count(both), 2);
	ck_assert_uint_eq(stir_rcd_anchors_count(none), 0);
	ck_assert_uint_eq(stir_rcd_anchors_count(NULL), 0);
	/* the x5u chain (end entity, intermediate) under the root */
	ck_assert(issued(root, "sp.pem inter.pem"));
	ck_assert(issued(both, "sp.pem inter.pem"));
	ck_assert(issued(root, "tn.pem inter.pem"));
	/* the root sent along, or the intermediate itself the anchor */
	ck_assert(issued(root, "sp.pem inter.pem ca.pem"));
	ck_assert(issued(inter, "sp.pem inter.pem"));
	/* another anchor, no anchor, a chain cut short, NULL */
	ck_assert(!issued(web, "sp.pem inter.pem"));
	ck_assert(!issued(none, "sp.pem inter.pem"));
	ck_assert(!issued(root, "sp.pem"));
	ck_assert(!issued(NULL, "sp.pem inter.pem"));
	ck_assert(!stir_rcd_anchors_issued(root, NULL));
	/* references: one unref per ref, NULL-safe */
	ck_assert_ptr_eq(stir_rcd_anchors_ref(root), root);
	stir_rcd_anchors_unref(root);
	ck_assert(issued(root, "sp.pem inter.pem"));
	ck_assert_ptr_null(stir_rcd_anchors_ref(NULL));
	stir_rcd_anchors_unref(NULL);
	stir_rcd_anchors_unref(root);
	stir_rcd_anchors_unref(inter);
	stir_rcd_anchors_unref(web);
	stir_rcd_anchors_unref(both);
	stir_rcd_anchors_unref(none);
}
END_TEST

START_TEST(test_anchors_unreadable)
{
	const char *pems[] = { "not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n"
	    "-----END CERTIFICATE-----\n" };
	struct stir_rcd_anchors *a = NULL;

	/* as the full trust list does: text GnuTLS cannot read anchors nothing */
	ck_assert_int_eq(stir_rcd_anchors_new(pems, 2, &a), STIR_OK);
	ck_assert_uint_eq(stir_rcd_anchors_count(a), 0);
	if (pki != NULL)
		ck_assert(!issued(a, "sp.pem inter.pem"));
	stir_rcd_anchors_unref(a);
}
END_TEST

/* ---- display names ---- */

static void
display_is(const char *nam, const char *want)
{
	char *got = stir_rcd_display_name(nam);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_display_plain)
{
	display_is("Alice", "Alice");
	display_is("Zo\xc3\xab \xe6\x9d\x8e", "Zo\xc3\xab \xe6\x9d\x8e");
	display_is("", "");
	display_is("Alice   ", "Alice");		/* trailing blanks cut */
}
END_TEST

START_TEST(test_display_bidi)
{
	/* U+202E RIGHT-TO-LEFT OVERRIDE and the rest of its kind */
	display_is("\xe2\x80\xae" "evil.exe", "evil.exe");
	display_is("a\xe2\x80\xaa" "b\xe2\x80\xab" "c\xe2\x80\xac" "d\xe2\x80\xad" "e", "abcde");
	display_is("a\xe2\x81\xa6" "b\xe2\x81\xa7" "c\xe2\x81\xa8" "d\xe2\x81\xa9" "e", "abcde");
	display_is("a\xe2\x80\x8e" "b\xe2\x80\x8f" "c\xef\xbb\xbf" "d\xd8\x9c" "e\xe2\x80\x8b",
	    "abcde");
	/* controls, C0, DEL and C1 */
	display_is("a\tb\r\nc\x01" "d\x7f" "e\xc2\x85" "f\xc2\x9f" "g", "abcdefg");
	/* what is only near a hidden one stays: U+202F, U+2065, U+00A0 */
	display_is("a\xe2\x80\xaf" "b\xe2\x81\xa5" "c\xc2\xa0" "d",
	    "a\xe2\x80\xaf" "b\xe2\x81\xa5" "c\xc2\xa0" "d");
}
END_TEST

START_TEST(test_display_quotes)
{
	display_is("\"Bob\" <sip:evil>", "Bob <sip:evil>");
	display_is("a\\\"b\\", "ab");
	display_is("it's", "it's");
}
END_TEST

/* Is s valid UTF-8?  Returns its count of characters, or -1. */
static long
utf8_chars(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	long n = 0;

	while (*u != '\0') {
		size_t len = *u < 0x80 ? 1 : (*u & 0xe0) == 0xc0 ? 2 :
		    (*u & 0xf0) == 0xe0 ? 3 : (*u & 0xf8) == 0xf0 ? 4 : 0;

		if (len == 0)
			return -1;
		for (size_t k = 1; k < len; k++)
			if ((u[k] & 0xc0) != 0x80)
				return -1;
		u += len;
		n++;
	}
	return n;
}

START_TEST(test_display_cap)
{
	char in[STIR_RCD_NAM_MAX + 1], *got;
	size_t o = 0;

	/* 28 x (2 + 3 + 4 bytes) = 252 bytes, 84 characters */
	for (int i = 0; i < 28; i++) {
		memcpy(in + o, "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80", 9);
		o += 9;
	}
	in[o] = '\0';
	got = stir_rcd_display_name(in);
	ck_assert_ptr_nonnull(got);
	ck_assert_int_eq(utf8_chars(got), STIR_RCD_DISPLAY_MAX);
	/* cut between characters: 21 whole triples and one more e-acute */
	ck_assert_uint_eq(strlen(got), 21 * 9 + 2);
	ck_assert_int_eq(memcmp(got, in, 21 * 9 + 2), 0);
	free(got);

	/* hidden characters do not count toward the cap: 60 RLO, 70 x */
	o = 0;
	for (int i = 0; i < 60; i++) {
		memcpy(in + o, "\xe2\x80\xae", 3);
		o += 3;
	}
	memset(in + o, 'x', 70);
	in[o + 70] = '\0';
	got = stir_rcd_display_name(in);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(strlen(got), STIR_RCD_DISPLAY_MAX);
	ck_assert_uint_eq(strspn(got, "x"), STIR_RCD_DISPLAY_MAX);
	free(got);

	/* 100 ASCII characters: 64 */
	memset(in, 'a', 100);
	in[100] = '\0';
	got = stir_rcd_display_name(in);
	ck_assert_uint_eq(strlen(got), STIR_RCD_DISPLAY_MAX);
	free(got);
}
END_TEST

/* "sha256-" and 43 characters, or ... and '=' padding for the same bytes. */
START_TEST(test_rcdi_padding)
{
	static const struct { const char *prefix; gnutls_digest_algorithm_t alg; size_t pad; } a[] = {
		{ "sha256-", GNUTLS_DIG_SHA256, 1 },
		{ "sha384-", GNUTLS_DIG_SHA384, 0 },
		{ "sha512-", GNUTLS_DIG_SHA512, 2 },
	};
	char buf[200], *d;

	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++) {
		/* unpadded, as RFC 9795 prints it, and padded, as SRI writes it */
		rcdi_is(a[i].prefix, a[i].alg, sodium_base64_VARIANT_ORIGINAL_NO_PADDING, -1,
		    STIR_OK);
		rcdi_is(a[i].prefix, a[i].alg, sodium_base64_VARIANT_ORIGINAL, -1, STIR_OK);
		rcdi_is(a[i].prefix, a[i].alg, sodium_base64_VARIANT_ORIGINAL_NO_PADDING, 5,
		    STIR_EPOLICY);
		d = digest_of(a[i].prefix, a[i].alg, sodium_base64_VARIANT_ORIGINAL_NO_PADDING, -1);
		ck_assert_ptr_null(strchr(d, '='));
		/* one '=' too many, and (sha512) one too few: partial padding */
		snprintf(buf, sizeof(buf), "%s%.*s", d, (int)a[i].pad + 1, "===");
		ck_assert_msg(stir_rcdi_check(buf, BODY, sizeof(BODY)) == STIR_EINVAL, "%s", buf);
		if (a[i].pad == 2) {
			snprintf(buf, sizeof(buf), "%s=", d);
			ck_assert_msg(stir_rcdi_check(buf, BODY, sizeof(BODY)) == STIR_EINVAL,
			    "%s", buf);
		}
		/* '=' anywhere but the end */
		snprintf(buf, sizeof(buf), "%.*s=%s", (int)strlen(a[i].prefix) + 4, d,
		    d + strlen(a[i].prefix) + 5);
		ck_assert_msg(stir_rcdi_check(buf, BODY, sizeof(BODY)) == STIR_EINVAL, "%s", buf);
		free(d);
	}
	/* nothing but padding */
	ck_assert_int_eq(stir_rcdi_check("sha256-=", BODY, sizeof(BODY)), STIR_EINVAL);
	ck_assert_int_eq(stir_rcdi_check("sha256-====", BODY, sizeof(BODY)), STIR_EINVAL);
}
END_TEST

/* stir_rcdi_sha256() and _json(): unpadded, and what stir_rcdi_check() takes. */
START_TEST(test_rcdi_sha256)
{
	char *d = stir_rcdi_sha256(BODY, sizeof(BODY)), *want;
	json_t *v;

	want = digest_of("sha256-", GNUTLS_DIG_SHA256, sodium_base64_VARIANT_ORIGINAL_NO_PADDING, -1);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d, want);
	ck_assert_uint_eq(strlen(d), 7 + 43);
	ck_assert_int_eq(stir_rcdi_check(d, BODY, sizeof(BODY)), STIR_OK);
	free(d);
	free(want);
	/* the empty body: the well-known SHA-256 of "" */
	d = stir_rcdi_sha256((const uint8_t *)"", 0);
	ck_assert_str_eq(d, "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
	free(d);

	/* over a JSON value: its RFC 8225 section 9 form (keys sorted, no blanks) */
	v = load("{ \"b\": [1, 2], \"a\": \"x\" }");
	d = stir_rcdi_sha256_json(v);
	want = stir_rcdi_sha256((const uint8_t *)"{\"a\":\"x\",\"b\":[1,2]}", 19);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d, want);
	ck_assert_int_eq(stir_rcdi_check_json(d, v), STIR_OK);
	json_decref(v);
	free(want);
	/* the same value written otherwise: the same digest */
	v = load("{\"a\":\"x\",\n  \"b\":[ 1 ,2 ]}");
	ck_assert_int_eq(stir_rcdi_check_json(d, v), STIR_OK);
	json_decref(v);
	/* another value: a mismatch; a malformed digest: EINVAL */
	v = load("{\"a\":\"y\",\"b\":[1,2]}");
	ck_assert_int_eq(stir_rcdi_check_json(d, v), STIR_EPOLICY);
	ck_assert_int_eq(stir_rcdi_check_json("sha256-x", v), STIR_EINVAL);
	json_decref(v);
	free(d);
	/* a string's digest covers its quotes */
	v = json_string("Alice");
	d = stir_rcdi_sha256_json(v);
	want = stir_rcdi_sha256((const uint8_t *)"\"Alice\"", 7);
	ck_assert_str_eq(d, want);
	ck_assert_int_eq(stir_rcdi_check(d, (const uint8_t *)"Alice", 5), STIR_EPOLICY);
	json_decref(v);
	free(d);
	free(want);
}
END_TEST

/* ---- RFC 6901 JSON pointers ---- */

/* RFC 6901 section 5's example document and its pointers. */
START_TEST(test_pointer_rfc6901)
{
	json_t *doc = load("{\n"
	    "   \"foo\": [\"bar\", \"baz\"],\n"
	    "   \"\": 0,\n"
	    "   \"a/b\": 1,\n"
	    "   \"c%d\": 2,\n"
	    "   \"e^f\": 3,\n"
	    "   \"g|h\": 4,\n"
	    "   \"i\\\\j\": 5,\n"
	    "   \"k\\\"l\": 6,\n"
	    "   \" \": 7,\n"
	    "   \"m~n\": 8\n"
	    "}");
	static const struct { const char *ptr; int want; } ints[] = {
		{ "/", 0 }, { "/a~1b", 1 }, { "/c%d", 2 }, { "/e^f", 3 }, { "/g|h", 4 },
		{ "/i\\j", 5 }, { "/k\"l", 6 }, { "/ ", 7 }, { "/m~0n", 8 },
	};

	ck_assert_ptr_eq(stir_json_pointer(doc, ""), doc);
	ck_assert_ptr_eq(stir_json_pointer(doc, "/foo"), json_object_get(doc, "foo"));
	ck_assert_str_eq(json_string_value(stir_json_pointer(doc, "/foo/0")), "bar");
	ck_assert_str_eq(json_string_value(stir_json_pointer(doc, "/foo/1")), "baz");
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		json_t *v = stir_json_pointer(doc, ints[i].ptr);

		ck_assert_msg(json_is_integer(v) && json_integer_value(v) == ints[i].want,
		    "%s", ints[i].ptr);
	}
	json_decref(doc);
}
END_TEST

START_TEST(test_pointer_refused)
{
	json_t *doc = load("{\"foo\":[\"bar\",\"baz\",[10,11,12,13,14,15,16,17,18,19,20]],"
	    "\"~1\":9,\"/\":10,\"m~n\":8,\"s\":\"str\",\"n\":null}");
	static const char *const none[] = {
		"foo", "#/foo", " /foo",		/* not starting with '/' */
		"/foo/01", "/foo/00", "/foo/-", "/foo/+1", "/foo/ 1", "/foo/1 ", "/foo/-1",
		"/foo/0x1", "/foo/1e0", "/foo/", "/foo/3", "/foo/1234567", "/foo/99999999999999999999",
		"/m~2n", "/m~", "/m~n", "/~", "/bar", "/foo/0/0", "/s/0", "/n/x",
		"/foo/2/10/0",
	};
	char longp[STIR_RCD_PTR_MAX + 2];

	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		ck_assert_msg(stir_json_pointer(doc, none[i]) == NULL, "%s", none[i]);
	/* "~01" is "~1" (RFC 6901 4: ~1 first, then ~0), "~10" is "/0" */
	ck_assert_int_eq(json_integer_value(stir_json_pointer(doc, "/~01")), 9);
	ck_assert_int_eq(json_integer_value(stir_json_pointer(doc, "/~1")), 10);
	ck_assert_ptr_null(stir_json_pointer(doc, "/~10"));
	ck_assert_int_eq(json_integer_value(stir_json_pointer(doc, "/foo/2/10")), 20);
	ck_assert(json_is_null(stir_json_pointer(doc, "/n")));
	/* STIR_RCD_PTR_MAX bytes or more: refused before it is read */
	memset(longp, 0, sizeof(longp));
	longp[0] = '/';
	memset(longp + 1, 'x', STIR_RCD_PTR_MAX - 2);
	ck_assert_uint_eq(strlen(longp), STIR_RCD_PTR_MAX - 1);
	json_object_set_new(doc, longp + 1, json_integer(63));
	ck_assert_int_eq(json_integer_value(stir_json_pointer(doc, longp)), 63);
	longp[STIR_RCD_PTR_MAX - 1] = 'x';
	json_object_set_new(doc, longp + 1, json_integer(64));
	ck_assert_ptr_null(stir_json_pointer(doc, longp));
	/* a pointer into a scalar root */
	json_t *s = json_string("x");
	ck_assert_ptr_eq(stir_json_pointer(s, ""), s);
	ck_assert_ptr_null(stir_json_pointer(s, "/0"));
	json_decref(s);
	json_decref(doc);
}
END_TEST

/* ---- icn data: URIs ---- */

/* RFC 9795 8.3 example (3)'s icn, the base64 folded over three lines there. */
#define RFC9795_ICN_DATA "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAUAAAAFCAY" \
	"AAACNbyblAAAAHElEQVQI12P4//8/w38GIAXDIBKE0DHxgljNBAAO9TXL0Y4OH" \
	"wAAAABJRU5ErkJggg=="

/* stir_rcd_data_icon() of "<prefix><base64 of body>" */
static int
data_icon(const char *prefix, const void *body, size_t len, int variant, size_t max,
    const char **type, char *msg, size_t msglen)
{
	size_t pl = strlen(prefix), bl = sodium_base64_ENCODED_LEN(len, variant);
	char *uri = malloc(pl + bl);
	int r;

	ck_assert_ptr_nonnull(uri);
	memcpy(uri, prefix, pl);
	sodium_bin2base64(uri + pl, bl, body, len, variant);
	msg[0] = '\0';
	*type = NULL;
	r = stir_rcd_data_icon(uri, max, type, msg, msglen);
	free(uri);
	return r;
}

#define SVG_OK	"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"5\" height=\"5\"><rect fill=\"url(#g)\"/></svg>"

START_TEST(test_data_icon)
{
	static const uint8_t jpeg[] = "\xff\xd8\xff\xe0\0\x10JFIF\0\x01";
	uint8_t *png;
	size_t pnglen;
	const char *type = NULL;
	char msg[200];

	/* the RFC's own example: a 85-byte 5x5 PNG */
	ck_assert_int_eq(stir_rcd_data_icon(RFC9795_ICN_DATA, 12288, &type, msg, sizeof(msg)),
	    STIR_OK);
	ck_assert_str_eq(type, "image/png");
	png = malloc(200);
	ck_assert_int_eq(sodium_base642bin(png, 200, &RFC9795_ICN_DATA[22],
	    strlen(RFC9795_ICN_DATA) - 22, NULL, &pnglen, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	ck_assert_uint_eq(pnglen, 85);
	/* the bound: the icon's bytes, not its base64 */
	ck_assert_int_eq(data_icon("data:image/png;base64,", png, pnglen,
	    sodium_base64_VARIANT_ORIGINAL, 85, &type, msg, sizeof(msg)), STIR_OK);
	ck_assert_int_eq(data_icon("data:image/png;base64,", png, pnglen,
	    sodium_base64_VARIANT_ORIGINAL, 84, &type, msg, sizeof(msg)), STIR_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(msg, "larger"));
	ck_assert_ptr_null(type);
	ck_assert_int_eq(data_icon("data:image/png;base64,", png, pnglen,
	    sodium_base64_VARIANT_ORIGINAL, 10, &type, msg, sizeof(msg)), STIR_ETOOBIG);
	/* unpadded base64 and any case of the media type */
	ck_assert_int_eq(data_icon("data:image/png;base64,", png, pnglen,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING, 12288, &type, msg, sizeof(msg)), STIR_OK);
	ck_assert_int_eq(data_icon("DATA:Image/PNG;BASE64,", png, pnglen,
	    sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_OK);
	ck_assert_str_eq(type, "image/png");
	ck_assert_int_eq(data_icon("data:image/jpeg;base64,", jpeg, sizeof(jpeg) - 1,
	    sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_OK);
	ck_assert_str_eq(type, "image/jpeg");
	ck_assert_int_eq(data_icon("data:image/svg+xml;base64,", SVG_OK, strlen(SVG_OK),
	    sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_OK);
	ck_assert_str_eq(type, "image/svg+xml");

	/* bytes that are not what the URI declares */
	ck_assert_int_eq(data_icon("data:image/jpeg;base64,", png, pnglen,
	    sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "image/jpeg"));
	ck_assert_int_eq(data_icon("data:image/png;base64,", jpeg, sizeof(jpeg) - 1,
	    sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_int_eq(data_icon("data:image/svg+xml;base64,", "<svg><script>x</script></svg>",
	    29, sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_int_eq(data_icon("data:image/png;base64,", "GIF89a", 6,
	    sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_int_eq(data_icon("data:image/png;base64,", "", 0,
	    sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_EINVAL);
	/* other types, parameters, not base64, base64url, not data: */
	ck_assert_int_eq(data_icon("data:image/gif;base64,", png, pnglen,
	    sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "image/png"));
	ck_assert_int_eq(data_icon("data:image/png;charset=x;base64,", png, pnglen,
	    sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_int_eq(data_icon("data:image/png,", png, pnglen,
	    sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_int_eq(data_icon("data:;base64,", png, pnglen,
	    sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_int_eq(data_icon("data:image/pngx;base64,", png, pnglen,
	    sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_int_eq(data_icon("https:image/png;base64,", png, pnglen,
	    sodium_base64_VARIANT_ORIGINAL, 12288, &type, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_int_eq(data_icon("data:image/svg+xml;base64,", "<svg>\xfb\xff</svg>", 13,
	    sodium_base64_VARIANT_URLSAFE, 12288, &type, msg, sizeof(msg)), STIR_EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "base64"));
	{
		static const char *const bad[] = {
			"data:image/png;base64",
			"data:image/png;base64,iVBORw0KGgo AAAANSUhEUg",
			"data:image/png;base64,iVBORw0KGgo=AAAANSUhEUg",
			"data:image/png;base64,iVBORw0KGgo\n",
			"data:image/png;base64,iVBORw0KGgoA=",
			"data:image/png;base64,!!!!",
			"data:image/png;base64,",
			"data:",
			"",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			type = NULL;
			ck_assert_msg(stir_rcd_data_icon(bad[i], 12288, &type, msg, sizeof(msg)) ==
			    STIR_EINVAL && type == NULL, "%s", bad[i]);
		}
	}
	free(png);
}
END_TEST

/* ---- SIP display-names (RFC 3261 name-addr) ---- */

static void
name_is(const char *value, const char *want)
{
	char out[STIR_RCD_NAM_MAX + 1];
	bool ok = stir_sip_display_name(value, out, sizeof(out));

	if (want == NULL)
		ck_assert_msg(!ok, "%s: '%s'", value, out);
	else {
		ck_assert_msg(ok, "%s", value);
		ck_assert_str_eq(out, want);
	}
}

START_TEST(test_sip_display_name)
{
	char out[8];

	/* RFC 9796 7 and 5 (From values as printed, defects included) */
	name_is("\"James Bond\" <sip:12155551000@example.com;user=phone>;tag=1928>", "James Bond");
	name_is("Bob <sip:12155551000@example.com;user=phone>;tag=1928301774>", "Bob");
	name_is("Alice <sip:alice@example.com>", "Alice");
	/* tokens: one space between them, whatever LWS was there */
	name_is("  Q \t Branch\r\n Spy<sip:q@example.com>", "Q Branch Spy");
	name_is("Mr.Q-Branch!%*_+`'~ <sip:q@example.com>", "Mr.Q-Branch!%*_+`'~");
	/* quoted-strings: quoted-pairs undone, anything else kept */
	name_is("\"A \\\"q\\\" \\\\ b\" <sip:x@example.com>", "A \"q\" \\ b");
	name_is("\"Zo\xc3\xab <x>, Inc.\"<sip:x@example.com>", "Zo\xc3\xab <x>, Inc.");
	name_is(" \"  Spaced  \" <sip:x@example.com>", "  Spaced  ");
	/* no display-name */
	name_is("<sip:alice@example.com>", NULL);
	name_is("sip:alice@example.com", NULL);
	name_is("sip:alice@example.com;tag=1", NULL);
	name_is("", NULL);
	name_is("   ", NULL);
	/* malformed: an unterminated quoted-string, non-token characters, no '<' */
	name_is("\"James Bond <sip:x@example.com>", NULL);
	name_is("\"James Bond\\\" <sip:x@example.com>", NULL);
	name_is("James@Bond <sip:x@example.com>", NULL);
	name_is("James \"Bond\" <sip:x@example.com>", NULL);
	name_is("James Bond", NULL);
	name_is("Zo\xc3\xab <sip:x@example.com>", NULL);
	/* does not fit */
	ck_assert(stir_sip_display_name("\"1234567\" <sip:x>", out, sizeof(out)));
	ck_assert_str_eq(out, "1234567");
	ck_assert(!stir_sip_display_name("\"12345678\" <sip:x>", out, sizeof(out)));
	ck_assert(stir_sip_display_name("12 4567 <sip:x>", out, sizeof(out)));
	ck_assert_str_eq(out, "12 4567");
	ck_assert(!stir_sip_display_name("12 45678 <sip:x>", out, sizeof(out)));
	ck_assert(!stir_sip_display_name("\"a\" <sip:x>", out, 0));
}
END_TEST

/* ---- RFC 9795 known answers (../shared/specs/vectors/rfc, verbatim) ---- */

/*
 * The RFC's text with its line folding undone: a newline and the blanks
 * after it removed (only the base64 of example (3) is folded inside a
 * string; elsewhere they are blanks between JSON tokens).
 */
static json_t *
load_rfc(const char *text)
{
	char *s = strdup(text), *o = s;
	json_t *j;

	ck_assert_ptr_nonnull(s);
	for (const char *p = text; *p != '\0'; p++) {
		if (*p == '\n') {
			p += strspn(p + 1, " ");
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	j = load(s);
	free(s);
	json_array_append_new(keep, j);
	return j;
}

/* RFC 9795 8.3 (1) to (6), the claims objects as printed. */
static const char *const rfc9795_s83[] = {
	"   {  \"orig\":{\"tn\":\"12025551000\"},\n"
	"      \"dest\":{\"tn\":[\"12025551001\"]},\n"
	"      \"iat\":1443208345,\n"
	"      \"rcd\":{\"nam\":\"James Bond\"} }\n",

	"   {  \"orig\":{\"tn\":\"12025551000\"},\n"
	"      \"dest\":{\"tn\":[\"12155551001\"]},\n"
	"      \"iat\":1443208345,\n"
	"      \"rcd\":{\n"
	"        \"apn\":\"12025559990\",\n"
	"        \"icn\":\"https://example.com/photos/quartermaster-256x256.png\",\n"
	"        \"nam\":\"Her Majesty's Secret Service\" } }\n",

	"   {  \"orig\":{\"tn\":\"12025551000\"},\n"
	"      \"dest\":{\"tn\":[\"12155551001\"]},\n"
	"      \"iat\":1443208345,\n"
	"      \"rcd\":{\n"
	"        \"apn\":\"12025559990\",\n"
	"        \"icn\":\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAUAAAAFCAY\n"
	"          AAACNbyblAAAAHElEQVQI12P4//8/w38GIAXDIBKE0DHxgljNBAAO9TXL0Y4OH\n"
	"          wAAAABJRU5ErkJggg==\",\n"
	"        \"nam\":\"Her Majesty's Secret Service\" } }\n",

	"   {\n"
	"     \"crn\": \"Rendezvous for Little Nellie\",\n"
	"     \"orig\": { \"tn\": \"12025551000\"},\n"
	"     \"dest\": { \"tn\": [\"12155551001\"]},\n"
	"     \"iat\": 1443208345,\n"
	"     \"rcd\": {\n"
	"       \"jcd\": [\"vcard\",\n"
	"       [ [\"version\",{},\"text\",\"4.0\"],\n"
	"         [\"fn\",{},\"text\",\"Q Branch\"],\n"
	"         [\"org\",{},\"text\",\"MI6;Q Branch Spy Gadgets\"],\n"
	"         [\"photo\",{},\"uri\",\"https://example.com/photos/q-256x256.png\"],\n"
	"         [\"logo\",{},\"uri\",\"https://example.com/logos/mi6-256x256.jpg\"],\n"
	"         [\"logo\",{},\"uri\",\"https://example.com/logos/mi6-64x64.jpg\"]\n"
	"       ] ],\n"
	"       \"nam\": \"Q Branch Spy Gadgets\"\n"
	"     },\n"
	"     \"rcdi\": {\n"
	"      \"/jcd/1/3/3\":\"sha256-RojgWwU6xUtI4q82+kHPyHm1JKbm7+663bMvzymhkl4\",\n"
	"      \"/jcd/1/4/3\":\"sha256-jL4f47fF82LuwcrOrSyckA4SWrlElfARHkW6kYo1JdI\",\n"
	"      \"/jcd/1/5/3\":\"sha256-GKNxxqlLRarbyBNh7hc/4lbZAdK6B0kMRf1AMRWPkSo\"\n"
	"     }\n"
	"   }\n",

	"   {\n"
	"     \"crn\": \"Rendezvous for Little Nellie\",\n"
	"     \"orig\": {\"tn\": \"12025551000\"},\n"
	"     \"dest\": {\"tn\": [\"12155551001\"]},\n"
	"     \"iat\": 1443208345,\n"
	"     \"rcd\": {\n"
	"       \"nam\": \"Q Branch Spy Gadgets\",\n"
	"       \"jcl\": \"https://example.com/qbranch.json\"\n"
	"     },\n"
	"     \"rcdi\": {\n"
	"      \"/jcl\":\"sha256-qCn4pEH6BJu7zXndLFuAP6DwlTv5fRmJ1AFkqftwnCs\",\n"
	"      \"/jcl/1/3/3\":\"sha256-RojgWwU6xUtI4q82+kHPyHm1JKbm7+663bMvzymhkl4\",\n"
	"      \"/jcl/1/4/3\":\"sha256-jL4f47fF82LuwcrOrSyckA4SWrlElfARHkW6kYo1JdI\",\n"
	"      \"/jcl/1/5/3\":\"sha256-GKNxxqlLRarbyBNh7hc/4lbZAdK6B0kMRf1AMRWPkSo\"\n"
	"     }\n"
	"   }\n",

	"   {\n"
	"     \"crn\": \"Rendezvous for Little Nellie\",\n"
	"     \"orig\": {\"tn\": \"12025551000\"},\n"
	"     \"dest\": {\"tn\": [\"12155551001\"]},\n"
	"     \"iat\": 1443208345,\n"
	"     \"rcd\": {\n"
	"       \"nam\": \"Q Branch Spy Gadgets\",\n"
	"       \"icn\": \"https://example.com/photos/q-256x256.png\"\n"
	"     },\n"
	"     \"rcdi\": {\n"
	"       \"/nam\": \"sha256-sM275lTgzCte+LHOKHtU4SxG8shlOo6OS4ot8IJQImY\",\n"
	"       \"/icn\": \"sha256-RojgWwU6xUtI4q82+kHPyHm1JKbm7+663bMvzymhkl4\"\n"
	"     }\n"
	"   }\n",
};

/* RFC 9795 8.3 (5): the jCard file at https://example.com/qbranch.json. */
static const char rfc9795_s83_jcard[] =
	"   [\"vcard\",\n"
	"     [ [\"version\",{},\"text\",\"4.0\"],\n"
	"       [\"fn\",{},\"text\",\"Q Branch\"],\n"
	"       [\"org\",{},\"text\",\"MI6;Q Branch Spy Gadgets\"],\n"
	"       [\"photo\",{},\"uri\",\"https://example.com/photos/q-256x256.png\"],\n"
	"       [\"logo\",{},\"uri\",\"https://example.com/logos/mi6-256x256.jpg\"],\n"
	"       [\"logo\",{},\"uri\",\"https://example.com/logos/mi6-64x64.jpg\"]\n"
	"     ]\n"
	"   ]\n";

/* The same as served (derived-rfc9795-qbranch-q256.compact.json). */
static const char rfc9795_q256_compact[] =
	"[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],[\"fn\",{},\"text\",\"Q Branch\"],"
	"[\"org\",{},\"text\",\"MI6;Q Branch Spy Gadgets\"],"
	"[\"photo\",{},\"uri\",\"https://example.com/photos/q-256x256.png\"],"
	"[\"logo\",{},\"uri\",\"https://example.com/logos/mi6-256x256.jpg\"],"
	"[\"logo\",{},\"uri\",\"https://example.com/logos/mi6-64x64.jpg\"]]]";

#define Q256_DIGEST	"sha256-qCn4pEH6BJu7zXndLFuAP6DwlTv5fRmJ1AFkqftwnCs"
#define NAM_DIGEST	"sha256-sM275lTgzCte+LHOKHtU4SxG8shlOo6OS4ot8IJQImY"
#define JCD_DIGEST	"sha256-7kdCBZqH0nqMSPsmABvsKlHPhZEStgjojhdSJGRr3rk"

/* RFC 9795 6.1.3, the rcd claim (as printed, inside braces). */
static const char rfc9795_s613_rcd[] =
	"{\n"
	"   \"rcd\": {\n"
	"     \"jcd\": [\"vcard\",\n"
	"       [ [\"version\",{},\"text\",\"4.0\"],\n"
	"         [\"fn\",{},\"text\",\"Q Branch\"],\n"
	"         [\"org\",{},\"text\",\"MI6;Q Branch Spy Gadgets\"],\n"
	"         [\"photo\",{},\"uri\",\n"
	"           \"https://example.com/photos/quartermaster-256x256.png\"],\n"
	"         [\"logo\",{},\"uri\",\n"
	"           \"https://example.com/logos/mi6-256x256.jpg\"],\n"
	"         [\"logo\",{},\"uri\",\n"
	"           \"https://example.com/logos/mi6-64x64.jpg\"]\n"
	"       ]\n"
	"     ],\n"
	"     \"nam\": \"Q Branch Spy Gadgets\"\n"
	"   }\n"
	"}\n";

START_TEST(test_rfc9795_nam)
{
	json_t *nam = json_string("Q Branch Spy Gadgets");
	char *d = stir_rcdi_sha256_json(nam);

	/* the 22 bytes "Q Branch Spy Gadgets", quotes included */
	ck_assert_int_eq(stir_rcdi_check(NAM_DIGEST, (const uint8_t *)"\"Q Branch Spy Gadgets\"",
	    22), STIR_OK);
	ck_assert_int_eq(stir_rcdi_check(NAM_DIGEST, (const uint8_t *)"Q Branch Spy Gadgets",
	    20), STIR_EPOLICY);
	ck_assert_int_eq(stir_rcdi_check_json(NAM_DIGEST, nam), STIR_OK);
	ck_assert_int_eq(stir_rcdi_check_json(NAM_DIGEST "=", nam), STIR_OK);
	ck_assert_int_eq(stir_rcdi_check_json(NAM_DIGEST "==", nam), STIR_EINVAL);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d, NAM_DIGEST);
	free(d);
	json_decref(nam);
	nam = json_string("James Bond");
	ck_assert_int_eq(stir_rcdi_check_json(NAM_DIGEST, nam), STIR_EPOLICY);
	json_decref(nam);
}
END_TEST

START_TEST(test_rfc9795_jcd)
{
	json_t *doc = load_rfc(rfc9795_s613_rcd), *rcd = json_object_get(doc, "rcd");
	json_t *jcd = stir_json_pointer(rcd, "/jcd");
	struct stir_rcd_nref refs[STIR_RCD_NESTED_MAX];
	size_t n = 0;
	char msg[160], *d;

	/* the RFC's /jcd digest over the JSON value, however it was written */
	ck_assert_ptr_eq(jcd, json_object_get(rcd, "jcd"));
	ck_assert_int_eq(stir_rcdi_check_json(JCD_DIGEST, jcd), STIR_OK);
	d = stir_rcdi_sha256_json(jcd);
	ck_assert_str_eq(d, JCD_DIGEST);
	free(d);
	/* the pointers /jcd/1/{3,4,5}/3 name the three URLs */
	ck_assert_str_eq(json_string_value(stir_json_pointer(rcd, "/jcd/1/3/3")),
	    "https://example.com/photos/quartermaster-256x256.png");
	ck_assert_str_eq(json_string_value(stir_json_pointer(rcd, "/jcd/1/4/3")),
	    "https://example.com/logos/mi6-256x256.jpg");
	ck_assert_str_eq(json_string_value(stir_json_pointer(rcd, "/jcd/1/5/3")),
	    "https://example.com/logos/mi6-64x64.jpg");
	ck_assert_int_eq(stir_rcd_jcard_refs(jcd, "/jcd", NULL, refs, &n, msg, sizeof(msg)),
	    STIR_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(refs[0].ptr, "/jcd/1/3/3");
	ck_assert_str_eq(refs[1].ptr, "/jcd/1/4/3");
	ck_assert_str_eq(refs[2].ptr, "/jcd/1/5/3");
	/* one character changed: no longer the RFC's digest */
	json_string_set(json_array_get(json_array_get(json_array_get(jcd, 1), 1), 3), "Q Brunch");
	ck_assert_int_eq(stir_rcdi_check_json(JCD_DIGEST, jcd), STIR_EPOLICY);
}
END_TEST

START_TEST(test_rfc9795_jcl)
{
	json_t *pretty = load_rfc(rfc9795_s83_jcard), *jc = NULL;

	/* the served bytes, and the JSON value of the RFC's pretty-printed text */
	ck_assert_int_eq(stir_rcdi_check(Q256_DIGEST, (const uint8_t *)rfc9795_q256_compact,
	    strlen(rfc9795_q256_compact)), STIR_OK);
	ck_assert_int_eq(stir_rcdi_check_json(Q256_DIGEST, pretty), STIR_OK);
	/* the pretty-printed bytes themselves are other bytes */
	ck_assert_int_eq(stir_rcdi_check(Q256_DIGEST, (const uint8_t *)rfc9795_s83_jcard,
	    strlen(rfc9795_s83_jcard)), STIR_EPOLICY);
	ck_assert_int_eq(stir_rcd_jcard_parse((const uint8_t *)rfc9795_q256_compact,
	    strlen(rfc9795_q256_compact), &jc, (char[160]){ 0 }, 160), STIR_OK);
	ck_assert(json_equal(jc, pretty));
	json_decref(jc);
	/* RFC 9795 6: an rcdi digest is "sha256-" and 43 characters, no padding */
	ck_assert_uint_eq(strlen(Q256_DIGEST), 7 + 43);
}
END_TEST

START_TEST(test_rfc9795_claims)
{
	struct stir_rcd r[6];
	struct stir_rcd_nref refs[STIR_RCD_NESTED_MAX];
	const char *type = NULL;
	char msg[160];
	size_t n = 0;

	for (size_t i = 0; i < 6; i++) {
		msg[0] = '\0';
		ck_assert_msg(stir_rcd_read(load_rfc(rfc9795_s83[i]), &r[i], msg, sizeof(msg)) ==
		    STIR_OK, "8.3 (%zu): %s", i + 1, msg);
	}
	/* (1) nam only: nothing to fetch */
	ck_assert_str_eq(r[0].nam, "James Bond");
	ck_assert_uint_eq(r[0].nrefs, 0);
	ck_assert_ptr_null(r[0].rcdi);
	ck_assert_ptr_null(r[0].crn);
	/* (2) an https icn without rcdi: a ref without a digest */
	ck_assert_str_eq(r[1].apn, "12025559990");
	ck_assert(!r[1].icn_data);
	ck_assert_uint_eq(r[1].nrefs, 1);
	ck_assert_str_eq(r[1].refs[0].ptr, "/icn");
	ck_assert_str_eq(r[1].refs[0].url, "https://example.com/photos/quartermaster-256x256.png");
	ck_assert_ptr_null(r[1].refs[0].digest);
	/* (3) a data: icn: the image itself, no ref */
	ck_assert(r[2].icn_data);
	ck_assert_uint_eq(r[2].nrefs, 0);
	ck_assert_str_eq(r[2].icn, RFC9795_ICN_DATA);
	ck_assert_int_eq(stir_rcd_data_icon(r[2].icn, STIR_RCD_ICN_MAX, &type, msg, sizeof(msg)),
	    STIR_OK);
	ck_assert_str_eq(type, "image/png");
	/* (4) jcd with digests of its three URLs, no ref of its own */
	ck_assert_str_eq(r[3].crn, "Rendezvous for Little Nellie");
	ck_assert_ptr_nonnull(r[3].jcd);
	ck_assert_uint_eq(r[3].nrefs, 0);
	ck_assert_int_eq(stir_rcd_jcard_refs(r[3].jcd, "/jcd", r[3].rcdi, refs, &n, msg,
	    sizeof(msg)), STIR_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(refs[0].prop, "photo");
	ck_assert_str_eq(refs[0].url, "https://example.com/photos/q-256x256.png");
	ck_assert_str_eq(refs[0].digest, "sha256-RojgWwU6xUtI4q82+kHPyHm1JKbm7+663bMvzymhkl4");
	ck_assert_str_eq(refs[2].digest, "sha256-GKNxxqlLRarbyBNh7hc/4lbZAdK6B0kMRf1AMRWPkSo");
	/* (5) jcl: one ref with the RFC's digest of the file above */
	ck_assert_uint_eq(r[4].nrefs, 1);
	ck_assert_str_eq(r[4].refs[0].ptr, "/jcl");
	ck_assert_str_eq(r[4].refs[0].url, "https://example.com/qbranch.json");
	ck_assert_str_eq(r[4].refs[0].digest, Q256_DIGEST);
	ck_assert_int_eq(stir_rcdi_check(r[4].refs[0].digest,
	    (const uint8_t *)rfc9795_q256_compact, strlen(rfc9795_q256_compact)), STIR_OK);
	/* (6) nam and icn: /icn a ref, /nam a digest over the claim's value */
	ck_assert_uint_eq(r[5].nrefs, 1);
	ck_assert_str_eq(r[5].refs[0].ptr, "/icn");
	ck_assert_str_eq(r[5].refs[0].digest, "sha256-RojgWwU6xUtI4q82+kHPyHm1JKbm7+663bMvzymhkl4");
	ck_assert_int_eq(stir_rcdi_check_json(json_string_value(json_object_get(r[5].rcdi,
	    "/nam")), stir_json_pointer(r[5].obj, "/nam")), STIR_OK);
}
END_TEST

START_TEST(test_rfc9795_other)
{
	struct stir_rcd r;
	char msg[160];

	/* 7: crn with rcd */
	ck_assert_int_eq(stir_rcd_read(load_rfc("{\n   \"crn\" : \"For your ears only\",\n"
	    "   \"rcd\": { \"nam\": \"James Bond\",\n"
	    "            \"jcl\": \"https://example.org/james_bond.json\"}\n}"), &r, msg,
	    sizeof(msg)), STIR_OK);
	ck_assert_str_eq(r.crn, "For your ears only");
	ck_assert_uint_eq(r.nrefs, 1);
	ck_assert_ptr_null(r.refs[0].digest);
	/* 8: crn alone */
	ck_assert_int_eq(stir_rcd_read(load_rfc("{\"crn\" : \"For your ears only\"}"), &r, msg,
	    sizeof(msg)), STIR_OK);
	ck_assert_ptr_null(r.obj);
	ck_assert_str_eq(r.crn, "For your ears only");
	/* 10.1: a third party's iss */
	ck_assert_int_eq(stir_rcd_read(load_rfc("   {  \"orig\":{\"tn\":\"12025551000\"},\n"
	    "      \"dest\":{\"tn\":[\"12025551001\"]},\n"
	    "      \"iat\":1443208345,\n"
	    "      \"iss\":\"Zorin Industries\",\n"
	    "      \"rcd\":{\"nam\":\"James St. John Smythe\"} }\n"), &r, msg, sizeof(msg)), STIR_OK);
	ck_assert_str_eq(r.iss, "Zorin Industries");
	ck_assert_str_eq(r.nam, "James St. John Smythe");
	/* 13.2: shaken with rcd */
	ck_assert_int_eq(stir_rcd_read(load_rfc("   {\n      \"attest\":\"A\",\n"
	    "      \"dest\":{\"tn\":[\"12025551001\"]},\n      \"iat\":1443208345,\n"
	    "      \"orig\":{\"tn\":\"12025551000\"},\n"
	    "      \"origid\":\"123e4567-e89b-12d3-a456-426655440000\",\n"
	    "      \"rcd\":{\"nam\":\"James Bond\"}\n   }\n"), &r, msg, sizeof(msg)), STIR_OK);
	ck_assert_ptr_null(r.iss);
	ck_assert_str_eq(r.nam, "James Bond");
}
END_TEST

/*
 * RFC 9796 9's PASSporT is defective: no comma between its rcdi members
 * (not JSON), and with one added, an rcd without nam (RFC 9795 5.1.1).
 */
START_TEST(test_rfc9796_s9_defective)
{
	static const char verbatim[] =
	    "      {\n         \"crn\":\"For your ears only\",\n"
	    "         \"dest\":{\"tn\":[\"12025551001\"]},\n         \"iat\":1443208345,\n"
	    "         \"orig\":{\"tn\":\"12025551000\"},\n         \"rcd\":{\n"
	    "           \"jcl\":\"https://example.com/qbranch.json\",\n"
	    "           \"icn\":\"https://example.com/jbond.png\"\n         },\n"
	    "         \"rcdi\": {\n"
	    "           \"/jcl\": \"sha256-yHm1JKbm7+663bMvzymhkl4RojgWwU6xUtI4q82+kHP\"\n"
	    "           \"/icn\": \"sha256-RojgWwU6xUtI4q82+kHPyHm1JKbm7+663bMvzymhkl4\"\n"
	    "         }\n      }\n";
	char fixed[sizeof(verbatim) + 1], *c;
	json_t *j;

	ck_assert_ptr_null(json_loads(verbatim, JSON_REJECT_DUPLICATES, NULL));
	c = strstr(verbatim, "+kHP\"\n");
	ck_assert_ptr_nonnull(c);
	snprintf(fixed, sizeof(fixed), "%.*s,%s", (int)(c + 5 - verbatim), verbatim, c + 5);
	read_bad(fixed, "rcd has no nam");
	ck_assert_ptr_nonnull(j = json_loads(fixed, 0, NULL));
	json_decref(j);
}
END_TEST

/* RFC 9475 3.2's msgi: 56 base64 characters are 42 bytes, no SHA-256 digest. */
START_TEST(test_rfc9475_msgi)
{
	static const char msgi[] = "sha256-H8BRh8j48O9oYatfu5AZzq6A9RINQZngK7T62em8MUt1FLm52t+eX6xO";

	ck_assert_int_eq(stir_rcdi_check(msgi, BODY, sizeof(BODY)), STIR_EINVAL);
	ck_assert_int_eq(stir_rcdi_check(msgi, (const uint8_t *)"", 0), STIR_EINVAL);
}
END_TEST

static Suite *
rcd_suite(void)
{
	Suite *s = suite_create("rcd");
	TCase *tr = tcase_create("read");
	TCase *ti = tcase_create("rcdi");
	TCase *tc = tcase_create("content");
	TCase *td = tcase_create("display");
	TCase *tj = tcase_create("jcard_urls");
	TCase *ta = tcase_create("anchors");
	TCase *tk = tcase_create("rfc9795");

	tcase_add_test(tr, test_read_none);
	tcase_add_test(tr, test_read_nam);
	tcase_add_test(tr, test_read_jcd);
	tcase_add_test(tr, test_read_urls);
	tcase_add_test(tr, test_read_rcdi);
	tcase_add_test(tr, test_read_crn);
	suite_add_tcase(s, tr);
	tcase_add_test(ti, test_rcdi_match);
	tcase_add_test(ti, test_rcdi_mismatch);
	tcase_add_test(ti, test_rcdi_malformed);
	tcase_add_test(ti, test_rcdi_trailing);
	tcase_add_test(ti, test_rcdi_padding);
	tcase_add_test(ti, test_rcdi_sha256);
	tcase_add_test(ti, test_pointer_rfc6901);
	tcase_add_test(ti, test_pointer_refused);
	suite_add_tcase(s, ti);
	tcase_add_test(tc, test_icon_type);
	tcase_add_test(tc, test_jcard);
	tcase_add_test(tc, test_jcard_rule);
	tcase_add_test(tc, test_jcard_sides_agree);
	tcase_add_test(tc, test_data_icon);
	suite_add_tcase(s, tc);
	tcase_add_test(td, test_display_plain);
	tcase_add_test(td, test_display_bidi);
	tcase_add_test(td, test_display_quotes);
	tcase_add_test(td, test_display_cap);
	tcase_add_test(td, test_sip_display_name);
	suite_add_tcase(s, td);
	tcase_add_test(tj, test_jcard_refs_none);
	tcase_add_test(tj, test_jcard_refs_found);
	tcase_add_test(tj, test_jcard_refs_refused);
	tcase_add_test(tj, test_prop_is_image);
	suite_add_tcase(s, tj);
	tcase_add_test(tk, test_rfc9795_nam);
	tcase_add_test(tk, test_rfc9795_jcd);
	tcase_add_test(tk, test_rfc9795_jcl);
	tcase_add_test(tk, test_rfc9795_claims);
	tcase_add_test(tk, test_rfc9795_other);
	tcase_add_test(tk, test_rfc9475_msgi);
	tcase_add_test(tk, test_rfc9796_s9_defective);
	suite_add_tcase(s, tk);
	tcase_add_unchecked_fixture(ta, pki_setup, pki_teardown);
	tcase_add_test(ta, test_anchors_issued);
	tcase_add_test(ta, test_anchors_unreadable);
	suite_add_tcase(s, ta);
	return s;
}

int
main(void)
{
	int r;

	keep = json_array();
	r = tu_run(rcd_suite());
	json_decref(keep);
	return r;
}
