/*
 * test_verify.c: verification end to end: the real stird, its SQLite
 * file, a test PKI, and x5u served by a local HTTPS server
 * (tests/https-server.py).  Each negative case is mapped to its code.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
static char x5u[64];

#define FROM	"'sip:+12155551212@example.com;user=phone'"
#define TO	"tel:+12125551213"

static void
setup(void)
{
	h_init(&H, NULL);
	h_verifier_conf(&H, NULL);
	h_publish(&H, "sp-chain.pem");
	h_publish(&H, "tn-chain.pem");
	h_publish(&H, "expired-chain.pem");
	h_publish(&H, "revoked-chain.pem");
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(x5u, sizeof(x5u), "https://127.0.0.1:%d", H.https_port);
	ck_assert_msg(h_start(&H), "stird did not start");
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add sp --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u %s/sp-chain.pem",
	    H.pki, H.pki, x5u), 0);
}

static void
teardown(void)
{
	h_teardown(&H);
}

/* Sign with stird; returns a static copy of the Identity value. */
static const char *
sign(const char *orig, const char *cred)
{
	static char id[8192];

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig %s --dest 12125551213 --attest A%s%s", orig, cred ? " --cred " : "",
	    cred ? cred : ""), 0);
	snprintf(id, sizeof(id), "%s", h_last_line(out));
	return id;
}

/* stirctl verify: exit status; the JSON lands in *ret (decref). */
static int
verify3(const char *identity, const char *from, const char *to, const char *more, json_t **ret)
{
	int st = h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from %s --to %s %s",
	    identity, from, to, more ? more : "");

	*ret = json_loads(out, 0, NULL);
	ck_assert_msg(*ret != NULL, "verify printed no JSON (exit %d): %s", st, out);
	return st;
}

static int
verify(const char *identity, json_t **ret)
{
	return verify3(identity, FROM, TO, NULL, ret);
}

static int
code_of(json_t *res)
{
	return (int)json_integer_value(json_object_get(json_object_get(res, "error"), "code"));
}

static int
id_code(json_t *res, size_t i)
{
	return (int)json_integer_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(res, "identities"), i), "error"), "code"));
}

/* A shaken JWS over header and payload texts signed with key_file, for x5u info. */
static char *
jws(const char *key_file, const char *header, const char *payload, const char *info)
{
	size_t n = strlen(info) + 64;
	char *params, *res;

	ck_assert_ptr_nonnull(params = malloc(n));
	snprintf(params, n, ";info=<%s>;alg=ES256;ppt=shaken", info);
	res = h_jws(&H, key_file, header, payload, params);
	free(params);
	return res;
}

START_TEST(a_stird_signature_verifies_as_passed)
{
	json_t *res, *id0;

	ck_assert_int_eq(verify(sign("12155551212", NULL), &res), 0);
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Passed");
	ck_assert(json_is_null(json_object_get(res, "error")));
	id0 = json_array_get(json_object_get(res, "identities"), 0);
	ck_assert(json_is_true(json_object_get(id0, "valid")));
	ck_assert_str_eq(json_string_value(json_object_get(id0, "attest")), "A");
	ck_assert_str_eq(json_string_value(json_object_get(id0, "ppt")), "shaken");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(id0, "cert"),
	    "subject")), "SHAKEN 709J"));
	ck_assert_int_eq(json_array_size(json_object_get(res, "reason")), 0);
	json_decref(res);
	/* the same call again comes from the cache */
	ck_assert_int_eq(verify(sign("12155551212", NULL), &res), 0);
	json_decref(res);
	/* removing the anchor takes effect at once, memo or not */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust remove 1"), 0);
	ck_assert_int_eq(verify(sign("12155551212", NULL), &res), 1);
	ck_assert_int_eq(code_of(res), 437);
	json_decref(res);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust remove 1 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "no trust anchor with id 1"));
}
END_TEST

