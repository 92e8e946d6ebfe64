/*
 * test_kamailio.c: the real Kamailio (Debian 12's 5.6) with the
 * configurations of contrib/kamailio/, driven by sipp, in front of the
 * real stird and its doors (stird-http, stird-sipd), all in a temp dir.
 * One Kamailio plays both roles: calls sent to its origination port are
 * signed and relayed to its termination port, which verifies them and
 * relays them to a sipp UAS that answers only calls carrying an Identity
 * header and verstat=TN-Validation-Passed (tests/kamailio/uas.xml).
 *
 * Asserted with counts (sipp's exit status, its statistics file, its
 * message log, Kamailio's log), never with durations:
 *   (a) calls signed at origination arrive verified at the UAS;
 *   (b) a spoofed From is refused with 438 and a STIR Reason header;
 *   (c) while calls whose x5u server never answers wait, 100 unrelated
 *       calls at 50 calls/s all complete;
 *   (d) stird killed and started again during a run of calls loses none.
 * Skips (77) when kamailio, its modules or sipp are not installed.
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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "harness.h"

#define ORIG_TN		"12155551212"
#define SLOW_TN		"12155559999"	/* signed by the credential whose x5u hangs */
#define SPOOF_TN	"12155550000"
#define DEST_TN		"12125551213"

#define DOOR_DEADLINE	10000	/* ms: how long a call on a dead x5u waits */
#define RATE		50	/* calls/s of the unrelated and restart runs */
#define RUN_CALLS	100
#define SLOW_CALLS	4	/* fewer than the config's ASYNC_WORKERS (8) */
#define SIPP_TIMEOUT	"60s"

struct proc {
	pid_t	pid;
	char	name[32];
};

static struct h H;
static char out[H_OUT_MAX];
static char x5u[64];
static int orig_port, term_port, uas_port, door_port, sipd_port;
static struct proc kam, door, sipd;

static const char *
env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : dflt;
}

/* Kamailio's module directory: $KAMAILIO_MODULES, else its built-in one. */
static const char *
moddir(void)
{
	static char dir[H_PATH_MAX];
	char *p, *e;

	if (dir[0] != '\0')
		return dir;
	if (*env_or("KAMAILIO_MODULES", "") != '\0') {
		snprintf(dir, sizeof(dir), "%s", env_or("KAMAILIO_MODULES", ""));
		return dir;
	}
	if (h_sh(out, sizeof(out), "kamailio -I 2>&1") == 0 &&
	    (p = strstr(out, "Default paths to modules: ")) != NULL) {
		p += strlen("Default paths to modules: ");
		if ((e = strpbrk(p, ":\n")) != NULL)
			*e = '\0';
		snprintf(dir, sizeof(dir), "%s", p);
	}
	return dir;
}

/* A port free for both UDP and TCP on 127.0.0.1 (Kamailio listens on
 * both), and not handed out before in this test. */
