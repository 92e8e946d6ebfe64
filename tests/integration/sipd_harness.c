/* sipd_harness.c: see sipd_harness.h. */
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
#include <jansson.h>

#include "harness.h"
#include "sipd_harness.h"

struct h H;
char out[H_OUT_MAX];
pid_t sipd_pid;
int udp_port, tcp_port, tls_port;
char sipd_log[H_PATH_MAX];
static int seq;
int crlf_seen;

const char *
sipd_env(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : dflt;
}

/* ---- the door ---- */

void
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

void
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
		snprintf(prog, sizeof(prog), "%s/stird-sipd", sipd_env("top_builddir", "."));
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

int
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

void
sipd_setup(void)
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

void
sipd_teardown(void)
{
	if (sipd_pid > 0)
		ck_assert_int_eq(sipd_stop(), 0);
	h_teardown(&H);
}

/* ---- SIP over sockets ---- */

int
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

void
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
ssize_t
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

int
code_of(const char *resp)
{
	return strncmp(resp, "SIP/2.0 ", 8) == 0 ? atoi(resp + 8) : -1;
}

/* The final response (provisional ones counted into *ret_prov). */
int
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
const char *
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
char *
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

void
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
int
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

int
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
long long
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
bool
quiet(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, QUIET_MS) == 0;
}

void
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