START_TEST(negative_catalogue_maps_to_sip_codes)
{
	json_t *r0;

	/* at must be a sane time */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "verify --identity x --from %s --to %s --at 9223372036854775807 2>&1",
	    FROM, TO), 2);
	ck_assert_ptr_nonnull(strstr(out, "field 'at' must be a time"));
	(void)r0;
	const char *good = sign("12155551212", NULL);
	char bad[9000], *p;
	json_t *res;
	time_t now = time(NULL);
	char hdr[512], pay[512], *t;

	/* a garbage value */
	ck_assert_int_eq(verify("garbage", &res), 1);
	ck_assert_int_eq(code_of(res), 438);
	json_decref(res);
	/* a tampered signature */
	snprintf(bad, sizeof(bad), "%s", good);
	p = strchr(strrchr(strchr(bad, ';') ? bad : bad, '.'), ';');
	ck_assert_ptr_nonnull(p);
	p[-2] = p[-2] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(verify(bad, &res), 1);
	ck_assert_int_eq(code_of(res), 438);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(json_object_get(res, "reason"), 0)),
	    "STIR;cause=438;text=\"Invalid Identity Header\";ppi=\"..")); 
	json_decref(res);
	/* orig does not match From */
	ck_assert_int_eq(verify3(good, "sip:+19995550000@example.com", TO, NULL, &res), 1);
	ck_assert_int_eq(code_of(res), 438);
	json_decref(res);
	/* dest does not match To */
	ck_assert_int_eq(verify3(good, FROM, "tel:+19995550000", NULL, &res), 1);
	ck_assert_int_eq(code_of(res), 438);
	json_decref(res);
	/* stale: verified an hour later, or before it was signed */
	ck_assert_int_eq(verify3(good, FROM, TO, "--at $(($(date +%s) + 3600))", &res), 1);
	ck_assert_int_eq(code_of(res), 403);
	json_decref(res);
	ck_assert_int_eq(verify3(good, FROM, TO, "--at $(($(date +%s) - 3600))", &res), 1);
	ck_assert_int_eq(code_of(res), 403);
	json_decref(res);
	/* a bad alg parameter */
	snprintf(bad, sizeof(bad), "%s", good);
	ck_assert_ptr_nonnull(t = strstr(bad, ";alg=ES256"));
	memcpy(t, ";alg=RS256", 10);
	ck_assert_int_eq(verify(bad, &res), 1);
	ck_assert_int_eq(code_of(res), 437);
	json_decref(res);
	/* alg none / HS256 in the header */
	snprintf(pay, sizeof(pay), "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
	    (long)now);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"HS256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s/sp-chain.pem\"}", x5u);
	t = jws("sp.key", hdr, pay, "");
	snprintf(bad, sizeof(bad), "%.*s;info=<%s/sp-chain.pem>;ppt=shaken", (int)(strchr(t, ';') - t), t, x5u);
	free(t);
	ck_assert_int_eq(verify(bad, &res), 1);
	ck_assert_int_eq(code_of(res), 437);
	json_decref(res);
	/* iat zero, negative, far future */
	{
		static const char *iats[] = { "0", "-5", "99999999999" };

		for (size_t i = 0; i < 3; i++) {
			snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s/sp-chain.pem\"}", x5u);
			snprintf(pay, sizeof(pay), "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%s,"
			    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
			    iats[i]);
			snprintf(bad, sizeof(bad), "%s/sp-chain.pem", x5u);
			t = jws("sp.key", hdr, pay, bad);
			ck_assert_int_eq(verify(t, &res), 1);
			ck_assert_msg(code_of(res) == 403, "iat %s: %d", iats[i], code_of(res));
			json_decref(res);
			free(t);
		}
	}
	/* missing attest / bad origid: 438 */
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s/sp-chain.pem\"}", x5u);
	snprintf(pay, sizeof(pay), "{\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"not-a-uuid\"}", (long)now);
	snprintf(bad, sizeof(bad), "%s/sp-chain.pem", x5u);
	t = jws("sp.key", hdr, pay, bad);
	ck_assert_int_eq(verify(t, &res), 1);
	ck_assert_int_eq(code_of(res), 438);
	json_decref(res);
	free(t);
	/* ppt=shaken as a parameter, no ppt in the header: not a shaken PASSporT */
	{
		char h2[512];

		snprintf(h2, sizeof(h2), "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"%s/sp-chain.pem\"}", x5u);
		snprintf(pay, sizeof(pay), "{\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
		    "\"orig\":{\"tn\":\"12155551212\"}}", (long)now);
		snprintf(bad, sizeof(bad), "%s/sp-chain.pem", x5u);
		t = jws("sp.key", h2, pay, bad);
		ck_assert_int_eq(verify(t, &res), 1);
		ck_assert_int_eq(code_of(res), 438);
		ck_assert_ptr_nonnull(strstr(out, "ppt differ"));
		json_decref(res);
		free(t);
		snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s/sp-chain.pem\"}", x5u);
	}
	/* a non-JSON payload */
	snprintf(bad, sizeof(bad), "%s/sp-chain.pem", x5u);
	t = jws("sp.key", hdr, "this is not json", bad);
	ck_assert_int_eq(verify(t, &res), 1);
	ck_assert_int_eq(code_of(res), 438);
	json_decref(res);
	free(t);
	/* signed with a key that does not match the certificate */
	snprintf(pay, sizeof(pay), "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
	    (long)now);
	t = jws("other.key", hdr, pay, bad);
	ck_assert_int_eq(verify(t, &res), 1);
	ck_assert_int_eq(code_of(res), 438);
	json_decref(res);
	free(t);
}
END_TEST

