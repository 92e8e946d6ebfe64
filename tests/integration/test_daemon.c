/*
 * test_daemon.c: integration tests: the real stird in a temp directory,
 * with a real SQLite file and a test PKI, driven by stirctl, libstirclient
 * and raw protocol lines.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>

#include "stirclient.h"
#include "daemon/stir/passport.h"
#include "harness.h"

static struct h H;
static char out[H_OUT_MAX];

static void
setup(void)
{
	h_init(&H, NULL);
	ck_assert_msg(h_start(&H), "stird did not start");
}

static void
teardown(void)
{
	h_teardown(&H);
}

/* Verify an Identity header value's ES256 signature with the certificate. */
static int
verify_identity(const char *identity, const char *cert_file, json_t **ret_payload)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t pem = { NULL, 0 }, data, der = { NULL, 0 }, r, s;
	const char *semi = strchr(identity, ';'), *dot1, *dot2;
	uint8_t *sig = NULL, *pl = NULL;
	size_t siglen = 0, pllen = 0;
	int rc = -1;

	if (semi == NULL || (dot1 = strchr(identity, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL || dot2 > semi)
		return -1;
	if (gnutls_load_file(cert_file, &pem) < 0 || gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_import(crt, &pem, GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_pubkey_init(&pub) < 0 || gnutls_pubkey_import_x509(pub, crt, 0) < 0)
		goto out;
	if (stir_b64url_decode(dot2 + 1, (size_t)(semi - dot2 - 1), &sig, &siglen) != 0 ||
	    siglen != 64)
		goto out;
	r.data = sig;
	r.size = 32;
	s.data = sig + 32;
	s.size = 32;
	if (gnutls_encode_rs_value(&der, &r, &s) < 0)
		goto out;
	data.data = (unsigned char *)identity;
	data.size = (unsigned)(dot2 - identity);
	if (gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_ECDSA_SHA256, 0, &data, &der) < 0)
		goto out;
	if (ret_payload != NULL) {
		if (stir_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), &pl, &pllen) != 0 ||
		    (*ret_payload = json_loadb((const char *)pl, pllen, 0, NULL)) == NULL)
			goto out;
	}
	rc = 0;
 out:
	free(sig);
	free(pl);
	gnutls_free(der.data);
	gnutls_free(pem.data);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crt_deinit(crt);
	return rc;
}

START_TEST(sign_with_stirctl_verifies_with_the_certificate)
{
	json_t *payload = NULL;
	char cert[H_PATH_MAX + 16];
	char *id;

	h_provision(&H);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --from 'sip:+1-215-555-1212@example.com;user=phone' --to 'tel:+1-212-555-1213'"
	    " --attest A --origid 123e4567-e89b-12d3-a456-426655440000"), 0);
	id = h_last_line(out);
	ck_assert_msg(strstr(id, ";info=<https://cert.example.org/sp.pem>;alg=ES256;ppt=shaken") != NULL,
	    "identity: %s", id);
	snprintf(cert, sizeof(cert), "%s/sp.pem", H.pki);
	ck_assert_int_eq(verify_identity(id, cert, &payload), 0);
	ck_assert_str_eq(json_string_value(json_object_get(payload, "attest")), "A");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(payload, "orig"), "tn")),
	    "12155551212");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(json_object_get(payload,
	    "dest"), "tn"), 0)), "12125551213");
	ck_assert_str_eq(json_string_value(json_object_get(payload, "origid")),
	    "123e4567-e89b-12d3-a456-426655440000");
	json_decref(payload);
	/* a different certificate's key does not verify it */
	snprintf(cert, sizeof(cert), "%s/tn.pem", H.pki);
	ck_assert_int_ne(verify_identity(id, cert, NULL), 0);
}
END_TEST

START_TEST(secsipidx_accepts_our_signature)
{
	char idf[H_PATH_MAX + 16], pub[H_PATH_MAX + 16];
	FILE *f;

	if (system("command -v secsipidx >/dev/null 2>&1") != 0) {
		ck_assert_msg(getenv("STIR_ALLOW_NO_SECSIPIDX") != NULL,
		    "secsipidx is not installed (apt-get install secsipidx)");
		return;
	}
	h_provision(&H);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest B"), 0);
	snprintf(idf, sizeof(idf), "%s/identity.txt", H.dir);
	snprintf(pub, sizeof(pub), "%s/sp.pub", H.dir);
	f = fopen(idf, "w");
	ck_assert_ptr_nonnull(f);
	fputs(h_last_line(out), f);
	fclose(f);
	ck_assert_int_eq(h_sh(NULL, 0, "openssl pkey -in '%s/sp.key' -pubout -out '%s'", H.pki, pub), 0);
	ck_assert_int_eq(h_sh(out, sizeof(out), "secsipidx -check -fidentity '%s' -fpubkey '%s' -expire 300 2>&1",
	    idf, pub), 0);
	/* and rejects it with the wrong public key */
	ck_assert_int_eq(h_sh(NULL, 0, "openssl pkey -in '%s/tn.key' -pubout -out '%s'", H.pki, pub), 0);
	ck_assert_int_ne(h_sh(out, sizeof(out), "secsipidx -check -fidentity '%s' -fpubkey '%s' -expire 300 2>&1",
	    idf, pub), 0);
}
END_TEST

START_TEST(libstirclient_signs_and_picks_the_credential_by_tn)
{
	struct stir_client *c = NULL;
	const char *dest[] = { "12125551213", "sip:bob@example.net" };
	struct stir_sign_req req = { "12155550042", dest, 2, "C", NULL, 0, NULL };
	char *identity = NULL, *result = NULL, cert[H_PATH_MAX + 16];
	json_t *res, *payload = NULL;

	h_provision(&H);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add tn --key '%s/tn.key' --chain '%s/tn-chain.pem' --x5u https://cert.example.org/tn.pem",
	    H.pki, H.pki), 0);
	ck_assert_int_eq(stir_client_connect(H.sock, 5000, &c), STIR_OK);
	ck_assert_int_eq(stir_client_sign(c, &req, &identity, &result), STIR_OK);
	res = json_loads(result, 0, NULL);
	ck_assert_ptr_nonnull(res);
	/* 12155550042 lies in tn's TNAuthList range: tn signs, not the SPC cred */
	ck_assert_str_eq(json_string_value(json_object_get(res, "cred")), "tn");
	snprintf(cert, sizeof(cert), "%s/tn.pem", H.pki);
	ck_assert_int_eq(verify_identity(identity, cert, &payload), 0);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(json_object_get(payload,
	    "dest"), "uri"), 0)), "sip:bob@example.net");
	json_decref(payload);
	json_decref(res);
	free(identity);
	free(result);
	identity = result = NULL;
	/* naming a credential that does not cover orig is refused */
	req.cred = "tn";
	req.orig = "19995550000";
	ck_assert_int_eq(stir_client_sign(c, &req, &identity, NULL), STIR_EPOLICY);
	ck_assert_ptr_nonnull(strstr(stir_client_errmsg(c), "does not cover"));
	req.cred = "nosuch";
	ck_assert_int_eq(stir_client_sign(c, &req, &identity, NULL), STIR_ENOENT);
	/* the connection is still good */
	ck_assert_int_eq(stir_client_ping(c), STIR_OK);
	stir_client_free(c);
}
END_TEST

