/*
 * test_policy.c: RCD policies on the signing side (policy.c): the example
 * documents of policies/, every validation rule, the URL values of jCards,
 * judging fetched content and its rcdi digest, the claims a call carries,
 * and which policy a call matches.
 *
 * Documents are written with single quotes for readability; sq() turns
 * them into JSON.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <jansson.h>
#include <sodium.h>

#include "stirclient.h"
#include "daemon/sign/policy.h"
#include "daemon/sign/policy_content.h"
#include "tests/unit/test_util.h"

#define HEAD	"{'name':'p','match':{'tns':['12155551212']},"
#define PNG	"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
#define JPEG	"\xff\xd8\xff\xe0\0\x10JFIF"
#define SVG	"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>"
#define SVG_LOCAL	"<svg xmlns=\"http://www.w3.org/2000/svg\"><use href=\"#a\"/></svg>"
#define SVG_SCRIPT	"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>x()</script></svg>"
#define SVG_HREF	"<svg xmlns=\"http://www.w3.org/2000/svg\">" \
	"<image href=\"https://x.example/i.png\"/></svg>"
#define NOW	1795871896
#define EXP	(NOW + 3600)

/* SHA-256 test vectors (FIPS 180-2), as RFC 9795 prints digests: no '=' padding */
#define SHA256_ABC	"sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0"
#define SHA256_EMPTY	"sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"

/* A copy of s with every ' turned into " (free()). */
static char *
sq(const char *s)
{
	char *out = strdup(s);

	ck_assert_ptr_nonnull(out);
	for (char *c = out; *c != '\0'; c++)
		if (*c == '\'')
			*c = '"';
	return out;
}

static json_t *
load(const char *s)
{
	char *t = sq(s);
	json_error_t err;
	json_t *j = json_loads(t, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);

	ck_assert_msg(j != NULL, "%s: %s", t, err.text);
	free(t);
	return j;
}

static struct stir_policy *
parse_text(const char *text, size_t len)
{
	struct stir_policy *p = NULL;
	char msg[256] = "";
	int r = stir_policy_parse(text, len, &p, msg, sizeof(msg));

	ck_assert_msg(r == STIR_OK, "%.200s: %d %s", text, r, msg);
	ck_assert_ptr_nonnull(p);
	ck_assert(json_is_object(p->content) && json_object_size(p->content) == 0);
	return p;
}

static struct stir_policy *
parse_ok(const char *s)
{
	char *t = sq(s);
	struct stir_policy *p = parse_text(t, strlen(t));

	free(t);
	return p;
}

/* text must be refused with want, the reason mentioning what; *ret untouched. */
static void
bad_text(const char *text, size_t len, int want, const char *what)
{
	struct stir_policy *p = (struct stir_policy *)&p;
	char msg[256] = "";
	int r = stir_policy_parse(text, len, &p, msg, sizeof(msg));

	ck_assert_msg(r == want, "%.300s: %d, not %d (%s)", text, r, want, msg);
	ck_assert_msg(strstr(msg, what) != NULL, "%.300s: '%s' lacks '%s'", text, msg, what);
	ck_assert_ptr_eq(p, (struct stir_policy *)&p);
}

static void
bad(const char *s, const char *what)
{
	char *t = sq(s);

	bad_text(t, strlen(t), STIR_EINVAL, what);
	free(t);
}

/* The document j (taken) must be refused with STIR_EINVAL naming what. */
static void
bad_json(json_t *j, const char *what)
{
	char *t;

	ck_assert_ptr_nonnull(j);
	t = json_dumps(j, JSON_COMPACT);
	ck_assert_ptr_nonnull(t);
	bad_text(t, strlen(t), STIR_EINVAL, what);
	free(t);
	json_decref(j);
}

/* A string of n copies of c (free()). */
static char *
rep(char c, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/*
 * "sha256-<base64>" computed here, not by policy.c (free()): unpadded, as
 * RFC 9795 prints every digest (43 characters for SHA-256).
 */
static char *
sri_sha256(const void *body, size_t len)
{
	const int variant = sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
	uint8_t md[32];
	char *out = malloc(7 + sodium_base64_ENCODED_LEN(32, variant));

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(gnutls_hash_fast(GNUTLS_DIG_SHA256, body, len, md), 0);
	memcpy(out, "sha256-", 7);
	sodium_bin2base64(out + 7, sodium_base64_ENCODED_LEN(32, variant), md, sizeof(md),
	    variant);
	ck_assert_uint_eq(strlen(out), 7 + 43);
	return out;
}

static void
assert_json_eq(const json_t *got, const char *want_sq)
{
	json_t *want = load(want_sq);
	char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
	char *w = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);

	ck_assert_msg(json_equal(got, want), "got %s, want %s", g, w);
	free(g);
	free(w);
	json_decref(want);
}

/* ---- the example documents ---- */

START_TEST(test_examples_parse)
{
	char dir[4096], path[4096 + 512];
	struct dirent *de;
	DIR *d;
	int n = 0, seen = 0;

	d = opendir(tu_srcpath("policies", dir, sizeof(dir)));
	ck_assert_msg(d != NULL, "cannot open %s (top_srcdir?)", dir);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name), len;
		struct stir_policy *p;
		json_t *urls;
		char *text;

		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		text = tu_read_file(path, &len);
		ck_assert_msg(text != NULL, "cannot read %s", path);
		p = parse_text(text, len);
		ck_assert_ptr_nonnull(p->name);
		ck_assert_ptr_nonnull(p->rcd);
		ck_assert_ptr_nonnull(json_object_get(p->rcd, "nam"));
		urls = stir_policy_urls(p);
		ck_assert_ptr_nonnull(urls);
		if (strcmp(de->d_name, "minimal.json") == 0) {
			ck_assert_str_eq(p->name, "front-desk");
			ck_assert_uint_eq(p->nspecs, 1);
			ck_assert_ptr_null(p->cred);
			ck_assert_int_eq(p->attach, STIR_ATTACH_EMBEDDED);
			ck_assert(!p->caller_values);
			ck_assert_ptr_null(p->reasons);
			ck_assert_ptr_null(p->alternatives);
			assert_json_eq(urls, "{}");
			seen |= 1;
		} else if (strcmp(de->d_name, "acme-pharmacy.json") == 0) {
			ck_assert_str_eq(p->name, "acme-pharmacy");
			ck_assert_uint_eq(p->nspecs, 3);
			ck_assert_int_eq(p->specs[0].type, STIR_TNSPEC_EXACT);
			ck_assert_int_eq(p->specs[1].type, STIR_TNSPEC_RANGE);
			ck_assert_int_eq(p->specs[2].type, STIR_TNSPEC_PREFIX);
			ck_assert_ptr_null(p->cred);
			ck_assert_int_eq(p->attach, STIR_ATTACH_EMBEDDED);
			ck_assert_uint_eq(json_array_size(p->reasons), 2);
			assert_json_eq(urls, "{'https://brand.example.com/acme/logo.png':'icon',"
			    "'https://brand.example.com/acme/card.json':'jcard'}");
			seen |= 2;
		} else if (strcmp(de->d_name, "example-bank.json") == 0) {
			ck_assert_str_eq(p->name, "example-bank");
			ck_assert_uint_eq(p->nspecs, 0);
			ck_assert_str_eq(p->cred, "example-bank-delegate");
			ck_assert_int_eq(p->attach, STIR_ATTACH_SEPARATE);
			ck_assert(p->caller_values);
			ck_assert_ptr_nonnull(p->alternatives);
			assert_json_eq(urls, "{'https://brand.example.com/bank/logo.png':'icon',"
			    "'https://www.bank.example/':'other'}");
			seen |= 4;
		}
		json_decref(urls);
		stir_policy_free(p);
		free(text);
		n++;
	}
	closedir(d);
	ck_assert_int_ge(n, 3);
	ck_assert_int_eq(seen, 7);
}
END_TEST

START_TEST(test_parse_minimal_forms)
{
	struct stir_policy *p;

	/* a credential alone, with every optional member absent */
	p = parse_ok("{'name':'c','match':{'cred':'bank-1'},'rcd':{'nam':'Bank'}}");
	ck_assert_str_eq(p->cred, "bank-1");
	ck_assert_uint_eq(p->nspecs, 0);
	ck_assert_ptr_null(p->specs);
	stir_policy_free(p);

	/* both tns and cred; every rcd member; alternatives; explicit false */
	p = parse_ok("{'name':'A.b_c-9','description':'x','match':{'tns':['1*','100-199'],"
	    "'cred':'c'},'rcd':{'nam':'N','apn':'12155551212','icn':'https://x.example/i.png',"
	    "'jcl':'https://x.example/j.json'},'alternatives':{'nam':['M'],'apn':['1#*'],"
	    "'icn':['https://x.example/2.png'],'jcl':['https://x.example/2.json']},"
	    "'caller_values':true,'reasons':['r'],'attach':'separate'}");
	ck_assert_str_eq(p->name, "A.b_c-9");
	ck_assert_uint_eq(p->nspecs, 2);
	ck_assert_str_eq(p->cred, "c");
	ck_assert_int_eq(p->attach, STIR_ATTACH_SEPARATE);
	stir_policy_free(p);

	p = parse_ok(HEAD "'rcd':{'nam':'N'},'caller_values':false,'attach':'embedded'}");
	ck_assert(!p->caller_values);
	ck_assert_int_eq(p->attach, STIR_ATTACH_EMBEDDED);
	stir_policy_free(p);

	/* caller_values without alternatives: the caller may only repeat the rcd */
	p = parse_ok(HEAD "'rcd':{'nam':'N'},'caller_values':true}");
	ck_assert(p->caller_values);
	ck_assert_ptr_null(p->alternatives);
	stir_policy_free(p);

	stir_policy_free(NULL);
}
END_TEST

/* ---- validation ---- */