START_TEST(certificate_failures_map_to_436_and_437)
{
	static const struct { const char *path, *meta; int code; } cases[] = {
		{ "missing.pem", NULL, 436 },
		{ "expired-chain.pem", NULL, 437 },
		{ "garbage.pem", NULL, 437 },
		{ "empty.pem", NULL, 437 },
		{ "redirect.pem", "{\"status\":302,\"redirect\":\"/sp-chain.pem\"}", 436 },
		{ "big.pem", NULL, 436 },
		{ "hang.pem", "{\"hang\":true}", 436 },
		{ "revoked-chain.pem", NULL, 437 },
	};
	char hdr[1024], pay[512], info[512], path[H_PATH_MAX + 64];
	time_t now = time(NULL);
	json_t *res;
	FILE *f;

	f = fopen((snprintf(path, sizeof(path), "%s/garbage.pem", H.www), path), "w");
	fputs("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n", f);
	fclose(f);
	f = fopen((snprintf(path, sizeof(path), "%s/empty.pem", H.www), path), "w");
	fclose(f);
	f = fopen((snprintf(path, sizeof(path), "%s/big.pem", H.www), path), "w");
	for (int i = 0; i < 3000; i++)
		fputs("0123456789012345678901234567890123456789\n", f);
	fclose(f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t;
		const char *key = strncmp(cases[i].path, "expired", 7) == 0 ? "expired.key" :
		    strncmp(cases[i].path, "revoked", 7) == 0 ? "revoked.key" : "sp.key";

		if (cases[i].meta != NULL) {
			f = fopen((snprintf(path, sizeof(path), "%s/%s.meta", H.www, cases[i].path), path), "w");
			fputs(cases[i].meta, f);
			fclose(f);
		}
		snprintf(info, sizeof(info), "%s/%s", x5u, cases[i].path);
		snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s\"}", info);
		snprintf(pay, sizeof(pay), "{\"attest\":\"B\",\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
		    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
		    (long)time(NULL));
		t = jws(key, hdr, pay, info);
		if (strcmp(cases[i].path, "revoked-chain.pem") == 0) {
			/* a CRL file makes the revocation known */
			char extra[H_PATH_MAX * 3];

			ck_assert_int_eq(h_stop(&H), 0);
			snprintf(extra, sizeof(extra), "x5u_ca_file = %s/web-ca.pem\nx5u_allow_private = yes\n"
			    "fetch_timeout_ms = 1500\ncache_min_ttl = 0\ncrl_file = %s/crl.pem\n", H.pki, H.pki);
			h_write_conf(&H, extra);
			ck_assert(h_start(&H));
		}
		ck_assert_msg(verify(t, &res) == 1, "%s: %s", cases[i].path, out);
		ck_assert_msg(code_of(res) == cases[i].code, "%s: got %d, want %d: %s", cases[i].path,
		    code_of(res), cases[i].code, out);
		json_decref(res);
		free(t);
	}
	(void)now;
}
END_TEST

START_TEST(x5u_rules_refuse_http_and_private_addresses)
{
	char extra[H_PATH_MAX * 2], info[256], hdr[512], pay[512], *t;
	json_t *res;

	/* plain http is refused (x5u_allow_http = no) */
	snprintf(info, sizeof(info), "http://127.0.0.1:%d/sp-chain.pem", H.https_port);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s\"}", info);
	snprintf(pay, sizeof(pay), "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
	    (long)time(NULL));
	t = jws("sp.key", hdr, pay, info);
	ck_assert_int_eq(verify(t, &res), 1);
	ck_assert_int_eq(code_of(res), 436);
	json_decref(res);
	free(t);
	/* loopback is refused without x5u_allow_private */
	ck_assert_int_eq(h_stop(&H), 0);
	snprintf(extra, sizeof(extra), "x5u_ca_file = %s/web-ca.pem\n", H.pki);
	h_write_conf(&H, extra);
	ck_assert(h_start(&H));
	ck_assert_int_eq(verify(sign("12155551212", NULL), &res), 1);
	ck_assert_int_eq(code_of(res), 436);
	json_decref(res);
}
END_TEST