START_TEST(protocol_errors_get_replies_and_the_connection_lives)
{
	static const char in[] =
	    "{\"v\":1,\"id\":\"a7\",\"op\":\"frobnicate\"}\n"
	    "{\"v\":1,\"id\":2,\"op\":\"ping\"}\n"
	    "not json\n"
	    "{\"v\":1,\"id\":4,\"id\":5,\"op\":\"ping\"}\n"
	    "{\"v\":1,\"id\":6,\"op\":\"sign\",\"orig\":12155551212,\"dest\":\"1\",\"attest\":\"A\"}\n"
	    "{\"v\":1,\"id\":7,\"op\":\"sign\",\"orig\":\"12155551212\",\"dest\":\"1\",\"attest\":\"A\",\"extra\":true}\n"
	    "{\"v\":1,\"id\":8,\"op\":\"sign\",\"dest\":\"1\",\"attest\":\"A\"}\n"
	    "{\"v\":9,\"id\":9,\"op\":\"ping\"}\n"
	    "{\"v\":9,\"id\":10,\"op\":\"hello\"}\n"
	    "{\"v\":1,\"id\":11,\"op\":\"cred.list\"}\n"
	    "{\"v\":1,\"id\":12,\"op\":\"verify\",\"identity\":[\"x\"],\"from\":\"sip:a@b\",\"to\":\"sip:c@d\"}\n"
	    "{\"v\":1,\"id\":13,\"op\":\"verify\",\"identity\":\"x\",\"from\":\"sip:a@b\",\"to\":\"sip:c@d\"}\n"
	    "[1,2]\n"
	    "{\"v\":1,\"id\":15,\"op\":\"sign\",\"orig\":\"12155551212\",\"dest\":\"1\",\"attest\":\"D\"}\n"
	    "{\"v\":1,\"id\":16,\"op\":\"ping\"}\n"
	    "{\"v\":\"1\",\"id\":17,\"op\":\"ping\"}\n"
	    "{\"v\":5000,\"id\":18,\"op\":\"hello\"}\n"
	    "{\"id\":19,\"op\":\"hello\"}\n"
	    "{\"v\":1,\"id\":20,\"op\":\"ping\"}\r\n";

	ck_assert_int_gt(h_raw(H.sock, in, sizeof(in) - 1, out, sizeof(out), 5000), 0);
	ck_assert_ptr_nonnull(strstr(out, "{\"v\":1,\"id\":\"a7\",\"error\":{\"code\":-1004,\"name\":\"EUNSUPP\",\"message\":\"unknown op 'frobnicate'\"}}"));
	ck_assert_ptr_nonnull(strstr(out, "{\"v\":1,\"id\":2,\"result\":{\"pong\":true"));
	/* not json, duplicate id, [1,2], and the CR-terminated line */
	ck_assert_int_eq(h_count(out, "\"id\":null,\"error\":{\"code\":-1000,\"name\":\"EPROTO\""), 4);
	ck_assert_ptr_nonnull(strstr(out, "\"id\":6,\"error\":{\"code\":-1003,\"name\":\"EBADREQ\",\"message\":\"field 'orig' must be a string\"}"));
	ck_assert_ptr_nonnull(strstr(out, "\"id\":7,\"error\":{\"code\":-1003,\"name\":\"EBADREQ\",\"message\":\"unknown field 'extra'\"}"));
	ck_assert_ptr_nonnull(strstr(out, "\"id\":8,\"error\":{\"code\":-1003,\"name\":\"EBADREQ\",\"message\":\"field 'orig' is missing\"}"));
	ck_assert_ptr_nonnull(strstr(out, "\"id\":9,\"error\":{\"code\":-1002,\"name\":\"EVERSION\""));
	ck_assert_ptr_nonnull(strstr(out, "\"id\":10,\"result\":{"));	/* hello: any v */
	ck_assert_ptr_nonnull(strstr(out, "\"id\":11,\"error\":{\"code\":-1,\"name\":\"EPERM\",\"message\":\"op 'cred.list' is only available on the admin socket\"}"));
	ck_assert_ptr_nonnull(strstr(out, "\"id\":12,\"result\":{\"verstat\":\"TN-Validation-Failed\""));
	ck_assert_ptr_nonnull(strstr(out, "\"id\":13,\"error\":{\"code\":-1003,\"name\":\"EBADREQ\",\"message\":\"field 'identity' must be an array\"}"));
	ck_assert_ptr_nonnull(strstr(out, "\"id\":15,\"error\":{\"code\":-22,\"name\":\"EINVAL\""));
	ck_assert_ptr_nonnull(strstr(out, "\"id\":16,\"result\":{\"pong\":true"));
	ck_assert_ptr_nonnull(strstr(out, "\"id\":17,\"error\":{\"code\":-1003,\"name\":\"EBADREQ\",\"message\":\"field 'v' must be an integer"));
	ck_assert_ptr_nonnull(strstr(out, "\"id\":18,\"result\":{"));	/* hello: any v */
	ck_assert_ptr_nonnull(strstr(out, "\"id\":19,\"result\":{"));	/* hello: no v */
	ck_assert_int_eq(h_count(out, "carriage return"), 1);
	ck_assert_int_eq(h_count(out, "\n"), 19);	/* one reply line per request */
}
END_TEST