START_TEST(test_bad_unknown_members)
{
	bad(HEAD "'rcd':{'nam':'N'},'extra':1}", "policy: unknown member 'extra'");
	bad("{'name':'p','match':{'tns':['1'],'crd':'x'},'rcd':{'nam':'N'}}",
	    "match: unknown member 'crd'");
	bad(HEAD "'rcd':{'nam':'N','name':'x'}}", "rcd: unknown member 'name'");
	bad(HEAD "'rcd':{'nam':'N','crn':'x'}}", "rcd: unknown member 'crn'");
	bad(HEAD "'rcd':{'nam':'N'},'caller_values':true,'alternatives':{'jcd':[1]}}",
	    "alternatives: unknown member 'jcd'");
	bad(HEAD "'rcd':{'nam':'N'},'caller_values':true,'alternatives':{'crn':['x']}}",
	    "alternatives: unknown member 'crn'");
}
END_TEST

START_TEST(test_bad_rcd)
{
	char *s;

	bad("{'name':'p','match':{'tns':['1']}}", "'rcd'");
	bad(HEAD "'rcd':['nam','N']}", "'rcd'");
	bad(HEAD "'rcd':{'apn':'12155551212'}}", "rcd.nam is required");
	bad(HEAD "'rcd':{}}", "rcd.nam is required");
	bad(HEAD "'rcd':{'nam':'N','jcl':'https://x.example/j.json','jcd':['vcard',[]]}}",
	    "'jcd' and 'jcl'");
	/* nam */
	bad(HEAD "'rcd':{'nam':42}}", "rcd.nam must be a string");
	bad(HEAD "'rcd':{'nam':''}}", "rcd.nam");
	bad(HEAD "'rcd':{'nam':'a\\u0001b'}}", "rcd.nam");
	bad(HEAD "'rcd':{'nam':'a\\tb'}}", "rcd.nam");
	bad(HEAD "'rcd':{'nam':'a\\u007fb'}}", "rcd.nam");
	s = rep('x', 257);
	bad_json(json_pack("{s:s, s:{s:[s]}, s:{s:s}}", "name", "p", "match", "tns", "1",
	    "rcd", "nam", s), "rcd.nam");
	s[256] = '\0';
	{
		json_t *j = json_pack("{s:s, s:{s:[s]}, s:{s:s}}", "name", "p", "match", "tns",
		    "1", "rcd", "nam", s);
		char *t = json_dumps(j, 0);

		stir_policy_free(parse_text(t, strlen(t)));
		free(t);
		json_decref(j);
	}
	free(s);
	/* apn */
	bad(HEAD "'rcd':{'nam':'N','apn':'abc'}}", "rcd.apn");
	bad(HEAD "'rcd':{'nam':'N','apn':''}}", "rcd.apn");
	bad(HEAD "'rcd':{'nam':'N','apn':'1234567890123456'}}", "rcd.apn");
	bad(HEAD "'rcd':{'nam':'N','apn':'+12155551212'}}", "rcd.apn");
	bad(HEAD "'rcd':{'nam':'N','apn':12155551212}}", "rcd.apn must be a string");
	/* jcd */
	bad(HEAD "'rcd':{'nam':'N','jcd':['vcard',{}]}}", "rcd.jcd is not a jCard");
	bad(HEAD "'rcd':{'nam':'N','jcd':'x'}}", "rcd.jcd is not a jCard");
	bad(HEAD "'rcd':{'nam':'N','jcd':['vcard',[['photo',{},'uri','http://x.example/p.png']]]}}",
	    "rcd.jcd");
}
END_TEST

START_TEST(test_bad_urls)
{
	char *path, *url;

	bad(HEAD "'rcd':{'nam':'N','icn':'http://x.example/i.png'}}", "rcd.icn must be an https URL");
	bad(HEAD "'rcd':{'nam':'N','icn':'https://x.example/a b.png'}}", "rcd.icn");
	bad(HEAD "'rcd':{'nam':'N','icn':'https://x.example/a\\tb.png'}}", "rcd.icn");
	bad(HEAD "'rcd':{'nam':'N','icn':'https://x.example/a<b>.png'}}", "rcd.icn");
	bad(HEAD "'rcd':{'nam':'N','icn':'https://x.example/\\u00e9.png'}}", "rcd.icn");
	bad(HEAD "'rcd':{'nam':'N','icn':'https://'}}", "rcd.icn");
	bad(HEAD "'rcd':{'nam':'N','icn':'ftp://x.example/i.png'}}", "rcd.icn");
	bad(HEAD "'rcd':{'nam':'N','icn':'x.example/i.png'}}", "rcd.icn");
	bad(HEAD "'rcd':{'nam':'N','icn':''}}", "rcd.icn");
	bad(HEAD "'rcd':{'nam':'N','jcl':'http://x.example/j.json'}}", "rcd.jcl");
	bad(HEAD "'rcd':{'nam':'N','jcl':'data:application/json,[]'}}", "rcd.jcl");
	bad(HEAD "'rcd':{'nam':'N','jcl':['https://x.example/j.json']}}", "rcd.jcl must be a string");
	bad(HEAD "'rcd':{'nam':'N'},'caller_values':true,"
	    "'alternatives':{'icn':['https://x.example/1.png','http://x.example/2.png']}}",
	    "alternatives.icn must be an https URL");
	/* one URL in two roles: an icon cannot be a jCard too */
	bad(HEAD "'rcd':{'nam':'N','jcl':'https://x.example/X'},'caller_values':true,"
	    "'alternatives':{'icn':['https://x.example/X']}}", "both as an icon and as a jCard");
	bad(HEAD "'rcd':{'nam':'N','icn':'https://x.example/X','jcd':['vcard',[['fn',{},'text','F'],"
	    "['url',{},'uri','https://x.example/X']]]},'caller_values':true,"
	    "'alternatives':{'jcl':['https://x.example/X']}}", "both as an icon and as a jCard");
	{	/* the same URL as a photo and as a url: it is judged as an image */
		struct stir_policy *p = parse_ok(HEAD "'rcd':{'nam':'N','jcd':['vcard',["
		    "['photo',{},'uri','https://x.example/X'],['url',{},'uri','https://x.example/X']]]}}");
		json_t *urls = stir_policy_urls(p);

		ck_assert_str_eq(json_string_value(json_object_get(urls, "https://x.example/X")), "icon");
		json_decref(urls);
		stir_policy_free(p);
	}

	/* 1024 bytes is the limit */
	path = rep('a', 1024 - strlen("https://x.example/"));
	url = malloc(2048);
	ck_assert_ptr_nonnull(url);
	(void)snprintf(url, 2048, "https://x.example/%s", path);
	ck_assert_uint_eq(strlen(url), 1024);
	{
		json_t *j = json_pack("{s:s, s:{s:[s]}, s:{s:s, s:s}}", "name", "p", "match",
		    "tns", "1", "rcd", "nam", "N", "icn", url);
		char *t = json_dumps(j, 0);

		stir_policy_free(parse_text(t, strlen(t)));
		free(t);
		json_decref(j);
	}
	(void)snprintf(url, 2048, "https://x.example/%sa", path);
	bad_json(json_pack("{s:s, s:{s:[s]}, s:{s:s, s:s}}", "name", "p", "match", "tns", "1",
	    "rcd", "nam", "N", "icn", url), "rcd.icn");
	free(url);
	free(path);
}
END_TEST

START_TEST(test_bad_match)
{
	json_t *tns;

	bad("{'name':'p','rcd':{'nam':'N'}}", "'match'");
	bad("{'name':'p','match':[],'rcd':{'nam':'N'}}", "'match'");
	bad("{'name':'p','match':{},'rcd':{'nam':'N'}}", "'match' needs 'tns' or 'cred'");
	bad("{'name':'p','match':{'tns':[]},'rcd':{'nam':'N'}}", "match.tns");
	bad("{'name':'p','match':{'tns':'12155551212'},'rcd':{'nam':'N'}}", "match.tns");
	bad("{'name':'p','match':{'tns':[12155551212]},'rcd':{'nam':'N'}}", "match.tns[0]");
	bad("{'name':'p','match':{'tns':['abc']},'rcd':{'nam':'N'}}", "match.tns[0]");
	bad("{'name':'p','match':{'tns':['']},'rcd':{'nam':'N'}}", "match.tns[0]");
	bad("{'name':'p','match':{'tns':['*']},'rcd':{'nam':'N'}}", "match.tns[0]");
	bad("{'name':'p','match':{'tns':['1*2']},'rcd':{'nam':'N'}}", "match.tns[0]");
	bad("{'name':'p','match':{'tns':['12-123']},'rcd':{'nam':'N'}}", "match.tns[0]");
	bad("{'name':'p','match':{'tns':['199-100']},'rcd':{'nam':'N'}}", "match.tns[0]");
	bad("{'name':'p','match':{'tns':['1-2-3']},'rcd':{'nam':'N'}}", "match.tns[0]");
	bad("{'name':'p','match':{'tns':['1234567890123456']},'rcd':{'nam':'N'}}", "match.tns[0]");
	bad("{'name':'p','match':{'tns':['1234567890123456*']},'rcd':{'nam':'N'}}", "match.tns[0]");
	bad("{'name':'p','match':{'tns':['1','2','+3']},'rcd':{'nam':'N'}}", "match.tns[2]");
	bad("{'name':'p','match':{'cred':''},'rcd':{'nam':'N'}}", "match.cred");
	bad("{'name':'p','match':{'cred':'.hidden'},'rcd':{'nam':'N'}}", "match.cred");
	bad("{'name':'p','match':{'cred':'a/b'},'rcd':{'nam':'N'}}", "match.cred");
	bad("{'name':'p','match':{'cred':7},'rcd':{'nam':'N'}}", "match.cred");

	/* STIR_POLICY_TNS_MAX specs, then one more */
	tns = json_array();
	for (int i = 0; i < STIR_POLICY_TNS_MAX; i++)
		json_array_append_new(tns, json_sprintf("1215555%04d", i));
	{
		json_t *j = json_pack("{s:s, s:{s:O}, s:{s:s}}", "name", "p", "match", "tns", tns,
		    "rcd", "nam", "N");
		char *t = json_dumps(j, 0);
		struct stir_policy *p = parse_text(t, strlen(t));

		ck_assert_uint_eq(p->nspecs, STIR_POLICY_TNS_MAX);
		stir_policy_free(p);
		free(t);
		json_decref(j);
	}
	json_array_append_new(tns, json_string("12155559999"));
	bad_json(json_pack("{s:s, s:{s:o}, s:{s:s}}", "name", "p", "match", "tns", tns,
	    "rcd", "nam", "N"), "match.tns");
}
END_TEST