static int
free_port(void)
{
	static int used[32];
	static size_t nused;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int u, t, port = -1;

	for (int tries = 0; tries < 50 && port < 0; tries++) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if ((u = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
			break;
		if (bind(u, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
		    getsockname(u, (struct sockaddr *)&sin, &len) != 0) {
			close(u);
			continue;
		}
		if ((t = socket(AF_INET, SOCK_STREAM, 0)) >= 0) {
			if (bind(t, (struct sockaddr *)&sin, sizeof(sin)) == 0)
				port = ntohs(sin.sin_port);
			close(t);
		}
		close(u);
		for (size_t i = 0; i < nused && port > 0; i++)
			if (used[i] == port)
				port = -1;
	}
	ck_assert_int_gt(port, 0);
	if (nused < sizeof(used) / sizeof(used[0]))
		used[nused++] = port;
	return port;
}

static void
guard_kill(int sig)
{
	(void)sig;
	(void)kill(0, SIGKILL);		/* the whole group, the guard too */
	_exit(1);
}

/*
 * Run argv with stdout and stderr to dir/name.log, in a process group of
 * its own led by a guard: the guard waits for the program and exits with
 * its status, and when the test dies (or SIGTERM comes) it kills the
 * whole group, so no Kamailio child outlives a test killed by a timeout.
 */
static void
spawn(struct proc *p, const char *name, char *const argv[])
{
	char log[H_PATH_MAX + 64];
	pid_t pid, prog;
	int status;

	snprintf(log, sizeof(log), "%s/%s.log", H.dir, name);
	snprintf(p->name, sizeof(p->name), "%s", name);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		(void)setpgid(0, 0);
		(void)signal(SIGTERM, guard_kill);
		(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			guard_kill(0);
		if (fd >= 0) {
			(void)dup2(fd, 1);
			(void)dup2(fd, 2);
			close(fd);
		}
		if ((prog = fork()) < 0)
			_exit(127);
		if (prog == 0) {
			(void)signal(SIGTERM, SIG_DFL);
			execvp(argv[0], argv);
			_exit(127);
		}
		while (waitpid(prog, &status, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	}
	(void)setpgid(pid, pid);
	p->pid = pid;
}

/* SIGTERM the process group, then SIGKILL; the exit status or -1. */
static int
stop(struct proc *p)
{
	int status;

	if (p->pid <= 0)
		return -1;
	(void)kill(-p->pid, SIGTERM);
	for (int i = 0; i < 500; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			p->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		usleep(10000);
	}
	(void)kill(-p->pid, SIGKILL);
	(void)waitpid(p->pid, &status, 0);
	p->pid = 0;
	return -1;
}

/* Wait for a process to exit by itself; its exit status. */
static int
reap(struct proc *p)
{
	int status;

	ck_assert_int_gt(p->pid, 0);
	ck_assert_int_eq(waitpid(p->pid, &status, 0), p->pid);
	p->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Send a SIP OPTIONS to 127.0.0.1:port over UDP: true when a 200 comes. */
static bool
sip_ping(int port)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	char msg[1024], buf[2048];
	int fd;
	bool ok = false;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return false;
	snprintf(msg, sizeof(msg),
	    "OPTIONS sip:127.0.0.1:%d SIP/2.0\r\n"
	    "Via: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK-ping%d\r\n"
	    "From: <sip:ping@127.0.0.1>;tag=p\r\nTo: <sip:127.0.0.1:%d>\r\n"
	    "Call-ID: ping-%d@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
	    "Content-Length: 0\r\n\r\n", port, (int)getpid(), port, (int)getpid());
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    send(fd, msg, strlen(msg), 0) < 0)
		goto out;
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 200) > 0) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n > 0) {
			buf[n] = '\0';
			ok = strncmp(buf, "SIP/2.0 200", 11) == 0;
		}
	}
 out:
	close(fd);
	return ok;
}

/* GET /healthz of the HTTP door: true on a 200. */
static bool
door_healthy(void)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Connection: close\r\n\r\n";
	struct sockaddr_in sin;
	struct pollfd pfd;
	char buf[64];
	ssize_t n = 0;
	int fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)door_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return false;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) == (ssize_t)sizeof(req) - 1) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 2000) > 0)
			n = recv(fd, buf, sizeof(buf) - 1, 0);
	}
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strncmp(buf, "HTTP/1.1 200", 12) == 0 || strncmp(buf, "HTTP/1.0 200", 12) == 0;
}

