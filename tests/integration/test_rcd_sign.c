/*
 * test_rcd_sign.c: RCD policies and RCD signing end to end: the real
 * stird and its SQLite file, a test PKI, and icons and jCards served by a
 * local HTTPS server (tests/https-server.py).  Policies are added,
 * listed, tested and removed with stirctl; calls signed with RCD are
 * verified by the same daemon.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "daemon/stir/passport.h"
#include "harness.h"

static struct h H;
static char out[H_OUT_MAX];
static char base[64];

#define FROM	"'sip:+12155551212@example.com;user=phone'"
#define TO	"tel:+12125551213"

static void
setup(void)
{
	h_init(&H, NULL);
	h_verifier_conf(&H, "rcd_icon_max_bytes = 4096\n");
	h_publish(&H, "sp-chain.pem");
	h_publish(&H, "tn-chain.pem");
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(base, sizeof(base), "https://127.0.0.1:%d", H.https_port);
	/* content: an icon, a jCard whose photo is another URL, and bad ones */
	ck_assert_int_eq(h_sh(NULL, 0, "cd '%s' && printf '\\211PNG\\r\\n\\032\\nstird logo' > logo.png &&"
	    " printf '\\377\\330\\377\\340stird photo' > photo.jpg &&"
	    " printf '[\"vcard\",[[\"fn\",{},\"text\",\"Acme Pharmacy\"],"
	    "[\"photo\",{},\"uri\",\"%s/photo.jpg\"],[\"tel\",{},\"uri\",\"tel:+12155551212\"]]]' > card.json &&"
	    " printf 'plain text, not a picture' > text.png &&"
	    " { printf '\\211PNG\\r\\n\\032\\n'; head -c 8192 /dev/zero; } > big.png",
	    H.www, base), 0);
	ck_assert_msg(h_start(&H), "stird did not start");
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add sp --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u %s/sp-chain.pem",
	    H.pki, H.pki, base), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add tn --key '%s/tn.key' --chain '%s/tn-chain.pem' --x5u %s/tn-chain.pem",
	    H.pki, H.pki, base), 0);
}

static void
teardown(void)
{
	h_teardown(&H);
}

/* Write a policy file (the body's %s are all the server's base URL). */
static const char *
policy_file(const char *name, const char *body)
{
	static char path[H_PATH_MAX + 64];
	char text[4096];
	FILE *f;

	/* body uses @ for the base URL */
	size_t o = 0;

	for (const char *p = body; *p != '\0' && o + 80 < sizeof(text); p++) {
		if (*p == '@')
			o += (size_t)snprintf(text + o, sizeof(text) - o, "%s", base);
		else
			text[o++] = *p;
	}
	text[o] = '\0';
	snprintf(path, sizeof(path), "%s/%s.json", H.dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return path;
}

static const char ACME[] =
    "{\"name\":\"acme\",\"description\":\"Acme Pharmacy, vetted 2026-11\","
    "\"match\":{\"tns\":[\"12155551212\",\"1215555*\"]},"
    "\"rcd\":{\"nam\":\"Acme Pharmacy\",\"icn\":\"@/logo.png\",\"jcl\":\"@/card.json\"},"
    "\"reasons\":[\"Your prescription is ready\"]}";

static json_t *ctl_json(int want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *
ctl_json(int want, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	json_t *res;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = h_ctl(&H, NULL, out, sizeof(out), "%s", cmd);

	ck_assert_msg(st == want, "stirctl exit %d, wanted %d: %s", st, want, out);
	res = json_loads(out, 0, NULL);
	ck_assert_msg(res != NULL, "no JSON: %s", out);
	return res;
}

static void
file_digest(const char *file, char *digest, size_t len)
{
	ck_assert_int_eq(h_sh(digest, len, "cd '%s' && printf 'sha256-%%s' \"$(openssl dgst -sha256 -binary %s | base64 | tr -d =)\"",
	    H.www, file), 0);
}

/* stirctl policy VERB of document doc (as policy_file() takes it) fails saying want. */
static void
refused(const char *verb, const char *name, const char *doc, const char *want)
{
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy %s '%s' 2>&1", verb,
	    policy_file(name, doc)), 1);
	ck_assert_msg(strstr(out, want) != NULL, "policy %s %s: %s", verb, name, out);
}