START_TEST(test_bad_alternatives)
{
	json_t *alts;

	bad(HEAD "'rcd':{'nam':'N'},'alternatives':{'nam':['M']}}", "'alternatives' needs");
	bad(HEAD "'rcd':{'nam':'N'},'alternatives':{'nam':['M']},'caller_values':false}",
	    "caller_values");
	bad(HEAD "'rcd':{'nam':'N'},'caller_values':'yes'}", "'caller_values'");
	bad(HEAD "'rcd':{'nam':'N'},'caller_values':1}", "'caller_values'");
	bad(HEAD "'rcd':{'nam':'N'},'caller_values':true,'alternatives':['M']}", "'alternatives'");
	bad(HEAD "'rcd':{'nam':'N'},'caller_values':true,'alternatives':{'nam':'M'}}",
	    "alternatives.nam must be an array");
	bad(HEAD "'rcd':{'nam':'N'},'caller_values':true,'alternatives':{'nam':[]}}",
	    "alternatives.nam");
	bad(HEAD "'rcd':{'nam':'N'},'caller_values':true,'alternatives':{'nam':['M',1]}}",
	    "alternatives.nam must be a string");
	bad(HEAD "'rcd':{'nam':'N'},'caller_values':true,'alternatives':{'nam':['']}}",
	    "alternatives.nam");
	bad(HEAD "'rcd':{'nam':'N'},'caller_values':true,'alternatives':{'apn':['x']}}",
	    "alternatives.apn");

	alts = json_array();
	for (int i = 0; i <= STIR_POLICY_ALTS_MAX; i++)
		json_array_append_new(alts, json_sprintf("Name %d", i));
	bad_json(json_pack("{s:s, s:{s:[s]}, s:{s:s}, s:b, s:{s:o}}", "name", "p", "match",
	    "tns", "1", "rcd", "nam", "N", "caller_values", 1, "alternatives", "nam", alts),
	    "alternatives.nam");
}
END_TEST

START_TEST(test_bad_reasons)
{
	json_t *rs;
	char *s;

	bad(HEAD "'rcd':{'nam':'N'},'reasons':[]}", "'reasons'");
	bad(HEAD "'rcd':{'nam':'N'},'reasons':'x'}", "'reasons'");
	bad(HEAD "'rcd':{'nam':'N'},'reasons':['a',1]}", "reasons[1]");
	bad(HEAD "'rcd':{'nam':'N'},'reasons':['a','']}", "reasons[1]");
	bad(HEAD "'rcd':{'nam':'N'},'reasons':['a','b\\nc']}", "reasons[1]");
	bad(HEAD "'rcd':{'nam':'N'},'reasons':['a\\u001fb']}", "reasons[0]");
	bad(HEAD "'rcd':{'nam':'N'},'reasons':['a\\u007f']}", "reasons[0]");

	/* STIR_POLICY_REASONS_MAX, then one more */
	rs = json_array();
	for (int i = 0; i < STIR_POLICY_REASONS_MAX; i++)
		json_array_append_new(rs, json_sprintf("Reason %d", i));
	{
		json_t *j = json_pack("{s:s, s:{s:[s]}, s:{s:s}, s:O}", "name", "p", "match",
		    "tns", "1", "rcd", "nam", "N", "reasons", rs);
		char *t = json_dumps(j, 0);

		stir_policy_free(parse_text(t, strlen(t)));
		free(t);
		json_decref(j);
	}
	json_array_append_new(rs, json_string("one too many"));
	bad_json(json_pack("{s:s, s:{s:[s]}, s:{s:s}, s:o}", "name", "p", "match", "tns", "1",
	    "rcd", "nam", "N", "reasons", rs), "'reasons'");

	/* STIR_POLICY_CRN_MAX bytes, then one more */
	s = rep('r', STIR_POLICY_CRN_MAX);
	{
		json_t *j = json_pack("{s:s, s:{s:[s]}, s:{s:s}, s:[s]}", "name", "p", "match",
		    "tns", "1", "rcd", "nam", "N", "reasons", s);
		char *t = json_dumps(j, 0);

		stir_policy_free(parse_text(t, strlen(t)));
		free(t);
		json_decref(j);
	}
	free(s);
	s = rep('r', STIR_POLICY_CRN_MAX + 1);
	bad_json(json_pack("{s:s, s:{s:[s]}, s:{s:s}, s:[s, s]}", "name", "p", "match", "tns",
	    "1", "rcd", "nam", "N", "reasons", "ok", s), "reasons[1]");
	free(s);
}
END_TEST

START_TEST(test_bad_name_attach_description)
{
	char *s;

	bad("{'match':{'tns':['1']},'rcd':{'nam':'N'}}", "'name'");
	bad("{'name':'','match':{'tns':['1']},'rcd':{'nam':'N'}}", "'name'");
	bad("{'name':'.p','match':{'tns':['1']},'rcd':{'nam':'N'}}", "'name'");
	bad("{'name':'a b','match':{'tns':['1']},'rcd':{'nam':'N'}}", "'name'");
	bad("{'name':'a/b','match':{'tns':['1']},'rcd':{'nam':'N'}}", "'name'");
	bad("{'name':7,'match':{'tns':['1']},'rcd':{'nam':'N'}}", "'name'");
	s = rep('n', STIR_POLICY_NAME_MAX + 1);
	bad_json(json_pack("{s:s, s:{s:[s]}, s:{s:s}}", "name", s, "match", "tns", "1", "rcd",
	    "nam", "N"), "'name'");
	free(s);
	s = rep('n', STIR_POLICY_NAME_MAX);
	{
		json_t *j = json_pack("{s:s, s:{s:[s]}, s:{s:s}}", "name", s, "match", "tns", "1",
		    "rcd", "nam", "N");
		char *t = json_dumps(j, 0);
		struct stir_policy *p = parse_text(t, strlen(t));

		ck_assert_str_eq(p->name, s);
		stir_policy_free(p);
		free(t);
		json_decref(j);
	}
	free(s);

	bad(HEAD "'rcd':{'nam':'N'},'attach':'inline'}", "'attach'");
	bad(HEAD "'rcd':{'nam':'N'},'attach':'Embedded'}", "'attach'");
	bad(HEAD "'rcd':{'nam':'N'},'attach':0}", "'attach'");
	bad(HEAD "'rcd':{'nam':'N'},'attach':null}", "'attach'");

	bad(HEAD "'rcd':{'nam':'N'},'description':''}", "'description'");
	bad(HEAD "'rcd':{'nam':'N'},'description':'a\\nb'}", "'description'");
	bad(HEAD "'rcd':{'nam':'N'},'description':['x']}", "'description'");
	s = rep('d', STIR_POLICY_TEXT_MAX + 1);
	bad_json(json_pack("{s:s, s:{s:[s]}, s:{s:s}, s:s}", "name", "p", "match", "tns", "1",
	    "rcd", "nam", "N", "description", s), "'description'");
	free(s);
}
END_TEST