static void
start_door(void)
{
	char conf[H_PATH_MAX + 32], prog[H_PATH_MAX], opt_c[] = "-c", opt_f[] = "-f";
	char *argv[] = { prog, opt_c, conf, opt_f, NULL };
	FILE *f;
	int i;

	snprintf(conf, sizeof(conf), "%s/stird-http.conf", H.dir);
	ck_assert_ptr_nonnull(f = fopen(conf, "w"));
	fprintf(f, "listen = 127.0.0.1:%d\nstird_socket = %s\nupstream_connections = 2\n"
	    "deadline_ms = %d\n", door_port, H.sock, DOOR_DEADLINE);
	fclose(f);
	if (*env_or("STIRD_HTTP_BIN", "") != '\0')
		snprintf(prog, sizeof(prog), "%s", env_or("STIRD_HTTP_BIN", ""));
	else
		snprintf(prog, sizeof(prog), "%s/stird-http", env_or("top_builddir", "."));
	spawn(&door, "stird-http", argv);
	for (i = 0; i < 500 && !door_healthy(); i++)
		usleep(20000);
	ck_assert_msg(i < 500, "stird-http did not become healthy (see %s/stird-http.log)", H.dir);
}

static void
start_sipd(void)
{
	char conf[H_PATH_MAX + 32], prog[H_PATH_MAX], opt_c[] = "-c", opt_f[] = "-f";
	char *argv[] = { prog, opt_c, conf, opt_f, NULL };
	FILE *f;
	int i;

	snprintf(conf, sizeof(conf), "%s/stird-sipd.conf", H.dir);
	ck_assert_ptr_nonnull(f = fopen(conf, "w"));
	fprintf(f, "listen_udp = 127.0.0.1:%d\nlisten_tcp = 127.0.0.1:%d\nstird_socket = %s\n"
	    "deadline_ms = %d\n", sipd_port, sipd_port, H.sock, DOOR_DEADLINE);
	fclose(f);
	if (*env_or("STIRD_SIPD_BIN", "") != '\0')
		snprintf(prog, sizeof(prog), "%s", env_or("STIRD_SIPD_BIN", ""));
	else
		snprintf(prog, sizeof(prog), "%s/stird-sipd", env_or("top_builddir", "."));
	spawn(&sipd, "stird-sipd", argv);
	for (i = 0; i < 500 && !sip_ping(sipd_port); i++)
		usleep(20000);
	ck_assert_msg(i < 500, "stird-sipd did not answer OPTIONS (see %s/stird-sipd.log)", H.dir);
}

/* Kamailio in the foreground (-DD), logging to stderr (-E), with cfg. */
static void
start_kamailio(const char *cfg)
{
	char a[8][H_PATH_MAX], path[H_PATH_MAX], pid[H_PATH_MAX + 32];
	char prog[] = "kamailio", f[] = "-f", dd[] = "-DD", e[] = "-E", w[] = "-w", pp[] = "-P";
	char A[] = "-A";
	char *argv[] = { prog, f, path, dd, e, w, H.dir, pp, pid,
	    A, a[0], A, a[1], A, a[2], A, a[3], A, a[4], A, a[5], A, a[6], A, a[7], NULL };
	int i;

	snprintf(path, sizeof(path), "%s/contrib/kamailio/%s", env_or("top_srcdir", "."), cfg);
	snprintf(pid, sizeof(pid), "%s/kamailio.pid", H.dir);
	snprintf(a[0], sizeof(a[0]), "ORIG_PORT=%d", orig_port);
	snprintf(a[1], sizeof(a[1]), "TERM_PORT=%d", term_port);
	snprintf(a[2], sizeof(a[2]), "NEXT_HOP=\"sip:127.0.0.1:%d\"", term_port);
	snprintf(a[3], sizeof(a[3]), "UAS_ADDR=\"sip:127.0.0.1:%d\"", uas_port);
	snprintf(a[4], sizeof(a[4]), "STIRD_HTTPCON=\"stird=>http://127.0.0.1:%d\"", door_port);
	snprintf(a[5], sizeof(a[5]), "SIPD_ADDR=\"sip:127.0.0.1:%d\"", sipd_port);
	snprintf(a[6], sizeof(a[6]), "MPATH=\"%s/\"", moddir());
	snprintf(a[7], sizeof(a[7]), "LOG_LEVEL=1");
	spawn(&kam, "kamailio", argv);
	for (i = 0; i < 500 && !sip_ping(orig_port); i++) {
		int status;

		ck_assert_msg(waitpid(kam.pid, &status, WNOHANG) == 0,
		    "kamailio exited (see %s/kamailio.log)", H.dir);
		usleep(20000);
	}
	ck_assert_msg(i < 500, "kamailio did not answer OPTIONS (see %s/kamailio.log)", H.dir);
	ck_assert(sip_ping(term_port));
}

