/*
 * test_extensions.c: diverted calls (RFC 8946 div, div-o), messages
 * (RFC 9475 msg, msgi), connected identity (RFC 9970 rsp, pre-call) and
 * per-header error reporting (RFC 9410) end to end: the real stird, its
 * SQLite file, a test PKI and x5u served by a local HTTPS server.
 * secsipidx, an independent implementation, signs a div PASSporT too.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
static char base[64];

#define CALLER	"12155551212"
#define CALLED	"12125551213"
#define FWD1	"12125550100"
#define FWD2	"12125550200"

static void
setup_with(const char *more)
{
	char extra[H_PATH_MAX * 2 + 512];

	h_init(&H, NULL);
	snprintf(extra, sizeof(extra), "connected_identity = " CALLED ", 1202555*\n%s",
	    more ? more : "");
	h_verifier_conf(&H, extra);
	h_publish(&H, "sp-chain.pem");
	h_publish(&H, "tn-chain.pem");
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(base, sizeof(base), "https://127.0.0.1:%d", H.https_port);
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
setup(void)
{
	setup_with(NULL);
}

static void
teardown(void)
{
	h_teardown(&H);
}

/* stirctl ARGS: its exit status must be want; the last line in *line. */
static int ctl(int want, char *line, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
ctl(int want, char *line, size_t len, const char *fmt, ...)
{
	char cmd[65536];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = h_ctl(&H, NULL, out, sizeof(out), "%s", cmd);
	ck_assert_msg(st == want, "stirctl %s: exit %d, wanted %d: %s", cmd, st, want, out);
	if (line != NULL)
		snprintf(line, len, "%s", h_last_line(out));
	return st;
}

/* stirctl verify ARGS: the JSON result (decref). */
static json_t *verify(int want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static json_t *
verify(int want, const char *fmt, ...)
{
	char cmd[65536];
	va_list ap;
	json_t *res;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = h_ctl(&H, NULL, out, sizeof(out), "verify %s", cmd);
	res = json_loads(out, 0, NULL);
	ck_assert_msg(res != NULL, "verify printed no JSON (exit %d): %s", st, out);
	ck_assert_msg(st == want, "verify exit %d, wanted %d: %s", st, want, out);
	return res;
}

static json_t *
ident(json_t *res, size_t i)
{
	return json_array_get(json_object_get(res, "identities"), i);
}

static int
code_at(json_t *res, size_t i)
{
	return (int)json_integer_value(json_object_get(json_object_get(ident(res, i), "error"),
	    "code"));
}

static const char *
detail_at(json_t *res, size_t i)
{
	const char *d = json_string_value(json_object_get(json_object_get(ident(res, i), "error"),
	    "detail"));

	return d != NULL ? d : "";
}


/* A div PASSporT signed outside stird with cred's key (sp or tn). */
static char *
foreign_div(const char *cred, const char *orig, const char *dest, const char *div)
{
	char hdr[512], pay[512], params[256];

	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"div\",\"typ\":\"passport\","
	    "\"x5u\":\"%s/%s-chain.pem\"}", base, cred);
	snprintf(pay, sizeof(pay), "{\"dest\":{\"tn\":[\"%s\"]},\"div\":{\"tn\":\"%s\"},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"%s\"}}", dest, div, (long)time(NULL), orig);
	snprintf(params, sizeof(params), ";info=<%s/%s-chain.pem>;alg=ES256;ppt=div", base, cred);
	return h_jws(&H, strcmp(cred, "sp") == 0 ? "sp.key" : "tn.key", hdr, pay, params);
}

/* The original call, then two diversions: CALLED -> FWD1 -> FWD2. */
START_TEST(a_two_hop_diversion_chain_verifies)
{
	char orig[8192], div1[8192], div2[8192];
	json_t *res, *dv, *hops;

	ctl(0, orig, sizeof(orig), "sign --orig " CALLER " --dest " CALLED " --attest A");
	ctl(0, div1, sizeof(div1), "sign --ppt div --original '%s' --dest " FWD1, orig);
	ck_assert_ptr_nonnull(strstr(div1, ";ppt=div"));
	ctl(0, div2, sizeof(div2), "sign --ppt div --original '%s' --dest " FWD2, div1);
	res = verify(0, "--identity '%s' --identity '%s' --identity '%s' --from " CALLER
	    " --to " CALLED " --request-uri tel:+" FWD2
	    " --history-info '<tel:+" CALLED ">;index=1, <tel:+" FWD1 ">;index=1.1, <tel:+" FWD2 ">;index=1.1.1'",
	    orig, div1, div2);
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Passed");
	for (size_t i = 0; i < 3; i++)
		ck_assert_msg(json_is_true(json_object_get(ident(res, i), "valid")), "%zu: %s", i, out);
	dv = json_object_get(res, "diversion");
	ck_assert_msg(json_is_true(json_object_get(dv, "verified")), "%s", out);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(json_object_get(dv,
	    "target"), "tn"), 0)), FWD2);
	hops = json_object_get(dv, "hops");
	ck_assert_int_eq(json_array_size(hops), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(hops, 0), "from")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(hops, 1), "from")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(hops, 1), "depth")), 2);
	ck_assert(json_is_true(json_object_get(json_array_get(hops, 1), "in_history")));
	json_decref(res);

	/* the last hop must lead where the request went */
	res = verify(0, "--identity '%s' --identity '%s' --identity '%s' --from " CALLER
	    " --to " CALLED " --request-uri tel:+19995550000", orig, div1, div2);
	ck_assert_int_eq(code_at(res, 2), 438);
	ck_assert_ptr_nonnull(strstr(detail_at(res, 2), "Request-URI"));
	ck_assert(json_is_false(json_object_get(json_object_get(res, "diversion"), "verified")));
	json_decref(res);

	/* stird will not sign a diversion that is none, or from a number not diverted */
	ctl(1, NULL, 0, "sign --ppt div --original '%s' --dest " CALLED " 2>&1", orig);
	ck_assert_ptr_nonnull(strstr(out, "nothing was diverted"));
	ctl(1, NULL, 0, "sign --ppt div --original '%s' --dest " FWD1 " --div 12125559999 2>&1", orig);
	ck_assert_ptr_nonnull(strstr(out, "not a dest of the original"));
	/* a field that does not apply is refused, not ignored */
	ctl(1, NULL, 0, "sign --ppt div --original '%s' --dest " FWD1 " --rcd 2>&1", orig);
	ck_assert_ptr_nonnull(strstr(out, "field 'rcd' does not apply to ppt div"));
	ctl(1, NULL, 0, "sign --orig " CALLER " --dest " CALLED " --attest A --div " CALLED " 2>&1");
	ck_assert_ptr_nonnull(strstr(out, "field 'div' does not apply to ppt shaken"));
}
END_TEST