START_TEST(test_bad_document)
{
	static const char dup[] =
	    "{\"name\":\"p\",\"match\":{\"tns\":[\"1\"]},\"rcd\":{\"nam\":\"N\"},\"name\":\"q\"}";
	static const char dup_rcd[] =
	    "{\"name\":\"p\",\"match\":{\"tns\":[\"1\"]},\"rcd\":{\"nam\":\"N\",\"nam\":\"M\"}}";
	static const char ok[] =
	    "{\"name\":\"p\",\"match\":{\"tns\":[\"1\"]},\"rcd\":{\"nam\":\"N\"}}";
	char *big;

	bad_text(dup, strlen(dup), STIR_EINVAL, "duplicate");
	bad_text(dup_rcd, strlen(dup_rcd), STIR_EINVAL, "duplicate");
	bad_text(dup, strlen(dup), STIR_EINVAL, "not JSON");
	bad_text("[]", 2, STIR_EINVAL, "a policy is a JSON object");
	bad_text("[\"name\",\"p\"]", 12, STIR_EINVAL, "a policy is a JSON object");
	/* Jansson takes only an array or object at the top */
	bad_text("\"p\"", 3, STIR_EINVAL, "not JSON");
	bad_text("42", 2, STIR_EINVAL, "not JSON");
	bad_text("null", 4, STIR_EINVAL, "not JSON");
	bad_text("", 0, STIR_EINVAL, "not JSON");
	bad_text("{", 1, STIR_EINVAL, "not JSON");
	bad_text(ok, strlen(ok) - 1, STIR_EINVAL, "not JSON");	/* len counts */
	bad_text("{} {}", 5, STIR_EINVAL, "not JSON");
	bad_text("{\"name\":\"p\0\"}", 13, STIR_EINVAL, "not JSON");

	/* exactly STIR_POLICY_DOC_MAX bytes (blank padded) parse; one more does not */
	big = malloc(STIR_POLICY_DOC_MAX + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', STIR_POLICY_DOC_MAX + 1);
	memcpy(big, ok, strlen(ok));
	big[STIR_POLICY_DOC_MAX + 1] = '\0';
	stir_policy_free(parse_text(big, STIR_POLICY_DOC_MAX));
	bad_text(big, STIR_POLICY_DOC_MAX + 1, STIR_ETOOBIG, "at most");
	free(big);
}
END_TEST

/* ---- URL values of a jCard ---- */

START_TEST(test_jcard_urls)
{
	json_t *jc = load("['vcard',["
	    "['version',{},'text','4.0'],"
	    "['photo',{},'uri','https://x.example/p.png'],"
	    "['tel',{'type':'work'},'uri','tel:+12155551212'],"
	    "['logo',{},'uri','data:image/png;base64,iVBORw0KGgo='],"
	    "['note',{},'text','https://x.example/n'],"
	    "['url',{},'uri',42],"
	    "['LOGO',{},'URI','https://x.example/l.svg'],"
	    "['url',{},'uri','https://x.example/u','https://x.example/v'],"
	    "['fn',{}],"
	    "'not a property',"
	    "[1,{},'uri','https://x.example/nameless']]]");
	json_t *urls = NULL;

	/* as the verifier finds them: "uri" values of any case, every value */
	ck_assert_int_eq(stir_jcard_urls(jc, false, &urls), STIR_OK);
	assert_json_eq(urls, "["
	    "{'ptr':'/1/1/3','url':'https://x.example/p.png','kind':'icon'},"
	    "{'ptr':'/1/6/3','url':'https://x.example/l.svg','kind':'icon'},"
	    "{'ptr':'/1/7/3','url':'https://x.example/u','kind':'other'},"
	    "{'ptr':'/1/7/4','url':'https://x.example/v','kind':'other'}]");
	json_decref(urls);
	/* allow_http changes nothing */
	urls = NULL;
	ck_assert_int_eq(stir_jcard_urls(jc, true, &urls), STIR_OK);
	ck_assert_uint_eq(json_array_size(urls), 4);
	json_decref(urls);
	json_decref(jc);

	/* no properties, no URLs */
	jc = load("['vcard',[]]");
	urls = NULL;
	ck_assert_int_eq(stir_jcard_urls(jc, false, &urls), STIR_OK);
	assert_json_eq(urls, "[]");
	json_decref(urls);
	json_decref(jc);
}
END_TEST

/* A jCard of n https uri properties, then the extra properties (a JSON list). */
static json_t *
jcard_n(int n, const char *extra)
{
	json_t *props = json_array(), *jc;

	for (int i = 0; i < n; i++)
		json_array_append_new(props, json_pack("[s,{},s,o]", "url", "uri",
		    json_sprintf("https://x.example/%d", i)));
	if (extra != NULL) {
		json_t *more = load(extra);

		json_array_extend(props, more);
		json_decref(more);
	}
	jc = json_pack("[s,o]", "vcard", props);
	ck_assert_ptr_nonnull(jc);
	return jc;
}

START_TEST(test_jcard_urls_refused)
{
	static const char *const refused[] = {
		/* not a jCard */
		"'vcard'", "['vcard']", "['vcard',{}]", "['vCard',[]]", "['vcard',[],[]]",
		"[1,[]]", "{'vcard':[]}", "[]",
		/* a web URL value the verifier would not follow */
		"['vcard',[['url',{},'uri','http://x.example/']]]",
		"['vcard',[['url',{},'uri','HTTP://x.example/']]]",
		"['vcard',[['url',{},'uri','HTTPS://x.example/']]]",
		"['vcard',[['url',{},'uri','https:x.example']]]",
		"['vcard',[['url',{},'uri','https://']]]",
		"['vcard',[['url',{},'uri','https://x.example/a b']]]",
		"['vcard',[['url',{},'uri','https://x.example/\\u00e9']]]",
		"['vcard',[['url',{},'uri','https://x.example/','http://x.example/']]]",
	};
	json_t *jc, *urls = (json_t *)&urls;
	char *long_url;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		for (int http = 0; http < 2; http++) {
			jc = load(refused[i]);
			ck_assert_msg(stir_jcard_urls(jc, http, &urls) == STIR_EINVAL, "%s", refused[i]);
			ck_assert_ptr_eq(urls, (json_t *)&urls);
			json_decref(jc);
		}
	}
	ck_assert_int_eq(stir_jcard_urls(NULL, true, &urls), STIR_EINVAL);
	ck_assert_ptr_eq(urls, (json_t *)&urls);

	/* 1024 bytes is the longest URL */
	long_url = rep('a', 1024);
	memcpy(long_url, "https://x.example/", strlen("https://x.example/"));
	jc = json_pack("[s,[[s,{},s,s]]]", "vcard", "url", "uri", long_url);
	urls = NULL;
	ck_assert_int_eq(stir_jcard_urls(jc, false, &urls), STIR_OK);
	ck_assert_uint_eq(json_array_size(urls), 1);
	json_decref(urls);
	json_decref(jc);
	free(long_url);
	long_url = rep('a', 1025);
	memcpy(long_url, "https://x.example/", strlen("https://x.example/"));
	jc = json_pack("[s,[[s,{},s,s]]]", "vcard", "url", "uri", long_url);
	urls = (json_t *)&urls;
	ck_assert_int_eq(stir_jcard_urls(jc, false, &urls), STIR_EINVAL);
	ck_assert_ptr_eq(urls, (json_t *)&urls);
	json_decref(jc);
	free(long_url);

	/* properties that are not (complete) properties are passed over */
	jc = load("['vcard',[['fn',{},'text'],['fn',[],'text','x'],[1,{},'uri','https://x.example/'],"
	    "['fn',{},1,'x'],'fn',[],{}]]");
	urls = NULL;
	ck_assert_int_eq(stir_jcard_urls(jc, false, &urls), STIR_OK);
	assert_json_eq(urls, "[]");
	json_decref(urls);
	json_decref(jc);
}
END_TEST

START_TEST(test_jcard_urls_limits)
{
	json_t *jc, *urls = (json_t *)&urls;

	jc = jcard_n(STIR_JCARD_URLS_MAX, NULL);
	ck_assert_int_eq(stir_jcard_urls(jc, false, &urls), STIR_OK);
	ck_assert_uint_eq(json_array_size(urls), STIR_JCARD_URLS_MAX);
	json_decref(urls);
	json_decref(jc);

	/* URL values not followed do not count */
	jc = jcard_n(STIR_JCARD_URLS_MAX, "[['tel',{},'uri','tel:+1215'],"
	    "['logo',{},'uri','data:image/png;base64,AA=='],['impp',{},'uri','sip:a@x.example'],"
	    "['note',{},'text','https://x.example/'],['source',{},'text','http://x.example/']]");
	ck_assert_int_eq(stir_jcard_urls(jc, false, &urls), STIR_OK);
	ck_assert_uint_eq(json_array_size(urls), STIR_JCARD_URLS_MAX);
	json_decref(urls);
	json_decref(jc);

	urls = (json_t *)&urls;
	jc = jcard_n(STIR_JCARD_URLS_MAX + 1, NULL);
	ck_assert_int_eq(stir_jcard_urls(jc, false, &urls), STIR_ETOOBIG);
	ck_assert_ptr_eq(urls, (json_t *)&urls);
	json_decref(jc);
	/* values of one property count one by one */
	jc = load("['vcard',[['url',{},'uri','https://x.example/0','https://x.example/1',"
	    "'https://x.example/2','https://x.example/3','https://x.example/4',"
	    "'https://x.example/5','https://x.example/6','https://x.example/7',"
	    "'https://x.example/8']]]");
	ck_assert_int_eq(stir_jcard_urls(jc, false, &urls), STIR_ETOOBIG);
	ck_assert_ptr_eq(urls, (json_t *)&urls);
	json_decref(jc);

	/* many properties without URLs are fine */
	jc = jcard_n(1, NULL);
	for (int i = 0; i < 500; i++)
		json_array_append_new(json_array_get(jc, 1),
		    json_pack("[s,{},s,s]", "note", "text", "x"));
	json_array_append_new(json_array_get(jc, 1),
	    json_pack("[s,{},s,s]", "photo", "uri", "https://x.example/last.png"));
	ck_assert_int_eq(stir_jcard_urls(jc, false, &urls), STIR_OK);
	assert_json_eq(urls, "[{'ptr':'/1/0/3','url':'https://x.example/0','kind':'other'},"
	    "{'ptr':'/1/501/3','url':'https://x.example/last.png','kind':'icon'}]");
	json_decref(urls);
	json_decref(jc);

	/* an inline jcd with too many URLs, or one not https, is refused by the parser */
	jc = jcard_n(STIR_JCARD_URLS_MAX + 1, NULL);
	bad_json(json_pack("{s:s, s:{s:[s]}, s:{s:s, s:o}}", "name", "p", "match", "tns", "1",
	    "rcd", "nam", "N", "jcd", jc), "rcd.jcd has more than 8 URL values");
	bad(HEAD "'rcd':{'nam':'N','jcd':['vcard',[['url',{},'uri','http://x.example/']]]}}",
	    "rcd.jcd");
	bad(HEAD "'rcd':{'nam':'N','jcd':['vcard',[['url',{},'uri','https://x.example/a b']]]}}",
	    "not https");
}
END_TEST

/* ---- fetched content ---- */

static json_t *
entry_ok(const char *kind, const void *body, size_t len, bool allow_http)
{
	json_t *e = NULL;
	char msg[256] = "";
	int r = stir_policy_content_entry(kind, body, len, 1000, 2000, allow_http, NOW, EXP,
	    &e, msg, sizeof(msg));

	ck_assert_msg(r == STIR_OK, "%s: %d %s", kind, r, msg);
	ck_assert_ptr_nonnull(e);
	return e;
}

static void
entry_bad(const char *kind, const void *body, size_t len, unsigned icon_max,
    unsigned jcard_max, const char *what)
{
	json_t *e = (json_t *)&e;
	char msg[256] = "";
	int r = stir_policy_content_entry(kind, body, len, icon_max, jcard_max, false, NOW, EXP,
	    &e, msg, sizeof(msg));

	ck_assert_msg(r == STIR_EPOLICY, "%s: %d %s", kind, r, msg);
	ck_assert_msg(strstr(msg, what) != NULL, "'%s' lacks '%s'", msg, what);
	ck_assert_ptr_eq(e, (json_t *)&e);
}

static void
assert_entry(const json_t *e, const char *kind, const char *type, const void *body, size_t len)
{
	char *want = sri_sha256(body, len);

	ck_assert_str_eq(json_string_value(json_object_get(e, "kind")), kind);
	ck_assert_str_eq(json_string_value(json_object_get(e, "type")), type);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "size")), (json_int_t)len);
	ck_assert_str_eq(json_string_value(json_object_get(e, "digest")), want);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "fetched")), NOW);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "expires")), EXP);
	ck_assert_int_eq(json_integer_value(json_object_get(e, "changed")), NOW);
	free(want);
}

