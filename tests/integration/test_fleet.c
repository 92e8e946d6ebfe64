/*
 * test_fleet.c: two real stird instances sharing a real redis-server on a
 * private port (doc/fleet.md): replay detection across hosts, the shared
 * certificate cache (the x5u server's request log counts fetches), one
 * fetch per fleet for a burst on both hosts, Redis killed (open and
 * closed) and back, and a paused Redis (DEBUG SLEEP) that delays no
 * verification.  Host A signs and verifies, host B verifies; both have
 * copies of the same test PKI.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "harness.h"

static struct h A, B;
static char out[H_OUT_MAX];
static char x5u[64];
static pid_t redis_pid;
static int redis_port;

#define FROM	"'sip:+12155551212@example.com;user=phone'"
#define TO	"tel:+12125551213"
#define WAIT_UP_S	30	/* reconnects back off up to 5 s (not a budget) */

static int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static char redis_extra[4 * H_PATH_MAX];	/* more redis.conf lines (ACL users) */

/* redis-server on 127.0.0.1:redis_port, nothing saved; waits for PONG. */
static void
redis_start(void)
{
	char conf[H_PATH_MAX + 16], o[256];
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/redis.conf", A.dir);
	ck_assert_ptr_nonnull(f = fopen(conf, "w"));
	fprintf(f, "port %d\nbind 127.0.0.1\nsave \"\"\nappendonly no\n"
	    "enable-debug-command local\ndir %s\nlogfile %s/redis.log\n%s", redis_port, A.dir,
	    A.dir, redis_extra);
	fclose(f);
	if ((redis_pid = fork()) == 0) {
		execlp("redis-server", "redis-server", conf, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(redis_pid, 0);
	for (int i = 0; i < 200; i++) {
		/* PONG, or NOAUTH when the default user is off: it is up */
		if (h_sh(o, sizeof(o), "redis-cli -p %d ping 2>&1", redis_port) == 0 &&
		    (strncmp(o, "PONG", 4) == 0 || strstr(o, "NOAUTH") != NULL))
			return;
		usleep(50000);
	}
	ck_abort_msg("redis-server did not start (is it installed? scripts/deps.sh)");
}

static void
redis_kill(void)
{
	int st;

	if (redis_pid > 0) {
		(void)kill(redis_pid, SIGKILL);
		(void)waitpid(redis_pid, &st, 0);
	}
	redis_pid = 0;
}

static void
host_conf(struct h *h, const char *extra)
{
	char conf[1024];

	/* a generous deadline: valgrind slows the loop that reads the answers */
	snprintf(conf, sizeof(conf), "replay_window = 60\nredis = 127.0.0.1:%d\n%s%s",
	    redis_port, extra ? extra : "", extra && strstr(extra, "redis_timeout_ms") ? "" :
	    "redis_timeout_ms = 2000\n");
	h_verifier_conf(h, conf);
}

/* Both hosts' directories, and Redis (with redis_extra) on a new port. */
static void
hosts_init(void)
{
	h_init(&A, NULL);
	h_init(&B, NULL);
	redis_port = free_port();
}

/*
 * With their configs written: the x5u server (A serves sp-chain.pem for
 * ten minutes), both daemons, the CA on both, the sp credential on A.
 */
static void
hosts_run(void)
{
	h_publish(&A, "sp-chain.pem");
	ck_assert_int_eq(h_sh(NULL, 0, "echo '{\"headers\":{\"Cache-Control\":\"max-age=600\"}}'"
	    " > '%s/sp-chain.pem.meta'", A.www), 0);
	ck_assert_msg(h_https_start(&A), "tests/https-server.py did not start");
	snprintf(x5u, sizeof(x5u), "https://127.0.0.1:%d", A.https_port);
	ck_assert_msg(h_start(&A), "stird A did not start");
	ck_assert_msg(h_start(&B), "stird B did not start");
	ck_assert_int_eq(h_ctl(&A, NULL, out, sizeof(out), "trust add '%s/ca.pem'", A.pki), 0);
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out), "trust add '%s/ca.pem'", B.pki), 0);
	ck_assert_int_eq(h_ctl(&A, NULL, out, sizeof(out),
	    "cred add sp --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u %s/sp-chain.pem",
	    A.pki, A.pki, x5u), 0);
}

static void
start_hosts(const char *extra_a, const char *extra_b)
{
	redis_extra[0] = '\0';
	hosts_init();
	redis_start();
	host_conf(&A, extra_a);
	host_conf(&B, extra_b);
	hosts_run();
}