/* A broken link fails that hop only; the original still verifies. */
START_TEST(a_broken_chain_fails_only_its_hop)
{
	char orig[8192];
	char *bad;
	json_t *res;

	ctl(0, orig, sizeof(orig), "sign --orig " CALLER " --dest " CALLED " --attest A");
	/* a div that no PASSporT's dest holds */
	bad = foreign_div("sp", CALLER, FWD1, "12125559999");
	res = verify(0, "--identity '%s' --identity '%s' --from " CALLER " --to " CALLED, orig, bad);
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Passed");
	ck_assert(json_is_true(json_object_get(ident(res, 0), "valid")));
	ck_assert_int_eq(code_at(res, 1), 438);
	ck_assert_ptr_nonnull(strstr(detail_at(res, 1), "is not the dest of any other PASSporT"));
	ck_assert_int_eq(json_array_size(json_object_get(res, "reason")), 1);
	free(bad);
	json_decref(res);
	/* a swapped orig */
	bad = foreign_div("sp", "19995550000", FWD1, CALLED);
	res = verify(0, "--identity '%s' --identity '%s' --from " CALLER " --to " CALLED, orig, bad);
	ck_assert_int_eq(code_at(res, 1), 438);
	ck_assert_msg(strstr(detail_at(res, 1), "orig") != NULL, "%s", out);
	free(bad);
	json_decref(res);
	/* a credential that does not cover the diverting number (tn: 1215555xxxx) */
	bad = foreign_div("tn", CALLER, FWD1, CALLED);
	res = verify(0, "--identity '%s' --identity '%s' --from " CALLER " --to " CALLED, orig, bad);
	ck_assert_int_eq(code_at(res, 1), 438);
	ck_assert_str_eq(detail_at(res, 1), "the certificate's TNAuthList does not cover div");
	free(bad);
	json_decref(res);
	/* and stird itself refuses to sign it */
	ctl(1, NULL, 0, "sign --ppt div --original '%s' --dest " FWD1 " --cred tn 2>&1", orig);
	ck_assert_ptr_nonnull(strstr(out, "does not cover"));
}
END_TEST

/* div-o carries the original inside opt: it verifies alone. */
START_TEST(div_o_carries_the_original_inside_opt)
{
	char orig[8192], divo[16384];
	json_t *res;

	ctl(0, orig, sizeof(orig), "sign --orig " CALLER " --dest " CALLED " --attest B");
	ctl(0, divo, sizeof(divo), "sign --ppt div-o --original '%s' --dest " FWD1, orig);
	ck_assert_ptr_nonnull(strstr(divo, ";ppt=div-o"));
	res = verify(0, "--identity '%s' --from " CALLER " --to " CALLED " --request-uri " FWD1, divo);
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Passed");
	/* the nested original is an identity of its own */
	ck_assert_int_eq(json_array_size(json_object_get(res, "identities")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(ident(res, 1), "nested_in")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(ident(res, 1), "ppt")), "shaken");
	ck_assert(json_is_true(json_object_get(json_object_get(res, "diversion"), "verified")));
	json_decref(res);
	/* an original that does not verify (To is not its dest) breaks the hop */
	res = verify(1, "--identity '%s' --from " CALLER " --to 12125557777", divo);
	ck_assert_int_eq(code_at(res, 0), 438);
	ck_assert_ptr_nonnull(strstr(detail_at(res, 0), "inside opt"));
	json_decref(res);
}
END_TEST