START_TEST(test_content_icons)
{
	uint8_t big[1001];
	json_t *e;

	e = entry_ok("icon", PNG, sizeof(PNG) - 1, false);
	assert_entry(e, "icon", "image/png", PNG, sizeof(PNG) - 1);
	ck_assert_ptr_null(json_object_get(e, "urls"));
	json_decref(e);
	e = entry_ok("icon", JPEG, sizeof(JPEG) - 1, false);
	assert_entry(e, "icon", "image/jpeg", JPEG, sizeof(JPEG) - 1);
	json_decref(e);
	e = entry_ok("icon", SVG, strlen(SVG), false);
	assert_entry(e, "icon", "image/svg+xml", SVG, strlen(SVG));
	json_decref(e);

	/* SVG that references other content is refused; local fragments are fine */
	e = entry_ok("icon", SVG_LOCAL, strlen(SVG_LOCAL), false);
	assert_entry(e, "icon", "image/svg+xml", SVG_LOCAL, strlen(SVG_LOCAL));
	json_decref(e);
	entry_bad("icon", SVG_SCRIPT, strlen(SVG_SCRIPT), 1000, 2000, "not a PNG, JPEG or SVG");
	entry_bad("icon", SVG_HREF, strlen(SVG_HREF), 1000, 2000, "not a PNG, JPEG or SVG");

	entry_bad("icon", "hello, world", 12, 1000, 2000, "not a PNG, JPEG or SVG");
	entry_bad("icon", "", 0, 1000, 2000, "not a PNG, JPEG or SVG");
	entry_bad("icon", "\x89PNG", 4, 1000, 2000, "not a PNG, JPEG or SVG");
	entry_bad("icon", "[\"vcard\",[]]", strlen("[\"vcard\",[]]"), 1000, 2000, "not a PNG");

	/* exactly icon_max bytes pass; one more is refused, whatever jcard_max */
	memset(big, 0, sizeof(big));
	memcpy(big, PNG, sizeof(PNG) - 1);
	e = entry_ok("icon", big, 1000, false);
	assert_entry(e, "icon", "image/png", big, 1000);
	json_decref(e);
	entry_bad("icon", big, sizeof(big), 1000, 5000, "rcd_icon_max_bytes (1000)");
	entry_bad("icon", big, sizeof(big), 1000, 5000, "1001 bytes");
}
END_TEST

START_TEST(test_content_jcard)
{
	static const char card[] = "[\"vcard\",[[\"fn\",{},\"text\",\"A\"],"
	    "[\"logo\",{},\"uri\",\"https://x.example/l.png\"],"
	    "[\"url\",{},\"uri\",\"https://x.example/\"],"
	    "[\"tel\",{},\"uri\",\"tel:+12155551212\"]]]";
	static const char http_card[] = "[\"vcard\",[[\"fn\",{},\"text\",\"A\"],"
	    "[\"url\",{},\"uri\",\"http://x.example/\"]]]";
	static const char dup[] = "[\"vcard\",[[\"fn\",{},\"text\",\"A\"],"
	    "[\"fn\",{\"a\":1,\"a\":2},\"text\",\"B\"]]]";
	json_t *e, *jc;
	char *text;

	e = entry_ok("jcard", card, strlen(card), false);
	assert_entry(e, "jcard", "application/vcard+json", card, strlen(card));
	assert_json_eq(json_object_get(e, "urls"),
	    "[{'ptr':'/1/1/3','url':'https://x.example/l.png','kind':'icon'},"
	    "{'ptr':'/1/2/3','url':'https://x.example/','kind':'other'}]");
	json_decref(e);
	e = entry_ok("jcard", "[\"vcard\",[]]", strlen("[\"vcard\",[]]"), false);
	assert_json_eq(json_object_get(e, "urls"), "[]");
	json_decref(e);

	/* a jCard whose URL the verifier would not follow, even with allow_http */
	entry_bad("jcard", http_card, strlen(http_card), 1000, 2000, "not https");
	e = (json_t *)&e;
	ck_assert_int_eq(stir_policy_content_entry("jcard", (const uint8_t *)http_card,
	    strlen(http_card), 1000, 2000, true, NOW, EXP, &e, (char[64]){ 0 }, 64), STIR_EPOLICY);
	ck_assert_ptr_eq(e, (json_t *)&e);

	entry_bad("jcard", "not json", 8, 1000, 2000, "not a jCard");
	entry_bad("jcard", "{}", 2, 1000, 2000, "not a jCard");
	entry_bad("jcard", "[\"vcard\",[],1]", strlen("[\"vcard\",[],1]"), 1000, 2000,
	    "not a jCard");
	entry_bad("jcard", dup, strlen(dup), 1000, 2000, "not a jCard");
	entry_bad("jcard", PNG, sizeof(PNG) - 1, 1000, 2000, "not a jCard");
	entry_bad("jcard", card, strlen(card), 1000, (unsigned)strlen(card) - 1,
	    "rcd_jcard_max_bytes");
	/* a jCard over icon_max is fine: jcard_max applies */
	e = NULL;
	ck_assert_int_eq(stir_policy_content_entry("jcard", (const uint8_t *)card, strlen(card), 1,
	    (unsigned)strlen(card), false, NOW, EXP, &e, (char[64]){ 0 }, 64), STIR_OK);
	json_decref(e);

	jc = jcard_n(STIR_JCARD_URLS_MAX + 1, NULL);
	text = json_dumps(jc, JSON_COMPACT);
	entry_bad("jcard", text, strlen(text), 1000, 20000, "more than 8 URL values");
	free(text);
	json_decref(jc);
}
END_TEST

START_TEST(test_content_digest)
{
	char *d;
	json_t *e;

	/* the FIPS 180-2 vectors, computed by hand */
	d = stir_rcdi_sha256((const uint8_t *)"abc", 3);
	ck_assert_str_eq(d, SHA256_ABC);
	free(d);
	d = stir_rcdi_sha256((const uint8_t *)"", 0);
	ck_assert_str_eq(d, SHA256_EMPTY);
	free(d);

	e = entry_ok("other", "abc", 3, false);
	ck_assert_str_eq(json_string_value(json_object_get(e, "digest")), SHA256_ABC);
	ck_assert_str_eq(json_string_value(json_object_get(e, "type")), "application/octet-stream");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "size")), 3);
	json_decref(e);
	e = entry_ok("other", "", 0, false);
	ck_assert_str_eq(json_string_value(json_object_get(e, "digest")), SHA256_EMPTY);
	json_decref(e);

	/* "other" content is not judged, but jcard_max applies */
	entry_bad("other", "abcd", 4, 1000, 3, "rcd_jcard_max_bytes (3)");
	e = NULL;
	ck_assert_int_eq(stir_policy_content_entry("other", (const uint8_t *)"abc", 3, 0, 3, false,
	    NOW, EXP, &e, (char[64]){ 0 }, 64), STIR_OK);
	json_decref(e);
}
END_TEST

/* ---- the claims of a call ---- */

/* content[url] = {"digest": digest} (and "urls" from the JSON text urls). */
static void
put_content(struct stir_policy *p, const char *url, const char *digest, const char *urls)
{
	json_t *e = json_pack("{s:s}", "digest", digest);

	ck_assert_ptr_nonnull(e);
	if (urls != NULL)
		ck_assert_int_eq(json_object_set_new(e, "urls", load(urls)), 0);
	ck_assert_int_eq(json_object_set_new(p->content, url, e), 0);
}

static json_t *
claims_ok(const struct stir_policy *p, bool want_rcd, const char *req_sq, const char *crn)
{
	json_t *req = req_sq != NULL ? load(req_sq) : NULL, *out = NULL;
	char msg[256] = "";
	int r = stir_policy_claims(p, want_rcd, req, crn, &out, msg, sizeof(msg));

	ck_assert_msg(r == STIR_OK, "%s: %d %s", req_sq != NULL ? req_sq : "-", r, msg);
	ck_assert_ptr_nonnull(out);
	json_decref(req);
	return out;
}

static void
claims_bad(const struct stir_policy *p, bool want_rcd, const char *req_sq, const char *crn,
    int want, const char *what)
{
	json_t *req = req_sq != NULL ? load(req_sq) : NULL, *out = (json_t *)&out;
	char msg[256] = "";
	int r = stir_policy_claims(p, want_rcd, req, crn, &out, msg, sizeof(msg));

	ck_assert_msg(r == want, "%s: %d, not %d (%s)", req_sq != NULL ? req_sq : "-", r, want, msg);
	ck_assert_msg(strstr(msg, what) != NULL, "'%s' lacks '%s'", msg, what);
	ck_assert_ptr_eq(out, (json_t *)&out);
	json_decref(req);
}

#define ACME_ICN	"https://brand.example.com/acme/logo.png"
#define ACME_JCL	"https://brand.example.com/acme/card.json"
#define ACME_PHOTO	"https://brand.example.com/acme/photo.png"
#define ACME \
	"{'name':'acme','match':{'tns':['12155550100']},'rcd':{'nam':'Acme Pharmacy'," \
	"'apn':'12155550100','icn':'" ACME_ICN "','jcl':'" ACME_JCL "'}," \
	"'reasons':['Your prescription is ready','Reminder']}"

static struct stir_policy *
acme(void)
{
	struct stir_policy *p = parse_ok(ACME);

	put_content(p, ACME_ICN, "sha256-ICN", NULL);
	put_content(p, ACME_JCL, "sha256-JCL",
	    "[{'ptr':'/1/2/3','url':'" ACME_PHOTO "','kind':'icon'},"
	    "{'ptr':'/1/5/3','url':'" ACME_ICN "','kind':'icon'}]");
	put_content(p, ACME_PHOTO, "sha256-PHOTO", NULL);
	return p;
}

