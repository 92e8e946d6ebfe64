/*
 * test_sipd_hostile.c: stird-sipd against what a hostile or broken peer
 * sends (garbage, missing headers, oversize messages over UDP and TCP),
 * peers outside allow_from, SIP over TLS with and without a client
 * certificate, and configuration errors.  Helpers: sipd_harness.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>
#include <gnutls/gnutls.h>
#include "harness.h"
#include "sipd_harness.h"

START_TEST(malformed_udp_is_dropped_or_answered_400_and_the_door_keeps_serving)
{
	char resp[RESP_MAX], big[65536], log[65536];
	int fd = sock_to(SOCK_DGRAM, udp_port);
	const char *m;
	char *nocid;

	/* garbage: nothing to answer to, dropped */
	send_all(fd, "\x01\x02 hello garbage\r\n\r\n", 20);
	ck_assert(quiet(fd));
	/* a datagram over max_message_bytes: dropped */
	m = invite("big@test", "big", FROM, NULL, false);
	snprintf(big, sizeof(big), "%.*sX-Pad: %0*d\r\n\r\n", (int)(strlen(m) - 2), m, 17000, 0);
	send_all(fd, big, strlen(big));
	ck_assert(quiet(fd));
	/* no Call-ID: 400 saying so */
	ck_assert_ptr_nonnull(nocid = strdup(invite("x", "nocid", FROM, NULL, false)));
	{
		char *p = strstr(nocid, "Call-ID: x\r\n");

		memmove(p, p + 12, strlen(p + 12) + 1);
	}
	send_all(fd, nocid, strlen(nocid));
	ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 400);
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Warning", 0), "no Call-ID"));
	free(nocid);
	close(fd);
	read_file(sipd_log, log, sizeof(log));
	ck_assert_int_eq(h_count(log, "UDP datagram dropped: not a SIP message"), 1);
	ck_assert_int_eq(h_count(log, "UDP datagram over max_message_bytes dropped"), 1);
	/* still serving */
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
}
END_TEST

/* Send over a new TCP connection; the response, and whether the door closed it. */
static int
tcp_oneshot(const char *msg, size_t len, char *resp, size_t rlen, bool *ret_closed)
{
	int fd = sock_to(SOCK_STREAM, tcp_port), code;
	char c;

	send_all(fd, msg, len);
	ck_assert_int_gt(recv_msg(fd, true, resp, rlen, WAIT_MS), 0);
	code = code_of(resp);
	{
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		*ret_closed = poll(&pfd, 1, WAIT_MS) == 1 && recv(fd, &c, 1, 0) == 0;
	}
	close(fd);
	return code;
}

START_TEST(malformed_tcp_is_answered_and_closed_and_the_door_keeps_serving)
{
	char resp[RESP_MAX], big[65536];
	const char *m;
	bool closed;

	ck_assert_int_eq(tcp_oneshot("garbage garbage\r\n\r\n", 19, resp, sizeof(resp), &closed), 400);
	ck_assert(closed);
	/* a Content-Length that would pass max_message_bytes */
	m = invite("cl@test", "cl", FROM, NULL, true);
	snprintf(big, sizeof(big), "%.*s", (int)strlen(m), m);
	{
		char *p = strstr(big, "Content-Length: 0");

		snprintf(p, sizeof(big) - (size_t)(p - big), "Content-Length: 99999999\r\n\r\n");
	}
	ck_assert_int_eq(tcp_oneshot(big, strlen(big), resp, sizeof(resp), &closed), 513);
	ck_assert(closed);
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Call-ID", 0), "cl@test"));
	/* headers past max_message_bytes, never ending */
	snprintf(big, sizeof(big), "%.*sX-Pad: %0*d", (int)(strlen(m) - 2), m, 20000, 0);
	ck_assert_int_eq(tcp_oneshot(big, strlen(big), resp, sizeof(resp), &closed), 513);
	ck_assert(closed);
	/* still serving */
	ck_assert_int_eq(tcp_invite(FROM, NULL, resp, sizeof(resp)), 302);
}
END_TEST