/* Add, list, show, replace, remove; bad documents and content are refused. */
START_TEST(policies_are_stored_listed_and_removed)
{
	char d_logo[128], d_card[128], d_photo[128], url[128];
	json_t *res, *content, *e;
	size_t i;
	int seen = 0;

	file_digest("logo.png", d_logo, sizeof(d_logo));
	file_digest("card.json", d_card, sizeof(d_card));
	file_digest("photo.jpg", d_photo, sizeof(d_photo));
	res = ctl_json(0, "--json policy add '%s'", policy_file("acme", ACME));
	content = json_object_get(res, "content");
	ck_assert_int_eq(json_array_size(content), 3);	/* logo, card, and the photo in it */
	json_array_foreach(content, i, e) {
		const char *u = json_string_value(json_object_get(e, "url"));
		const char *d = json_string_value(json_object_get(e, "digest"));

		snprintf(url, sizeof(url), "%s/logo.png", base);
		if (strcmp(u, url) == 0 && strcmp(d, d_logo) == 0)
			seen |= 1;
		snprintf(url, sizeof(url), "%s/card.json", base);
		if (strcmp(u, url) == 0 && strcmp(d, d_card) == 0)
			seen |= 2;
		snprintf(url, sizeof(url), "%s/photo.jpg", base);
		if (strcmp(u, url) == 0 && strcmp(d, d_photo) == 0 &&
		    strcmp(json_string_value(json_object_get(e, "type")), "image/jpeg") == 0)
			seen |= 4;
	}
	ck_assert_msg(seen == 7, "digests of the content: %s", out);
	json_decref(res);

	/* listed, shown with its document */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "acme"));
	res = ctl_json(0, "--json policy show %s", "acme");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(res, "rcd"), "nam")),
	    "Acme Pharmacy");
	ck_assert_int_eq(json_array_size(json_object_get(res, "content")), 3);
	json_decref(res);

	/* the same name again is refused; with --replace it is replaced */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s'",
	    policy_file("acme", ACME)), 1);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add --replace '%s'",
	    policy_file("acme", ACME)), 0);
	ck_assert_ptr_nonnull(strstr(out, "replaced"));
	/* another policy for exactly the same number is ambiguous */
	refused("add", "dup", "{\"name\":\"dup\",\"match\":{\"tns\":[\"12155551212\"]},"
	    "\"rcd\":{\"nam\":\"Other\"}}", "matched the same way by RCD policy 'acme'");

	/* bad documents: clear errors, nothing stored */
	refused("add", "bad1", "{\"name\":\"bad1\",\"match\":{\"tns\":[\"1215*\"]},"
	    "\"rcd\":{\"nam\":\"X\",\"jcl\":\"@/card.json\",\"jcd\":[\"vcard\",[]]}}", "both 'jcd' and 'jcl'");
	refused("add", "bad2", "{\"name\":\"bad2\",\"match\":{\"tns\":[\"1215*\"]},"
	    "\"rcd\":{\"nam\":\"X\"},\"colour\":\"red\"}", "unknown member 'colour'");
	refused("add", "bad3", "{\"name\":\"bad3\",\"match\":{\"cred\":\"nosuch\"},"
	    "\"rcd\":{\"nam\":\"X\"}}", "does not exist");
	/* bad content: an oversized icon, an icon that is not an image, a 404 */
	refused("add", "big", "{\"name\":\"big\",\"match\":{\"tns\":[\"1999*\"]},"
	    "\"rcd\":{\"nam\":\"X\",\"icn\":\"@/big.png\"}}", "more than rcd_icon_max_bytes");
	refused("check", "text", "{\"name\":\"text\",\"match\":{\"tns\":[\"1999*\"]},"
	    "\"rcd\":{\"nam\":\"X\",\"icn\":\"@/text.png\"}}", "not a PNG, JPEG or SVG image");
	refused("add", "gone", "{\"name\":\"gone\",\"match\":{\"tns\":[\"1999*\"]},"
	    "\"rcd\":{\"nam\":\"X\",\"jcl\":\"@/nosuch.json\"}}", "could not be fetched");
	res = ctl_json(0, "--json policy list%s", "");
	ck_assert_int_eq(json_array_size(json_object_get(res, "policies")), 1);
	json_decref(res);

	/* a restart keeps it; remove, then remove again */
	ck_assert_int_eq(h_stop(&H), 0);
	ck_assert(h_start(&H));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy show acme"), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy remove acme"), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy remove acme 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "no RCD policy named"));
	/* every change is in the audit log */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json audit"), 0);
	ck_assert_int_ge(h_count(out, "policy.add"), 3);
	ck_assert_int_ge(h_count(out, "policy.remove"), 2);
}
END_TEST