START_TEST(overlong_line_is_refused_and_the_connection_closed)
{
	size_t n = 70 * 1024;
	char *in = malloc(n + 64);

	ck_assert_ptr_nonnull(in);
	memcpy(in, "{\"v\":1,\"id\":1,\"op\":\"ping\",\"pad\":\"", 33);
	memset(in + 33, 'a', n);
	strcpy(in + 33 + n, "\"}\n{\"v\":1,\"id\":2,\"op\":\"ping\"}\n");
	ck_assert_int_gt(h_raw(H.sock, in, strlen(in), out, sizeof(out), 5000), 0);
	free(in);
	ck_assert_ptr_nonnull(strstr(out, "\"name\":\"ETOOBIG\""));
	ck_assert_ptr_null(strstr(out, "pong"));	/* nothing after it is read */
	ck_assert_int_eq(h_count(out, "\n"), 1);
	/* the daemon serves the next connection */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "ping"), 0);
}
END_TEST

START_TEST(pipelined_requests_all_get_their_replies)
{
	enum { N = 1000 };	/* far more than max_inflight: most wait in the buffer */
	char *in = malloc(N * 160), id[32];
	size_t off = 0;

	h_provision(&H);
	ck_assert_ptr_nonnull(in);
	for (int i = 0; i < N; i++)
		off += (size_t)snprintf(in + off, 160, i % 2 ?
		    "{\"v\":1,\"id\":%d,\"op\":\"sign\",\"orig\":\"12155551212\",\"dest\":[\"12125551213\"],\"attest\":\"A\"}\n" :
		    "{\"v\":1,\"id\":%d,\"op\":\"ping\"}\n", i);
	ck_assert_int_gt(h_raw(H.sock, in, off, out, sizeof(out), 10000), 0);
	free(in);
	ck_assert_int_eq(h_count(out, "\n"), N);
	ck_assert_int_eq(h_count(out, "\"identity\":\""), N / 2);
	ck_assert_int_eq(h_count(out, "\"error\""), 0);
	for (int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "\"id\":%d,", i);
		ck_assert_msg(strstr(out, id) != NULL, "no reply for id %d", i);
	}
}
END_TEST

START_TEST(peer_without_the_group_is_refused)
{
	/* by default the service socket is 0660: others cannot even connect */
	h_provision(&H);
	ck_assert_int_eq(h_ctl(&H, "setpriv --reuid=nobody --regid=nogroup --clear-groups", out,
	    sizeof(out), "sign --orig 12155551212 --dest 12125551213 --attest A 2>&1"), 2);
	ck_assert_ptr_nonnull(strstr(out, "permission denied on"));
	/* with the socket open to all, stird itself turns them away: nobody
	 * is neither root nor the daemon's uid, and in no group */
	ck_assert_int_eq(h_stop(&H), 0);
	h_write_conf(&H, "socket_mode = 0666\n");
	ck_assert(h_start(&H));
	ck_assert_int_eq(h_ctl(&H, "setpriv --reuid=nobody --regid=nogroup --clear-groups", out,
	    sizeof(out), "sign --orig 12155551212 --dest 12125551213 --attest A 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "lacks the 'sign' and 'verify' permissions"));
	ck_assert_int_eq(h_ctl(&H, "setpriv --reuid=nobody --regid=nogroup --clear-groups", out,
	    sizeof(out), "cred list 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "lacks the 'admin' permission"));
	/* hello and ping too: a peer with no permission gets no connection */
	ck_assert_int_eq(h_ctl(&H, "setpriv --reuid=nobody --regid=nogroup --clear-groups", out,
	    sizeof(out), "hello 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "(EPERM)"));
	ck_assert_int_eq(h_ctl(&H, "setpriv --reuid=nobody --regid=nogroup --clear-groups", out,
	    sizeof(out), "ping 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "(EPERM)"));
	/* root still may */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "hello"), 0);
}
END_TEST

START_TEST(sign_group_membership_grants_sign_only)
{
	h_provision(&H);
	ck_assert_int_eq(h_stop(&H), 0);
	h_write_conf(&H, "sign_group = nogroup\nadmin_group = root\n");
	ck_assert(h_start(&H));
	/* supplementary membership counts (SO_PEERGROUPS) */
	ck_assert_int_eq(h_ctl(&H, "setpriv --reuid=nobody --regid=daemon --groups=nogroup", out,
	    sizeof(out), "sign --orig 12155551212 --dest 12125551213 --attest A 2>&1"), 0);
	ck_assert_int_eq(h_ctl(&H, "setpriv --reuid=nobody --regid=nogroup --clear-groups", out,
	    sizeof(out), "verify --identity x --from sip:a@b --to sip:c@d 2>&1"), 2);
	ck_assert_ptr_nonnull(strstr(out, "lacks the 'verify' permission"));
	ck_assert_int_eq(h_ctl(&H, "setpriv --reuid=nobody --regid=nogroup --clear-groups", out,
	    sizeof(out), "status 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "lacks the 'admin' permission"));
}
END_TEST

START_TEST(bad_credentials_are_refused_with_reasons)
{
	static const struct { const char *name, *key, *chain, *why; } bad[] = {
		{ "mismatch", "other.key", "sp-chain.pem", "does not match the key" },
		{ "expired", "expired.key", "expired-chain.pem", "has expired" },
		{ "nods", "nods.key", "nods-chain.pem", "digitalSignature" },
		{ "notn", "notn.key", "notn-chain.pem", "no TNAuthList" },
	};

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "key import %s '%s/%s'",
		    bad[i].name, H.pki, bad[i].key), 0);
		ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
		    "cred add %s --key-name %s --chain '%s/%s' --x5u https://x.example/c.pem 2>&1",
		    bad[i].name, bad[i].name, H.pki, bad[i].chain), 1);
		ck_assert_msg(strstr(out, bad[i].why) != NULL, "%s: %s", bad[i].name, out);
	}
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add x --key-name nosuch --chain '%s/sp-chain.pem' --x5u https://x.example/c.pem 2>&1",
	    H.pki), 1);
	ck_assert_ptr_nonnull(strstr(out, "no key named 'nosuch'"));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add x --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u http://x.example/c.pem 2>&1",
	    H.pki, H.pki), 1);
	ck_assert_ptr_nonnull(strstr(out, "must be an https:// URL"));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "key import junk /etc/hostname 2>&1"), 1);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/sp.pem' 2>&1", H.pki), 1);
	ck_assert_ptr_nonnull(strstr(out, "not a CA"));
	/* nothing half-added, and the daemon still serves */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json cred list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"credentials\": []"));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "ping"), 0);
}
END_TEST