START_TEST(a_bad_config_is_refused_with_file_and_line)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "listen_udp = 127.0.0.1\n", ":1: 'listen_udp' must be ADDRESS:PORT" },
		{ "\nmode = both\n", ":2: 'mode' must be one of auto, sign, verify" },
		{ "attest = D\n", ":1: 'attest' must be A, B or C" },
		{ "listen_tcp = [::1]:5070 mode=verify attest=Q\n", ":1: 'listen_tcp': unknown option" },
		{ "deadline_ms = 0\n", ":1: 'deadline_ms' must be an integer from 1 to 600000" },
		{ "frobnicate = 1\n", ":1: unknown key 'frobnicate'" },
		{ "attest_header = X Attest\n", "'attest_header' must be a header field name" },
		{ "retry_after = 5\nretry_after = 6\n", ":2: 'retry_after' is set twice" },
		{ "allow_from = 10.0.0.0/33\n", ":1: 'allow_from': bad prefix length" },
		{ "allow_from = 10.0.0.0/8, example.com\n", "'example.com' is not an IPv4 or IPv6" },
		{ "listen_tls = 127.0.0.1:5061\n", "'listen_tls' needs 'tls_cert' and 'tls_key'" },
	};
	char path[H_PATH_MAX], prog[H_PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bad.conf", H.dir);
	snprintf(prog, sizeof(prog), "%s/stird-sipd", sipd_env("top_builddir", "."));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		fputs(bad[i].text, f);
		fclose(f);
		ck_assert_int_eq(h_sh(out, sizeof(out), "'%s' -n -c '%s' 2>&1", prog, path), 1);
		ck_assert_msg(strstr(out, bad[i].msg) != NULL, "%s: %s", bad[i].text, out);
	}
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("listen_udp = 127.0.0.1:5070 mode=sign attest=B\nlisten_tcp = [::1]:5071\n"
	    "on_verify_failure = mark # comment\nattest_header = \"X-Attest\"\n", f);
	fclose(f);
	ck_assert_int_eq(h_sh(out, sizeof(out), "'%s' -n -c '%s' 2>&1", prog, path), 0);
	ck_assert_ptr_nonnull(strstr(out, "OK"));
}
END_TEST

START_TEST(peers_outside_allow_from_get_nothing)
{
	char resp[RESP_MAX], log[65536], c;
	int fd;
	const char *m;

	ck_assert_int_eq(sipd_stop(), 0);
	sipd_start("allow_from = 192.0.2.0/24, 2001:db8::/32");
	fd = sock_to(SOCK_DGRAM, udp_port);
	m = invite("deny@test", "deny", FROM, NULL, false);
	send_all(fd, m, strlen(m));
	ck_assert(quiet(fd));		/* not even 100 Trying */
	close(fd);
	fd = sock_to(SOCK_STREAM, tcp_port);
	send_all(fd, m, strlen(m));
	{
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		ck_assert_int_eq(poll(&pfd, 1, WAIT_MS), 1);
		ck_assert(recv(fd, &c, 1, 0) <= 0);	/* closed, unanswered */
	}
	close(fd);
	read_file(sipd_log, log, sizeof(log));
	ck_assert_int_eq(h_count(log, "UDP datagram from a peer not in allow_from dropped"), 1);
	ck_assert_int_eq(h_count(log, "TCP connection from a peer not in allow_from refused"), 1);
	/* loopback allowed: served */
	ck_assert_int_eq(sipd_stop(), 0);
	sipd_start("allow_from = 10.0.0.0/8\nallow_from = 127.0.0.1");
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
}
END_TEST

/*
 * An INVITE over TLS, trusting the PKI's web CA, with a client certificate
 * when client is given (pki/<client>.pem and .key): the response code, or
 * -1 when the session failed before a response came.
 */
static int
tls_invite(const char *client, char *resp, size_t len)
{
	gnutls_certificate_credentials_t cred;
	gnutls_session_t sess;
	char ca[2 * H_PATH_MAX], cert[2 * H_PATH_MAX], key[2 * H_PATH_MAX];
	int fd = sock_to(SOCK_STREAM, tls_port), code = -1;
	size_t n = 0;
	const char *m;

	snprintf(ca, sizeof(ca), "%s/web-ca.pem", H.pki);
	ck_assert_int_ge(gnutls_certificate_allocate_credentials(&cred), 0);
	ck_assert_int_gt(gnutls_certificate_set_x509_trust_file(cred, ca, GNUTLS_X509_FMT_PEM), 0);
	if (client != NULL) {
		snprintf(cert, sizeof(cert), "%s/%s.pem", H.pki, client);
		snprintf(key, sizeof(key), "%s/%s.key", H.pki, client);
		ck_assert_int_ge(gnutls_certificate_set_x509_key_file(cred, cert, key,
		    GNUTLS_X509_FMT_PEM), 0);
	}
	ck_assert_int_ge(gnutls_init(&sess, GNUTLS_CLIENT), 0);
	ck_assert_int_ge(gnutls_set_default_priority(sess), 0);
	ck_assert_int_ge(gnutls_credentials_set(sess, GNUTLS_CRD_CERTIFICATE, cred), 0);
	gnutls_session_set_verify_cert(sess, "localhost", 0);
	gnutls_transport_set_int(sess, fd);
	gnutls_handshake_set_timeout(sess, WAIT_MS);
	gnutls_record_set_timeout(sess, WAIT_MS);
	if (gnutls_handshake(sess) < 0)
		goto out;
	m = invite("tls@test", "btls1", FROM, NULL, true);
	if (gnutls_record_send(sess, m, strlen(m)) != (ssize_t)strlen(m))
		goto out;
	while (n + 1 < len) {
		ssize_t r = gnutls_record_recv(sess, resp + n, len - 1 - n);

		if (r <= 0)
			break;
		n += (size_t)r;
		resp[n] = '\0';
		if (strstr(resp, "\r\n\r\n") != NULL) {
			code = code_of(resp);
			break;
		}
	}
 out:
	gnutls_deinit(sess);
	gnutls_certificate_free_credentials(cred);
	close(fd);
	return code;
}