START_TEST(several_identities_follow_rfc8224)
{
	const char *good = sign("12155551212", NULL);
	char cmd[20000];
	json_t *res;
	int st;

	/* a garbage value beside a valid one: passed, and the bad one reported */
	snprintf(cmd, sizeof(cmd), "verify --identity garbage --identity '%s' --from %s --to %s",
	    good, FROM, TO);
	st = h_ctl(&H, NULL, out, sizeof(out), "%s", cmd);
	ck_assert_int_eq(st, 0);
	ck_assert_ptr_nonnull(res = json_loads(out, 0, NULL));
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Passed");
	ck_assert_int_eq(id_code(res, 0), 438);
	ck_assert_int_eq(json_array_size(json_object_get(res, "reason")), 1);
	json_decref(res);
	/* no Identity at all, or only an unsupported ppt: No-TN-Validation */
	st = h_ctl(&H, NULL, out, sizeof(out), "verify --from %s --to %s", FROM, TO);
	ck_assert_int_eq(st, 1);
	ck_assert_ptr_nonnull(strstr(out, "No-TN-Validation"));
	st = h_ctl(&H, NULL, out, sizeof(out), "verify --identity 'a.b.c;info=<https://x.example/c>;ppt=foo' --from %s --to %s",
	    FROM, TO);
	ck_assert_int_eq(st, 1);
	ck_assert_ptr_nonnull(strstr(out, "No-TN-Validation"));
}
END_TEST

START_TEST(member_order_and_whitespace_of_another_signer_verify)
{
	char hdr[512], pay[512], info[256], *t;
	json_t *res;

	snprintf(info, sizeof(info), "%s/sp-chain.pem", x5u);
	snprintf(hdr, sizeof(hdr), "{ \"x5u\": \"%s\", \"typ\": \"passport\", \"ppt\": \"shaken\", \"alg\": \"ES256\" }", info);
	snprintf(pay, sizeof(pay), "{\n \"origid\": \"123e4567-e89b-12d3-a456-426655440000\",\n \"orig\": {\"tn\": \"12155551212\"},"
	    " \"iat\": %ld, \"dest\": {\"tn\": [\"12125551213\"]}, \"attest\": \"C\" }", (long)time(NULL));
	t = jws("sp.key", hdr, pay, info);
	ck_assert_int_eq(verify(t, &res), 0);
	json_decref(res);
	free(t);
}
END_TEST

START_TEST(tnauthlist_must_cover_orig)
{
	json_t *res;
	char *t, hdr[512], pay[512], info[256];

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add tn --key '%s/tn.key' --chain '%s/tn-chain.pem' --x5u %s/tn-chain.pem",
	    H.pki, H.pki, x5u), 0);
	/* inside the range: passed */
	ck_assert_int_eq(verify3(sign("12155550042", "tn"), "sip:+12155550042@example.com", TO, NULL,
	    &res), 0);
	json_decref(res);
	/* outside it: signed anyway with the delegate's key, refused */
	snprintf(info, sizeof(info), "%s/tn-chain.pem", x5u);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s\"}", info);
	snprintf(pay, sizeof(pay), "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
	    (long)time(NULL));
	t = jws("tn.key", hdr, pay, info);
	ck_assert_int_eq(verify(t, &res), 1);
	ck_assert_int_eq(code_of(res), 438);
	ck_assert_ptr_nonnull(strstr(out, "does not cover orig"));
	json_decref(res);
	free(t);
}
END_TEST

START_TEST(secsipidx_signature_verifies_as_passed)
{
	char cmd[H_PATH_MAX * 4];
	json_t *res;

	if (system("command -v secsipidx >/dev/null 2>&1") != 0) {
		ck_assert_msg(getenv("STIR_ALLOW_NO_SECSIPIDX") != NULL, "secsipidx is not installed");
		return;
	}
	snprintf(cmd, sizeof(cmd), "secsipidx -sign-full -orig-tn 12155551212 -dest-tn 12125551213 "
	    "-attest A -x5u %s/sp-chain.pem -k '%s/sp.key' 2>/dev/null", x5u, H.pki);
	ck_assert_int_eq(h_sh(out, sizeof(out), "%s", cmd), 0);
	ck_assert_int_eq(verify(h_last_line(out), &res), 0);
	json_decref(res);
}
END_TEST

/*
 * secsipid signs the numbers as given: with E.164 '+' they are "+1215...",
 * not the canonical digits RFC 8224 section 8.3 asks for.  stird
 * canonicalizes the claim as it does the From and To, so the call passes;
 * a tn with anything else in it still fails.
 */
START_TEST(secsipidx_plus_numbers_verify_as_passed)
{
	char cmd[H_PATH_MAX * 4];
	json_t *res, *it;

	if (system("command -v secsipidx >/dev/null 2>&1") != 0) {
		ck_assert_msg(getenv("STIR_ALLOW_NO_SECSIPIDX") != NULL, "secsipidx is not installed");
		return;
	}
	snprintf(cmd, sizeof(cmd), "secsipidx -sign-full -orig-tn +12155551212 -dest-tn +12125551213 "
	    "-attest A -x5u %s/sp-chain.pem -k '%s/sp.key' 2>/dev/null", x5u, H.pki);
	ck_assert_int_eq(h_sh(out, sizeof(out), "%s", cmd), 0);
	ck_assert_int_eq(verify(h_last_line(out), &res), 0);
	it = json_array_get(json_object_get(res, "identities"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(it, "orig"), "tn")),
	    "12155551212");
	json_decref(res);
	/* a '+' is the only thing dropped */
	snprintf(cmd, sizeof(cmd), "secsipidx -sign-full -orig-tn 1-2155551212 -dest-tn 12125551213 "
	    "-attest A -x5u %s/sp-chain.pem -k '%s/sp.key' 2>/dev/null", x5u, H.pki);
	ck_assert_int_eq(h_sh(out, sizeof(out), "%s", cmd), 0);
	ck_assert_int_ne(verify(h_last_line(out), &res), 0);
	ck_assert_int_eq(code_of(res), 438);
	json_decref(res);
}
END_TEST