/* policy test: what a call would carry, without signing. */
START_TEST(a_dry_run_shows_the_rcd_a_call_would_carry)
{
	char d_photo[128];
	json_t *res, *claims, *rcdi;

	file_digest("photo.jpg", d_photo, sizeof(d_photo));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s'",
	    policy_file("acme", ACME)), 0);
	res = ctl_json(0, "--json policy test --orig %s --crn 'Your prescription is ready'",
	    "+1-215-555-1212");
	ck_assert_str_eq(json_string_value(json_object_get(res, "policy")), "acme");
	ck_assert_str_eq(json_string_value(json_object_get(res, "cred")), "sp");
	ck_assert_str_eq(json_string_value(json_object_get(res, "attach")), "embedded");
	claims = json_object_get(res, "claims");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(claims, "rcd"), "nam")),
	    "Acme Pharmacy");
	ck_assert_str_eq(json_string_value(json_object_get(claims, "crn")),
	    "Your prescription is ready");
	rcdi = json_object_get(claims, "rcdi");
	ck_assert_int_eq(json_object_size(rcdi), 3);
	ck_assert_ptr_nonnull(json_object_get(rcdi, "/icn"));
	ck_assert_ptr_nonnull(json_object_get(rcdi, "/jcl"));
	/* the photo is the second property of the jCard */
	ck_assert_str_eq(json_string_value(json_object_get(rcdi, "/jcl/1/1/3")), d_photo);
	json_decref(res);
	/* a number no policy covers; a reason the policy does not allow */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy test --orig 14155550100 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "no RCD policy covers"));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "policy test --orig 12155551212 --crn 'Free cruise' 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "does not permit the call reason"));
}
END_TEST

/* The payload of the Identity value at line n of out (1-based), parsed. */
static json_t *
payload_of(const char *identity)
{
	const char *dot = strchr(identity, '.'), *dot2;
	uint8_t *bin = NULL;
	size_t len = 0;
	json_t *j;

	ck_assert_ptr_nonnull(dot);
	ck_assert_ptr_nonnull(dot2 = strchr(dot + 1, '.'));
	ck_assert_int_eq(stir_b64url_decode(dot + 1, (size_t)(dot2 - dot - 1), &bin, &len), 0);
	j = json_loadb((const char *)bin, len, 0, NULL);
	free(bin);
	ck_assert_ptr_nonnull(j);
	return j;
}

static int
verify_ids(const char *ids, json_t **ret)
{
	int st = h_ctl(&H, NULL, out, sizeof(out), "verify %s --from %s --to %s", ids, FROM, TO);

	*ret = json_loads(out, 0, NULL);
	ck_assert_msg(*ret != NULL, "verify printed no JSON (exit %d): %s", st, out);
	return st;
}