START_TEST(admin_changes_are_audited_and_survive_a_restart)
{
	h_provision(&H);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "key generate spare"), 0);
	ck_assert_ptr_nonnull(strstr(out, "-----BEGIN PUBLIC KEY-----"));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "key remove sp 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "used by credential 'sp'"));
	ck_assert_int_eq(h_stop(&H), 0);
	ck_assert(h_start(&H));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json cred list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"name\": \"sp\""));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json key list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"name\": \"spare\""));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "sign --orig 12155551212 --dest 1 --attest A"), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json audit"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"op\": \"trust.add\""));
	ck_assert_ptr_nonnull(strstr(out, "\"op\": \"key.import\""));
	ck_assert_ptr_nonnull(strstr(out, "\"op\": \"cred.add\""));
	ck_assert_ptr_nonnull(strstr(out, "\"op\": \"key.generate\""));
	ck_assert_ptr_nonnull(strstr(out, "\"subject\": \"cred sp\""));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "cred remove sp"), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 1 --attest A 2>&1"), 1);
	ck_assert_ptr_nonnull(strstr(out, "no credential covers"));
}
END_TEST

START_TEST(status_warns_about_a_credential_that_expires_soon)
{
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add soon --key '%s/soon.key' --chain '%s/soon-chain.pem' --x5u https://x.example/s.pem",
	    H.pki, H.pki), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "status"), 0);
	ck_assert_ptr_nonnull(strstr(out, "warning: credential 'soon' expires in"));
	/* an RCD policy bound to it is named too (no URL content to fetch) */
	ck_assert_int_eq(h_sh(NULL, 0, "printf '%%s' '{\"name\":\"brand\",\"match\":{\"cred\":\"soon\"},"
	    "\"rcd\":{\"nam\":\"Soon Brand\"}}' > '%s/brand.json'", H.dir), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "policy add '%s/brand.json'", H.dir), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "status"), 0);
	ck_assert_ptr_nonnull(strstr(out, "RCD policy 'brand' is bound to credential 'soon'"));
}
END_TEST

START_TEST(sighup_reloads_without_dropping_connections)
{
	struct stir_client *c = NULL;
	const char *dest[] = { "12125551213" };
	struct stir_sign_req req = { "12155551212", dest, 1, "A", NULL, 0, NULL };
	char *hello = NULL, log[H_OUT_MAX];

	h_provision(&H);
	ck_assert_int_eq(stir_client_connect(H.sock, 5000, &c), STIR_OK);
	ck_assert_int_eq(stir_client_sign(c, &req, NULL, NULL), STIR_OK);
	h_write_conf(&H, "iat_window = 90\n");
	ck_assert_int_eq(kill(H.pid, SIGHUP), 0);
	for (int i = 0; i < 200; i++) {
		h_read_log(&H, log, sizeof(log));
		if (strstr(log, "reloaded ") != NULL)
			break;
		usleep(20000);
	}
	ck_assert_ptr_nonnull(strstr(log, "reloaded "));
	/* the same connection keeps working and sees the new value */
	ck_assert_int_eq(stir_client_sign(c, &req, NULL, NULL), STIR_OK);
	ck_assert_int_eq(stir_client_hello(c, &hello), STIR_OK);
	ck_assert_ptr_nonnull(strstr(hello, "\"iat_window\":90"));
	free(hello);
	/* a broken config on reload is refused; the running one stays */
	h_write_conf(&H, "no_such_key = 1\n");
	ck_assert_int_eq(kill(H.pid, SIGHUP), 0);
	for (int i = 0; i < 200; i++) {
		h_read_log(&H, log, sizeof(log));
		if (strstr(log, "reload failed") != NULL)
			break;
		usleep(20000);
	}
	ck_assert_ptr_nonnull(strstr(log, "unknown key 'no_such_key'"));
	ck_assert_int_eq(stir_client_sign(c, &req, NULL, NULL), STIR_OK);
	stir_client_free(c);
	ck_assert_int_eq(h_stop(&H), 0);
}
END_TEST

START_TEST(sigterm_finishes_and_exits_zero)
{
	enum { N = 400 };
	struct stat st;
	char *in = malloc(N * 160), *line, *save = NULL;
	size_t off = 0, got = 0;
	int fd, done = 0, refused = 0;

	h_provision(&H);
	ck_assert_ptr_nonnull(in);
	for (int i = 0; i < N; i++)
		off += (size_t)snprintf(in + off, 160,
		    "{\"v\":1,\"id\":%d,\"op\":\"sign\",\"orig\":\"12155551212\",\"dest\":[\"12125551213\"],\"attest\":\"A\"}\n", i);
	ck_assert_int_ge(fd = h_connect(H.sock), 0);
	ck_assert_int_eq(send(fd, in, off, 0), (ssize_t)off);
	free(in);
	usleep(2000);
	/* stop while requests are in flight: each one read gets its reply */
	ck_assert_int_eq(kill(H.pid, SIGTERM), 0);
	for (;;) {
		ssize_t n = recv(fd, out + got, sizeof(out) - 1 - got, 0);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	out[got] = '\0';
	close(fd);
	for (line = strtok_r(out, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "\"identity\":\"") != NULL)
			done++;
		else if (strstr(line, "\"ESHUTDOWN\"") != NULL)
			refused++;
		else
			ck_abort_msg("unexpected reply during shutdown: %s", line);
	}
	ck_assert_int_gt(done, 0);
	ck_assert_int_le(done + refused, N);
	ck_assert_int_eq(h_stop(&H), 0);
	ck_assert_int_ne(stat(H.sock, &st), 0);		/* it cleans up its sockets */
	ck_assert_int_ne(stat(H.admin, &st), 0);
}
END_TEST

START_TEST(hostile_input_does_not_hurt_the_daemon)
{
	char junk[8192];
	unsigned seed = 1;

	h_provision(&H);
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < sizeof(junk); i++) {
			seed = seed * 1103515245u + 12345u;
			junk[i] = (char)(seed >> 16);
		}
		(void)h_raw(round % 2 ? H.sock : H.admin, junk, sizeof(junk), out, sizeof(out), 2000);
	}
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json cred list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"name\": \"sp\""));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "sign --orig 12155551212 --dest 1 --attest A"), 0);
	ck_assert_int_eq(h_stop(&H), 0);
}
END_TEST

/* ---- startup refusals: no daemon running in setup ---- */