static void
setup(void)
{
	start_hosts(NULL, NULL);
}

static pid_t sentinel_pid;
static int sentinel_port;

/*
 * The master with an ACL user (its keys only; the default user off), a
 * Sentinel with a password (requirepass) that monitors it, host A through
 * the Sentinel and host B straight to the master, both as that user.
 */
static void
setup_sentinel(void)
{
	char conf[H_PATH_MAX + 16], pw[H_PATH_MAX + 16], spw[H_PATH_MAX + 16];
	char extra[2 * H_PATH_MAX + 256], o[256];
	FILE *f;

	snprintf(redis_extra, sizeof(redis_extra),
	    "user stird on >s3cret ~stird:* &* +@all\nuser default off\n");
	hosts_init();
	redis_start();
	sentinel_port = free_port();
	snprintf(conf, sizeof(conf), "%s/sentinel.conf", A.dir);
	ck_assert_ptr_nonnull(f = fopen(conf, "w"));
	fprintf(f, "port %d\nbind 127.0.0.1\ndir %s\nlogfile %s/sentinel.log\n"
	    "sentinel monitor fleet 127.0.0.1 %d 1\nsentinel auth-user fleet stird\n"
	    "sentinel auth-pass fleet s3cret\nrequirepass s3ntinel\n", sentinel_port, A.dir,
	    A.dir, redis_port);
	fclose(f);
	if ((sentinel_pid = fork()) == 0) {
		execlp("redis-server", "redis-server", conf, "--sentinel", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		if (h_sh(o, sizeof(o), "redis-cli -p %d -a s3ntinel --no-auth-warning"
		    " sentinel get-master-addr-by-name fleet 2>&1", sentinel_port) == 0 &&
		    strstr(o, "127.0.0.1") != NULL)
			break;
		usleep(50000);
	}
	snprintf(pw, sizeof(pw), "%s/redis.pw", A.dir);
	ck_assert_ptr_nonnull(f = fopen(pw, "w"));
	fputs("s3cret\n", f);
	fclose(f);
	snprintf(spw, sizeof(spw), "%s/sentinel.pw", A.dir);
	ck_assert_ptr_nonnull(f = fopen(spw, "w"));
	fputs("s3ntinel\n", f);
	fclose(f);
	snprintf(extra, sizeof(extra), "replay_window = 60\nredis_sentinels = 127.0.0.1:%d\n"
	    "redis_master = fleet\nredis_user = stird\nredis_password_file = %s\n"
	    "redis_sentinel_password_file = %s\nredis_timeout_ms = 2000\n", sentinel_port, pw,
	    spw);
	h_verifier_conf(&A, extra);
	snprintf(extra, sizeof(extra), "replay_window = 60\nredis = 127.0.0.1:%d\n"
	    "redis_user = stird\nredis_password_file = %s\nredis_timeout_ms = 2000\n",
	    redis_port, pw);
	h_verifier_conf(&B, extra);
	hosts_run();
}

static void
teardown_sentinel(void)
{
	int st;

	if (sentinel_pid > 0) {
		(void)kill(sentinel_pid, SIGKILL);
		(void)waitpid(sentinel_pid, &st, 0);
	}
	sentinel_pid = 0;
	h_teardown(&B);
	h_teardown(&A);
	redis_kill();
}

static void
setup_closed(void)
{
	start_hosts(NULL, "replay_shared_failure = closed\n");
}

static void
setup_paused(void)
{
	start_hosts("redis_timeout_ms = 300\n", NULL);
}

static void
teardown(void)
{
	h_teardown(&B);
	h_teardown(&A);
	redis_kill();
}

/* A fresh Identity signed by A (with cred, if not NULL); a static copy. */
static const char *
sign(const char *cred)
{
	static char id[8192];

	ck_assert_int_eq(h_ctl(&A, NULL, out, sizeof(out),
	    "sign --orig 12155551212 --dest 12125551213 --attest A%s%s", cred ? " --cred " : "",
	    cred ? cred : ""), 0);
	snprintf(id, sizeof(id), "%s", h_last_line(out));
	return id;
}

/* stirctl verify on h; the result (decref). */
static json_t *
verify(struct h *h, const char *identity)
{
	json_t *res;

	(void)h_ctl(h, NULL, out, sizeof(out), "verify --identity '%s' --from %s --to %s",
	    identity, FROM, TO);
	res = json_loads(out, 0, NULL);
	ck_assert_msg(res != NULL, "verify printed no JSON: %s", out);
	return res;
}

static json_t *
first(json_t *res)
{
	return json_array_get(json_object_get(res, "identities"), 0);
}

static bool
is_replay(json_t *res)
{
	return json_is_true(json_object_get(first(res), "replay"));
}

static int
code_of(json_t *res)
{
	return (int)json_integer_value(json_object_get(json_object_get(first(res), "error"),
	    "code"));
}

static const char *
verstat(json_t *res)
{
	return json_string_value(json_object_get(res, "verstat"));
}

/* The value of family name's sample with label k=v (k NULL: no labels). */
static json_int_t
metric(struct h *h, const char *name, const char *k, const char *v)
{
	json_t *res, *f, *s;
	json_int_t n = -1;
	size_t i, j;

	ck_assert_int_eq(h_ctl(h, NULL, out, sizeof(out), "--json stats"), 0);
	ck_assert_ptr_nonnull(res = json_loads(out, 0, NULL));
	json_array_foreach(json_object_get(res, "metrics"), i, f) {
		if (strcmp(json_string_value(json_object_get(f, "name")), name) != 0)
			continue;
		json_array_foreach(json_object_get(f, "samples"), j, s) {
			json_t *l = json_object_get(s, "labels");

			if (k == NULL ? json_object_size(l) == 0 :
			    json_is_string(json_object_get(l, k)) &&
			    strcmp(json_string_value(json_object_get(l, k)), v) == 0)
				n = json_integer_value(json_object_get(s, "value"));
		}
	}
	json_decref(res);
	ck_assert_msg(n >= 0, "no sample %s{%s=%s}", name, k ? k : "", v ? v : "");
	return n;
}

/* Wait for h's Redis link to be up (reconnects back off). */
static void
wait_up(struct h *h)
{
	for (int i = 0; i < WAIT_UP_S * 10; i++) {
		if (metric(h, "stird_redis_state", "state", "up") == 1)
			return;
		usleep(100000);
	}
	ck_abort_msg("the Redis link did not come up");
}

/* Requests for path the x5u server has seen (its log). */
static int
x5u_requests(const char *path)
{
	char o[64];

	ck_assert_int_eq(h_sh(o, sizeof(o), "grep -c 'REQ GET %s' '%s/https.log' || true", path,
	    A.dir), 0);
	return atoi(o);
}

/*
 * A fresh PASSporT verified on first is no replay there, and is one on
 * second: the two hosts share the replay window.
 */
static void
replays_cross(struct h *first, struct h *second)
{
	char id[8192];
	json_t *res;

	snprintf(id, sizeof(id), "%s", sign(NULL));
	res = verify(first, id);
	ck_assert_str_eq(verstat(res), "TN-Validation-Passed");
	ck_assert_msg(!is_replay(res), "a fresh PASSporT is a replay: %s", out);
	json_decref(res);
	res = verify(second, id);
	ck_assert_str_eq(verstat(res), "TN-Validation-Passed");
	ck_assert_msg(is_replay(res), "the other host did not see a replay: %s", out);
	json_decref(res);
}

START_TEST(a_passport_verified_on_one_host_is_a_replay_on_the_other)
{
	char id[8192];
	json_t *res;

	wait_up(&A);
	wait_up(&B);
	snprintf(id, sizeof(id), "%s", sign(NULL));
	res = verify(&A, id);
	ck_assert_str_eq(verstat(res), "TN-Validation-Passed");
	ck_assert(!is_replay(res));
	json_decref(res);
	/* the other host has never seen it: Redis has */
	res = verify(&B, id);
	ck_assert_str_eq(verstat(res), "TN-Validation-Passed");
	ck_assert_msg(is_replay(res), "B did not see A's PASSporT as a replay: %s", out);
	json_decref(res);
	ck_assert_int_eq(metric(&B, "stird_replay_shared_total", "outcome", "asked"), 1);
	ck_assert_int_eq(metric(&B, "stird_replay_shared_total", "outcome", "replay"), 1);
	ck_assert_int_eq(metric(&A, "stird_replay_shared_total", "outcome", "replay"), 0);
	/* stirctl status says how the host is joined */
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out), "status"), 0);
	ck_assert_msg(strstr(out, "fleet: redis up (127.0.0.1:") != NULL &&
	    strstr(out, "replay window shared, certificate cache shared") != NULL, "%s", out);
	/* a fresh one is no replay on B, and then is on A */
	replays_cross(&B, &A);
}
END_TEST