START_TEST(tls_invite_is_signed_and_client_certificates_are_checked)
{
	char resp[RESP_MAX], extra[4 * H_PATH_MAX];

	ck_assert_int_eq(sipd_stop(), 0);
	snprintf(extra, sizeof(extra), "listen_tls = 127.0.0.1:0\ntls_cert = %s/web.pem\n"
	    "tls_key = %s/web.key", H.pki, H.pki);
	sipd_start(extra);
	ck_assert_int_gt(tls_port, 0);
	ck_assert_int_eq(tls_invite(NULL, resp, sizeof(resp)), 302);
	check_302_sign(resp);
	/* plain SIP on the TLS port: no answer, the session just fails */
	{
		int fd = sock_to(SOCK_STREAM, tls_port);
		const char *m = invite("plain@test", "plain", FROM, NULL, true);
		char c[64];
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		send_all(fd, m, strlen(m));
		ck_assert_int_eq(poll(&pfd, 1, WAIT_MS), 1);
		ck_assert(recv(fd, c, sizeof(c), 0) <= 0 || strncmp(c, "SIP/2.0", 7) != 0);
		close(fd);
	}
	/* mutual TLS: a client certificate from the CA is required */
	ck_assert_int_eq(h_sh(out, sizeof(out), "cd '%s' && openssl ecparam -name prime256v1 "
	    "-genkey -noout -out proxy.key 2>&1 && openssl req -new -key proxy.key "
	    "-subj /CN=proxy -out proxy.csr 2>&1 && printf 'extendedKeyUsage=clientAuth\\n' "
	    ">proxy.ext && openssl x509 -req -in proxy.csr -CA web-ca.pem -CAkey web-ca.key "
	    "-CAcreateserial -days 2 -extfile proxy.ext -out proxy.pem 2>&1", H.pki), 0);
	ck_assert_int_eq(sipd_stop(), 0);
	snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "\ntls_client_ca = %s/web-ca.pem",
	    H.pki);
	sipd_start(extra);
	ck_assert_int_eq(tls_invite(NULL, resp, sizeof(resp)), -1);
	ck_assert_int_eq(tls_invite("proxy", resp, sizeof(resp)), 302);
}
END_TEST

/* An INVITE with a body: the Content-Length line replaced by ct and body. */
static char *
with_body(const char *cid, const char *br, bool tcp, const char *ct, const char *body,
    int claimed)
{
	static char m[32768];
	char *p;

	snprintf(m, sizeof(m), "%s", invite(cid, br, FROM, NULL, tcp));
	p = strstr(m, "Content-Length: 0");
	snprintf(p, sizeof(m) - (size_t)(p - m), "Content-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
	    ct, claimed >= 0 ? claimed : (int)strlen(body), body);
	return m;
}