START_TEST(a_restart_keeps_the_cache_warm)
{
	char path[H_PATH_MAX + 64];
	json_t *res;
	const char *id;
	FILE *f;

	/* the x5u server says how long to keep the chain */
	f = fopen((snprintf(path, sizeof(path), "%s/sp-chain.pem.meta", H.www), path), "w");
	fputs("{\"headers\":{\"Cache-Control\":\"public, max-age=600\"}}", f);
	fclose(f);
	id = sign("12155551212", NULL);

	ck_assert_int_eq(verify(id, &res), 0);
	json_decref(res);
	ck_assert_int_eq(h_stop(&H), 0);
	h_https_stop(&H);		/* the x5u server is gone */
	ck_assert(h_start(&H));
	ck_assert_int_eq(verify(id, &res), 0);
	json_decref(res);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "cache list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "sp-chain.pem"));
}
END_TEST

/* Requests for path the x5u server has seen (its log). */
static int
x5u_requests(const char *path)
{
	char cmd[H_PATH_MAX + 128], o[64];

	snprintf(cmd, sizeof(cmd), "grep -c 'REQ GET %s' '%s/https.log' || true", path, H.dir);
	ck_assert_int_eq(h_sh(o, sizeof(o), "%s", cmd), 0);
	return atoi(o);
}

START_TEST(a_slow_x5u_server_does_not_delay_other_verifications)
{
	char path[H_PATH_MAX + 64], conf[H_PATH_MAX + 256], hdr[512], pay[512], info[256], *t;
	json_t *res;
	pid_t slow;
	FILE *f;
	int st;
	const char *good = sign("12155551212", NULL);

	/* a fetch time limit no busy machine reaches: the hanging fetch is
	 * still pending whatever the warm verifications cost */
	ck_assert_int_eq(h_stop(&H), 0);
	snprintf(conf, sizeof(conf), "x5u_ca_file = %s/web-ca.pem\nx5u_allow_private = yes\n"
	    "fetch_timeout_ms = 60000\ncache_min_ttl = 0\n", H.pki);
	h_write_conf(&H, conf);
	ck_assert(h_start(&H));
	ck_assert_int_eq(verify(good, &res), 0);	/* warm */
	json_decref(res);
	f = fopen((snprintf(path, sizeof(path), "%s/hang2.pem.meta", H.www), path), "w");
	fputs("{\"hang\":true}", f);
	fclose(f);
	snprintf(info, sizeof(info), "%s/hang2.pem", x5u);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s\"}", info);
	snprintf(pay, sizeof(pay), "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
	    (long)time(NULL));
	t = jws("sp.key", hdr, pay, info);
	if ((slow = fork()) == 0) {
		char o[4096];

		_exit(h_ctl(&H, NULL, o, sizeof(o), "verify --identity '%s' --from %s --to %s", t,
		    FROM, TO));
	}
	/* the hanging fetch has reached the server */
	for (int i = 0; i < 600 && x5u_requests("/hang2.pem") == 0; i++)
		usleep(50000);
	ck_assert_int_eq(x5u_requests("/hang2.pem"), 1);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(verify(good, &res), 0);
		json_decref(res);
	}
	/* every warm verification completed while the hanging one waits */
	ck_assert_int_eq(waitpid(slow, &st, WNOHANG), 0);
	h_https_stop(&H);		/* the connection drops: 436 */
	ck_assert_int_eq(waitpid(slow, &st, 0), slow);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 1);
	free(t);
}
END_TEST