START_TEST(an_x5u_fetched_by_one_host_is_served_to_the_other_without_a_fetch)
{
	char id[8192];
	json_t *res;

	wait_up(&A);
	wait_up(&B);
	snprintf(id, sizeof(id), "%s", sign(NULL));
	res = verify(&A, id);
	ck_assert_str_eq(verstat(res), "TN-Validation-Passed");
	json_decref(res);
	ck_assert_int_eq(x5u_requests("/sp-chain.pem"), 1);
	ck_assert_int_eq(metric(&A, "stird_cache_shared_total", "outcome", "published"), 1);
	/* B: cold in memory and in its store, warm in the fleet */
	snprintf(id, sizeof(id), "%s", sign(NULL));
	res = verify(&B, id);
	ck_assert_str_eq(verstat(res), "TN-Validation-Passed");
	json_decref(res);
	ck_assert_int_eq(x5u_requests("/sp-chain.pem"), 1);
	ck_assert_int_eq(metric(&B, "stird_cache_shared_total", "outcome", "hit"), 1);
	ck_assert_int_eq(metric(&B, "stird_cache_misses_total", NULL, NULL), 1);
	/* and B keeps it in its own levels: no second Redis read */
	snprintf(id, sizeof(id), "%s", sign(NULL));
	res = verify(&B, id);
	json_decref(res);
	ck_assert_int_eq(metric(&B, "stird_cache_shared_total", "outcome", "hit"), 1);
	ck_assert_int_eq(h_ctl(&B, NULL, out, sizeof(out), "cache list"), 0);
	ck_assert_ptr_nonnull(strstr(out, "/sp-chain.pem"));
}
END_TEST

