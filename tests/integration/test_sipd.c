/*
 * test_sipd.c: stird-sipd, the SIP redirect front door, end to end: the
 * real stird (its SQLite file, a test PKI, x5u from tests/https-server.py)
 * and the real stird-sipd on loopback ports it picks itself, driven with
 * raw SIP over UDP and TCP from plain sockets.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <gnutls/gnutls.h>
#include <jansson.h>

#include "harness.h"

#define RURI	"sip:+12125551213@example.com;user=phone"
#define FROM	"<sip:+12155551212@example.com;user=phone>;tag=caller1"
#define SPOOF	"<sip:+12155559999@example.com;user=phone>;tag=caller2"
#define TO	"<sip:+12125551213@example.com;user=phone>"
#define WAIT_MS	5000		/* an answer that does not come (a failure) */
#define QUIET_MS 300		/* nothing should come back: how long we listen */
#define RESP_MAX 32768

static struct h H;
static char out[H_OUT_MAX];
static pid_t sipd_pid;
static int udp_port, tcp_port, tls_port;
static char sipd_log[H_PATH_MAX];
static int seq;
static int crlf_seen;		/* keep-alive pongs skipped on TCP */

static const char *
env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : dflt;
}

/* ---- the door ---- */

static void
read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f == NULL)
		return;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static int
port_of(const char *log, const char *proto)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "listening on %s:127.0.0.1:", proto);
	if ((p = strstr(log, pat)) == NULL)
		return 0;
	return atoi(p + strlen(pat));
}

static void
sipd_start(const char *extra)
{
	char conf[H_PATH_MAX], prog[H_PATH_MAX], log[8192];
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/sipd.conf", H.dir);
	snprintf(sipd_log, sizeof(sipd_log), "%s/sipd.log", H.dir);
	/* STIRD_SIPD: another binary or a wrapper (valgrind) */
	if (getenv("STIRD_SIPD") != NULL)
		snprintf(prog, sizeof(prog), "%s", getenv("STIRD_SIPD"));
	else
		snprintf(prog, sizeof(prog), "%s/stird-sipd", env_or("top_builddir", "."));
	/* a restart starts a new log: the old one says "ready" too */
	snprintf(log, sizeof(log), "%s/sipd-previous.log", H.dir);
	(void)rename(sipd_log, log);
	ck_assert_ptr_nonnull(f = fopen(conf, "w"));
	fprintf(f, "stird_socket = %s\nlisten_udp = 127.0.0.1:0\nlisten_tcp = 127.0.0.1:0\n"
	    "log_level = debug\n%s\n", H.sock, extra ? extra : "");
	fclose(f);
	ck_assert_int_ge(sipd_pid = fork(), 0);
	if (sipd_pid == 0) {
		int fd = open(sipd_log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			(void)dup2(fd, 1);
			(void)dup2(fd, 2);
			close(fd);
		}
		execl(prog, prog, "-f", "-c", conf, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 1500; i++) {		/* 30 s: valgrind is slow */
		read_file(sipd_log, log, sizeof(log));
		if (strstr(log, "ready") != NULL)
			break;
		usleep(20000);
	}
	ck_assert_msg(strstr(log, "ready") != NULL, "stird-sipd did not start: %s", log);
	udp_port = port_of(log, "udp");
	tcp_port = port_of(log, "tcp");
	tls_port = port_of(log, "tls");
	ck_assert_int_gt(udp_port, 0);
	ck_assert_int_gt(tcp_port, 0);
}

static int
sipd_stop(void)
{
	int status;

	if (sipd_pid <= 0)
		return -1;
	kill(sipd_pid, SIGTERM);
	ck_assert_int_eq(waitpid(sipd_pid, &status, 0), sipd_pid);
	sipd_pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
setup(void)
{
	char x5u[64];

	h_init(&H, NULL);
	h_verifier_conf(&H, NULL);
	h_publish(&H, "sp-chain.pem");
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(x5u, sizeof(x5u), "https://127.0.0.1:%d", H.https_port);
	ck_assert_msg(h_start(&H), "stird did not start");
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add sp --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u %s/sp-chain.pem",
	    H.pki, H.pki, x5u), 0);
	sipd_start(NULL);
}

static void
teardown(void)
{
	if (sipd_pid > 0)
		ck_assert_int_eq(sipd_stop(), 0);
	h_teardown(&H);
}

/* ---- SIP over sockets ---- */