/* Revocation through CRL distribution points, soft and hard. */
START_TEST(crl_distribution_points_are_followed)
{
	char extra[H_PATH_MAX * 2], info[512], hdr[1024], pay[512], *t;
	json_t *res;

	/* two certificates naming a CRL on the test server; one is revoked */
	ck_assert_int_eq(h_sh(out, sizeof(out), "cd '%s' && cat >> ext.cnf <<EOF\n"
	    "[crldp]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n"
	    "1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_spc\n"
	    "crlDistributionPoints = URI:%s/inter.crl\nEOF\n"
	    "for n in crlrev crlok; do openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $n.key 2>/dev/null &&"
	    " openssl req -new -key $n.key -subj /CN=$n -config ext.cnf -out $n.csr &&"
	    " openssl x509 -req -in $n.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 30"
	    " -extfile ext.cnf -extensions crldp -out $n.pem 2>/dev/null && cat $n.pem inter.pem > '%s'/$n-chain.pem || exit 1; done &&"
	    " certtool --generate-crl --load-ca-privkey inter.key --load-ca-certificate inter.pem"
	    " --load-certificate crlrev.pem --template crl.tmpl --outder --outfile '%s/inter.crl' >/dev/null 2>&1",
	    H.pki, x5u, H.www, H.www), 0);
	for (int round = 0; round < 2; round++) {
		const char *names[] = { "crlrev", "crlok" };

		for (int k = 0; k < 2; k++) {
			snprintf(info, sizeof(info), "%s/%s-chain.pem", x5u, names[k]);
			snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s\"}", info);
			snprintf(pay, sizeof(pay), "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
			    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
			    (long)time(NULL));
			snprintf(extra, sizeof(extra), "%s.key", names[k]);
			t = jws(extra, hdr, pay, info);
			if (round == 0 && k == 0) {		/* soft: revoked fails */
				ck_assert_int_eq(verify(t, &res), 1);
				ck_assert_int_eq(code_of(res), 437);
				ck_assert_ptr_nonnull(strstr(out, "revoked"));
			} else if (round == 0) {		/* soft: good passes */
				ck_assert_int_eq(verify(t, &res), 0);
			} else if (k == 1) {			/* hard, CRL gone: fails */
				ck_assert_int_eq(verify(t, &res), 1);
				ck_assert_int_eq(code_of(res), 437);
				ck_assert_ptr_nonnull(strstr(out, "crl_mode = hard"));
			} else {
				ck_assert_int_eq(verify(t, &res), 1);
			}
			json_decref(res);
			free(t);
		}
		if (round == 0) {
			/* the CRL disappears; hard mode refuses what it cannot check */
			ck_assert_int_eq(h_sh(NULL, 0, "rm '%s/inter.crl'", H.www), 0);
			ck_assert_int_eq(h_stop(&H), 0);
			snprintf(extra, sizeof(extra), "x5u_ca_file = %s/web-ca.pem\nx5u_allow_private = yes\n"
			    "fetch_timeout_ms = 1500\ncache_min_ttl = 0\ncrl_mode = hard\n", H.pki);
			h_write_conf(&H, extra);
			ck_assert(h_start(&H));
			ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "cache purge"), 0);
		}
	}
}
END_TEST

/* JWT claim constraints in the certificate (RFC 8226): attest A or B only. */
START_TEST(certificate_claim_constraints_apply)
{
	json_t *res;

	ck_assert_int_eq(h_sh(out, sizeof(out), "cd '%s' && cat >> ext.cnf <<EOF\n"
	    "[cons]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n"
	    "1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_spc\n"
	    "1.3.6.1.5.5.7.1.27 = DER:3022a00a30081606617474657374a11430123010160661747465737430060c01410c0142\nEOF\n"
	    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out cons.key 2>/dev/null &&"
	    " openssl req -new -key cons.key -subj /CN=constrained -config ext.cnf -out cons.csr &&"
	    " openssl x509 -req -in cons.csr -CA inter.pem -CAkey inter.key -CAcreateserial -days 30"
	    " -extfile ext.cnf -extensions cons -out cons.pem 2>/dev/null && cat cons.pem inter.pem > cons-chain.pem &&"
	    " cp cons-chain.pem '%s/'", H.pki, H.www), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add cons --key '%s/cons.key' --chain '%s/cons-chain.pem' --x5u %s/cons-chain.pem",
	    H.pki, H.pki, x5u), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest B --cred cons"), 0);
	ck_assert_int_eq(verify(h_last_line(out), &res), 0);
	json_decref(res);
	/* stird will not sign what its own certificate forbids ... */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest C --cred cons 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "does not permit this PASSporT"));
	/* ... and refuses it from another signer holding the same key */
	{
		char hdr[512], pay[512], info[256], *t;

		snprintf(info, sizeof(info), "%s/cons-chain.pem", x5u);
		snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s\"}",
		    info);
		snprintf(pay, sizeof(pay), "{\"attest\":\"C\",\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
		    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
		    (long)time(NULL));
		t = jws("cons.key", hdr, pay, info);
		ck_assert_int_eq(verify(t, &res), 1);
		free(t);
	}
	ck_assert_int_eq(code_of(res), 438);
	ck_assert_ptr_nonnull(strstr(out, "does not permit this value of claim 'attest'"));
	json_decref(res);
}
END_TEST