static void
setup_stopped(void)
{
	h_init(&H, NULL);
}

START_TEST(corrupt_database_is_reported_and_left_alone)
{
	char log[H_OUT_MAX];
	FILE *f = fopen(H.db, "w");

	ck_assert_ptr_nonnull(f);
	fputs("this is not an SQLite database, and it must survive\n", f);
	fclose(f);
	(void)chmod(H.db, 0600);
	ck_assert_int_eq(h_start_fails(&H), 1);
	h_read_log(&H, log, sizeof(log));
	ck_assert_ptr_nonnull(strstr(log, "not a stird database or corrupt"));
	ck_assert_int_eq(h_sh(out, sizeof(out), "cat '%s'", H.db), 0);
	ck_assert_str_eq(out, "this is not an SQLite database, and it must survive\n");
}
END_TEST

START_TEST(writable_key_dir_is_refused)
{
	char log[H_OUT_MAX];

	ck_assert_int_eq(chmod(H.keys, 0777), 0);
	ck_assert_int_eq(h_start_fails(&H), 1);
	h_read_log(&H, log, sizeof(log));
	ck_assert_ptr_nonnull(strstr(log, "group- or world-writable"));
}
END_TEST

START_TEST(check_config_names_the_line)
{
	h_write_conf(&H, "iat_window = soon\n");
	ck_assert_int_eq(h_sh(out, sizeof(out), "'%s' -c '%s' --check-config 2>&1",
	    getenv("STIRD") ? getenv("STIRD") : "./stird", H.conf), 1);
	ck_assert_ptr_nonnull(strstr(out, "stird.conf:9: 'iat_window' must be an integer from 1 to 86400"));
	h_write_conf(&H, NULL);
	ck_assert_int_eq(h_sh(out, sizeof(out), "'%s' -c '%s' --check-config 2>&1",
	    getenv("STIRD") ? getenv("STIRD") : "./stird", H.conf), 0);
	ck_assert_int_eq(h_sh(out, sizeof(out), "'%s' --version", getenv("STIRD") ?
	    getenv("STIRD") : "./stird"), 0);
	ck_assert_ptr_nonnull(strstr(out, "stird " PACKAGE_VERSION));
}
END_TEST

START_TEST(second_daemon_does_not_steal_the_socket)
{
	char log[H_OUT_MAX];
	struct h other;

	ck_assert(h_start(&H));
	other = H;
	snprintf(other.log, sizeof(other.log), "%s/second.log", H.dir);
	ck_assert_int_eq(h_start_fails(&other), 1);
	h_read_log(&other, log, sizeof(log));
	ck_assert_ptr_nonnull(strstr(log, "another daemon is answering"));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "ping"), 0);
}
END_TEST

/* A key in an HSM (SoftHSM2 through PKCS#11) signs like a key file. */
START_TEST(pkcs11_key_in_softhsm_signs)
{
	char extra[H_PATH_MAX * 2 + 96], cert[H_PATH_MAX + 16];

	if (!h_softhsm(&H, "5678"))
		return;
	/* SoftHSM writes in its token directory: the signer's sandbox must allow it */
	snprintf(extra, sizeof(extra), "pkcs11_module = %s\nsigner_write_dirs = %s/tokens\n",
	    H_SOFTHSM_MODULE, H.dir);
	h_write_conf(&H, extra);
	ck_assert(h_start(&H));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add hsm --pkcs11 'pkcs11:token=stirtest;object=k1;type=private?pin-value=5678'"
	    " --chain '%s/hsm-chain.pem' --x5u https://x.example/h.pem 2>&1", H.dir), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A --cred hsm"), 0);
	snprintf(cert, sizeof(cert), "%s/hsm.pem", H.dir);
	ck_assert_int_eq(verify_identity(h_last_line(out), cert, NULL), 0);
	/* the PIN never shows */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json cred list"), 0);
	ck_assert_ptr_null(strstr(out, "5678"));
	/* a wrong PIN is refused without echoing it */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add bad --pkcs11 'pkcs11:token=stirtest;object=nosuch;type=private?pin-value=9999'"
	    " --chain '%s/hsm-chain.pem' --x5u https://x.example/h.pem 2>&1", H.dir), 1);
	ck_assert_ptr_nonnull(strstr(out, "PKCS#11 key cannot be used"));
	ck_assert_ptr_null(strstr(out, "9999"));
	ck_assert_int_eq(h_stop(&H), 0);
}
END_TEST

/* Socket activation: stird takes the passed fds by name and binds nothing. */
START_TEST(socket_activation_uses_the_passed_sockets)
{
	char conf_extra[H_PATH_MAX * 2 + 64], log[H_OUT_MAX];
	struct stat st;

	if (system("command -v systemd-socket-activate >/dev/null") != 0) {
		ck_assert_msg(getenv("STIR_ALLOW_NO_SYSTEMD") != NULL,
		    "systemd-socket-activate is missing (apt-get install systemd)");
		return;
	}
	/* the config names other paths: only passed sockets can answer */
	snprintf(conf_extra, sizeof(conf_extra), "socket = %s/unused.sock\nadmin_socket = %s/unused-admin.sock\n",
	    H.dir, H.dir);
	h_write_conf(&H, conf_extra);
	{
		/* h_write_conf puts the harness paths first; drop them */
		char cmd[H_PATH_MAX * 2];

		snprintf(cmd, sizeof(cmd), "sed -i '2,3d' '%s'", H.conf);
		ck_assert_int_eq(system(cmd), 0);
	}
	ck_assert(h_start_activated(&H));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--socket '%s' --admin-socket '%s' ping",
	    H.sock, H.admin), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--socket '%s' --admin-socket '%s' --json status",
	    H.sock, H.admin), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"schema_version\": 4"));
	ck_assert_int_ne(stat(H.dir, &st), -1);
	h_read_log(&H, log, sizeof(log));
	ck_assert_ptr_nonnull(strstr(log, "service socket passed by systemd"));
	ck_assert_ptr_nonnull(strstr(log, "admin socket passed by systemd"));
	snprintf(conf_extra, sizeof(conf_extra), "%s/unused.sock", H.dir);
	ck_assert_int_ne(stat(conf_extra, &st), 0);
	ck_assert_int_eq(h_stop(&H), 0);
}
END_TEST