/* A policy's rcdi_values: digests over JSON values (RFC 9795 6.1), unpadded, and verified. */
START_TEST(rcdi_values_digest_the_name_and_verify)
{
	char id[8192], arg[8300];
	json_t *res, *rcd, *payload, *d;
	size_t i;

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s'",
	    policy_file("qbranch", "{\"name\":\"qbranch\",\"match\":{\"tns\":[\"1215555*\"]},"
	    "\"rcd\":{\"nam\":\"Q Branch Spy Gadgets\"},\"rcdi_values\":[\"/nam\"]}")), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --rcd"), 0);
	snprintf(id, sizeof(id), "%s", h_last_line(out));
	payload = payload_of(id);
	/* the RFC's own digest of this name (8.3, last example) */
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(payload, "rcdi"), "/nam")),
	    "sha256-sM275lTgzCte+LHOKHtU4SxG8shlOo6OS4ot8IJQImY");
	json_decref(payload);
	snprintf(arg, sizeof(arg), "--identity '%s'", id);
	ck_assert_int_eq(verify_ids(arg, &res), 0);
	rcd = json_object_get(res, "rcd");
	ck_assert_msg(json_is_true(json_object_get(rcd, "verified")), "%s", out);
	json_array_foreach(json_object_get(rcd, "digests"), i, d) {
		ck_assert_str_eq(json_string_value(json_object_get(d, "ptr")), "/nam");
		ck_assert(json_is_true(json_object_get(d, "verified")));
	}
	ck_assert_uint_eq(i, 1);
	json_decref(res);
	/* a pointer to a URL is refused: its content gets a digest anyway */
	ck_assert_int_ne(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s' 2>&1",
	    policy_file("bad", "{\"name\":\"bad\",\"match\":{\"tns\":[\"1215555*\"]},"
	    "\"rcd\":{\"nam\":\"Q\",\"icn\":\"https://x.example/q.png\"},\"rcdi_values\":[\"/icn\"]}") ), 0);
	ck_assert_ptr_nonnull(strstr(out, "names a URL"));
}
END_TEST

/* Signed with RCD embedded in shaken: the called side sees the brand. */
START_TEST(a_branded_call_embedded_in_shaken_verifies)
{
	char id[8192], arg[8300];
	json_t *res, *rcd, *payload;

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s'",
	    policy_file("acme", ACME)), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --rcd --crn 'Your prescription is ready'"), 0);
	ck_assert_ptr_nonnull(strstr(out, "# RCD policy: acme"));
	snprintf(id, sizeof(id), "%s", h_last_line(out));
	payload = payload_of(id);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(payload, "rcd"), "nam")),
	    "Acme Pharmacy");
	ck_assert_int_eq(json_object_size(json_object_get(payload, "rcdi")), 3);
	json_decref(payload);
	snprintf(arg, sizeof(arg), "--identity '%s'", id);
	ck_assert_int_eq(verify_ids(arg, &res), 0);
	rcd = json_object_get(res, "rcd");
	ck_assert_msg(json_is_true(json_object_get(rcd, "verified")), "%s", out);
	ck_assert_str_eq(json_string_value(json_object_get(rcd, "nam")), "Acme Pharmacy");
	ck_assert_str_eq(json_string_value(json_object_get(rcd, "display_name")), "Acme Pharmacy");
	ck_assert_str_eq(json_string_value(json_object_get(rcd, "crn")), "Your prescription is ready");
	ck_assert_ptr_nonnull(json_object_get(rcd, "jcard"));
	json_decref(res);

	/* a swapped icon: the RCD is not verified, the call still is */
	ck_assert_int_eq(h_sh(NULL, 0, "printf '\\211PNG\\r\\n\\032\\nswapped' > '%s/logo.png'", H.www), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "cache purge"), 0);
	ck_assert_int_eq(verify_ids(arg, &res), 0);
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Passed");
	rcd = json_object_get(res, "rcd");
	ck_assert(json_is_false(json_object_get(rcd, "verified")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(rcd, "why_not")), "/icn"));
	/* the icon is not offered; the name, signed in the claims, still is
	 * (RFC 9795 section 8.2) */
	ck_assert(json_is_null(json_object_get(rcd, "icon")));
	ck_assert_ptr_nonnull(json_string_value(json_object_get(rcd, "nam")));
	for (size_t k = 0; k < json_array_size(json_object_get(rcd, "call_info")); k++)
		ck_assert_ptr_null(strstr(json_string_value(json_array_get(json_object_get(rcd,
		    "call_info"), k)), "purpose=icon"));
	json_decref(res);
}
END_TEST