static void
setup_common(void)
{
	char extra[H_PATH_MAX + 512];

	h_init(&H, NULL);
	/* fetches never time out here: a call on the dead x5u server waits
	 * for the request's deadline_ms (the door's), and no longer */
	snprintf(extra, sizeof(extra), "x5u_ca_file = %s/web-ca.pem\nx5u_allow_private = yes\n"
	    "fetch_timeout_ms = 60000\ncache_min_ttl = 0\n", H.pki);
	h_write_conf(&H, extra);
	h_publish(&H, "sp-chain.pem");
	ck_assert_int_eq(h_sh(NULL, 0, "echo never > '%s/hang.pem' && "
	    "echo '{\"hang\": true}' > '%s/hang.pem.meta'", H.www, H.www), 0);
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(x5u, sizeof(x5u), "https://127.0.0.1:%d", H.https_port);
	ck_assert_msg(h_start(&H), "stird did not start");
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add sp --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u %s/sp-chain.pem",
	    H.pki, H.pki, x5u), 0);
	/* the same certificate, published at a URL whose server never
	 * answers, for SLOW_TN only */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add slow --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u %s/hang.pem --tn "
	    SLOW_TN, H.pki, H.pki, x5u), 0);
	orig_port = free_port();
	term_port = free_port();
	uas_port = free_port();
	door_port = free_port();
	sipd_port = free_port();
}

static void
setup_http(void)
{
	setup_common();
	start_door();
	start_kamailio("stird-http.cfg");
}

static void
setup_redirect(void)
{
	setup_common();
	start_sipd();
	start_kamailio("stird-redirect.cfg");
}

static void
teardown(void)
{
	(void)stop(&kam);
	(void)stop(&door);
	(void)stop(&sipd);
	h_teardown(&H);
}

/*
 * sipp with scenario tests/kamailio/SCEN.xml, local port lport, its
 * statistics in dir/NAME.csv and its messages in dir/NAME.msg; more is
 * shell text.  In the background (p != NULL) or to completion (returns
 * sipp's exit status: 0 when every call succeeded).
 */
static int
sipp(struct proc *p, const char *name, const char *scen, int lport, const char *more)
{
	char cmd[16384], sh[] = "sh", c[] = "-c";
	char *argv[] = { sh, c, cmd, NULL };

	snprintf(cmd, sizeof(cmd), "exec sipp -sf '%s/tests/kamailio/%s.xml' -i 127.0.0.1 -p %d "
	    "-nostdin -timeout %s -timeout_error -max_recv_loops 10000 "
	    "-trace_stat -stf '%s/%s.csv' -trace_msg -message_file '%s/%s.msg' %s",
	    env_or("top_srcdir", "."), scen, lport, SIPP_TIMEOUT, H.dir, name, H.dir, name, more);
	if (p != NULL) {
		spawn(p, name, argv);
		return 0;
	}
	return h_sh(NULL, 0, "%s >>'%s/%s.log' 2>&1", cmd, H.dir, name);
}

static struct proc
uas(int calls)
{
	struct proc p = { 0, "" };
	char more[64];

	snprintf(more, sizeof(more), "-m %d", calls);
	(void)sipp(&p, "uas", "uas", uas_port, more);
	return p;
}