/* secsipidx signs a div PASSporT from JSON; stird verifies the chain. */
START_TEST(a_div_passport_from_secsipidx_verifies)
{
	char orig[8192], div[8192], hdr[512], pay[512];
	json_t *res;

	if (system("command -v secsipidx >/dev/null 2>&1") != 0) {
		fprintf(stderr, "secsipidx is not installed: interop test skipped\n");
		return;
	}
	ctl(0, orig, sizeof(orig), "sign --orig " CALLER " --dest " CALLED " --attest A");
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"div\",\"typ\":\"passport\","
	    "\"x5u\":\"%s/sp-chain.pem\"}", base);
	snprintf(pay, sizeof(pay), "{\"dest\":{\"tn\":[\"" FWD1 "\"]},\"div\":{\"tn\":\"" CALLED
	    "\"},\"iat\":%ld,\"orig\":{\"tn\":\"" CALLER "\"}}", (long)time(NULL));
	ck_assert_int_eq(h_sh(div, sizeof(div), "secsipidx -sign -header '%s' -payload '%s' -k '%s/sp.key'",
	    hdr, pay, H.pki), 0);
	h_last_line(div);
	snprintf(div + strlen(div), sizeof(div) - strlen(div), ";info=<%s/sp-chain.pem>;alg=ES256;ppt=\"div\"",
	    base);
	res = verify(0, "--identity '%s' --identity '%s' --from " CALLER " --to " CALLED
	    " --request-uri " FWD1, orig, div);
	ck_assert_msg(json_is_true(json_object_get(ident(res, 1), "valid")), "%s", out);
	ck_assert(json_is_true(json_object_get(json_object_get(res, "diversion"), "verified")));
	json_decref(res);
}
END_TEST