/* Rich Call Data: rcdi digests over fetched content; display safety. */
static char *
rcd_jws(const char *ppt, const char *rcd_members, const char *rcdi)
{
	char hdr[1024], pay[4096], info[512];

	snprintf(info, sizeof(info), "%s/sp-chain.pem", x5u);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"%s\",\"typ\":\"passport\",\"x5u\":\"%s\"}",
	    ppt, info);
	snprintf(pay, sizeof(pay), "{%s\"crn\":\"Your appointment\",\"dest\":{\"tn\":[\"12125551213\"]},"
	    "\"iat\":%ld,\"orig\":{\"tn\":\"12155551212\"},%s\"rcd\":{%s}%s%s}",
	    strcmp(ppt, "shaken") == 0 ? "\"attest\":\"A\"," : "", (long)time(NULL),
	    strcmp(ppt, "shaken") == 0 ? "\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"," : "",
	    rcd_members, rcdi ? ",\"rcdi\":" : "", rcdi ? rcdi : "");
	{
		char *t = jws("sp.key", hdr, pay, info), *p;

		/* jws() ends with ppt=shaken; make the parameter match */
		if (strcmp(ppt, "rcd") == 0 && (p = strstr(t, ";ppt=shaken")) != NULL)
			strcpy(p, ";ppt=rcd");
		return t;
	}
}

START_TEST(rich_call_data_is_verified_against_its_digests)
{
	char members[1024], rcdi[512], digest[128];
	json_t *res, *rcd;
	char *t;

	/* an icon and a jCard on the HTTPS server, and the icon's digest */
	ck_assert_int_eq(h_sh(NULL, 0, "cd '%s' && printf '\\211PNG\\r\\n\\032\\nstird test icon' > logo.png &&"
	    " printf 'not a picture' > bad.png && cp logo.png swapped.png &&"
	    " printf '\\211PNG\\r\\n\\032\\nanother icon' > swapped.png &&"
	    " printf '[\"vcard\",[[\"fn\",{},\"text\",\"Q Branch\"]]]' > card.json", H.www), 0);
	ck_assert_int_eq(h_sh(digest, sizeof(digest), "cd '%s' && printf 'sha256-%%s' \"$(openssl dgst -sha256 -binary logo.png | base64)\"",
	    H.www), 0);
	/* embedded in shaken: verified, with a display name made safe */
	snprintf(members, sizeof(members), "\"icn\":\"%s/logo.png\",\"nam\":\"Q Branch \\u202eevil\"", x5u);
	snprintf(rcdi, sizeof(rcdi), "{\"/icn\":\"%s\"}", digest);
	t = rcd_jws("shaken", members, rcdi);
	ck_assert_int_eq(verify(t, &res), 0);
	rcd = json_object_get(res, "rcd");
	ck_assert_msg(json_is_true(json_object_get(rcd, "verified")), "%s", out);
	ck_assert_str_eq(json_string_value(json_object_get(rcd, "display_name")), "Q Branch evil");
	ck_assert_str_eq(json_string_value(json_object_get(rcd, "crn")), "Your appointment");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(json_object_get(rcd, "call_info"), 0)),
	    "/logo.png>;purpose=icon"));
	json_decref(res);
	free(t);
	/* a swapped icon: the call still passes, the RCD is not shown */
	snprintf(members, sizeof(members), "\"icn\":\"%s/swapped.png\",\"nam\":\"Q Branch\"", x5u);
	t = rcd_jws("shaken", members, rcdi);
	ck_assert_int_eq(verify(t, &res), 0);
	rcd = json_object_get(res, "rcd");
	ck_assert(json_is_false(json_object_get(rcd, "verified")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(rcd, "why_not")), "does not match"));
	/* the icon is not offered; the name, signed in the claims, still is
	 * (RFC 9795 section 8.2) */
	ck_assert(json_is_null(json_object_get(rcd, "icon")));
	ck_assert_ptr_nonnull(json_string_value(json_object_get(rcd, "nam")));
	for (size_t k = 0; k < json_array_size(json_object_get(rcd, "call_info")); k++)
		ck_assert_ptr_null(strstr(json_string_value(json_array_get(json_object_get(rcd,
		    "call_info"), k)), "purpose=icon"));
	json_decref(res);
	free(t);
	/* not a picture, and no digest at all */
	snprintf(members, sizeof(members), "\"icn\":\"%s/bad.png\",\"nam\":\"Q Branch\"", x5u);
	t = rcd_jws("shaken", members, NULL);
	ck_assert_int_eq(verify(t, &res), 0);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(res, "rcd"),
	    "why_not")), "no rcdi digest"));
	json_decref(res);
	free(t);
	/* a jCard by reference, in a separate ppt=rcd PASSporT */
	ck_assert_int_eq(h_sh(digest, sizeof(digest), "cd '%s' && printf 'sha256-%%s' \"$(openssl dgst -sha256 -binary card.json | base64)\"",
	    H.www), 0);
	snprintf(members, sizeof(members), "\"jcl\":\"%s/card.json\",\"nam\":\"Q Branch\"", x5u);
	snprintf(rcdi, sizeof(rcdi), "{\"/jcl\":\"%s\"}", digest);
	t = rcd_jws("rcd", members, rcdi);
	ck_assert_int_eq(verify(t, &res), 0);
	/* alone it brands no call; its own result is verified */
	ck_assert(json_is_false(json_object_get(json_object_get(res, "rcd"), "verified")));
	rcd = json_object_get(json_array_get(json_object_get(res, "identities"), 0), "rcd");
	ck_assert_msg(json_is_true(json_object_get(rcd, "verified")), "%s", out);
	{
		char *jc = json_dumps(json_object_get(rcd, "jcard"), JSON_COMPACT);

		ck_assert_ptr_nonnull(jc);
		ck_assert_str_eq(jc, "[\"vcard\",[[\"fn\",{},\"text\",\"Q Branch\"]]]");
		free(jc);
	}
	json_decref(res);
	free(t);
	/* jcd and jcl together: malformed, not verified */
	snprintf(members, sizeof(members), "\"jcd\":[\"vcard\",[]],\"jcl\":\"%s/card.json\",\"nam\":\"Q\"", x5u);
	t = rcd_jws("shaken", members, rcdi);
	ck_assert_int_eq(verify(t, &res), 0);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(res, "rcd"),
	    "why_not")), "both jcd and jcl"));
	json_decref(res);
	free(t);
}
END_TEST