static int
sock_to(int type, int port)
{
	struct sockaddr_in sin;
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd = socket(AF_INET, type, 0), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

static void
send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;		/* the door may close first */
		buf += n;
		len -= (size_t)n;
	}
}

/* One UDP datagram, or one TCP response (headers; our answers have no body). */
static ssize_t
recv_msg(int fd, bool tcp, char *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t n = 0;

	if (!tcp) {
		ssize_t r;

		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -1;
		if ((r = recv(fd, buf, len - 1, 0)) < 0)
			return -1;
		buf[r] = '\0';
		return r;
	}
	/* byte by byte up to the blank line: the next response stays queued */
	while (n + 1 < len) {
		ssize_t r;

		if (poll(&pfd, 1, timeout_ms) <= 0)
			break;
		if ((r = recv(fd, buf + n, 1, 0)) <= 0)
			break;
		if (n == 0 && (buf[0] == '\r' || buf[0] == '\n')) {
			crlf_seen++;	/* a keep-alive pong, not a response */
			continue;
		}
		n++;
		buf[n] = '\0';
		if (n >= 4 && memcmp(buf + n - 4, "\r\n\r\n", 4) == 0)
			return (ssize_t)n;
	}
	buf[n] = '\0';
	return n > 0 ? (ssize_t)n : -1;
}

static int
code_of(const char *resp)
{
	return strncmp(resp, "SIP/2.0 ", 8) == 0 ? atoi(resp + 8) : -1;
}

/* The final response (provisional ones counted into *ret_prov). */
static int
final(int fd, bool tcp, char *resp, size_t len, int *ret_prov)
{
	int prov = 0;

	for (;;) {
		ck_assert_msg(recv_msg(fd, tcp, resp, len, WAIT_MS) > 0, "no final response");
		if (code_of(resp) >= 200)
			break;
		ck_assert_int_eq(code_of(resp), 100);
		prov++;
	}
	if (ret_prov != NULL)
		*ret_prov = prov;
	return code_of(resp);
}

/* The value of the n-th header field name (case-insensitive), copied. */
static const char *
hdr(const char *resp, const char *name, int n)
{
	static char v[16384];
	size_t nl = strlen(name);

	for (const char *p = strstr(resp, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
		const char *l = p + 2, *e;

		if (strncasecmp(l, name, nl) != 0 || l[nl] != ':' || n-- > 0)
			continue;
		l += nl + 1;
		l += strspn(l, " \t");
		e = strstr(l, "\r\n");
		snprintf(v, sizeof(v), "%.*s", (int)(e - l), l);
		return v;
	}
	return NULL;
}

/* An INVITE of call-id cid with branch br, From from, and Identity values. */
static char *
invite(const char *cid, const char *br, const char *from, const char *identity, bool tcp)
{
	static char m[24576];

	snprintf(m, sizeof(m), "INVITE " RURI " SIP/2.0\r\n"
	    "Via: SIP/2.0/%s 127.0.0.1:5999;branch=z9hG4bK%s;rport\r\n"
	    "Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKupstream\r\n"
	    "Max-Forwards: 70\r\nFrom: %s\r\nTo: " TO "\r\nCall-ID: %s\r\nCSeq: 1 INVITE\r\n"
	    "Contact: <sip:caller@127.0.0.1:5999>\r\n%s%s%sContent-Length: 0\r\n\r\n",
	    tcp ? "TCP" : "UDP", br, from, cid, identity ? "Identity: " : "",
	    identity ? identity : "", identity ? "\r\n" : "");
	return m;
}

static void
send_ack(int fd, const char *cid, const char *br, const char *resp)
{
	char m[4096];

	snprintf(m, sizeof(m), "ACK " RURI " SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK%s;rport\r\n"
	    "Max-Forwards: 70\r\nFrom: " FROM "\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 1 ACK\r\n"
	    "Content-Length: 0\r\n\r\n", br, hdr(resp, "To", 0), cid);
	send_all(fd, m, strlen(m));
}

/* INVITE over UDP: the final response; ACKed when it is not 2xx. */
static int
udp_invite(const char *from, const char *identity, char *resp, size_t len)
{
	char cid[64], br[32];
	int fd = sock_to(SOCK_DGRAM, udp_port), code, prov;
	const char *m;

	snprintf(cid, sizeof(cid), "call-%d-%d@test", getpid(), ++seq);
	snprintf(br, sizeof(br), "b%d", seq);
	m = invite(cid, br, from, identity, false);
	send_all(fd, m, strlen(m));
	code = final(fd, false, resp, len, &prov);
	ck_assert_int_eq(prov, 1);		/* 100 Trying at once over UDP */
	send_ack(fd, cid, br, resp);
	close(fd);
	return code;
}

static int
tcp_invite(const char *from, const char *identity, char *resp, size_t len)
{
	char cid[64], br[32];
	int fd = sock_to(SOCK_STREAM, tcp_port), code, prov;
	const char *m;

	snprintf(cid, sizeof(cid), "call-%d-%d@test", getpid(), ++seq);
	snprintf(br, sizeof(br), "b%d", seq);
	m = invite(cid, br, from, identity, true);
	send_all(fd, m, strlen(m));
	code = final(fd, true, resp, len, &prov);
	ck_assert_int_eq(prov, 0);		/* reliable: no 100 needed */
	close(fd);
	return code;
}

/* stird's count of signatures made (status, admin socket). */
static long long
stird_signs(void)
{
	json_t *st;
	long long n;

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "--json status"), 0);
	ck_assert_ptr_nonnull(st = json_loads(out, 0, NULL));
	n = json_integer_value(json_object_get(json_object_get(st, "stats"), "signs"));
	json_decref(st);
	return n;
}