START_TEST(test_claims_defaults)
{
	struct stir_policy *p = acme(), *m;
	json_t *c;

	c = claims_ok(p, true, NULL, NULL);
	assert_json_eq(c, "{'rcd':{'nam':'Acme Pharmacy','apn':'12155550100',"
	    "'icn':'" ACME_ICN "','jcl':'" ACME_JCL "'},"
	    "'rcdi':{'/icn':'sha256-ICN','/jcl':'sha256-JCL','/jcl/1/2/3':'sha256-PHOTO',"
	    "'/jcl/1/5/3':'sha256-ICN'}}");
	/* a copy: the policy's rcd is untouched by the caller of the claims */
	ck_assert_ptr_ne(json_object_get(c, "rcd"), p->rcd);
	json_decref(c);

	c = claims_ok(p, true, NULL, "Reminder");
	ck_assert_str_eq(json_string_value(json_object_get(c, "crn")), "Reminder");
	ck_assert_ptr_nonnull(json_object_get(c, "rcd"));
	json_decref(c);

	/* a call reason alone */
	c = claims_ok(p, false, NULL, "Your prescription is ready");
	assert_json_eq(c, "{'crn':'Your prescription is ready'}");
	json_decref(c);
	c = claims_ok(p, false, NULL, NULL);
	assert_json_eq(c, "{}");
	json_decref(c);

	/* no URLs, no rcdi */
	m = parse_ok(HEAD "'rcd':{'nam':'N','apn':'1'}}");
	c = claims_ok(m, true, NULL, NULL);
	assert_json_eq(c, "{'rcd':{'nam':'N','apn':'1'}}");
	json_decref(c);
	stir_policy_free(m);
	stir_policy_free(p);
}
END_TEST

START_TEST(test_claims_crn)
{
	struct stir_policy *p = acme(), *m;

	claims_bad(p, true, NULL, "Lottery win", STIR_EPOLICY,
	    "does not permit the call reason \"Lottery win\"");
	claims_bad(p, false, NULL, "reminder", STIR_EPOLICY, "'acme'");
	claims_bad(p, false, NULL, "", STIR_EPOLICY, "call reason");
	m = parse_ok(HEAD "'rcd':{'nam':'N'}}");
	claims_bad(m, true, NULL, "Reminder", STIR_EPOLICY, "RCD policy 'p' permits no call reason");
	claims_bad(m, false, NULL, "Reminder", STIR_EPOLICY, "permits no call reason");
	stir_policy_free(m);
	stir_policy_free(p);
}
END_TEST

START_TEST(test_claims_caller_values)
{
	struct stir_policy *p = acme(), *b;
	json_t *c;

	/* the policy's own values: fine without caller_values */
	c = claims_ok(p, true, "{'nam':'Acme Pharmacy','icn':'" ACME_ICN "'}", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "rcd"), "nam")),
	    "Acme Pharmacy");
	json_decref(c);
	c = claims_ok(p, true, "{}", NULL);
	ck_assert_ptr_nonnull(json_object_get(c, "rcdi"));
	json_decref(c);
	claims_bad(p, true, "{'nam':'Acme'}", NULL, STIR_EPOLICY,
	    "does not permit nam \"Acme\" (it lets callers pass only its own values)");
	claims_bad(p, true, "{'apn':'12155550101'}", NULL, STIR_EPOLICY, "does not permit apn");
	claims_bad(p, true, "{'icn':'https://evil.example/i.png'}", NULL, STIR_EPOLICY,
	    "does not permit icn");
	claims_bad(p, true, "{'jcl':'https://evil.example/c.json'}", NULL, STIR_EPOLICY,
	    "does not permit jcl");
	/* malformed requests */
	claims_bad(p, true, "['nam']", NULL, STIR_EINVAL, "field 'rcd'");
	claims_bad(p, true, "'Acme Pharmacy'", NULL, STIR_EINVAL, "field 'rcd'");
	claims_bad(p, true, "{'nam':'Acme Pharmacy','jcd':['vcard',[]]}", NULL, STIR_EINVAL,
	    "unknown member 'jcd'");
	claims_bad(p, true, "{'crn':'x'}", NULL, STIR_EINVAL, "unknown member 'crn'");
	claims_bad(p, true, "{'nam':1}", NULL, STIR_EINVAL, "field 'rcd.nam' must be a string");
	claims_bad(p, true, "{'apn':null}", NULL, STIR_EINVAL, "rcd.apn");
	/* the crn is judged first, and a bad crn wins */
	claims_bad(p, true, "{'nam':'Acme'}", "Lottery", STIR_EPOLICY, "call reason");
	stir_policy_free(p);

	/* caller_values: one of the alternatives, else refused */
	b = parse_ok("{'name':'b','match':{'cred':'bank'},'rcd':{'nam':'Bank','apn':'18005550199'},"
	    "'alternatives':{'nam':['Bank Fraud Desk','Bank Cards'],'apn':['18005550100']},"
	    "'caller_values':true}");
	c = claims_ok(b, true, "{'nam':'Bank Cards'}", NULL);
	assert_json_eq(c, "{'rcd':{'nam':'Bank Cards','apn':'18005550199'}}");
	json_decref(c);
	c = claims_ok(b, true, "{'nam':'Bank','apn':'18005550100'}", NULL);
	assert_json_eq(c, "{'rcd':{'nam':'Bank','apn':'18005550100'}}");
	json_decref(c);
	claims_bad(b, true, "{'nam':'Evil Bank'}", NULL, STIR_EPOLICY,
	    "RCD policy 'b' does not permit nam \"Evil Bank\"");
	claims_bad(b, true, "{'nam':'Bank Cards','apn':'18005550199','icn':'https://x.example/i.png'}",
	    NULL, STIR_EPOLICY, "does not permit icn");
	/* an alternative of another member is not a value of this one */
	claims_bad(b, true, "{'apn':'Bank Cards'}", NULL, STIR_EPOLICY, "does not permit apn");
	/* the caller's values only count when RCD is wanted */
	c = claims_ok(b, false, "{'nam':'Evil Bank'}", NULL);
	assert_json_eq(c, "{}");
	json_decref(c);
	stir_policy_free(b);
}
END_TEST

#define JCD_LOGO	"https://x.example/logo.png"
#define JCD_URL		"https://www.x.example/"
#define ALT_JCL		"https://x.example/alt.json"
#define ALT_PHOTO	"https://x.example/alt-photo.png"

START_TEST(test_claims_jcd_jcl)
{
	static const char alt_card[] = "[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],"
	    "[\"fn\",{},\"text\",\"Alt\"],[\"org\",{},\"text\",\"Alt\"],"
	    "[\"photo\",{},\"uri\",\"" ALT_PHOTO "\"]]]";
	struct stir_policy *p;
	json_t *c, *e = NULL;
	char msg[128];
	char *d;

	p = parse_ok("{'name':'j','match':{'tns':['1*']},'rcd':{'nam':'N','jcd':['vcard',["
	    "['version',{},'text','4.0'],['logo',{},'uri','" JCD_LOGO "'],"
	    "['tel',{},'uri','tel:+12155551212'],['url',{},'uri','" JCD_URL "']]]},"
	    "'alternatives':{'jcl':['" ALT_JCL "']},'caller_values':true}");
	/* content missing: nothing to vouch for it with */
	claims_bad(p, true, NULL, NULL, STIR_ENOENT, JCD_LOGO);
	put_content(p, JCD_LOGO, "sha256-LOGO", NULL);
	claims_bad(p, true, NULL, NULL, STIR_ENOENT, "the content of " JCD_URL " has not been fetched");
	put_content(p, JCD_URL, "sha256-URL", NULL);

	c = claims_ok(p, true, NULL, NULL);
	assert_json_eq(json_object_get(c, "rcdi"),
	    "{'/jcd/1/1/3':'sha256-LOGO','/jcd/1/3/3':'sha256-URL'}");
	ck_assert(json_equal(json_object_get(json_object_get(c, "rcd"), "jcd"),
	    json_object_get(p->rcd, "jcd")));
	json_decref(c);

	/* the caller's jcl replaces the jcd, and its content, as fetched, gives the rcdi */
	claims_bad(p, true, "{'jcl':'" ALT_JCL "'}", NULL, STIR_ENOENT, ALT_JCL);
	ck_assert_int_eq(stir_policy_content_entry("jcard", (const uint8_t *)alt_card,
	    strlen(alt_card), 1000, 2000, false, NOW, EXP, &e, msg, sizeof(msg)), STIR_OK);
	ck_assert_int_eq(json_object_set_new(p->content, ALT_JCL, e), 0);
	claims_bad(p, true, "{'jcl':'" ALT_JCL "'}", NULL, STIR_ENOENT, ALT_PHOTO);
	put_content(p, ALT_PHOTO, "sha256-PHOTO", NULL);
	c = claims_ok(p, true, "{'jcl':'" ALT_JCL "'}", NULL);
	d = sri_sha256(alt_card, strlen(alt_card));
	ck_assert_ptr_null(json_object_get(json_object_get(c, "rcd"), "jcd"));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "rcd"), "jcl")),
	    ALT_JCL);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "rcdi"), "/jcl")), d);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "rcdi"),
	    "/jcl/1/3/3")), "sha256-PHOTO");
	ck_assert_uint_eq(json_object_size(json_object_get(c, "rcdi")), 2);
	ck_assert_uint_eq(json_object_size(json_object_get(c, "rcd")), 2);
	free(d);
	json_decref(c);
	/* the policy's own jcd is untouched */
	ck_assert_ptr_nonnull(json_object_get(p->rcd, "jcd"));
	ck_assert_ptr_null(json_object_get(p->rcd, "jcl"));
	stir_policy_free(p);
}
END_TEST

START_TEST(test_claims_missing)
{
	struct stir_policy *p = parse_ok(ACME);

	claims_bad(p, true, NULL, NULL, STIR_ENOENT, "RCD policy 'acme': the content of " ACME_ICN);
	/* without RCD, no content is needed */
	json_decref(claims_ok(p, false, NULL, "Reminder"));
	put_content(p, ACME_ICN, "sha256-ICN", NULL);
	claims_bad(p, true, NULL, NULL, STIR_ENOENT, ACME_JCL);
	/* an entry without a digest is no content */
	ck_assert_int_eq(json_object_set_new(p->content, ACME_JCL, json_pack("{s:s}", "kind",
	    "jcard")), 0);
	claims_bad(p, true, NULL, NULL, STIR_ENOENT, ACME_JCL);
	put_content(p, ACME_JCL, "sha256-JCL", "[{'ptr':'/1/2/3','url':'" ACME_PHOTO "'}]");
	claims_bad(p, true, NULL, NULL, STIR_ENOENT, ACME_PHOTO);
	put_content(p, ACME_PHOTO, "sha256-PHOTO", NULL);
	json_decref(claims_ok(p, true, NULL, NULL));
	stir_policy_free(p);
}
END_TEST