START_TEST(a_burst_with_a_new_x5u_on_both_hosts_fetches_it_once)
{
	char path[H_PATH_MAX + 64], ids[6][8192];
	pid_t kids[6];
	FILE *f;
	int st;

	wait_up(&A);
	wait_up(&B);
	h_sh(NULL, 0, "cp '%s/sp-chain.pem' '%s/slow-chain.pem'", A.pki, A.www);
	snprintf(path, sizeof(path), "%s/slow-chain.pem.meta", A.www);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("{\"delay\":0.8,\"headers\":{\"Cache-Control\":\"max-age=600\"}}", f);
	fclose(f);
	ck_assert_int_eq(h_ctl(&A, NULL, out, sizeof(out),
	    "cred add slow --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u %s/slow-chain.pem",
	    A.pki, A.pki, x5u), 0);
	for (int i = 0; i < 6; i++)
		snprintf(ids[i], sizeof(ids[i]), "%s", sign("slow"));
	for (int i = 0; i < 6; i++)
		if ((kids[i] = fork()) == 0) {
			char o[65536];

			_exit(h_ctl(i % 2 ? &B : &A, NULL, o, sizeof(o),
			    "verify --identity '%s' --from %s --to %s", ids[i], FROM, TO));
		}
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(waitpid(kids[i], &st, 0), kids[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "verify %d failed", i);
	}
	ck_assert_int_eq(x5u_requests("/slow-chain.pem"), 1);
	/* one host fetched for the fleet, the other waited for it */
	ck_assert_int_eq(metric(&A, "stird_cache_shared_total", "outcome", "published") +
	    metric(&B, "stird_cache_shared_total", "outcome", "published"), 1);
	ck_assert_int_eq(metric(&A, "stird_cache_shared_total", "outcome", "waited_hit") +
	    metric(&B, "stird_cache_shared_total", "outcome", "waited_hit") +
	    metric(&A, "stird_cache_shared_total", "outcome", "hit") +
	    metric(&B, "stird_cache_shared_total", "outcome", "hit"), 1);
}
END_TEST

START_TEST(redis_killed_verification_goes_on_open_and_recovers)
{
	char id[8192];
	json_t *res;

	wait_up(&A);
	wait_up(&B);
	redis_kill();
	snprintf(id, sizeof(id), "%s", sign(NULL));
	res = verify(&B, id);
	ck_assert_str_eq(verstat(res), "TN-Validation-Passed");
	ck_assert_int_eq(code_of(res), 0);
	ck_assert(!is_replay(res));
	json_decref(res);
	ck_assert_int_eq(metric(&B, "stird_replay_shared_total", "outcome", "unanswered"), 1);
	ck_assert_int_eq(metric(&B, "stird_redis_state", "state", "up"), 0);
	/* the local window still works */
	res = verify(&B, id);
	ck_assert(is_replay(res));
	json_decref(res);
	/* Redis back (empty): both hosts reconnect, and replays cross again */
	redis_start();
	wait_up(&A);
	wait_up(&B);
	ck_assert_int_ge(metric(&B, "stird_redis_connects_total", NULL, NULL), 2);
	replays_cross(&B, &A);
}
END_TEST