static const char *
write_file(const char *name, const char *content)
{
	static char path[H_PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", H.dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(content, f);
	fclose(f);
	return path;
}

#define MIXED	"multipart/mixed; boundary=\"b1\""
static const char MULTIPART[] =
    "--b1\r\nContent-Type: text/plain\r\n\r\nYour code is 4711\r\n"
    "--b1\r\nContent-Type: image/png\r\n\r\n\x89PNG fake\r\n--b1--\r\n";

/* msg: msgi over the body, plain and multipart; a changed body fails. */
START_TEST(messages_are_signed_over_their_body)
{
	char id[8192], path[H_PATH_MAX + 64], mpath[H_PATH_MAX + 64], tpath[H_PATH_MAX + 64];
	json_t *res, *payload;
	char *dot, *dot2;

	snprintf(path, sizeof(path), "%s", write_file("body.txt", "Hello from stird\r\n"));
	snprintf(mpath, sizeof(mpath), "%s", write_file("body.mime", MULTIPART));
	snprintf(tpath, sizeof(tpath), "%s", write_file("tampered.txt", "Hello from stird!\r\n"));
	ctl(0, id, sizeof(id), "sign --ppt msg --orig " CALLER " --dest " CALLED
	    " --body-file '%s' --content-type text/plain", path);
	ck_assert_ptr_nonnull(strstr(id, ";ppt=msg"));
	dot = strchr(id, '.');
	dot2 = strchr(dot + 1, '.');
	{
		uint8_t *bin = NULL;
		size_t n = 0;
		char digest[128];

		ck_assert_int_eq(stir_b64url_decode(dot + 1, (size_t)(dot2 - dot - 1), &bin, &n), 0);
		payload = json_loadb((const char *)bin, n, 0, NULL);
		free(bin);
		ck_assert_int_eq(h_sh(digest, sizeof(digest), "printf 'sha256-%%s' \"$(openssl dgst -sha256 -binary '%s' | base64 | tr -d =)\"",
		    path), 0);
		ck_assert_str_eq(json_string_value(json_object_get(payload, "msgi")), digest);
		ck_assert_ptr_null(json_object_get(payload, "attest"));
		json_decref(payload);
	}
	res = verify(0, "--identity '%s' --from " CALLER " --to " CALLED " --body-file '%s'", id, path);
	ck_assert_str_eq(json_string_value(json_object_get(ident(res, 0), "msgi")), "matched");
	json_decref(res);
	res = verify(1, "--identity '%s' --from " CALLER " --to " CALLED " --body-file '%s'", id, tpath);
	ck_assert_int_eq(code_at(res, 0), 438);
	ck_assert_str_eq(detail_at(res, 0), "the message body does not match msgi");
	json_decref(res);
	/* multipart: the whole MIME body, delimiters and part headers included */
	ctl(0, id, sizeof(id), "sign --ppt msg --orig " CALLER " --dest " CALLED
	    " --body-file '%s' --content-type '" MIXED "'", mpath);
	res = verify(0, "--identity '%s' --from " CALLER " --to " CALLED " --body-file '%s'"
	    " --content-type '" MIXED "'", id, mpath);
	ck_assert_str_eq(json_string_value(json_object_get(ident(res, 0), "msgi")), "matched");
	json_decref(res);
	/* a multipart type whose body lacks its boundary is refused */
	ctl(1, NULL, 0, "sign --ppt msg --orig " CALLER " --dest " CALLED
	    " --body-file '%s' --content-type 'multipart/mixed; boundary=zz' 2>&1", path);
	ck_assert_ptr_nonnull(strstr(out, "delimiter"));
}
END_TEST

/* A body over msg_max_body_bytes gets a clear error. */
START_TEST(an_oversized_body_is_refused)
{
	char big[600];

	teardown();
	setup_with("msg_max_body_bytes = 256\n");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ctl(1, NULL, 0, "sign --ppt msg --orig " CALLER " --dest " CALLED " --body-file '%s' 2>&1",
	    write_file("big.txt", big));
	ck_assert_ptr_nonnull(strstr(out, "msg_max_body_bytes"));
	ck_assert_ptr_nonnull(strstr(out, "ETOOBIG"));
}
END_TEST

/* A group message: the exploder diverts from the group to each member. */
START_TEST(a_group_message_through_an_exploder_verifies)
{
	char msg[8192], div[2][8192], path[H_PATH_MAX + 64];
	static const char *const members[] = { "12125550301", "12125550302" };
	json_t *res;

	snprintf(path, sizeof(path), "%s", write_file("group.txt", "Team meeting at 10\r\n"));
	/* the sender addresses the group's number */
	ctl(0, msg, sizeof(msg), "sign --ppt msg --orig " CALLER " --dest 12125557000 --body-file '%s'",
	    path);
	for (size_t i = 0; i < 2; i++) {
		ctl(0, div[i], sizeof(div[i]), "sign --ppt div --original '%s' --dest %s", msg,
		    members[i]);
		/* each member: To stays the group, the Request-URI is the member */
		res = verify(0, "--identity '%s' --identity '%s' --from " CALLER " --to 12125557000"
		    " --request-uri %s --body-file '%s'", msg, div[i], members[i], path);
		ck_assert_msg(json_is_true(json_object_get(json_object_get(res, "diversion"),
		    "verified")), "%s", out);
		ck_assert_str_eq(json_string_value(json_array_get(json_object_get(json_object_get(
		    json_object_get(res, "diversion"), "target"), "tn"), 0)), members[i]);
		ck_assert_str_eq(json_string_value(json_object_get(ident(res, 0), "msgi")), "matched");
		json_decref(res);
	}
	/* one member's div does not serve the other */
	res = verify(0, "--identity '%s' --identity '%s' --from " CALLER " --to 12125557000"
	    " --request-uri %s", msg, div[0], members[1]);
	ck_assert_int_eq(code_at(res, 1), 438);
	json_decref(res);
}
END_TEST

/* rsp: the called side proves the number reached; the caller checks it. */
START_TEST(connected_identity_is_signed_and_checked)
{
	char rsp[8192], *bad, hdr[512], pay[512], params[256];
	json_t *res, *con;

	ctl(0, rsp, sizeof(rsp), "sign --ppt rsp --orig " CALLER " --dest " CALLED);
	ck_assert_ptr_nonnull(strstr(rsp, ";ppt=rsp"));
	res = verify(0, "--response --identity '%s' --from " CALLER " --to " CALLED, rsp);
	ck_assert_str_eq(json_string_value(json_object_get(res, "mode")), "response");
	con = json_object_get(res, "connected");
	ck_assert_msg(json_is_true(json_object_get(con, "verified")), "%s", out);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(con, "number"), "tn")), CALLED);
	json_decref(res);
	/* later requests of the dialog: pinned to the answering certificate */
	{
		char fp[80], tnrsp[8192];

		res = verify(0, "--response --identity '%s' --from " CALLER " --to " CALLED, rsp);
		snprintf(fp, sizeof(fp), "%s", json_string_value(json_object_get(json_object_get(
		    ident(res, 0), "cert"), "sha256")));
		ck_assert_uint_eq(strlen(fp), 64);
		json_decref(res);
		res = verify(0, "--response --expect-cert %s --identity '%s' --from " CALLER
		    " --to " CALLED, fp, rsp);
		json_decref(res);
		/* the same dialog answered with another certificate (tn covers 12025551000) */
		ctl(0, tnrsp, sizeof(tnrsp), "sign --ppt rsp --orig " CALLER " --dest 12025551000");
		res = verify(1, "--response --expect-cert %s --identity '%s' --from " CALLER
		    " --to 12025551000", fp, tnrsp);
		ck_assert_ptr_nonnull(strstr(detail_at(res, 0), "expect_cert"));
		json_decref(res);
	}
	/* in a request it is ignored */
	res = verify(1, "--identity '%s' --from " CALLER " --to " CALLED, rsp);
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "No-TN-Validation");
	ck_assert(json_is_true(json_object_get(ident(res, 0), "ignored")));
	json_decref(res);
	/* signed by the wrong party: tn does not cover the called number */
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"rsp\",\"typ\":\"passport\","
	    "\"x5u\":\"%s/tn-chain.pem\"}", base);
	snprintf(pay, sizeof(pay), "{\"dest\":{\"tn\":[\"" CALLED "\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"" CALLER "\"}}", (long)time(NULL));
	snprintf(params, sizeof(params), ";info=<%s/tn-chain.pem>;alg=ES256;ppt=rsp", base);
	bad = h_jws(&H, "tn.key", hdr, pay, params);
	res = verify(1, "--response --identity '%s' --from " CALLER " --to " CALLED, bad);
	ck_assert_str_eq(detail_at(res, 0), "the certificate's TNAuthList does not cover dest");
	ck_assert(json_is_false(json_object_get(json_object_get(res, "connected"), "verified")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(res, "action"), "do")),
	    "terminate");
	free(bad);
	json_decref(res);
	/* stale */
	ctl(0, rsp, sizeof(rsp), "sign --ppt rsp --orig " CALLER " --dest " CALLED " --iat %ld",
	    (long)time(NULL) - 3600);
	res = verify(1, "--response --identity '%s' --from " CALLER " --to " CALLED, rsp);
	ck_assert_int_eq(code_at(res, 0), 403);
	json_decref(res);
	/* a response to an anonymous call: orig is the anonymous URI, as received */
	ctl(0, rsp, sizeof(rsp), "sign --ppt rsp --orig sip:anonymous@anonymous.invalid --dest " CALLED);
	res = verify(0, "--response --identity '%s' --from '\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=1'"
	    " --to " CALLED, rsp);
	ck_assert(json_is_true(json_object_get(json_object_get(res, "connected"), "verified")));
	json_decref(res);
	/* a number that does not answer connected-identity requests */
	ctl(1, NULL, 0, "sign --ppt rsp --orig " CALLER " --dest 14155550100 2>&1");
	ck_assert_ptr_nonnull(strstr(out, "connected_identity"));
}
END_TEST