/* Nothing arrives on fd for QUIET_MS. */
static bool
quiet(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, QUIET_MS) == 0;
}

/* ---- tests ---- */

static void
check_302_sign(const char *resp)
{
	ck_assert_int_eq(code_of(resp), 302);
	ck_assert_str_eq(hdr(resp, "Contact", 0), "<" RURI ">");
	ck_assert_ptr_nonnull(hdr(resp, "Identity", 0));
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Identity", 0), ";info=<https://127.0.0.1:"));
	ck_assert_ptr_null(hdr(resp, "Identity", 1));
	/* RFC 3261 8.2.6: Vias in order, From, Call-ID, CSeq copied; To tagged */
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Via", 0), "branch=z9hG4bKb"));
	ck_assert_str_eq(hdr(resp, "Via", 1), "SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKupstream");
	ck_assert_str_eq(hdr(resp, "From", 0), FROM);
	ck_assert_ptr_nonnull(strstr(hdr(resp, "To", 0), TO ";tag="));
	ck_assert_str_eq(hdr(resp, "CSeq", 0), "1 INVITE");
	ck_assert_str_eq(hdr(resp, "Content-Length", 0), "0");
}

START_TEST(udp_invite_is_signed_and_the_identity_verifies_as_passed)
{
	char resp[RESP_MAX], identity[16384];

	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
	check_302_sign(resp);
	snprintf(identity, sizeof(identity), "%s", hdr(resp, "Identity", 0));
	/* stird itself says the value is good */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from '%s' "
	    "--to '%s'", identity, "sip:+12155551212@example.com;user=phone", "tel:+12125551213"), 0);
	ck_assert_ptr_nonnull(strstr(out, "TN-Validation-Passed"));
	/* and through the door */
	ck_assert_int_eq(udp_invite(FROM, identity, resp, sizeof(resp)), 302);
	ck_assert_str_eq(hdr(resp, "Contact", 0), "<" RURI ">");
	ck_assert_str_eq(hdr(resp, "P-Asserted-Identity", 0),
	    "<tel:+12155551212;verstat=TN-Validation-Passed>");
	ck_assert_ptr_null(hdr(resp, "Identity", 0));
	ck_assert_ptr_null(hdr(resp, "Reason", 0));
}
END_TEST

START_TEST(tcp_invite_is_signed_and_verified)
{
	char resp[RESP_MAX], identity[16384];

	ck_assert_int_eq(tcp_invite(FROM, NULL, resp, sizeof(resp)), 302);
	check_302_sign(resp);
	snprintf(identity, sizeof(identity), "%s", hdr(resp, "Identity", 0));
	ck_assert_int_eq(tcp_invite(FROM, identity, resp, sizeof(resp)), 302);
	ck_assert_str_eq(hdr(resp, "P-Asserted-Identity", 0),
	    "<tel:+12155551212;verstat=TN-Validation-Passed>");
}
END_TEST