/* A tampered name breaks the signature: the identity fails with 438. */
START_TEST(a_tampered_name_fails_the_identity)
{
	char id[8192], arg[8400], *p64, *tampered;
	json_t *res, *payload;
	const char *dot, *dot2;

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s'",
	    policy_file("acme", ACME)), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --rcd"), 0);
	snprintf(id, sizeof(id), "%s", h_last_line(out));
	payload = payload_of(id);
	json_object_set_new(json_object_get(payload, "rcd"), "nam", json_string("Your Bank"));
	{
		char *text = stir_json_canonical(payload);

		p64 = stir_b64url_encode((const uint8_t *)text, strlen(text));
		free(text);
	}
	dot = strchr(id, '.');
	dot2 = strchr(dot + 1, '.');
	tampered = malloc(strlen(id) + strlen(p64) + 1);
	sprintf(tampered, "%.*s%s%s", (int)(dot - id + 1), id, p64, dot2);
	snprintf(arg, sizeof(arg), "--identity '%s'", tampered);
	ck_assert_int_eq(verify_ids(arg, &res), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "error"), "code")), 438);
	ck_assert(json_is_null(json_object_get(res, "rcd")));
	json_decref(res);
	json_decref(payload);
	free(p64);
	free(tampered);
}
END_TEST

/* attach "separate" (or --ppt rcd): a second Identity value, ppt=rcd. */
START_TEST(a_branded_call_as_a_separate_rcd_passport_verifies)
{
	char lines[2][8192], arg[17000];
	json_t *res, *rcd, *payload;
	char *nl;

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s'",
	    policy_file("acme", ACME)), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --rcd --ppt rcd"), 0);
	/* the last two lines: shaken, then rcd */
	h_last_line(out);
	nl = strrchr(out, '\n');
	ck_assert_ptr_nonnull(nl);
	snprintf(lines[1], sizeof(lines[1]), "%s", nl + 1);
	*nl = '\0';
	snprintf(lines[0], sizeof(lines[0]), "%s", h_last_line(out));
	ck_assert_ptr_nonnull(strstr(lines[0], ";ppt=shaken"));
	ck_assert_ptr_nonnull(strstr(lines[1], ";ppt=rcd"));
	payload = payload_of(lines[0]);
	ck_assert_ptr_null(json_object_get(payload, "rcd"));
	json_decref(payload);
	payload = payload_of(lines[1]);
	ck_assert_ptr_nonnull(json_object_get(payload, "rcd"));
	ck_assert_ptr_null(json_object_get(payload, "attest"));
	json_decref(payload);
	snprintf(arg, sizeof(arg), "--identity '%s' --identity '%s'", lines[0], lines[1]);
	ck_assert_int_eq(verify_ids(arg, &res), 0);
	rcd = json_object_get(res, "rcd");
	ck_assert_msg(json_is_true(json_object_get(rcd, "verified")), "%s", out);
	ck_assert_str_eq(json_string_value(json_object_get(rcd, "nam")), "Acme Pharmacy");
	json_decref(res);
	/* the rcd PASSporT alone does not brand the call */
	snprintf(arg, sizeof(arg), "--identity '%s'", lines[1]);
	verify_ids(arg, &res);
	rcd = json_object_get(res, "rcd");
	ck_assert(json_is_false(json_object_get(rcd, "verified")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(rcd, "why_not")), "beside a valid shaken"));
	json_decref(res);
}
END_TEST