/* Retargeted: the party reached proves its number, with a div from To. */
START_TEST(connected_identity_after_retargeting)
{
	char orig[8192], div[8192], rsp[8192];
	json_t *res;

	ctl(0, orig, sizeof(orig), "sign --orig " CALLER " --dest " CALLED " --attest A");
	ctl(0, div, sizeof(div), "sign --ppt div --original '%s' --dest 12025551000", orig);
	ctl(0, rsp, sizeof(rsp), "sign --ppt rsp --orig " CALLER " --dest 12025551000");
	res = verify(0, "--response --identity '%s' --identity '%s' --from " CALLER " --to " CALLED,
	    div, rsp);
	ck_assert_msg(json_is_true(json_object_get(json_object_get(res, "connected"), "verified")),
	    "%s", out);
	ck_assert(json_is_true(json_object_get(json_object_get(res, "connected"), "retargeted")));
	json_decref(res);
	/* the same with div-o, whose nested original is the request's */
	ctl(0, div, sizeof(div), "sign --ppt div-o --original '%s' --dest 12025551000", orig);
	res = verify(0, "--response --identity '%s' --identity '%s' --from " CALLER " --to " CALLED,
	    div, rsp);
	ck_assert_msg(json_is_true(json_object_get(json_object_get(res, "connected"), "verified")),
	    "%s", out);
	ck_assert_str_eq(json_string_value(json_object_get(ident(res, 2), "ppt")), "shaken");
	ck_assert(json_is_true(json_object_get(ident(res, 2), "valid")));
	json_decref(res);
	/* a valid div does not make up for an rsp that fails */
	ctl(0, rsp, sizeof(rsp), "sign --ppt rsp --orig " CALLER " --dest 12025551000 --iat %ld",
	    (long)time(NULL) - 3600);
	res = verify(1, "--response --identity '%s' --identity '%s' --from " CALLER " --to " CALLED,
	    div, rsp);
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Failed");
	ck_assert(json_is_false(json_object_get(json_object_get(res, "connected"), "verified")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(res, "action"), "do")),
	    "terminate");
	json_decref(res);
	ctl(0, rsp, sizeof(rsp), "sign --ppt rsp --orig " CALLER " --dest 12025551000");
	/* without the div, another number answering proves nothing */
	res = verify(1, "--response --identity '%s' --from " CALLER " --to " CALLED, rsp);
	ck_assert_ptr_nonnull(strstr(detail_at(res, 0), "no div PASSporT leads to it"));
	json_decref(res);
}
END_TEST

/*
 * A request of the called party's, sent back in the dialog (BYE,
 * re-INVITE, UPDATE), as its SIP element would sign it: the RFC 9970
 * section 9 claim set's shape (orig the caller, dest the connected party,
 * not swapped) in a base PASSporT, since rsp MUST NOT be in a request;
 * key is tn or sp (free()).
 */