START_TEST(redis_killed_closed_fails_the_identity_with_438)
{
	char id[8192];
	json_t *res;

	wait_up(&B);
	redis_kill();
	snprintf(id, sizeof(id), "%s", sign(NULL));
	res = verify(&B, id);
	ck_assert_str_eq(verstat(res), "TN-Validation-Failed");
	ck_assert_int_eq(code_of(res), 438);
	ck_assert_ptr_nonnull(strstr(out, "replay_shared_failure is closed"));
	json_decref(res);
	ck_assert_int_eq(metric(&B, "stird_replay_shared_total", "outcome", "closed"), 1);
}
END_TEST

START_TEST(a_paused_redis_delays_no_warm_verification)
{
	enum { N = 12 };
	static char ids[N][8192], line[N * 8400], reply[H_OUT_MAX];
	size_t len = 0;
	pid_t sleeper;
	json_t *res;
	int st;

	wait_up(&A);
	/* warm: the chain is cached and validated */
	res = verify(&A, sign(NULL));
	ck_assert_str_eq(verstat(res), "TN-Validation-Passed");
	json_decref(res);
	for (int i = 0; i < N; i++)
		snprintf(ids[i], sizeof(ids[i]), "%s", sign(NULL));
	for (int i = 0; i < N; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len,
		    "{\"v\":1,\"id\":%d,\"op\":\"verify\",\"identity\":[\"%s\"],\"from\":\"%s\","
		    "\"to\":\"%s\"}\n", i, ids[i], "sip:+12155551212@example.com;user=phone", TO);
	/* Redis is busy for 6 s: it answers nothing, the connection stays up */
	if ((sleeper = fork()) == 0) {
		char o[64];

		_exit(h_sh(o, sizeof(o), "redis-cli -p %d DEBUG SLEEP 6", redis_port));
	}
	usleep(300000);
	ck_assert_int_gt(h_raw(A.sock, line, len, reply, sizeof(reply), 30000), 0);
	/* every verification is answered while Redis still sleeps */
	ck_assert_int_eq(waitpid(sleeper, &st, WNOHANG), 0);
	ck_assert_msg(h_count(reply, "\"verstat\":\"TN-Validation-Passed\"") == N, "%.600s", reply);
	ck_assert_int_eq(h_count(reply, "\"replay\":true"), 0);
	ck_assert_int_eq(metric(&A, "stird_replay_shared_total", "outcome", "unanswered"), N);
	ck_assert_int_ge(metric(&A, "stird_redis_commands_total", "outcome", "timeout"), 1);
	ck_assert_int_eq(metric(&A, "stird_redis_state", "state", "up"), 0);
	/* Redis wakes: the link comes back (a probe's answer, or a reconnect
	 * once the stall outlasted STIR_REDIS_STALL_MS) */
	ck_assert_int_eq(waitpid(sleeper, &st, 0), sleeper);
	wait_up(&A);
}
END_TEST

static int tls_port;

/*
 * Redis serving TLS too (the test web PKI's certificate, for 127.0.0.1);
 * host A speaks TLS to it, host B too but expects another name.
 */
static void
setup_tls(void)
{
	char extra[H_PATH_MAX + 256];

	hosts_init();
	tls_port = free_port();
	snprintf(redis_extra, sizeof(redis_extra), "tls-port %d\ntls-cert-file %s/web.pem\n"
	    "tls-key-file %s/web.key\ntls-ca-cert-file %s/web-ca.pem\ntls-auth-clients no\n",
	    tls_port, A.pki, A.pki, A.pki);
	redis_start();
	snprintf(extra, sizeof(extra), "replay_window = 60\nredis = 127.0.0.1:%d\nredis_tls = yes\n"
	    "redis_tls_ca_file = %s/web-ca.pem\nredis_timeout_ms = 2000\n", tls_port, A.pki);
	h_verifier_conf(&A, extra);
	snprintf(extra, sizeof(extra), "replay_window = 60\nredis = 127.0.0.1:%d\nredis_tls = yes\n"
	    "redis_tls_ca_file = %s/web-ca.pem\nredis_tls_name = redis.example.net\n", tls_port,
	    B.pki);
	h_verifier_conf(&B, extra);
	hosts_run();
}