/* ---- rcdi_values: digests over JSON values of rcd (RFC 9795 6.1 step 2) ---- */

/* RFC 9795 8.3 (6) and 6.1.3: the digests of "/nam" and "/jcd" as printed. */
#define RFC_NAM		"Q Branch Spy Gadgets"
#define RFC_NAM_DIGEST	"sha256-sM275lTgzCte+LHOKHtU4SxG8shlOo6OS4ot8IJQImY"
#define RFC_JCD_DIGEST	"sha256-7kdCBZqH0nqMSPsmABvsKlHPhZEStgjojhdSJGRr3rk"
#define RFC_PHOTO	"https://example.com/photos/quartermaster-256x256.png"
#define RFC_LOGO1	"https://example.com/logos/mi6-256x256.jpg"
#define RFC_LOGO2	"https://example.com/logos/mi6-64x64.jpg"
#define RFC_JCD	"['vcard',[['version',{},'text','4.0'],['fn',{},'text','Q Branch']," \
	"['org',{},'text','MI6;Q Branch Spy Gadgets'],['photo',{},'uri','" RFC_PHOTO "']," \
	"['logo',{},'uri','" RFC_LOGO1 "'],['logo',{},'uri','" RFC_LOGO2 "']]]"

START_TEST(test_bad_rcdi_values)
{
	struct stir_policy *p;

	/* pointers to values of the policy's rcd: accepted, kept */
	p = parse_ok(HEAD "'rcd':{'nam':'N','apn':'1'},'rcdi_values':['/nam','/apn']}");
	assert_json_eq(p->rcdi_values, "['/nam','/apn']");
	stir_policy_free(p);
	p = parse_ok(HEAD "'rcd':{'nam':'" RFC_NAM "','jcd':" RFC_JCD "},"
	    "'rcdi_values':['/jcd','/jcd/1/1/3','/jcd/1/2','/nam']}");
	ck_assert_uint_eq(json_array_size(p->rcdi_values), 4);
	stir_policy_free(p);
	p = parse_ok(HEAD "'rcd':{'nam':'N'}}");
	ck_assert_ptr_null(p->rcdi_values);
	stir_policy_free(p);

	/* not an array of 1 to 8 pointers */
	bad(HEAD "'rcd':{'nam':'N'},'rcdi_values':'/nam'}", "'rcdi_values' must be an array");
	bad(HEAD "'rcd':{'nam':'N'},'rcdi_values':{'/nam':true}}", "'rcdi_values' must be an array");
	bad(HEAD "'rcd':{'nam':'N'},'rcdi_values':[]}", "1-8 JSON pointers");
	bad(HEAD "'rcd':{'nam':'N'},'rcdi_values':['/nam','/nam','/nam','/nam','/nam','/nam',"
	    "'/nam','/nam','/nam']}", "1-8 JSON pointers");
	/* not a pointer, or one naming nothing in rcd */
	bad(HEAD "'rcd':{'nam':'N'},'rcdi_values':[1]}", "rcdi_values[0] must be a JSON pointer");
	bad(HEAD "'rcd':{'nam':'N'},'rcdi_values':[null]}", "rcdi_values[0]");
	bad(HEAD "'rcd':{'nam':'N'},'rcdi_values':['nam']}", "rcdi_values[0]");
	bad(HEAD "'rcd':{'nam':'N'},'rcdi_values':['']}", "rcdi_values[0]");
	bad(HEAD "'rcd':{'nam':'N'},'rcdi_values':['/nam','/apn']}", "rcdi_values[1]");
	bad(HEAD "'rcd':{'nam':'N'},'rcdi_values':['/nam/0']}", "rcdi_values[0]");
	bad(HEAD "'rcd':{'nam':'N','jcd':" RFC_JCD "},'rcdi_values':['/jcd/1/01']}",
	    "rcdi_values[0]");
	bad(HEAD "'rcd':{'nam':'N','jcd':" RFC_JCD "},'rcdi_values':['/jcd/1/9']}",
	    "rcdi_values[0]");
	/* a URL: its content gets a digest anyway, not the URL's text */
	bad(HEAD "'rcd':{'nam':'N','icn':'https://x.example/i.png'},'rcdi_values':['/icn']}",
	    "rcdi_values[0] names a URL");
	bad(HEAD "'rcd':{'nam':'N','jcl':'https://x.example/c.json'},'rcdi_values':['/nam','/jcl']}",
	    "rcdi_values[1] names a URL");
	bad(HEAD "'rcd':{'nam':'N','jcd':" RFC_JCD "},'rcdi_values':['/jcd/1/3/3']}",
	    "rcdi_values[0] names a URL");
}
END_TEST

START_TEST(test_claims_rcdi_values)
{
	struct stir_policy *p;
	json_t *c, *ri;
	char *d;

	/* RFC 9795 8.3 (6): the RFC's "/nam" digest in the claims to sign */
	p = parse_ok(HEAD "'rcd':{'nam':'" RFC_NAM "'},'rcdi_values':['/nam']}");
	c = claims_ok(p, true, NULL, NULL);
	assert_json_eq(c, "{'rcd':{'nam':'" RFC_NAM "'},'rcdi':{'/nam':'" RFC_NAM_DIGEST "'}}");
	json_decref(c);
	/* without RCD, no rcdi */
	c = claims_ok(p, false, NULL, NULL);
	assert_json_eq(c, "{}");
	json_decref(c);
	stir_policy_free(p);

	/* RFC 9795 6.1.3: the RFC's "/jcd" digest beside the digests of its URLs */
	p = parse_ok(HEAD "'rcd':{'nam':'" RFC_NAM "','jcd':" RFC_JCD "},"
	    "'rcdi_values':['/jcd','/nam']}");
	put_content(p, RFC_PHOTO, "sha256-PHOTO", NULL);
	put_content(p, RFC_LOGO1, "sha256-LOGO1", NULL);
	put_content(p, RFC_LOGO2, "sha256-LOGO2", NULL);
	c = claims_ok(p, true, NULL, NULL);
	assert_json_eq(json_object_get(c, "rcdi"), "{'/jcd':'" RFC_JCD_DIGEST "',"
	    "'/nam':'" RFC_NAM_DIGEST "','/jcd/1/3/3':'sha256-PHOTO',"
	    "'/jcd/1/4/3':'sha256-LOGO1','/jcd/1/5/3':'sha256-LOGO2'}");
	/* each verifies over what the claims hold */
	ri = json_object_get(c, "rcdi");
	ck_assert_int_eq(stir_rcdi_check_json(json_string_value(json_object_get(ri, "/jcd")),
	    json_object_get(json_object_get(c, "rcd"), "jcd")), STIR_OK);
	json_decref(c);
	stir_policy_free(p);

	/* the digest is over the final rcd: a caller's value, not the policy's */
	p = parse_ok(HEAD "'rcd':{'nam':'Bank','apn':'18005550199'},"
	    "'alternatives':{'nam':['" RFC_NAM "','Bank Cards']},'caller_values':true,"
	    "'rcdi_values':['/nam','/apn']}");
	c = claims_ok(p, true, "{'nam':'" RFC_NAM "'}", NULL);
	ri = json_object_get(c, "rcdi");
	ck_assert_str_eq(json_string_value(json_object_get(ri, "/nam")), RFC_NAM_DIGEST);
	d = sri_sha256("\"18005550199\"", 13);
	ck_assert_str_eq(json_string_value(json_object_get(ri, "/apn")), d);
	ck_assert_uint_eq(json_object_size(ri), 2);
	free(d);
	json_decref(c);
	c = claims_ok(p, true, "{'nam':'Bank Cards'}", NULL);
	d = sri_sha256("\"Bank Cards\"", 12);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(c, "rcdi"), "/nam")), d);
	free(d);
	json_decref(c);
	stir_policy_free(p);

	/* a value the caller's choice took away: refused, not signed without it */
	p = parse_ok(HEAD "'rcd':{'nam':'N','jcd':['vcard',[['fn',{},'text','N']]]},"
	    "'alternatives':{'jcl':['" ALT_JCL "']},'caller_values':true,"
	    "'rcdi_values':['/jcd']}");
	put_content(p, ALT_JCL, "sha256-ALT", "[]");
	c = claims_ok(p, true, NULL, NULL);
	ck_assert_ptr_nonnull(json_object_get(json_object_get(c, "rcdi"), "/jcd"));
	json_decref(c);
	claims_bad(p, true, "{'jcl':'" ALT_JCL "'}", NULL, STIR_EPOLICY,
	    "rcdi_values names /jcd, which the rcd to sign does not hold");
	stir_policy_free(p);
}
END_TEST

/* Digests stored padded (as 0.3 stored them) are signed as RFC 9795 prints them. */
START_TEST(test_claims_unpadded)
{
	struct stir_policy *p = parse_ok(ACME);
	json_t *c;

	put_content(p, ACME_ICN, SHA256_ABC "=", NULL);
	put_content(p, ACME_JCL, SHA256_EMPTY, "[]");
	c = claims_ok(p, true, NULL, NULL);
	assert_json_eq(json_object_get(c, "rcdi"),
	    "{'/icn':'" SHA256_ABC "','/jcl':'" SHA256_EMPTY "'}");
	json_decref(c);
	stir_policy_free(p);
}
END_TEST

/* ---- matching ---- */