static char *
backward_passport(const char *key, const char *dest)
{
	char hdr[512], pay[512], params[256];
	const char *chain = strcmp(key, "tn") == 0 ? "tn-chain.pem" : "sp-chain.pem";
	char keyfile[16];

	snprintf(keyfile, sizeof(keyfile), "%s.key", key);
	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"%s/%s\"}",
	    base, chain);
	snprintf(pay, sizeof(pay), "{\"dest\":{\"tn\":[\"%s\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"" CALLER "\"}}", dest, (long)time(NULL));
	snprintf(params, sizeof(params), ";info=<%s/%s>;alg=ES256", base, chain);
	return h_jws(&H, keyfile, hdr, pay, params);
}

/*
 * RFC 9970 section 6: after a retargeted call is answered with rsp, the
 * called party's BYE is verified for the connected dest, pinned to the
 * number and certificate the first response proved.
 */
START_TEST(the_called_partys_bye_is_verified_for_the_connected_dest)
{
	char orig[8192], div[8192], rsp[8192], fp[80], number[32], *bye, *forged, *other;
	json_t *res, *con;

	/* the first response: CALLED was retargeted to 12025551000, which answers */
	ctl(0, orig, sizeof(orig), "sign --orig " CALLER " --dest " CALLED " --attest A");
	ctl(0, div, sizeof(div), "sign --ppt div --original '%s' --dest 12025551000", orig);
	ctl(0, rsp, sizeof(rsp), "sign --ppt rsp --orig " CALLER " --dest 12025551000");
	res = verify(0, "--response --identity '%s' --identity '%s' --from " CALLER " --to " CALLED,
	    div, rsp);
	con = json_object_get(res, "connected");
	ck_assert_msg(json_is_true(json_object_get(con, "verified")), "%s", out);
	/* what the caller keeps for the dialog: the number and the certificate */
	snprintf(number, sizeof(number), "%s",
	    json_string_value(json_object_get(json_object_get(con, "number"), "tn")));
	ck_assert_str_eq(number, "12025551000");
	snprintf(fp, sizeof(fp), "%s", json_string_value(json_object_get(con, "cert_sha256")));
	ck_assert_uint_eq(strlen(fp), 64);
	ck_assert_str_eq(fp, json_string_value(json_object_get(json_object_get(ident(res, 1),
	    "cert"), "sha256")));
	json_decref(res);

	/* the BYE: signed by the answering party for its own number */
	bye = backward_passport("tn", number);
	res = verify(0, "--backward --connected-dest %s --expect-cert %s --identity '%s'"
	    " --from " CALLER " --to " CALLED, number, fp, bye);
	ck_assert_str_eq(json_string_value(json_object_get(res, "mode")), "backward");
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Passed");
	con = json_object_get(res, "connected");
	ck_assert(json_is_true(json_object_get(con, "verified")));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(con, "number"), "tn")),
	    number);
	json_decref(res);
	/* without connected_dest the dest must be To: this dialog was retargeted */
	res = verify(1, "--backward --expect-cert %s --identity '%s' --from " CALLER " --to " CALLED,
	    fp, bye);
	ck_assert_int_eq(code_at(res, 0), 438);
	ck_assert_str_eq(detail_at(res, 0),
	    "dest is not the dest the dialog's first response asserted (RFC 9970 section 6)");
	/* a backward request can be refused (default failure_action reject) */
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(res, "action"), "do")),
	    "reject");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "action"),
	    "code")), 438);
	json_decref(res);
	/* the same signer for another of its numbers: not the dialog's dest */
	other = backward_passport("tn", "12155550100");
	res = verify(1, "--backward --connected-dest %s --identity '%s' --from " CALLER
	    " --to " CALLED, number, other);
	ck_assert_str_eq(detail_at(res, 0),
	    "dest is not the dest the dialog's first response asserted (RFC 9970 section 6)");
	json_decref(res);

	/* a BYE forged with an SPC certificate (it covers every number): only
	 * the pinned certificate tells it apart */
	forged = backward_passport("sp", number);
	res = verify(0, "--backward --connected-dest %s --identity '%s' --from " CALLER
	    " --to " CALLED, number, forged);
	json_decref(res);
	res = verify(1, "--backward --connected-dest %s --expect-cert %s --identity '%s'"
	    " --from " CALLER " --to " CALLED, number, fp, forged);
	ck_assert_ptr_nonnull(strstr(detail_at(res, 0), "expect_cert"));
	ck_assert(json_is_false(json_object_get(json_object_get(res, "connected"), "verified")));
	json_decref(res);

	/* rsp is ignored in a request (RFC 9970 section 9), backward too */
	res = verify(1, "--backward --connected-dest %s --identity '%s' --from " CALLER
	    " --to " CALLED, number, rsp);
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "No-TN-Validation");
	ck_assert(json_is_true(json_object_get(ident(res, 0), "ignored")));
	ck_assert_str_eq(detail_at(res, 0), "ppt 'rsp' does not belong in a backward request");
	con = json_object_get(res, "connected");
	ck_assert(json_is_false(json_object_get(con, "verified")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(con, "detail")),
	    "no PASSporT of the connected party"));
	json_decref(res);
	/* connected_dest belongs to backward requests only */
	ctl(2, NULL, 0, "verify --response --connected-dest %s --identity '%s' --from " CALLER
	    " --to " CALLED " 2>&1", number, rsp);
	ck_assert_ptr_nonnull(strstr(out, "connected_dest"));
	ctl(2, NULL, 0, "verify --backward --connected-dest sip:bob@example.org --identity '%s'"
	    " --from " CALLER " --to " CALLED " 2>&1", bye);
	ck_assert_ptr_nonnull(strstr(out, "field 'connected_dest' must be a telephone number"));
	free(bye);
	free(other);
	free(forged);
}
END_TEST