/* sd_notify: READY once serving, RELOADING then READY on SIGHUP, STOPPING. */
START_TEST(sd_notify_reports_ready_reloading_and_stopping)
{
	char path[H_PATH_MAX + 16], buf[4096], all[8192] = "";
	struct sockaddr_un sun;
	int fd;

	snprintf(path, sizeof(path), "%s/notify.sock", H.dir);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", path, 1), 0);
	ck_assert(h_start(&H));
	(void)unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(kill(H.pid, SIGHUP), 0);
	usleep(300000);
	ck_assert_int_eq(h_stop(&H), 0);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

		if (n <= 0)
			break;
		buf[n] = '\0';
		strncat(all, buf, sizeof(all) - strlen(all) - 2);
		strcat(all, "|");
	}
	close(fd);
	ck_assert_msg(strstr(all, "READY=1") != NULL, "notifications: %s", all);
	ck_assert_msg(strstr(all, "RELOADING=1") != NULL, "notifications: %s", all);
	ck_assert_msg(strstr(all, "STOPPING=1") != NULL, "notifications: %s", all);
	ck_assert(strstr(all, "READY=1") < strstr(all, "RELOADING=1"));
	ck_assert(strstr(strstr(all, "RELOADING=1"), "READY=1") != NULL);
}
END_TEST

/* ---- connection budgets, deadlines and refusals ---- */

#define HELLO_LINE	"{\"v\":1,\"id\":1,\"op\":\"hello\"}\n"
#define REFUSAL_LOG_BURST	10	/* STIR_REFUSAL_LOG_BURST per second */

/* Tests that switch to another uid need root; others skip, saying why. */
static bool
need_root(const char *test)
{
	if (geteuid() == 0)
		return true;
	printf("%s: skipped: needs root to run a peer as nobody\n", test);
	return false;
}

/* In a child: become nobody:nogroup, in no other group. */
static void
become_nobody(void)
{
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("nogroup");

	if (pw == NULL || gr == NULL || setgroups(0, NULL) != 0 ||
	    setgid(gr->gr_gid) != 0 || setuid(pw->pw_uid) != 0)
		_exit(90);
}

/* Read fd until EOF into buf (NUL-terminated); false if it stays open. */
static bool
read_to_eof(int fd, char *buf, size_t len)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t n = 0;

	for (;;) {
		ssize_t r;

		if (poll(&pfd, 1, 30000) <= 0)
			break;
		if ((r = recv(fd, buf + n, len - 1 - n, 0)) <= 0) {
			buf[n] = '\0';
			return r == 0 || errno == ECONNRESET;
		}
		n += (size_t)r;
		if (n + 1 >= len)
			break;
	}
	buf[n] = '\0';
	return false;
}

static int
wait_child(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

START_TEST(unprivileged_peers_take_no_connection_slots)
{
	enum { K = 32 };	/* nobody's connections, against 4 slots in all */
	struct stir_client *cl[5] = { NULL };
	int ready[2], go[2];
	pid_t pid;
	char b;

	if (!need_root("unprivileged_peers_take_no_connection_slots"))
		return;
	h_provision(&H);
	ck_assert_int_eq(h_stop(&H), 0);
	/* the refused wait for their first line up to request_timeout_ms */
	h_write_conf(&H, "socket_mode = 0666\nmax_connections = 4\nmax_conn_per_uid = 4\n"
	    "request_timeout_ms = 600000\n");
	ck_assert(h_start(&H));
	ck_assert_int_eq(pipe(ready), 0);
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		int fds[K];
		char buf[1024];

		become_nobody();
		for (int i = 0; i < K; i++)
			if ((fds[i] = h_connect(H.sock)) < 0)
				_exit(91);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &b, 1) != 1)
			_exit(92);
		for (int i = 0; i < K; i++) {
			/* still open and unanswered while the signers worked */
			if (recv(fds[i], buf, sizeof(buf), MSG_DONTWAIT) != -1 || errno != EAGAIN)
				_exit(93);
			if (send(fds[i], HELLO_LINE, strlen(HELLO_LINE), MSG_NOSIGNAL) < 0 ||
			    !read_to_eof(fds[i], buf, sizeof(buf)) ||
			    strstr(buf, "\"EPERM\"") == NULL ||
			    strstr(buf, "lacks the 'sign' and 'verify' permissions") == NULL ||
			    strstr(buf, "\"id\":null") == NULL)
				_exit(94);
		}
		_exit(0);
	}
	ck_assert_int_eq(read(ready[0], &b, 1), 1);
	/* nobody holds 32 connections, yet a signer gets in and signs */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A"), 0);
	/* all four slots are still free ... */
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(stir_client_connect(H.sock, 5000, &cl[i]), STIR_OK);
		ck_assert_int_eq(stir_client_ping(cl[i]), STIR_OK);
	}
	/* ... and there are only four */
	ck_assert_int_eq(stir_client_connect(H.sock, 5000, &cl[4]), STIR_OK);
	ck_assert_int_eq(stir_client_ping(cl[4]), STIR_EBUSY);
	for (int i = 0; i < 5; i++)
		stir_client_free(cl[i]);
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	ck_assert_int_eq(wait_child(pid), 0);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}
END_TEST

/* Milliseconds of the day in a log line's "...THH:MM:SS.mmmZ" stamp. */
static long
log_stamp_ms(const char *line)
{
	int hh, mm, ss, ms;

	ck_assert_int_eq(sscanf(line, "%*d-%*d-%*dT%d:%d:%d.%dZ", &hh, &mm, &ss, &ms), 4);
	return ((hh * 60L + mm) * 60 + ss) * 1000 + ms;
}