/* A column of the last line of sipp's statistics file dir/NAME.csv. */
static long
stat_of(const char *name, const char *column)
{
	char path[H_PATH_MAX + 64], *buf, *hdr, *last, *save1 = NULL, *save2 = NULL, *h, *v;
	long val = -1;

	snprintf(path, sizeof(path), "%s/%s.csv", H.dir, name);
	ck_assert_int_eq(h_sh(out, sizeof(out), "head -1 '%s' && tail -1 '%s'", path, path), 0);
	ck_assert_ptr_nonnull(buf = strdup(out));
	hdr = strtok_r(buf, "\n", &save1);
	last = strtok_r(NULL, "\n", &save1);
	ck_assert_msg(hdr != NULL && last != NULL, "no statistics in %s", path);
	for (h = strtok_r(hdr, ";", &save1), v = strtok_r(last, ";", &save2);
	    h != NULL && v != NULL;
	    h = strtok_r(NULL, ";", &save1), v = strtok_r(NULL, ";", &save2))
		if (strcmp(h, column) == 0) {
			val = strtol(v, NULL, 10);
			break;
		}
	free(buf);
	ck_assert_msg(val >= 0, "no column %s in %s", column, path);
	return val;
}

/* How often needle occurs in dir/file. */
static int
count_in(const char *file, const char *needle)
{
	char path[H_PATH_MAX + 64];
	FILE *f;
	size_t n;
	int c;

	snprintf(path, sizeof(path), "%s/%s", H.dir, file);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	c = h_count(out, needle);
	return c;
}

static void
assert_calls(const char *name, long ok, long failed)
{
	ck_assert_msg(stat_of(name, "SuccessfulCall(C)") == ok, "%s: %ld successful calls, not %ld",
	    name, stat_of(name, "SuccessfulCall(C)"), ok);
	ck_assert_msg(stat_of(name, "FailedCall(C)") == failed, "%s: %ld failed calls, not %ld",
	    name, stat_of(name, "FailedCall(C)"), failed);
}

/* A call from ORIG_TN signed by stird (stirctl), for calls sent straight
 * to the termination port. */
static const char *
presign(const char *orig, const char *cred)
{
	static char id[8192];

	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "sign --orig %s --dest " DEST_TN " --attest A%s%s", orig, cred ? " --cred " : "",
	    cred ? cred : ""), 0);
	snprintf(id, sizeof(id), "%s", h_last_line(out));
	return id;
}

/* (a) the path of a normal call: signed at origination, verified at
 * termination, answered by the UAS only with both. */
static void
calls_signed_and_verified(void)
{
	struct proc u = uas(10);
	char more[256];

	snprintf(more, sizeof(more), "-key from_tn " ORIG_TN " -key to_tn " DEST_TN
	    " -m 10 -r 10 127.0.0.1:%d", orig_port);
	ck_assert_int_eq(sipp(NULL, "uac", "uac", free_port(), more), 0);
	ck_assert_int_eq(reap(&u), 0);
	assert_calls("uac", 10, 0);
	assert_calls("uas", 10, 0);
	/* every INVITE at the UAS: one Identity, the caller with its verstat */
	ck_assert_int_eq(count_in("uas.msg", "\nINVITE sip:"), 10);
	ck_assert_int_eq(count_in("uas.msg", "\nIdentity: "), 10);
	ck_assert_int_eq(count_in("uas.msg",
	    "P-Asserted-Identity: <tel:+" ORIG_TN ";verstat=TN-Validation-Passed>"), 10);
}

/* (b) a valid PASSporT for ORIG_TN presented with another From. */
static void
spoofed_from_is_refused(void)
{
	char more[12288];

	snprintf(more, sizeof(more), "-key from_tn " SPOOF_TN " -key to_tn " DEST_TN
	    " -key identity '%s' -m 3 -r 10 127.0.0.1:%d", presign(ORIG_TN, NULL), term_port);
	ck_assert_int_eq(sipp(NULL, "spoof", "uac_identity", free_port(), more), 0);
	assert_calls("spoof", 3, 0);
	ck_assert_int_eq(count_in("spoof.msg", "\nSIP/2.0 438 "), 3);
	ck_assert_int_eq(count_in("spoof.msg", "\nReason: STIR;cause=438;"), 3);
	/* the control: the same value with the right From passes */
	ck_assert_int_eq(count_in("spoof.msg", "\nSIP/2.0 200 "), 0);
}