START_TEST(spoofed_from_is_rejected_with_438_and_a_stir_reason)
{
	char resp[RESP_MAX], identity[16384];

	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
	snprintf(identity, sizeof(identity), "%s", hdr(resp, "Identity", 0));
	ck_assert_int_eq(udp_invite(SPOOF, identity, resp, sizeof(resp)), 438);
	ck_assert_ptr_nonnull(strstr(resp, "SIP/2.0 438 Invalid Identity Header\r\n"));
	ck_assert_ptr_nonnull(hdr(resp, "Reason", 0));
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Reason", 0), "STIR;cause=438"));
	ck_assert_ptr_null(hdr(resp, "Contact", 0));
	/* over TCP too */
	ck_assert_int_eq(tcp_invite(SPOOF, identity, resp, sizeof(resp)), 438);
}
END_TEST

START_TEST(mark_mode_redirects_a_failed_call_with_its_verstat)
{
	char resp[RESP_MAX], identity[16384];

	ck_assert_int_eq(sipd_stop(), 0);
	sipd_start("on_verify_failure = mark");
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
	snprintf(identity, sizeof(identity), "%s", hdr(resp, "Identity", 0));
	ck_assert_int_eq(udp_invite(SPOOF, identity, resp, sizeof(resp)), 302);
	ck_assert_str_eq(hdr(resp, "P-Asserted-Identity", 0),
	    "<tel:+12155559999;verstat=TN-Validation-Failed>");
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Reason", 0), "STIR;cause=438"));
}
END_TEST

START_TEST(retransmitted_invite_gets_the_same_response_and_stird_signs_once)
{
	char resp[RESP_MAX], again[RESP_MAX], cid[64];
	int fd = sock_to(SOCK_DGRAM, udp_port), prov;
	long long before = stird_signs();
	const char *m;

	snprintf(cid, sizeof(cid), "rexmit-%d@test", getpid());
	m = invite(cid, "rexmit1", FROM, NULL, false);
	send_all(fd, m, strlen(m));
	ck_assert_int_eq(final(fd, false, resp, sizeof(resp), &prov), 302);
	/* not ACKed yet: the door retransmits the 302 (RFC 3261 timer G) */
	ck_assert_int_gt(recv_msg(fd, false, again, sizeof(again), WAIT_MS), 0);
	ck_assert_str_eq(again, resp);
	send_ack(fd, cid, "rexmit1", resp);
	/* the INVITE again, as a caller that lost the 302 sends it */
	send_all(fd, m, strlen(m));
	ck_assert_int_gt(recv_msg(fd, false, again, sizeof(again), WAIT_MS), 0);
	ck_assert_str_eq(again, resp);
	/* ACKed: nothing more comes */
	ck_assert(quiet(fd));
	close(fd);
	ck_assert_int_eq(stird_signs(), before + 1);
}
END_TEST

START_TEST(options_is_answered_and_other_methods_are_refused)
{
	static const char opt[] = "OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKopt\r\nMax-Forwards: 70\r\n"
	    "From: <sip:mon@127.0.0.1>;tag=m\r\nTo: <sip:ping@127.0.0.1>\r\nCall-ID: opt@test\r\n"
	    "CSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n";
	static const char bye[] = "BYE sip:x@127.0.0.1 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKbye\r\nMax-Forwards: 70\r\n"
	    "From: <sip:a@127.0.0.1>;tag=a\r\nTo: <sip:x@127.0.0.1>;tag=b\r\nCall-ID: bye@test\r\n"
	    "CSeq: 8 BYE\r\nContent-Length: 0\r\n\r\n";
	static const char foo[] = "FROB sip:x@127.0.0.1 SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKfoo\r\nMax-Forwards: 70\r\n"
	    "From: <sip:a@127.0.0.1>;tag=a\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: foo@test\r\n"
	    "CSeq: 9 FROB\r\nContent-Length: 0\r\n\r\n";
	char resp[RESP_MAX];
	int fd = sock_to(SOCK_DGRAM, udp_port);

	send_all(fd, opt, sizeof(opt) - 1);
	ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 200);
	ck_assert_str_eq(hdr(resp, "CSeq", 0), "7 OPTIONS");
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Allow", 0), "INVITE"));
	send_all(fd, bye, sizeof(bye) - 1);
	ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 405);
	ck_assert_ptr_nonnull(strstr(hdr(resp, "To", 0), ";tag=b"));	/* its own tag kept */
	send_all(fd, foo, sizeof(foo) - 1);
	ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 501);
	close(fd);
	/* OPTIONS over TCP */
	fd = sock_to(SOCK_STREAM, tcp_port);
	send_all(fd, opt, sizeof(opt) - 1);
	ck_assert_int_gt(recv_msg(fd, true, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 200);
	close(fd);
}
END_TEST

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