/* Callers get only what the policy permits. */
START_TEST(values_the_policy_does_not_permit_are_refused)
{
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s'",
	    policy_file("acme", ACME)), 0);
	/* the policy's own name is fine; another is not */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --nam 'Acme Pharmacy'"), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --nam 'Your Bank' 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "does not permit nam \"Your Bank\""));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --rcd --crn 'Free cruise' 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "does not permit the call reason"));
	/* with caller_values, the vetted alternatives */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add --replace '%s'",
	    policy_file("acme", "{\"name\":\"acme\",\"match\":{\"tns\":[\"1215555*\"]},"
	    "\"rcd\":{\"nam\":\"Acme Pharmacy\"},\"caller_values\":true,"
	    "\"alternatives\":{\"nam\":[\"Acme Rx\"]}}")), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --nam 'Acme Rx'"), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --nam 'Acme Bank' 2>&1"), 1);
	/* no policy for the number: no RCD */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 14155550100 --dest 12125551213 --attest A --rcd --cred sp 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "no RCD policy covers"));
	/* a credential that does not cover the number (tn covers 1215555xxxx) */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12025559999 --dest 12125551213 --attest A --rcd --cred tn 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "does not cover"));
}
END_TEST

/* A certificate whose claim constraints exclude rcd cannot brand calls. */
START_TEST(claim_constraints_of_the_credential_are_enforced_when_signing)
{
	ck_assert_int_eq(h_sh(out, sizeof(out), "cd '%s' && cat >> ext.cnf <<EOF\n"
	    "[norcd]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n"
	    "1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_spc\n"
	    "1.3.6.1.5.5.7.1.33 = DER:300ea20c300a1603726364160363726e\nEOF\n"
	    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out norcd.key 2>/dev/null &&"
	    " openssl req -new -key norcd.key -subj /CN=no-rcd -config ext.cnf -out norcd.csr &&"
	    " openssl x509 -req -in norcd.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 30"
	    " -extfile ext.cnf -extensions norcd -out norcd.pem 2>/dev/null && cat norcd.pem inter.pem > norcd-chain.pem &&"
	    " cp norcd-chain.pem '%s/'", H.pki, H.www), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add norcd --key '%s/norcd.key' --chain '%s/norcd-chain.pem' --x5u %s/norcd-chain.pem",
	    H.pki, H.pki, base), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s'",
	    policy_file("np", "{\"name\":\"np\",\"match\":{\"cred\":\"norcd\"},"
	    "\"rcd\":{\"nam\":\"Plain Name\"}}")), 0);
	/* a plain call is fine; a branded one is refused, and test says why */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --cred norcd"), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --cred norcd --rcd 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "does not permit this PASSporT"));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "policy test --orig 12155551212 --cred norcd"), 0);
	ck_assert_ptr_nonnull(strstr(out, "does not permit this PASSporT"));
	/* the policy holds on to its credential */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "cred remove norcd 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "used by an RCD policy"));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy remove np"), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "cred remove norcd"), 0);
}
END_TEST