START_TEST(http_signed_and_verified)
{
	calls_signed_and_verified();
}
END_TEST

START_TEST(http_spoofed_from_is_refused)
{
	spoofed_from_is_refused();
}
END_TEST

/* (c) calls whose x5u server never answers wait (stird-http.cfg: each in
 * an async worker, at most their number; stird-redirect.cfg: in a
 * transaction, no process at all), never in a SIP worker: unrelated calls
 * keep flowing. */
static void
dead_x5u_delays_only_its_calls(void)
{
	struct proc slow = { 0, "" }, u = uas(RUN_CALLS);
	char more[12288];
	int i;

	snprintf(more, sizeof(more), "-key from_tn " SLOW_TN " -key to_tn " DEST_TN
	    " -key identity '%s' -m %d -r 100 127.0.0.1:%d", presign(SLOW_TN, "slow"),
	    SLOW_CALLS, term_port);
	(void)sipp(&slow, "slow", "uac_identity", free_port(), more);
	/* stird has asked the dead server: the slow calls are waiting */
	for (i = 0; i < 1000 && count_in("https.log", "GET /hang.pem") == 0; i++)
		usleep(10000);
	ck_assert_msg(i < 1000, "the x5u server was never asked for hang.pem");
	snprintf(more, sizeof(more), "-key from_tn " ORIG_TN " -key to_tn " DEST_TN
	    " -m %d -r %d 127.0.0.1:%d", RUN_CALLS, RATE, orig_port);
	ck_assert_int_eq(sipp(NULL, "uac", "uac", free_port(), more), 0);
	ck_assert_int_eq(reap(&u), 0);
	assert_calls("uac", RUN_CALLS, 0);
	assert_calls("uas", RUN_CALLS, 0);
	/* ...all of them while the slow calls had no final answer yet */
	ck_assert_int_eq(count_in("slow.msg", "\nSIP/2.0 4"), 0);
	ck_assert_int_ge(count_in("slow.msg", "\nSIP/2.0 100 "), SLOW_CALLS);
	/* then deadline_ms passes: stird answers 436, Kamailio refuses */
	ck_assert_int_eq(reap(&slow), 0);
	assert_calls("slow", SLOW_CALLS, 0);
	ck_assert_int_eq(count_in("slow.msg", "\nSIP/2.0 436 "), SLOW_CALLS);
	ck_assert_int_eq(count_in("slow.msg", "\nReason: STIR;cause=436"), SLOW_CALLS);
	/* one fetch for all of them (stird shares it) */
	ck_assert_int_eq(count_in("https.log", "GET /hang.pem"), 1);
}

START_TEST(http_dead_x5u_delays_only_its_calls)
{
	dead_x5u_delays_only_its_calls();
}
END_TEST

/* (d) stird killed (SIGKILL) and started again in the middle of a run:
 * Kamailio asks again while the door answers 503, no call is lost. */