/* A 200 that is no chain fails the identity and is remembered without its body. */
START_TEST(a_junk_x5u_body_fails_and_is_not_cached)
{
	char hdr[1024], pay[512], info[512], path[H_PATH_MAX + 64], *t;
	json_t *res;
	FILE *f;

	f = fopen((snprintf(path, sizeof(path), "%s/parked.pem", H.www), path), "w");
	for (int i = 0; i < 200; i++)
		fputs("<html><body>This domain is parked. Buy it today!</body></html>\n", f);
	fclose(f);
	snprintf(info, sizeof(info), "%s/parked.pem", x5u);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s\"}", info);
	snprintf(pay, sizeof(pay), "{\"attest\":\"B\",\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
	    (long)time(NULL));
	t = jws("sp.key", hdr, pay, info);
	for (int round = 0; round < 2; round++) {	/* fetched, then remembered */
		ck_assert_int_eq(verify(t, &res), 1);
		ck_assert_msg(code_of(res) == 437, "got %d: %s", code_of(res), out);
		ck_assert_msg(strstr(out, "not a PEM certificate chain") != NULL, "%s", out);
		json_decref(res);
	}
	free(t);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "cache show %s", info), 0);
	ck_assert_msg(strstr(out, "ECERT") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "bytes:      0\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "Buy it") == NULL, "%s", out);	/* no body */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "cache list"), 0);
	ck_assert_msg(strstr(out, "parked.pem") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "ECERT") != NULL, "%s", out);
	/* one fetch: the second verification was answered by the failure entry */
	snprintf(path, sizeof(path), "%s/https.log", H.dir);
	ck_assert_int_eq(h_sh(out, sizeof(out), "cat '%s'", path), 0);
	ck_assert_int_eq(h_count(out, "GET /parked.pem "), 1);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("verify");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_stird_signature_verifies_as_passed);
	tcase_add_test(tc, negative_catalogue_maps_to_sip_codes);
	tcase_add_test(tc, certificate_failures_map_to_436_and_437);
	tcase_add_test(tc, x5u_rules_refuse_http_and_private_addresses);
	tcase_add_test(tc, several_identities_follow_rfc8224);
	tcase_add_test(tc, member_order_and_whitespace_of_another_signer_verify);
	tcase_add_test(tc, tnauthlist_must_cover_orig);
	tcase_add_test(tc, secsipidx_signature_verifies_as_passed);
	tcase_add_test(tc, secsipidx_plus_numbers_verify_as_passed);
	tcase_add_test(tc, a_restart_keeps_the_cache_warm);
	tcase_add_test(tc, a_junk_x5u_body_fails_and_is_not_cached);
	tcase_add_test(tc, a_slow_x5u_server_does_not_delay_other_verifications);
	tcase_add_test(tc, crl_distribution_points_are_followed);
	tcase_add_test(tc, certificate_claim_constraints_apply);
	tcase_add_test(tc, rich_call_data_is_verified_against_its_digests);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