START_TEST(refusals_are_logged_at_a_limited_rate)
{
	enum { N = 200 };
	char *log = malloc(H_OUT_MAX), *line, *save = NULL;
	long first = -1, last = -1, span;
	unsigned logged = 0, dropped = 0;
	pid_t pid;

	if (!need_root("refusals_are_logged_at_a_limited_rate")) {
		free(log);
		return;
	}
	ck_assert_ptr_nonnull(log);
	ck_assert_int_eq(h_stop(&H), 0);
	h_write_conf(&H, "socket_mode = 0666\n");
	ck_assert(h_start(&H));
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		char buf[1024];

		become_nobody();
		for (int i = 0; i < N; i++) {
			int fd = h_connect(H.sock);

			if (fd < 0 || send(fd, HELLO_LINE, strlen(HELLO_LINE), MSG_NOSIGNAL) < 0 ||
			    !read_to_eof(fd, buf, sizeof(buf)) || strstr(buf, "\"EPERM\"") == NULL)
				_exit(91);
			close(fd);
		}
		_exit(0);
	}
	ck_assert_int_eq(wait_child(pid), 0);
	/* the count of the last interval is logged by the next sweep */
	for (int tries = 0; tries < 1500 && logged + dropped < N; tries++) {
		usleep(20000);
		h_read_log(&H, log, H_OUT_MAX);
		logged = dropped = 0;
		first = last = -1;
		for (line = strtok_r(log, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			const char *m;
			unsigned n;

			if (strstr(line, " refused: uid ") != NULL) {
				logged++;
				last = log_stamp_ms(line);
				if (first < 0)
					first = last;
			} else if ((m = strstr(line, "stird[warning]: ")) != NULL &&
			    sscanf(m, "stird[warning]: %u more connection refusal(s) not logged",
			    &n) == 1)
				dropped += n;
		}
	}
	free(log);
	/* every refusal is accounted for, logged or counted */
	ck_assert_uint_eq(logged + dropped, N);
	/* at most a burst per interval: as many intervals as the logged
	 * refusals span by the daemon's clock, and one for the log stamps
	 * and the loop's clock to disagree about an interval's edge */
	ck_assert_int_ge(first, 0);
	span = last - first;
	if (span < 0)
		span += 86400000L;	/* midnight */
	ck_assert_uint_ge(logged, REFUSAL_LOG_BURST);
	ck_assert_uint_le(logged, REFUSAL_LOG_BURST * (unsigned)(span / 1000 + 2));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "ping"), 0);
}
END_TEST

START_TEST(trickled_partial_line_is_dropped_at_its_deadline)
{
	static const char start[] = "{\"v\":1,\"id\":1,\"op\":\"ping\",\"pad\":\"";
	struct pollfd pfd;
	size_t n = 0, trickled = 0;
	bool eof = false;
	int fd;

	ck_assert_int_eq(h_stop(&H), 0);
	h_write_conf(&H, "request_timeout_ms = 300\n");
	ck_assert(h_start(&H));
	ck_assert_int_ge(fd = h_connect(H.sock), 0);
	ck_assert_int_eq(send(fd, start, sizeof(start) - 1, 0), (ssize_t)(sizeof(start) - 1));
	pfd.fd = fd;
	pfd.events = POLLIN;
	/* one byte every 50 ms: each one is progress, and none helps */
	for (int i = 0; i < 1000 && !eof; i++) {
		if (poll(&pfd, 1, 50) > 0) {
			ssize_t r = recv(fd, out + n, sizeof(out) - 1 - n, 0);

			if (r <= 0)
				eof = true;
			else
				n += (size_t)r;
		} else if (send(fd, "a", 1, MSG_NOSIGNAL) == 1)
			trickled++;
	}
	out[n] = '\0';
	close(fd);
	ck_assert_msg(eof, "stird kept a trickling connection open (%zu bytes sent)", trickled);
	ck_assert_uint_gt(trickled, 0);
	ck_assert_ptr_nonnull(strstr(out, "\"id\":null,\"error\":{\"code\":-110,\"name\":\"ETIMEDOUT\""));
	ck_assert_ptr_nonnull(strstr(out, "request_timeout_ms"));
	ck_assert_int_eq(h_count(out, "\n"), 1);
	/* a request that arrives whole is served as before */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "ping"), 0);
}
END_TEST

/* stird's open connections (status "connections"), this admin one included */
static json_int_t
open_connections(void)
{
	json_t *status, *n;
	json_int_t v;

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json status"), 0);
	ck_assert_ptr_nonnull(status = json_loads(out, 0, NULL));
	ck_assert_msg(json_is_integer(n = json_object_get(status, "connections")), "%s", out);
	v = json_integer_value(n);
	json_decref(status);
	return v;
}

START_TEST(service_connections_do_not_lock_a_uid_out_of_admin)
{
	struct stir_client *cl[3] = { NULL };
	int tries;

	ck_assert_int_eq(h_stop(&H), 0);
	h_write_conf(&H, "max_conn_per_uid = 2\n");
	ck_assert(h_start(&H));
	/* h_start's probe of the socket holds a slot until stird has read
	 * its end (slow under valgrind): count from an idle daemon */
	for (tries = 0; tries < 500 && open_connections() != 1; tries++)
		usleep(20000);
	ck_assert_int_lt(tries, 500);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(stir_client_connect(H.sock, 5000, &cl[i]), STIR_OK);
		ck_assert_int_eq(stir_client_ping(cl[i]), i < 2 ? STIR_OK : STIR_EBUSY);
	}
	ck_assert_ptr_nonnull(strstr(stir_client_errmsg(cl[2]), "max_conn_per_uid"));
	/* the uid's service budget is spent; its admin budget is its own */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "status"), 0);
	for (int i = 0; i < 3; i++)
		stir_client_free(cl[i]);
}
END_TEST

START_TEST(trust_add_takes_a_bundle_larger_than_max_request_bytes)
{
	char bundle[H_PATH_MAX + 16];

	/* 150 copies of the CA: about 100 KB of PEM, over max_request_bytes */
	snprintf(bundle, sizeof(bundle), "%s/bundle.pem", H.dir);
	ck_assert_int_eq(h_sh(NULL, 0, "for i in $(seq 150); do cat '%s/ca.pem'; done > '%s'",
	    H.pki, bundle), 0);
	ck_assert_int_eq(h_sh(out, sizeof(out), "stat -c %%s '%s'", bundle), 0);
	ck_assert_int_gt(atol(out), 65536);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s' 2>&1", bundle), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json trust list"), 0);
	ck_assert_int_eq(h_count(out, "\"sha256\""), 1);
	/* the service socket keeps max_request_bytes */
	{
		size_t n = 70 * 1024;
		char *in = malloc(n + 64);

		ck_assert_ptr_nonnull(in);
		memcpy(in, "{\"v\":1,\"id\":1,\"op\":\"ping\",\"pad\":\"", 33);
		memset(in + 33, 'a', n);
		strcpy(in + 33 + n, "\"}\n");
		ck_assert_int_gt(h_raw(H.admin, in, strlen(in), out, sizeof(out), 5000), 0);
		/* the admin socket reads it whole: ping's own limit answers */
		ck_assert_ptr_nonnull(strstr(out, "\"id\":1,\"error\":{\"code\":-1001,\"name\":\"ETOOBIG\""));
		ck_assert_int_gt(h_raw(H.sock, in, strlen(in), out, sizeof(out), 5000), 0);
		ck_assert_ptr_nonnull(strstr(out, "\"id\":null,\"error\":{\"code\":-1001,\"name\":\"ETOOBIG\""));
		free(in);
	}
}
END_TEST