static void
stird_restart_loses_no_call(void)
{
	struct proc uac = { 0, "" }, u = uas(RUN_CALLS);
	char more[256];
	int i, status;

	snprintf(more, sizeof(more), "-key from_tn " ORIG_TN " -key to_tn " DEST_TN
	    " -m %d -r %d 127.0.0.1:%d", RUN_CALLS, RATE, orig_port);
	(void)sipp(&uac, "uac", "uac", free_port(), more);
	for (i = 0; i < 3000 && count_in("uac.msg", "\nSIP/2.0 200 OK") < 20; i++)
		usleep(10000);
	ck_assert_msg(i < 3000, "the first 20 calls did not complete");
	ck_assert_int_eq(kill(H.pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(H.pid, &status, 0), H.pid);
	H.pid = 0;
	/* calls keep arriving while stird is away */
	status = count_in("uac.msg", "\nINVITE sip:");
	for (i = 0; i < 3000 && count_in("uac.msg", "\nINVITE sip:") < status + 5; i++)
		usleep(10000);
	ck_assert_msg(h_start(&H), "stird did not start again");
	ck_assert_int_eq(reap(&uac), 0);
	ck_assert_int_eq(reap(&u), 0);
	assert_calls("uac", RUN_CALLS, 0);
	assert_calls("uas", RUN_CALLS, 0);
	ck_assert_int_eq(count_in("uas.msg", "verstat=TN-Validation-Passed"), RUN_CALLS);
	/* the outage was real: Kamailio had to try again */
	ck_assert_int_gt(count_in("kamailio.log", ", try 1\n"), 0);
}

START_TEST(http_stird_restart_loses_no_call)
{
	stird_restart_loses_no_call();
}
END_TEST

START_TEST(redirect_signed_and_verified)
{
	calls_signed_and_verified();
}
END_TEST

START_TEST(redirect_spoofed_from_is_refused)
{
	spoofed_from_is_refused();
}
END_TEST

START_TEST(redirect_dead_x5u_delays_only_its_calls)
{
	dead_x5u_delays_only_its_calls();
}
END_TEST

START_TEST(redirect_stird_restart_loses_no_call)
{
	stird_restart_loses_no_call();
}
END_TEST

/* The SIP redirect door is built (it came to the tree after stird-http). */
static bool
have_sipd(void)
{
	char prog[H_PATH_MAX];

	if (*env_or("STIRD_SIPD_BIN", "") != '\0')
		snprintf(prog, sizeof(prog), "%s", env_or("STIRD_SIPD_BIN", ""));
	else
		snprintf(prog, sizeof(prog), "%s/stird-sipd", env_or("top_builddir", "."));
	return access(prog, X_OK) == 0;
}

static Suite *
suite(void)
{
	Suite *s = suite_create("kamailio");
	TCase *tc = tcase_create("http");

	tcase_add_checked_fixture(tc, setup_http, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, http_signed_and_verified);
	tcase_add_test(tc, http_spoofed_from_is_refused);
	tcase_add_test(tc, http_dead_x5u_delays_only_its_calls);
	tcase_add_test(tc, http_stird_restart_loses_no_call);
	suite_add_tcase(s, tc);
	if (!have_sipd())
		fprintf(stderr, "test_kamailio: no stird-sipd in this tree: "
		    "stird-redirect.cfg not tested\n");
	else {
		tc = tcase_create("redirect");
		tcase_add_checked_fixture(tc, setup_redirect, teardown);
		tcase_set_timeout(tc, 120);
		tcase_add_test(tc, redirect_signed_and_verified);
		tcase_add_test(tc, redirect_spoofed_from_is_refused);
		tcase_add_test(tc, redirect_dead_x5u_delays_only_its_calls);
		tcase_add_test(tc, redirect_stird_restart_loses_no_call);
		suite_add_tcase(s, tc);
	}
	return s;
}

/* Kamailio with the modules the configurations load, and sipp. */
static bool
have_tools(void)
{
	static const char *mods[] = { "tm", "async", "http_client", "jansson", "textops",
	    "siputils", "cfgutils", "sanity", NULL };
	char path[H_PATH_MAX + 64];

	if (h_sh(NULL, 0, "command -v kamailio >/dev/null && command -v sipp >/dev/null") != 0)
		return false;
	for (int i = 0; mods[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s.so", moddir(), mods[i]);
		if (access(path, R_OK) != 0) {
			fprintf(stderr, "test_kamailio: no %s\n", path);
			return false;
		}
	}
	return true;
}

int
main(void)
{
	if (!have_tools()) {
		fprintf(stderr, "test_kamailio: SKIP: kamailio (with kamailio-utils-modules, "
		    "kamailio-extra-modules) or sipp (sip-tester) "
		    "is not installed\n");
		return 77;
	}
	return h_run(suite());
}