START_TEST(a_host_speaks_tls_to_redis_and_checks_its_name)
{
	static char log[H_OUT_MAX];
	char id[8192];
	json_t *res;
	int i;

	wait_up(&A);
	snprintf(id, sizeof(id), "%s", sign(NULL));
	res = verify(&A, id);
	ck_assert_str_eq(verstat(res), "TN-Validation-Passed");
	ck_assert(!is_replay(res));
	json_decref(res);
	ck_assert_int_eq(metric(&A, "stird_replay_shared_total", "outcome", "asked"), 1);
	ck_assert_int_eq(metric(&A, "stird_replay_shared_total", "outcome", "unanswered"), 0);
	/* the record is in Redis (read on its plain port) */
	ck_assert_int_eq(h_sh(out, sizeof(out), "redis-cli -p %d --scan --pattern"
	    " 'stird:replay:*' | wc -l", redis_port), 0);
	ck_assert_int_eq(atoi(out), 1);
	/* B expects another name: the handshake fails, the link stays down */
	for (i = 0; i < 200; i++) {
		h_read_log(&B, log, sizeof(log));
		if (strstr(log, "redis TLS: 127.0.0.1:") != NULL)
			break;
		usleep(50000);
	}
	ck_assert_msg(strstr(log, "handshake: the server's certificate") != NULL, "B: %s", log);
	ck_assert_int_eq(metric(&B, "stird_redis_state", "state", "up"), 0);
	ck_assert_int_eq(metric(&B, "stird_redis_connects_total", NULL, NULL), 0);
}
END_TEST

START_TEST(a_host_behind_sentinel_and_an_acl_user_share_replays)
{
	static char log[H_OUT_MAX];

	/* the Sentinel answers nobody without its password ... */
	ck_assert_int_eq(h_sh(out, sizeof(out), "redis-cli -p %d sentinel"
	    " get-master-addr-by-name fleet 2>&1", sentinel_port), 0);
	ck_assert_msg(strstr(out, "NOAUTH") != NULL, "%s", out);
	/* ... and A, which has it, found the master through it */
	wait_up(&A);
	wait_up(&B);
	h_read_log(&A, log, sizeof(log));
	ck_assert_msg(strstr(log, "redis: up (127.0.0.1:") != NULL, "A: %s", log);
	replays_cross(&A, &B);
	/* the key is the ACL user's (~stird:*): the default user may not read it */
	ck_assert_int_eq(h_sh(out, sizeof(out), "redis-cli -p %d --user stird --pass s3cret"
	    " --no-auth-warning --scan --pattern 'stird:replay:*' | wc -l", redis_port), 0);
	ck_assert_int_eq(atoi(out), 1);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fleet");
	TCase *tc = tcase_create("shared");
	TCase *tk = tcase_create("closed");
	TCase *tp = tcase_create("paused");
	TCase *ts = tcase_create("sentinel");
	TCase *tt = tcase_create("tls");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_passport_verified_on_one_host_is_a_replay_on_the_other);
	tcase_add_test(tc, an_x5u_fetched_by_one_host_is_served_to_the_other_without_a_fetch);
	tcase_add_test(tc, a_burst_with_a_new_x5u_on_both_hosts_fetches_it_once);
	tcase_add_test(tc, redis_killed_verification_goes_on_open_and_recovers);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tk, setup_closed, teardown);
	tcase_set_timeout(tk, 120);
	tcase_add_test(tk, redis_killed_closed_fails_the_identity_with_438);
	suite_add_tcase(s, tk);
	tcase_add_checked_fixture(tp, setup_paused, teardown);
	tcase_set_timeout(tp, 120);
	tcase_add_test(tp, a_paused_redis_delays_no_warm_verification);
	suite_add_tcase(s, tp);
	tcase_add_checked_fixture(ts, setup_sentinel, teardown_sentinel);
	tcase_set_timeout(ts, 120);
	tcase_add_test(ts, a_host_behind_sentinel_and_an_acl_user_share_replays);
	suite_add_tcase(s, ts);
	tcase_add_checked_fixture(tt, setup_tls, teardown);
	tcase_set_timeout(tt, 120);
	tcase_add_test(tt, a_host_speaks_tls_to_redis_and_checks_its_name);
	suite_add_tcase(s, tt);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