/* Content whose cache lifetime ran out is fetched again; a change is warned of. */
START_TEST(changed_content_is_fetched_again_and_warned_about)
{
	char d_new[128], log[65536], id[8192], arg[8300];
	json_t *res, *payload;
	int i;

	ck_assert_int_eq(h_sh(NULL, 0, "echo '{\"headers\":{\"Cache-Control\":\"max-age=1\"}}' > '%s/logo.png.meta'",
	    H.www), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s'",
	    policy_file("logo", "{\"name\":\"logo\",\"match\":{\"tns\":[\"1215555*\"]},"
	    "\"rcd\":{\"nam\":\"Acme Pharmacy\",\"icn\":\"@/logo.png\"}}")), 0);
	/* the brand replaces its logo */
	ck_assert_int_eq(h_sh(NULL, 0, "printf '\\211PNG\\r\\n\\032\\nnew logo' > '%s/logo.png'", H.www), 0);
	file_digest("logo.png", d_new, sizeof(d_new));
	for (i = 0; i < 150; i++) {
		h_read_log(&H, log, sizeof(log));
		if (strstr(log, "changed") != NULL)
			break;
		usleep(100 * 1000);
	}
	ck_assert_msg(strstr(log, "RCD policy 'logo': the content of") != NULL, "%s", log);
	/* the warning is logged as the change is found; the new digest is
	 * stored after it, on the store thread */
	for (i = 0; i < 150; i++) {
		const char *d;
		bool stored;

		res = ctl_json(0, "--json policy show %s", "logo");
		d = json_string_value(json_object_get(json_array_get(json_object_get(res,
		    "content"), 0), "digest"));
		ck_assert_ptr_nonnull(d);
		stored = strcmp(d, d_new) == 0;
		json_decref(res);
		if (stored)
			break;
		usleep(100 * 1000);
	}
	ck_assert_int_lt(i, 150);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json audit"), 0);
	ck_assert_ptr_nonnull(strstr(out, "policy.refresh"));
	/* and counted (op stats): the logo fetched again */
	{
		json_int_t ok = -1, bad = -1;
		json_t *f, *s;
		size_t a, b;

		res = ctl_json(0, "--json stats");
		json_array_foreach(json_object_get(res, "metrics"), a, f)
			if (strcmp(json_string_value(json_object_get(f, "name")),
			    "stird_rcd_policy_refresh_total") == 0)
				json_array_foreach(json_object_get(f, "samples"), b, s) {
					const char *o = json_string_value(json_object_get(
					    json_object_get(s, "labels"), "outcome"));

					if (o != NULL && strcmp(o, "ok") == 0)
						ok = json_integer_value(json_object_get(s, "value"));
					else if (o != NULL && strcmp(o, "error") == 0)
						bad = json_integer_value(json_object_get(s, "value"));
				}
		json_decref(res);
		ck_assert_int_ge(ok, 1);
		ck_assert_int_ge(bad, 0);	/* present, as every outcome is */
	}
	/* calls now carry the new digest, and verify */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --rcd"), 0);
	snprintf(id, sizeof(id), "%s", h_last_line(out));
	payload = payload_of(id);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(payload, "rcdi"), "/icn")),
	    d_new);
	json_decref(payload);
	snprintf(arg, sizeof(arg), "--identity '%s'", id);
	ck_assert_int_eq(verify_ids(arg, &res), 0);
	ck_assert_msg(json_is_true(json_object_get(json_object_get(res, "rcd"), "verified")), "%s", out);
	json_decref(res);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("rcd_sign");
	TCase *tc = tcase_create("rcd_sign");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, policies_are_stored_listed_and_removed);
	tcase_add_test(tc, a_dry_run_shows_the_rcd_a_call_would_carry);
	tcase_add_test(tc, a_branded_call_embedded_in_shaken_verifies);
	tcase_add_test(tc, rcdi_values_digest_the_name_and_verify);
	tcase_add_test(tc, a_tampered_name_fails_the_identity);
	tcase_add_test(tc, a_branded_call_as_a_separate_rcd_passport_verifies);
	tcase_add_test(tc, values_the_policy_does_not_permit_are_refused);
	tcase_add_test(tc, claim_constraints_of_the_credential_are_enforced_when_signing);
	tcase_add_test(tc, changed_content_is_fetched_again_and_warned_about);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