static const char *const match_docs[] = {
	"{'name':'exact','match':{'tns':['12155550100']},'rcd':{'nam':'N'}}",
	"{'name':'range-wide','match':{'tns':['12155550000-12155550999']},'rcd':{'nam':'N'}}",
	"{'name':'range-narrow','match':{'tns':['12155550100-12155550199']},'rcd':{'nam':'N'}}",
	"{'name':'prefix-short','match':{'tns':['1215*']},'rcd':{'nam':'N'}}",
	"{'name':'prefix-long','match':{'tns':['121555*']},'rcd':{'nam':'N'}}",
	"{'name':'cred-only','match':{'cred':'bank'},'rcd':{'nam':'N'}}",
	"{'name':'bound','match':{'tns':['1800555*'],'cred':'c1'},'rcd':{'nam':'N'}}",
	"{'name':'unbound','match':{'tns':['1800555*']},'rcd':{'nam':'N'}}",
	("{'name':'multi','match':{'tns':['1303*','13035550100-13035550199','13035550123']},"
	"'rcd':{'nam':'N'}}"),
	"{'name':'bound-only','match':{'tns':['1404555*'],'cred':'c2'},'rcd':{'nam':'N'}}",
};
#define NMATCH	(sizeof(match_docs) / sizeof(match_docs[0]))

/* The policies of match_docs, in order or reversed. */
static struct stir_policies *
match_set(bool reverse)
{
	struct stir_policies *ps = calloc(1, sizeof(*ps));

	ck_assert_ptr_nonnull(ps);
	ps->v = calloc(NMATCH, sizeof(*ps->v));
	ck_assert_ptr_nonnull(ps->v);
	for (size_t i = 0; i < NMATCH; i++) {
		struct stir_policy *p = parse_ok(match_docs[reverse ? NMATCH - 1 - i : i]);

		ps->v[ps->n++] = *p;
		free(p);
	}
	return ps;
}

static void
match_is(const struct stir_policies *ps, const char *tn, const char *cred, const char *want)
{
	const struct stir_policy *p = stir_policies_match(ps, tn, cred);

	if (want == NULL)
		ck_assert_msg(p == NULL, "%s/%s: got %s, want none", tn != NULL ? tn : "-",
		    cred != NULL ? cred : "-", p != NULL ? p->name : "-");
	else {
		ck_assert_msg(p != NULL, "%s/%s: none, want %s", tn != NULL ? tn : "-",
		    cred != NULL ? cred : "-", want);
		ck_assert_msg(strcmp(p->name, want) == 0, "%s/%s: got %s, want %s",
		    tn != NULL ? tn : "-", cred != NULL ? cred : "-", p->name, want);
	}
}

START_TEST(test_match_rank)
{
	for (int rev = 0; rev < 2; rev++) {
		struct stir_policies *ps = match_set(rev);

		/* exact beats range beats prefix */
		match_is(ps, "12155550100", NULL, "exact");
		/* a narrower range beats a wider one */
		match_is(ps, "12155550150", NULL, "range-narrow");
		match_is(ps, "12155550199", NULL, "range-narrow");
		match_is(ps, "12155550200", NULL, "range-wide");
		match_is(ps, "12155550000", NULL, "range-wide");
		/* a longer prefix beats a shorter one */
		match_is(ps, "12155551000", NULL, "prefix-long");
		match_is(ps, "12159999999", NULL, "prefix-short");
		/* a range needs the same length */
		match_is(ps, "121555501000", NULL, "prefix-long");
		/* the best spec of a policy counts */
		match_is(ps, "13035550123", NULL, "multi");
		match_is(ps, "13035550150", NULL, "multi");
		match_is(ps, "13039999999", NULL, "multi");
		/* none */
		match_is(ps, "19995550100", NULL, NULL);
		match_is(ps, "1", NULL, NULL);
		match_is(ps, NULL, NULL, NULL);
		ck_assert_ptr_eq(stir_policies_find(ps, "range-wide"),
		    stir_policies_match(ps, "12155550000", NULL));
		ck_assert_ptr_null(stir_policies_find(ps, "nope"));
		stir_policies_free(ps);
	}
}
END_TEST

START_TEST(test_match_cred)
{
	struct stir_policies empty = { NULL, 0 };

	for (int rev = 0; rev < 2; rev++) {
		struct stir_policies *ps = match_set(rev);

		/* a credential alone needs that credential */
		match_is(ps, "19995550100", "bank", "cred-only");
		match_is(ps, NULL, "bank", "cred-only");
		match_is(ps, "19995550100", NULL, NULL);
		match_is(ps, NULL, "other", NULL);
		/* numbers beat a credential alone */
		match_is(ps, "12155550100", "bank", "exact");
		match_is(ps, "12159999999", "bank", "prefix-short");
		/* a bound policy: its credential, or none chosen yet; binding breaks ties */
		match_is(ps, "18005551234", NULL, "bound");
		match_is(ps, "18005551234", "c1", "bound");
		match_is(ps, "18005551234", "c2", "unbound");
		match_is(ps, "18005551234", "bank", "unbound");
		match_is(ps, "14045551234", NULL, "bound-only");
		match_is(ps, "14045551234", "c2", "bound-only");
		match_is(ps, "14045551234", "c1", NULL);
		/* a policy without cred matches any credential */
		match_is(ps, "12155550100", "anything", "exact");
		stir_policies_free(ps);
	}
	ck_assert_ptr_null(stir_policies_match(NULL, "12155550100", NULL));
	ck_assert_ptr_null(stir_policies_match(&empty, "12155550100", "bank"));
	ck_assert_ptr_null(stir_policies_find(NULL, "exact"));
	stir_policies_free(NULL);
}
END_TEST

/* A refresh: fetched content replaces the old, a failed fetch waits, a change is noted. */
START_TEST(test_content_merge)
{
	json_t *old = load("{'https://a/i.png':{'kind':'icon','digest':'d1','changed':5,'expires':9},"
	    "'https://a/j.json':{'kind':'jcard','digest':'d2','changed':6,'expires':9,"
	    "'urls':[{'url':'https://a/l.png'}]},"
	    "'https://a/l.png':{'kind':'icon','digest':'d3','changed':7,'expires':9}}");
	json_t *fetched = load("{'https://a/i.png':{'kind':'icon','digest':'d1','changed':100,'expires':200},"
	    "'https://a/l.png':{'kind':'icon','digest':'d9','changed':100,'expires':200},"
	    "'https://a/new.png':{'kind':'icon','digest':'d4','changed':100,'expires':200}}");
	json_t *doc = load("{'https://a/new.png':'icon'}"), *changes = json_array(), *nc;

	nc = stir_policy_content_merge("p", old, doc, fetched, 1000, 30, changes);
	ck_assert_ptr_nonnull(nc);
	/* the same digest: the new lifetime, the old "changed" */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(nc,
	    "https://a/i.png"), "expires")), 200);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(nc,
	    "https://a/i.png"), "changed")), 5);
	/* not fetched: kept, tried again after the negative TTL */
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(nc,
	    "https://a/j.json"), "digest")), "d2");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(nc,
	    "https://a/j.json"), "expires")), 1031);
	/* a new digest is taken and noted once */
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(nc,
	    "https://a/l.png"), "digest")), "d9");
	ck_assert_int_eq(json_array_size(changes), 1);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(changes, 0)),
	    "https://a/l.png"));
	/* what the document now names is added */
	ck_assert_ptr_nonnull(json_object_get(nc, "https://a/new.png"));
	ck_assert_int_eq(json_object_size(nc), 4);
	json_decref(nc);
	json_decref(old);
	json_decref(fetched);
	json_decref(doc);
	json_decref(changes);
}
END_TEST

/* Due: an entry expired, or one the document names missing. */
START_TEST(test_content_due)
{
	struct stir_policy *p = parse_ok("{'name':'c','match':{'cred':'bank-1'},'rcd':{'nam':'Bank'}}");
	json_t *none = json_object(), *doc = load("{'https://a/i.png':'icon'}");

	ck_assert(!stir_policy_content_due(p, none, 1000));
	ck_assert(stir_policy_content_due(p, doc, 1000));
	(void)json_object_set_new(p->content, "https://a/i.png", json_pack("{s:I}", "expires",
	    (json_int_t)2000));
	ck_assert(!stir_policy_content_due(p, doc, 1000));
	ck_assert(stir_policy_content_due(p, doc, 2000));
	json_decref(none);
	json_decref(doc);
	stir_policy_free(p);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tp = tcase_create("parse");
	TCase *tv = tcase_create("validation");
	TCase *tj = tcase_create("jcard_urls");
	TCase *tc = tcase_create("content");
	TCase *tl = tcase_create("claims");
	TCase *tm = tcase_create("match");

	tcase_add_test(tp, test_examples_parse);
	tcase_add_test(tp, test_parse_minimal_forms);
	suite_add_tcase(s, tp);
	tcase_add_test(tv, test_bad_unknown_members);
	tcase_add_test(tv, test_bad_rcd);
	tcase_add_test(tv, test_bad_urls);
	tcase_add_test(tv, test_bad_match);
	tcase_add_test(tv, test_bad_alternatives);
	tcase_add_test(tv, test_bad_reasons);
	tcase_add_test(tv, test_bad_name_attach_description);
	tcase_add_test(tv, test_bad_document);
	tcase_add_test(tv, test_bad_rcdi_values);
	suite_add_tcase(s, tv);
	tcase_add_test(tj, test_jcard_urls);
	tcase_add_test(tj, test_jcard_urls_refused);
	tcase_add_test(tj, test_jcard_urls_limits);
	suite_add_tcase(s, tj);
	tcase_add_test(tc, test_content_icons);
	tcase_add_test(tc, test_content_jcard);
	tcase_add_test(tc, test_content_merge);
	tcase_add_test(tc, test_content_due);
	tcase_add_test(tc, test_content_digest);
	suite_add_tcase(s, tc);
	tcase_add_test(tl, test_claims_defaults);
	tcase_add_test(tl, test_claims_crn);
	tcase_add_test(tl, test_claims_caller_values);
	tcase_add_test(tl, test_claims_jcd_jcl);
	tcase_add_test(tl, test_claims_missing);
	tcase_add_test(tl, test_claims_rcdi_values);
	tcase_add_test(tl, test_claims_unpadded);
	suite_add_tcase(s, tl);
	tcase_add_test(tm, test_match_rank);
	tcase_add_test(tm, test_match_cred);
	suite_add_tcase(s, tm);
	return s;
}

int
main(void)
{
	return tu_run(policy_suite());
}