START_TEST(two_invites_pipelined_on_one_tcp_connection_both_answered)
{
	char resp[RESP_MAX], both[65536];
	int fd = sock_to(SOCK_STREAM, tcp_port);

	snprintf(both, sizeof(both), "%s", invite("p1@test", "p1", FROM, NULL, true));
	snprintf(both + strlen(both), sizeof(both) - strlen(both), "\r\n\r\n%s",
	    invite("p2@test", "p2", FROM, NULL, true));		/* with a keep-alive between */
	crlf_seen = 0;
	send_all(fd, both, strlen(both));
	ck_assert_int_gt(recv_msg(fd, true, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 302);
	ck_assert_ptr_nonnull(strstr(hdr(resp, "Call-ID", 0), "@test"));
	ck_assert_int_gt(recv_msg(fd, true, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 302);
	ck_assert_int_eq(crlf_seen, 2);		/* RFC 5626: \r\n\r\n gets \r\n */
	close(fd);
}
END_TEST

START_TEST(stird_down_gives_503_and_the_door_reconnects)
{
	char resp[RESP_MAX];

	ck_assert_int_eq(h_stop(&H), 0);
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 503);
	ck_assert_str_eq(hdr(resp, "Retry-After", 0), "5");
	ck_assert_int_eq(tcp_invite(FROM, NULL, resp, sizeof(resp)), 503);
	ck_assert_msg(h_start(&H), "stird did not start again");
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
}
END_TEST

static void
send_cancel(int fd, const char *cid, const char *br)
{
	char m[4096];

	snprintf(m, sizeof(m), "CANCEL " RURI " SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK%s;rport\r\n"
	    "Max-Forwards: 70\r\nFrom: " FROM "\r\nTo: " TO "\r\nCall-ID: %s\r\nCSeq: 1 CANCEL\r\n"
	    "Content-Length: 0\r\n\r\n", br, cid);
	send_all(fd, m, strlen(m));
}

START_TEST(pending_invites_are_retransmitted_cancelled_and_timed_out)
{
	char resp[RESP_MAX], cid[64];
	int fd, got200 = 0, got487 = 0;
	const char *m;

	ck_assert_int_eq(sipd_stop(), 0);
	sipd_start("deadline_ms = 300");
	ck_assert_int_eq(kill(H.pid, SIGSTOP), 0);	/* stird takes no calls now */
	fd = sock_to(SOCK_DGRAM, udp_port);
	snprintf(cid, sizeof(cid), "pending-%d@test", getpid());
	m = invite(cid, "pend1", FROM, NULL, false);
	send_all(fd, m, strlen(m));
	ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 100);
	/* retransmitted while stird works: 100 again, nothing else */
	send_all(fd, m, strlen(m));
	ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 100);
	/* CANCEL: 200 for it, 487 for the INVITE */
	send_cancel(fd, cid, "pend1");
	for (int i = 0; i < 2; i++) {
		ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
		if (code_of(resp) == 200 && strcmp(hdr(resp, "CSeq", 0), "1 CANCEL") == 0)
			got200++;
		else if (code_of(resp) == 487 && strcmp(hdr(resp, "CSeq", 0), "1 INVITE") == 0)
			got487++;
	}
	ck_assert_int_eq(got200, 1);
	ck_assert_int_eq(got487, 1);
	send_ack(fd, cid, "pend1", resp);
	/* a CANCEL of nothing */
	send_cancel(fd, "nothing@test", "none");
	ck_assert_int_gt(recv_msg(fd, false, resp, sizeof(resp), WAIT_MS), 0);
	ck_assert_int_eq(code_of(resp), 481);
	close(fd);
	/* stird never answers: 504 once deadline_ms and a second passed */
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 504);
	ck_assert_int_eq(kill(H.pid, SIGCONT), 0);
	/* stird answers what was cancelled, which is ignored, and the next call */
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
}
END_TEST