/* ---- socket files ---- */

START_TEST(symlink_at_the_socket_path_is_left_alone)
{
	char victim[H_PATH_MAX + 16], log[H_OUT_MAX];
	struct stat st;

	snprintf(victim, sizeof(victim), "%s/victim", H.dir);
	ck_assert_int_eq(h_sh(NULL, 0, "echo secret > '%s' && chmod 0600 '%s'", victim, victim), 0);
	ck_assert_int_eq(symlink(victim, H.sock), 0);
	ck_assert_int_eq(h_start_fails(&H), 1);
	h_read_log(&H, log, sizeof(log));
	ck_assert_ptr_nonnull(strstr(log, "exists and is not a socket"));
	ck_assert_int_eq(stat(victim, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(lstat(H.sock, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
}
END_TEST

START_TEST(socket_dir_writable_by_others_is_refused)
{
	static const unsigned modes[] = { 0777, 01777, 0775 };
	char victim[H_PATH_MAX + 16], dir[128], log[H_OUT_MAX];
	struct stat st;

	snprintf(victim, sizeof(victim), "%s/victim", H.dir);
	snprintf(dir, sizeof(dir), "%s/run", H.dir);
	ck_assert_int_eq(h_sh(NULL, 0, "echo secret > '%s' && chmod 0600 '%s'", victim, victim), 0);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	snprintf(H.sock, sizeof(H.sock), "%s/stird.sock", dir);
	h_write_conf(&H, NULL);
	/* anyone who can write there could swap the socket for a link */
	ck_assert_int_eq(symlink(victim, H.sock), 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ck_assert_int_eq(chmod(dir, modes[i]), 0);
		ck_assert_int_eq(h_sh(NULL, 0, ": > '%s'", H.log), 0);	/* this start's log only */
		ck_assert_int_eq(h_start_fails(&H), 1);
		h_read_log(&H, log, sizeof(log));
		ck_assert_msg(strstr(log, "is writable by others") != NULL, "mode %o: %s", modes[i], log);
		ck_assert_int_eq(stat(victim, &st), 0);
		ck_assert_uint_eq(st.st_mode & 07777, 0600);
	}
	/* once only root can write there, the link is still refused, not followed */
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(h_start_fails(&H), 1);
	ck_assert_int_eq(stat(victim, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	/* and without it stird starts there */
	ck_assert_int_eq(unlink(H.sock), 0);
	ck_assert(h_start(&H));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--socket '%s' ping", H.sock), 0);
}
END_TEST

START_TEST(sockets_are_born_with_their_mode_and_group)
{
	struct group *gr = getgrnam("nogroup");
	struct stat st;

	ck_assert_ptr_nonnull(gr);
	h_write_conf(&H, "socket_mode = 0640\nsign_group = nogroup\n");
	ck_assert(h_start(&H));
	ck_assert_int_eq(lstat(H.sock, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0640);
	ck_assert_uint_eq(st.st_gid, gr->gr_gid);
	ck_assert_int_eq(lstat(H.admin, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0666);	/* the harness's admin_socket_mode */
	/* a socket left by a killed daemon is replaced */
	ck_assert_int_eq(kill(H.pid, SIGKILL), 0);
	(void)wait_child(H.pid);
	H.pid = 0;
	ck_assert_int_eq(lstat(H.sock, &st), 0);
	h_write_conf(&H, NULL);
	ck_assert(h_start(&H));
	ck_assert_int_eq(lstat(H.sock, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0660);	/* the default */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "ping"), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("running");
	TCase *ts = tcase_create("startup");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sign_with_stirctl_verifies_with_the_certificate);
	tcase_add_test(tc, secsipidx_accepts_our_signature);
	tcase_add_test(tc, libstirclient_signs_and_picks_the_credential_by_tn);
	tcase_add_test(tc, protocol_errors_get_replies_and_the_connection_lives);
	tcase_add_test(tc, overlong_line_is_refused_and_the_connection_closed);
	tcase_add_test(tc, pipelined_requests_all_get_their_replies);
	tcase_add_test(tc, peer_without_the_group_is_refused);
	tcase_add_test(tc, sign_group_membership_grants_sign_only);
	tcase_add_test(tc, bad_credentials_are_refused_with_reasons);
	tcase_add_test(tc, admin_changes_are_audited_and_survive_a_restart);
	tcase_add_test(tc, status_warns_about_a_credential_that_expires_soon);
	tcase_add_test(tc, sighup_reloads_without_dropping_connections);
	tcase_add_test(tc, sigterm_finishes_and_exits_zero);
	tcase_add_test(tc, hostile_input_does_not_hurt_the_daemon);
	tcase_add_test(tc, unprivileged_peers_take_no_connection_slots);
	tcase_add_test(tc, refusals_are_logged_at_a_limited_rate);
	tcase_add_test(tc, trickled_partial_line_is_dropped_at_its_deadline);
	tcase_add_test(tc, service_connections_do_not_lock_a_uid_out_of_admin);
	tcase_add_test(tc, trust_add_takes_a_bundle_larger_than_max_request_bytes);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(ts, setup_stopped, teardown);
	tcase_set_timeout(ts, 120);
	tcase_add_test(ts, corrupt_database_is_reported_and_left_alone);
	tcase_add_test(ts, writable_key_dir_is_refused);
	tcase_add_test(ts, check_config_names_the_line);
	tcase_add_test(ts, second_daemon_does_not_steal_the_socket);
	tcase_add_test(ts, symlink_at_the_socket_path_is_left_alone);
	tcase_add_test(ts, socket_dir_writable_by_others_is_refused);
	tcase_add_test(ts, sockets_are_born_with_their_mode_and_group);
	tcase_add_test(ts, pkcs11_key_in_softhsm_signs);
#ifdef HAVE_SYSTEMD
	tcase_add_test(ts, socket_activation_uses_the_passed_sockets);
	tcase_add_test(ts, sd_notify_reports_ready_reloading_and_stopping);
#endif
	suite_add_tcase(s, ts);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