/* RFC 9410 under continue-with-reason, for responses and backward requests too. */
START_TEST(a_failed_response_returns_its_reason_values)
{
	char rsp[8192], *bye;
	json_t *res, *act, *reasons;

	teardown();
	setup_with("failure_action = continue-with-reason\n");
	/* a stale rsp: 403 */
	ctl(0, rsp, sizeof(rsp), "sign --ppt rsp --orig " CALLER " --dest " CALLED " --iat %ld",
	    (long)time(NULL) - 3600);
	res = verify(1, "--response --identity '%s' --from " CALLER " --to " CALLED, rsp);
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Failed");
	reasons = json_object_get(res, "reason");
	ck_assert_int_eq(json_array_size(reasons), 1);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(reasons, 0)),
	    "STIR;cause=403;text=\"Stale Date\";ppi=\".."));
	act = json_object_get(res, "action");
	ck_assert_str_eq(json_string_value(json_object_get(act, "do")), "continue");
	ck_assert_msg(json_equal(json_object_get(act, "reason"), reasons), "%s", out);
	json_decref(res);
	/* the same on the provisional response to a pre-call INVITE */
	res = verify(1, "--precall --identity '%s' --from " CALLER " --to " CALLED, rsp);
	act = json_object_get(res, "action");
	ck_assert_int_eq(json_array_size(json_object_get(act, "reason")), 1);
	json_decref(res);
	/* and on a backward request whose dest is not the dialog's */
	bye = backward_passport("tn", "12025551000");
	res = verify(1, "--backward --identity '%s' --from " CALLER " --to " CALLED, bye);
	act = json_object_get(res, "action");
	ck_assert_str_eq(json_string_value(json_object_get(act, "do")), "continue");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(json_object_get(act,
	    "reason"), 0)), "STIR;cause=438;"));
	json_decref(res);
	free(bye);
	/* a valid response has nothing to report */
	ctl(0, rsp, sizeof(rsp), "sign --ppt rsp --orig " CALLER " --dest " CALLED);
	res = verify(0, "--response --identity '%s' --from " CALLER " --to " CALLED, rsp);
	ck_assert_ptr_null(json_object_get(json_object_get(res, "action"), "reason"));
	json_decref(res);
}
END_TEST

/* precall: did the party reached prove its number before any media? */
START_TEST(a_precall_check_reports_the_party_reached)
{
	char rsp[8192], orig[8192];
	json_t *res, *con;

	ctl(0, rsp, sizeof(rsp), "sign --ppt rsp --orig " CALLER " --dest " CALLED);
	res = verify(0, "--precall --identity '%s' --from " CALLER " --to " CALLED, rsp);
	ck_assert_str_eq(json_string_value(json_object_get(res, "mode")), "precall");
	ck_assert(json_is_true(json_object_get(json_object_get(res, "connected"), "verified")));
	json_decref(res);
	/* a provisional response with no rsp: nothing proved */
	ctl(0, orig, sizeof(orig), "sign --orig " CALLER " --dest " CALLED " --attest A");
	res = verify(1, "--precall --identity '%s' --from " CALLER " --to " CALLED, orig);
	con = json_object_get(res, "connected");
	ck_assert(json_is_false(json_object_get(con, "verified")));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(con, "detail")), "before media"));
	json_decref(res);
}
END_TEST