START_TEST(attestation_comes_from_the_config_or_the_allowed_header)
{
	char resp[RESP_MAX], identity[16384], cid[64];
	int fd = -1;
	const char *m;

	ck_assert_int_eq(sipd_stop(), 0);
	sipd_start("attest = B\nattest_header = X-Attest");
	ck_assert_int_eq(udp_invite(FROM, NULL, resp, sizeof(resp)), 302);
	snprintf(identity, sizeof(identity), "%s", hdr(resp, "Identity", 0));
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from '%s' "
	    "--to '%s'", identity, "sip:+12155551212@example.com;user=phone", "tel:+12125551213"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"attest\": \"B\""));
	for (int i = 0; i < 2; i++) {
		char with[24576], *p;

		fd = sock_to(SOCK_DGRAM, udp_port);
		snprintf(cid, sizeof(cid), "attest-%d-%d@test", getpid(), i);
		m = invite(cid, i == 0 ? "att0" : "att1", FROM, NULL, false);
		snprintf(with, sizeof(with), "%s", m);
		p = strstr(with, "Content-Length");
		snprintf(p, sizeof(with) - (size_t)(p - with), "X-Attest: %s\r\nContent-Length: 0\r\n\r\n",
		    i == 0 ? "C" : "Z");
		send_all(fd, with, strlen(with));
		if (i == 0) {
			ck_assert_int_eq(final(fd, false, resp, sizeof(resp), NULL), 302);
			snprintf(identity, sizeof(identity), "%s", hdr(resp, "Identity", 0));
		} else {
			ck_assert_int_eq(final(fd, false, resp, sizeof(resp), NULL), 400);
			ck_assert_ptr_nonnull(strstr(hdr(resp, "Warning", 0), "A, B or C"));
		}
		send_ack(fd, cid, i == 0 ? "att0" : "att1", resp);
		close(fd);
	}
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from '%s' "
	    "--to '%s'", identity, "sip:+12155551212@example.com;user=phone", "tel:+12125551213"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"attest\": \"C\""));
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
	snprintf(prog, sizeof(prog), "%s/stird-sipd", env_or("top_builddir", "."));
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

/* sipp (Debian sip-tester) as the proxy would be: sign, then verify. */
static void
run_sipp(const char *transport, int port)
{
	char cmd[4 * H_PATH_MAX];
	int rc;

	snprintf(cmd, sizeof(cmd), "cd '%s' && sipp -sf '%s/tests/integration/sipd-sign-verify.xml' "
	    "-t %s -i 127.0.0.1 -m 40 -r 400 -l 40 -timeout 30s -timeout_error -nostdin "
	    "-trace_err -error_file sipp-%s.err -trace_stat -stf sipp-%s.csv 127.0.0.1:%d "
	    ">sipp-%s.out 2>&1", H.dir, env_or("top_srcdir", "."), transport, transport,
	    transport, port, transport);
	rc = h_sh(out, sizeof(out), "%s", cmd);
	if (rc != 0) {
		(void)h_sh(out, sizeof(out), "cat '%s/sipp-%s.out' '%s/sipp-%s.err' 2>&1 | tail -40",
		    H.dir, transport, H.dir, transport);
		ck_abort_msg("sipp over %s failed (%d): %s", transport, rc, out);
	}
}

START_TEST(sipp_signs_then_verifies_over_udp_and_tcp)
{
	long long before = stird_signs();

	run_sipp("u1", udp_port);
	run_sipp("t1", tcp_port);
	ck_assert_int_eq(stird_signs(), before + 80);	/* 40 calls each, signed once */
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("stird-sipd");
	TCase *tc = tcase_create("door");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, udp_invite_is_signed_and_the_identity_verifies_as_passed);
	tcase_add_test(tc, tcp_invite_is_signed_and_verified);
	tcase_add_test(tc, spoofed_from_is_rejected_with_438_and_a_stir_reason);
	tcase_add_test(tc, mark_mode_redirects_a_failed_call_with_its_verstat);
	tcase_add_test(tc, retransmitted_invite_gets_the_same_response_and_stird_signs_once);
	tcase_add_test(tc, options_is_answered_and_other_methods_are_refused);
	tcase_add_test(tc, malformed_udp_is_dropped_or_answered_400_and_the_door_keeps_serving);
	tcase_add_test(tc, malformed_tcp_is_answered_and_closed_and_the_door_keeps_serving);
	tcase_add_test(tc, two_invites_pipelined_on_one_tcp_connection_both_answered);
	tcase_add_test(tc, stird_down_gives_503_and_the_door_reconnects);
	tcase_add_test(tc, sipp_signs_then_verifies_over_udp_and_tcp);
	tcase_add_test(tc, pending_invites_are_retransmitted_cancelled_and_timed_out);
	tcase_add_test(tc, attestation_comes_from_the_config_or_the_allowed_header);
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