START_TEST(bodies_must_fit_their_length_and_type)
{
	static const char mp[] = "--nope\r\nnot what the boundary says\r\n";
	static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
	    "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
	char resp[RESP_MAX], log[65536];
	int fd;
	const char *m;

	fd = sock_to(SOCK_DGRAM, udp_port);
	/* a multipart body that does not match its boundary: dropped */
	m = with_body("mp@test", "bmp", false, "multipart/mixed;boundary=xyz", mp, -1);
	send_all(fd, m, strlen(m));
	ck_assert(quiet(fd));
	/* a datagram shorter than its Content-Length: dropped (RFC 3261 18.3) */
	m = with_body("short@test", "bshort", false, "application/sdp", sdp, 4000);
	send_all(fd, m, strlen(m));
	ck_assert(quiet(fd));
	/* an SDP offer, as INVITEs carry one: signed */
	m = with_body("sdpu@test", "bsdpu", false, "application/sdp", sdp, -1);
	send_all(fd, m, strlen(m));
	ck_assert_int_eq(final(fd, false, resp, sizeof(resp), NULL), 302);
	send_ack(fd, "sdpu@test", "bsdpu", resp);
	close(fd);
	read_file(sipd_log, log, sizeof(log));
	ck_assert_int_eq(h_count(log, "UDP datagram dropped: not a SIP message, or its body"), 2);
	/* TCP: an SDP body in two writes, framed by its Content-Length */
	fd = sock_to(SOCK_STREAM, tcp_port);
	m = with_body("sdp@test", "bsdp", true, "application/sdp", sdp, -1);
	send_all(fd, m, strlen(m) - 10);
	ck_assert(quiet(fd));			/* not complete: no answer yet */
	send_all(fd, m + strlen(m) - 10, 10);
	ck_assert_int_gt(recv_msg(fd, true, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 302);
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Call-ID", 0), "sdp@test"));
	/* a framed message whose body does not parse: 400, and closed */
	m = with_body("mpt@test", "bmpt", true, "multipart/mixed;boundary=xyz", mp, -1);
	send_all(fd, m, strlen(m));
	ck_assert_int_gt(recv_msg(fd, true, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_str_eq(resp, "SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
	{
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char c;

		ck_assert_int_eq(poll(&pfd, 1, WAIT_MS), 1);
		ck_assert_int_eq(recv(fd, &c, 1, 0), 0);
	}
	close(fd);
}
END_TEST

START_TEST(tcp_connections_past_max_connections_are_closed)
{
	char resp[RESP_MAX], c, log[65536];
	int a, b, x;

	ck_assert_int_eq(sipd_stop(), 0);
	sipd_start("max_connections = 2");
	a = sock_to(SOCK_STREAM, tcp_port);
	b = sock_to(SOCK_STREAM, tcp_port);
	/* both are served (and so certainly accepted before the third) */
	for (int i = 0; i < 2; i++) {
		const char *m = invite(i == 0 ? "mc0@test" : "mc1@test", i == 0 ? "bmc0" : "bmc1",
		    FROM, NULL, true);

		send_all(i == 0 ? a : b, m, strlen(m));
		ck_assert_int_gt(recv_msg(i == 0 ? a : b, true, resp, sizeof(resp), WAIT_MS), 0);
		ck_assert_int_eq(code_of(resp), 302);
	}
	x = sock_to(SOCK_STREAM, tcp_port);
	{
		struct pollfd pfd = { .fd = x, .events = POLLIN };

		ck_assert_int_eq(poll(&pfd, 1, WAIT_MS), 1);
		ck_assert(recv(x, &c, 1, 0) <= 0);	/* closed unanswered */
	}
	close(x);
	read_file(sipd_log, log, sizeof(log));
	ck_assert_int_eq(h_count(log, "TCP connection refused: max_connections reached"), 1);
	/* one goes, another may come */
	close(a);
	for (int i = 0; i < 100; i++) {
		const char *m = invite("mc2@test", "bmc2", FROM, NULL, true);
		int code;

		x = sock_to(SOCK_STREAM, tcp_port);
		send_all(x, m, strlen(m));
		code = recv_msg(x, true, resp, sizeof(resp), WAIT_MS) > 0 ? code_of(resp) : -1;
		close(x);
		if (code == 302)
			break;
		ck_assert_int_lt(i, 99);	/* the door noticed the close in time */
		usleep(20000);
	}
	close(b);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("stird-sipd hostile");
	TCase *tc = tcase_create("hostile");

	tcase_add_checked_fixture(tc, sipd_setup, sipd_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, malformed_udp_is_dropped_or_answered_400_and_the_door_keeps_serving);
	tcase_add_test(tc, malformed_tcp_is_answered_and_closed_and_the_door_keeps_serving);
	tcase_add_test(tc, bodies_must_fit_their_length_and_type);
	tcase_add_test(tc, tcp_connections_past_max_connections_are_closed);
	tcase_add_test(tc, a_bad_config_is_refused_with_file_and_line);
	tcase_add_test(tc, peers_outside_allow_from_get_nothing);
	tcase_add_test(tc, tls_invite_is_signed_and_client_certificates_are_checked);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