/* Good and bad headers together: one Reason per failed header (RFC 9410). */
START_TEST(mixed_headers_get_one_reason_each)
{
	char good[8192], other[8192], *bad2;
	json_t *res, *reasons;
	char *bad1;

	teardown();
	setup_with("failure_action = continue-with-reason\n");
	ctl(0, good, sizeof(good), "sign --orig " CALLER " --dest " CALLED " --attest A");
	ctl(0, other, sizeof(other), "sign --orig " CALLER " --dest " CALLED " --attest C");
	/* a flipped signature byte, and an x5u nobody serves */
	bad1 = strdup(other);
	{
		char *semi = strchr(bad1, ';');

		semi[-2] = semi[-2] == 'A' ? 'B' : 'A';
	}
	{
		char hdr[512], pay[512], params[256];

		snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","
		    "\"x5u\":\"%s/nosuch.pem\"}", base);
		snprintf(pay, sizeof(pay), "{\"attest\":\"A\",\"dest\":{\"tn\":[\"" CALLED "\"]},\"iat\":%ld,"
		    "\"orig\":{\"tn\":\"" CALLER "\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
		    (long)time(NULL));
		snprintf(params, sizeof(params), ";info=<%s/nosuch.pem>;alg=ES256;ppt=shaken", base);
		bad2 = h_jws(&H, "sp.key", hdr, pay, params);
	}
	res = verify(0, "--identity '%s' --identity '%s' --identity '%s' --from " CALLER " --to " CALLED,
	    bad1, good, bad2);
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Passed");
	ck_assert_int_eq(code_at(res, 0), 438);
	ck_assert_int_eq(code_at(res, 2), 436);
	reasons = json_object_get(res, "reason");
	ck_assert_int_eq(json_array_size(reasons), 2);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(reasons, 0)),
	    "STIR;cause=438;text=\"Invalid Identity Header\";ppi=\".."));
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(reasons, 1)), "STIR;cause=436;"));
	ck_assert_str_eq(json_string_value(json_object_get(ident(res, 2), "reason")),
	    json_string_value(json_array_get(reasons, 1)));
	/* continue-with-reason: the Reason values go into the next response */
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(res, "action"), "do")),
	    "continue");
	ck_assert_int_eq(json_array_size(json_object_get(json_object_get(res, "action"), "reason")), 2);
	json_decref(res);
	/* all bad: still continue under this policy, with the Reasons */
	res = verify(1, "--identity '%s' --identity '%s' --from " CALLER " --to " CALLED, bad1, bad2);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(res, "action"), "do")),
	    "continue");
	json_decref(res);
	free(bad1);
	free(bad2);
	/* the default policy rejects with the SIP code */
	teardown();
	setup();
	ctl(0, other, sizeof(other), "sign --orig " CALLER " --dest " CALLED " --attest A");
	res = verify(1, "--identity '%s' --from 19995550000 --to " CALLED, other);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(res, "action"), "do")),
	    "reject");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "action"), "code")), 438);
	json_decref(res);
}
END_TEST

/* Replay detection does not break a call forwarded back, nor div-o. */
START_TEST(replay_detection_and_diversion)
{
	char orig[8192], div[8192], divo[16384];
	json_t *res;

	teardown();
	setup_with("replay_window = 60\nreplay_reject = yes\n");
	ctl(0, orig, sizeof(orig), "sign --orig " CALLER " --dest " CALLED " --attest A");
	res = verify(0, "--identity '%s' --from " CALLER " --to " CALLED, orig);
	json_decref(res);
	/* the call is forwarded and comes back through this stird with its div */
	ctl(0, div, sizeof(div), "sign --ppt div --original '%s' --dest " FWD1, orig);
	res = verify(0, "--identity '%s' --identity '%s' --from " CALLER " --to " CALLED
	    " --request-uri " FWD1, orig, div);
	ck_assert_msg(json_is_true(json_object_get(json_object_get(res, "diversion"), "verified")),
	    "%s", out);
	ck_assert(json_is_false(json_object_get(ident(res, 0), "replay")));
	json_decref(res);
	/* a div-o carries the same original inside: not a replay of it */
	ctl(0, divo, sizeof(divo), "sign --ppt div-o --original '%s' --dest " FWD2, orig);
	res = verify(0, "--identity '%s' --from " CALLER " --to " CALLED, divo);
	ck_assert_msg(json_is_true(json_object_get(ident(res, 0), "valid")), "%s", out);
	json_decref(res);
	/* the original alone again is a replay */
	res = verify(1, "--identity '%s' --from " CALLER " --to " CALLED, orig);
	ck_assert(json_is_true(json_object_get(ident(res, 0), "replay")));
	json_decref(res);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("extensions");
	TCase *tc = tcase_create("extensions");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_two_hop_diversion_chain_verifies);
	tcase_add_test(tc, a_broken_chain_fails_only_its_hop);
	tcase_add_test(tc, div_o_carries_the_original_inside_opt);
	tcase_add_test(tc, a_div_passport_from_secsipidx_verifies);
	tcase_add_test(tc, messages_are_signed_over_their_body);
	tcase_add_test(tc, an_oversized_body_is_refused);
	tcase_add_test(tc, a_group_message_through_an_exploder_verifies);
	tcase_add_test(tc, connected_identity_is_signed_and_checked);
	tcase_add_test(tc, connected_identity_after_retargeting);
	tcase_add_test(tc, a_precall_check_reports_the_party_reached);
	tcase_add_test(tc, the_called_partys_bye_is_verified_for_the_connected_dest);
	tcase_add_test(tc, a_failed_response_returns_its_reason_values);
	tcase_add_test(tc, mixed_headers_get_one_reason_each);
	tcase_add_test(tc, replay_detection_and_diversion);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
