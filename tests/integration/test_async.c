/*
 * test_async.c: libstirclient's non-blocking API (stir_async_*) against
 * the real stird (pipelining, matching by id, out-of-order completion,
 * cancel, free and loss of the daemon, re-entrant callbacks, refused
 * peers, requests the op schemas refuse locally as the blocking client
 * does), and against a fake daemon on a Unix socket for the framing edge
 * cases (split and partial lines, unknown ids, oversized and malformed
 * replies, the output queue bound, refused requests left unsent).  Outcomes, order and counts are
 * asserted, never durations: the loops below poll until a count is
 * reached, and Check's timeout catches a hang.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "daemon/stir/passport.h"
#include "async_util.h"
#include "harness.h"

#define NPIPE	100	/* signs, then as many verifies, pipelined */

static struct h H;
static char out[H_OUT_MAX];
static char x5u[64];
static int silent_fd = -1;	/* accepts TCP connections, never answers */
static char silent_url[96];

/* One request's callback record. */
struct rec {
	int	 n;		/* times the callback ran */
	int	 err;
	int	 order;		/* completion order, from 1 */
	int	 idx;
	char	 msg[256];
	char	*json;
};

static int completed;		/* callbacks run so far, all handles */

static void
rec_clear(struct rec *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].json);
		memset(&r[i], 0, sizeof(r[i]));
		r[i].idx = (int)i;
	}
}

static void
on_reply(void *arg, int err, const char *errmsg, const char *result)
{
	struct rec *r = arg;

	r->n++;
	r->err = err;
	r->order = ++completed;
	snprintf(r->msg, sizeof(r->msg), "%s", errmsg != NULL ? errmsg : "");
	free(r->json);
	r->json = result != NULL ? strdup(result) : NULL;
	if (err == STIR_OK)
		ck_assert_ptr_nonnull(r->json);
	else
		ck_assert_ptr_null(result);
}

static json_t *
rec_json(const struct rec *r)
{
	json_t *j;

	ck_assert_msg(r->json != NULL, "no result (err %d: %s)", r->err, r->msg);
	ck_assert_ptr_nonnull(j = json_loads(r->json, 0, NULL));
	return j;
}

/* ---- against the real stird ---- */

static int
silent_listen(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 64), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(silent_url, sizeof(silent_url), "https://127.0.0.1:%d/hang.pem",
	    ntohs(sa.sin_port));
	return fd;
}

static void
setup(void)
{
	char extra[H_PATH_MAX + 512];

	h_init(&H, NULL);
	/* a fetch limit no test reaches: a hanging x5u hangs for the test */
	snprintf(extra, sizeof(extra), "x5u_ca_file = %s/web-ca.pem\nx5u_allow_private = yes\n"
	    "fetch_timeout_ms = 60000\ncache_min_ttl = 0\nsocket_mode = 0666\n", H.pki);
	h_write_conf(&H, extra);
	h_publish(&H, "sp-chain.pem");
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(x5u, sizeof(x5u), "https://127.0.0.1:%d", H.https_port);
	ck_assert_msg(h_start(&H), "stird did not start");
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
	    "cred add sp --key '%s/sp.key' --chain '%s/sp-chain.pem' --x5u %s/sp-chain.pem",
	    H.pki, H.pki, x5u), 0);
	silent_fd = silent_listen();
}

static void
teardown(void)
{
	/* closing the listener resets the connections queued on it, so
	 * hanging fetches end and stird stops at once */
	if (silent_fd >= 0)
		(void)close(silent_fd);
	silent_fd = -1;
	h_teardown(&H);
}

/* An Identity value whose x5u is the silent server. */
static char *
hanging_identity(void)
{
	char hdr[512], pay[512], params[256];

	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","
	    "\"x5u\":\"%s\"}", silent_url);
	snprintf(pay, sizeof(pay), "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
	    (long)time(NULL));
	snprintf(params, sizeof(params), ";info=<%s>;alg=ES256;ppt=shaken", silent_url);
	return h_jws(&H, "sp.key", hdr, pay, params);
}

/* Queue a verify of identity (a hanging one if NULL). */
static long long
queue_verify(struct stir_async *a, const char *identity, const char *to, int deadline_ms,
    struct rec *r)
{
	char *own = identity == NULL ? hanging_identity() : NULL;
	json_t *p;
	char *s;
	long long id;

	p = json_pack("{s:[s], s:s, s:s}", "identity", identity != NULL ? identity : own,
	    "from", "tel:+12155551212", "to", to != NULL ? to : "tel:+12125551213");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(s = json_dumps(p, JSON_COMPACT));
	id = stir_async_call(a, "verify", s, deadline_ms, on_reply, r);
	ck_assert_int_gt(id, 0);
	free(s);
	json_decref(p);
	free(own);
	return id;
}

static long long
queue_sign(struct stir_async *a, const char *dest, struct rec *r)
{
	char params[256];
	long long id;

	snprintf(params, sizeof(params),
	    "{\"orig\":\"12155551212\",\"dest\":[\"%s\"],\"attest\":\"A\"}", dest);
	id = stir_async_call(a, "sign", params, 0, on_reply, r);
	ck_assert_int_gt(id, 0);
	return id;
}

/* The first dest TN in the PASSporT of a sign result's identity. */
static void
check_sign_dest(const struct rec *r, const char *want)
{
	json_t *res = rec_json(r), *pl;
	const char *ident = json_string_value(json_object_get(res, "identity"));
	const char *d1, *d2;
	uint8_t *raw = NULL;
	size_t rawlen;

	ck_assert_ptr_nonnull(ident);
	ck_assert_ptr_nonnull(d1 = strchr(ident, '.'));
	ck_assert_ptr_nonnull(d2 = strchr(d1 + 1, '.'));
	ck_assert_int_eq(stir_b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &raw, &rawlen), 0);
	ck_assert_ptr_nonnull(pl = json_loadb((const char *)raw, rawlen, 0, NULL));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(json_object_get(pl,
	    "dest"), "tn"), 0)), want);
	json_decref(pl);
	json_decref(res);
	free(raw);
}

START_TEST(pipelined_replies_reach_their_own_callbacks)
{
	static struct rec s[NPIPE], v[NPIPE];
	static char ident[NPIPE][2048];
	struct stir_async *a;
	char dest[32], to[40];
	long long id, first = 0;

	rec_clear(s, NPIPE);
	rec_clear(v, NPIPE);
	completed = 0;
	ck_assert_int_eq(stir_async_connect(H.sock, &a), STIR_OK);
	ck_assert_int_ge(stir_async_fd(a), 0);
	ck_assert_int_eq(stir_async_pending(a), 0);
	/* NPIPE signs queued at once, each to its own number */
	for (int i = 0; i < NPIPE; i++) {
		snprintf(dest, sizeof(dest), "1212555%04d", i);
		id = queue_sign(a, dest, &s[i]);
		if (i == 0)
			first = id;
		ck_assert_int_eq(id, first + i);	/* ids increase by one */
	}
	ck_assert_int_eq(stir_async_pending(a), NPIPE);
	AU_RUN_UNTIL(a, completed == NPIPE);
	ck_assert_int_eq(stir_async_pending(a), 0);
	for (int i = 0; i < NPIPE; i++) {
		json_t *res;

		ck_assert_int_eq(s[i].n, 1);
		ck_assert_msg(s[i].err == STIR_OK, "sign %d: %d %s", i, s[i].err, s[i].msg);
		snprintf(dest, sizeof(dest), "1212555%04d", i);
		check_sign_dest(&s[i], dest);
		res = rec_json(&s[i]);
		snprintf(ident[i], sizeof(ident[i]), "%s",
		    json_string_value(json_object_get(res, "identity")));
		json_decref(res);
	}
	/* NPIPE verifies: even ones with their own To (pass), odd ones
	 * with the next number (fail 438): each verdict must be its own */
	completed = 0;
	for (int i = 0; i < NPIPE; i++) {
		snprintf(to, sizeof(to), "tel:+1212555%04d", i + (i & 1));
		(void)queue_verify(a, ident[i], to, 0, &v[i]);
	}
	AU_RUN_UNTIL(a, completed == NPIPE);
	for (int i = 0; i < NPIPE; i++) {
		json_t *res = rec_json(&v[i]);

		ck_assert_int_eq(v[i].n, 1);
		ck_assert_int_eq(v[i].err, STIR_OK);
		if (i & 1) {
			ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")),
			    "TN-Validation-Failed");
			ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res,
			    "error"), "code")), 438);
		} else
			ck_assert_msg(strcmp(json_string_value(json_object_get(res, "verstat")),
			    "TN-Validation-Passed") == 0, "verify %d: %s", i, v[i].json);
		json_decref(res);
	}
	/* an error reply reaches its callback with the daemon's code */
	{
		struct rec e = { 0 };

		ck_assert_int_gt(stir_async_call(a, "sign", "{\"orig\":\"12155551212\"}", 0,
		    on_reply, &e), 0);
		AU_RUN_UNTIL(a, e.n == 1);
		ck_assert_int_eq(e.err, STIR_EBADREQ);
		ck_assert_ptr_nonnull(strstr(e.msg, "dest"));
		ck_assert_int_gt(stir_async_call(a, "no.such.op", NULL, 0, on_reply, &e), 0);
		AU_RUN_UNTIL(a, e.n == 2);
		ck_assert_int_eq(e.err, STIR_EUNSUPP);
	}
	stir_async_free(a);
	rec_clear(s, NPIPE);
	rec_clear(v, NPIPE);
}
END_TEST

START_TEST(a_hanging_verify_holds_back_no_later_reply)
{
	struct rec hv = { 0 }, sg = { 0 }, pg = { 0 }, p2 = { 0 }, h2 = { 0 }, h3 = { 0 };
	struct stir_async *a;
	long long vid;

	completed = 0;
	ck_assert_int_eq(stir_async_connect(H.sock, &a), STIR_OK);
	vid = queue_verify(a, NULL, NULL, 0, &hv);
	(void)queue_sign(a, "12125551213", &sg);
	ck_assert_int_gt(stir_async_call(a, "ping", NULL, 0, on_reply, &pg), 0);
	AU_RUN_UNTIL(a, sg.n == 1 && pg.n == 1);
	ck_assert_int_eq(sg.err, STIR_OK);
	ck_assert_int_eq(pg.err, STIR_OK);
	check_sign_dest(&sg, "12125551213");
	/* the verify sent first is still waiting on its x5u */
	ck_assert_int_eq(hv.n, 0);
	ck_assert_int_eq(stir_async_pending(a), 1);
	/* cancelled, its callback never runs, even when the reply comes */
	ck_assert_int_eq(stir_async_cancel(a, vid), STIR_OK);
	ck_assert_int_eq(stir_async_cancel(a, vid), STIR_ENOENT);
	ck_assert_int_eq(stir_async_cancel(a, 999999), STIR_ENOENT);
	ck_assert_int_eq(stir_async_pending(a), 0);
	ck_assert_int_gt(stir_async_call(a, "ping", NULL, 0, on_reply, &p2), 0);
	AU_RUN_UNTIL(a, p2.n == 1);
	ck_assert_int_eq(hv.n, 0);
	/* free with requests pending: each callback runs once, at once */
	(void)queue_verify(a, NULL, NULL, 0, &h2);
	(void)queue_verify(a, NULL, NULL, 0, &h3);
	ck_assert_int_eq(stir_async_pending(a), 2);
	stir_async_free(a);
	ck_assert_int_eq(h2.n, 1);
	ck_assert_int_eq(h2.err, STIR_ESHUTDOWN);
	ck_assert_int_eq(h3.n, 1);
	ck_assert_int_eq(h3.err, STIR_ESHUTDOWN);
	ck_assert_int_lt(h2.order, h3.order);	/* oldest first */
	ck_assert_int_eq(hv.n, 0);
	free(sg.json);
	free(pg.json);
	free(p2.json);
}
END_TEST

START_TEST(a_killed_daemon_fails_every_pending_request_once)
{
	struct rec hv[3] = { 0 }, pg = { 0 };
	struct stir_async *a;
	int status;

	completed = 0;
	ck_assert_int_eq(stir_async_connect(H.sock, &a), STIR_OK);
	for (int i = 0; i < 3; i++)
		(void)queue_verify(a, NULL, NULL, 0, &hv[i]);
	ck_assert_int_gt(stir_async_call(a, "ping", NULL, 0, on_reply, &pg), 0);
	AU_RUN_UNTIL(a, pg.n == 1);	/* the verifies have reached stird */
	ck_assert_int_eq(stir_async_pending(a), 3);
	ck_assert_int_eq(kill(H.pid, SIGKILL), 0);
	ck_assert_int_eq(waitpid(H.pid, &status, 0), H.pid);
	H.pid = 0;
	while (au_step(a) == STIR_OK)
		;
	ck_assert_int_eq(stir_async_pending(a), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(hv[i].n, 1);
		ck_assert_int_eq(hv[i].err, STIR_EIO);
		ck_assert_ptr_nonnull(strstr(hv[i].msg, "stird"));
	}
	/* afterwards: nothing to wait for, nothing accepted, free is left */
	ck_assert_int_eq(stir_async_events(a), 0);
	ck_assert_int_eq(stir_async_process(a, STIR_ASYNC_READ), STIR_EIO);
	ck_assert_int_eq(stir_async_call(a, "ping", NULL, 0, on_reply, &pg), STIR_EIO);
	ck_assert_int_eq(pg.n, 1);
	stir_async_free(a);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(hv[i].n, 1);
	free(pg.json);
	/* connecting now: the daemon is not there */
	ck_assert_int_eq(stir_async_connect(H.sock, &a), STIR_ECONNREFUSED);
}
END_TEST

/* Re-entrancy: callbacks that cancel, queue, process and free. */
static struct stir_async *re_a;
static struct rec re_p[6];
static long long re_id[6];

static void
on_cancel_and_queue(void *arg, int err, const char *errmsg, const char *result)
{
	on_reply(arg, err, errmsg, result);
	ck_assert_int_eq(stir_async_process(re_a, STIR_ASYNC_READ), STIR_EBUSY);
	ck_assert_int_eq(stir_async_cancel(re_a, re_id[2]), STIR_OK);
	ck_assert_int_gt(re_id[4] = stir_async_call(re_a, "ping", NULL, 0, on_reply,
	    &re_p[4]), 0);
}

static void
on_free(void *arg, int err, const char *errmsg, const char *result)
{
	on_reply(arg, err, errmsg, result);
	stir_async_free(re_a);
	stir_async_free(re_a);	/* a second free from the same place is a no-op */
}

static void
on_queue_while_freeing(void *arg, int err, const char *errmsg, const char *result)
{
	on_reply(arg, err, errmsg, result);
	if (err == STIR_ESHUTDOWN)
		ck_assert_int_eq(stir_async_call(re_a, "ping", NULL, 0, on_reply, &re_p[5]),
		    STIR_ESHUTDOWN);
}

START_TEST(callbacks_may_cancel_queue_and_free)
{
	completed = 0;
	rec_clear(re_p, 6);
	ck_assert_int_eq(stir_async_connect(H.sock, &re_a), STIR_OK);
	ck_assert_int_gt(re_id[0] = stir_async_call(re_a, "ping", NULL, 0, on_cancel_and_queue,
	    &re_p[0]), 0);
	for (int i = 1; i < 4; i++)
		ck_assert_int_gt(re_id[i] = stir_async_call(re_a, "ping", NULL, 0, on_reply,
		    &re_p[i]), 0);
	AU_RUN_UNTIL(re_a, re_p[4].n == 1 && re_p[3].n == 1 && re_p[1].n == 1);
	ck_assert_int_eq(re_p[0].n, 1);
	ck_assert_int_eq(re_p[2].n, 0);		/* cancelled from a callback */
	ck_assert_int_eq(re_p[4].err, STIR_OK);
	ck_assert_int_eq(stir_async_pending(re_a), 0);
	/* a callback frees the handle: the others pending run once with
	 * ESHUTDOWN, and process reports the handle gone */
	rec_clear(re_p, 6);
	ck_assert_int_gt(stir_async_call(re_a, "ping", NULL, 0, on_free, &re_p[0]), 0);
	(void)queue_verify(re_a, NULL, NULL, 0, &re_p[1]);
	ck_assert_int_gt(stir_async_call(re_a, "ping", NULL, 0, on_queue_while_freeing,
	    &re_p[2]), 0);
	for (;;) {
		int r = au_step(re_a);

		if (r == STIR_ESHUTDOWN)
			break;
		ck_assert_int_eq(r, STIR_OK);
	}
	ck_assert_int_eq(re_p[0].n, 1);
	ck_assert_int_eq(re_p[0].err, STIR_OK);
	ck_assert_int_eq(re_p[1].n, 1);
	ck_assert_int_eq(re_p[1].err, STIR_ESHUTDOWN);
	ck_assert_int_eq(re_p[2].n, 1);
	ck_assert_int_eq(re_p[2].err, STIR_ESHUTDOWN);
	ck_assert_int_eq(re_p[5].n, 0);
	rec_clear(re_p, 6);
}
END_TEST

/* A typed sign's callback: the code and message in a struct rec. */
static void
on_sign_rec(void *arg, int err, const char *errmsg, const struct stir_sign_result *res)
{
	on_reply(arg, err, errmsg, res != NULL ? res->json : NULL);
}

/* Requests stird would refuse by its schema, and what it says. */
static const struct {
	const char	*op;
	const char	*params;
	const char	*field;		/* named in the message */
} refused[] = {
	/* an unknown field */
	{ "sign", "{\"orig\":\"12155551212\",\"dest\":[\"12125551213\"],\"attest\":\"A\","
	    "\"colour\":\"blue\"}", "colour" },
	/* a wrong type */
	{ "sign", "{\"orig\":12155551212,\"dest\":[\"12125551213\"],\"attest\":\"A\"}",
	    "orig" },
	{ "verify", "{\"identity\":\"x.y.z\",\"from\":\"a\",\"to\":\"b\"}", "identity" },
	/* a missing required field */
	{ "sign", "{\"orig\":\"12155551212\",\"attest\":\"A\"}", "dest" },
	/* an op without fields */
	{ "ping", "{\"x\":true}", "x" },
};
#define NREFUSED	(sizeof(refused) / sizeof(refused[0]))

START_TEST(requests_stird_would_refuse_are_refused_as_the_blocking_client_does)
{
	struct rec r[NREFUSED] = { 0 }, ok = { 0 }, ts = { 0 };
	char want[NREFUSED][256];
	int want_err[NREFUSED];
	struct stir_sign_params sp = { 0 };
	struct stir_client *c;
	struct stir_async *a;

	completed = 0;
	ck_assert_int_eq(stir_client_connect(H.sock, 5000, &c), STIR_OK);
	ck_assert_int_eq(stir_async_connect(H.sock, &a), STIR_OK);
	for (size_t i = 0; i < NREFUSED; i++) {
		want_err[i] = stir_client_call(c, refused[i].op, refused[i].params, NULL);
		ck_assert_int_eq(want_err[i], STIR_EBADREQ);
		snprintf(want[i], sizeof(want[i]), "%s", stir_client_errmsg(c));
		ck_assert_msg(strstr(want[i], refused[i].field) != NULL, "%s", want[i]);
		/* an id as for any request; the callback never runs in here */
		ck_assert_int_gt(stir_async_call(a, refused[i].op, refused[i].params, 0,
		    on_reply, &r[i]), 0);
		ck_assert_int_eq(r[i].n, 0);
	}
	/* a good request among them still goes to stird and is answered */
	(void)queue_sign(a, "12125551213", &ok);
	/* the typed layer too: a sign without dest */
	sp.orig = "12155551212";
	sp.attest = "A";
	ck_assert_int_gt(stir_async_sign(a, &sp, 0, on_sign_rec, &ts), 0);
	ck_assert_int_eq(ts.n, 0);
	ck_assert_int_eq(stir_async_pending(a), NREFUSED + 2);
	ck_assert(stir_async_events(a) & STIR_ASYNC_WRITE);	/* wake up to answer */
	AU_RUN_UNTIL(a, completed == (int)NREFUSED + 2);
	for (size_t i = 0; i < NREFUSED; i++) {
		ck_assert_int_eq(r[i].n, 1);
		ck_assert_int_eq(r[i].err, want_err[i]);
		ck_assert_str_eq(r[i].msg, want[i]);
	}
	ck_assert_int_eq(ts.n, 1);
	ck_assert_int_eq(ts.err, STIR_EBADREQ);
	ck_assert_str_eq(ts.msg, want[3]);
	ck_assert_int_eq(ok.n, 1);
	ck_assert_msg(ok.err == STIR_OK, "sign: %d %s", ok.err, ok.msg);
	check_sign_dest(&ok, "12125551213");
	ck_assert_int_eq(stir_async_pending(a), 0);
	ck_assert_int_eq(stir_async_events(a), STIR_ASYNC_READ);
	stir_async_free(a);
	stir_client_free(c);
	free(ok.json);
}
END_TEST

/* Run fn in a child as nobody; its exit status. */
static int
as_nobody(int (*fn)(void))
{
	pid_t pid;
	int st;

	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setresgid(65534, 65534, 65534) != 0 ||
		    setresuid(65534, 65534, 65534) != 0)
			_exit(90);
		_exit(fn());
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int
nobody_pings(void)
{
	struct stir_async *a;
	struct rec r = { 0 };
	int rc;

	if ((rc = stir_async_connect(H.sock, &a)) != STIR_OK)
		return rc == STIR_EPERM ? 10 : 91;
	if (stir_async_call(a, "ping", NULL, 0, on_reply, &r) <= 0)
		return 92;
	while (r.n == 0)
		if (au_step(a) != STIR_OK)
			break;
	stir_async_free(a);
	if (r.n != 1)
		return 93;
	if (r.err != STIR_EPERM || strstr(r.msg, "permission") == NULL)
		return 94;
	return 20;
}

START_TEST(an_unpermitted_peer_gets_eperm)
{
	if (geteuid() != 0)
		return;		/* needs to become another user */
	/* the socket is 0666 here: stird itself turns nobody away */
	ck_assert_int_eq(as_nobody(nobody_pings), 20);
	/* with the default 0660 the connect is refused already */
	ck_assert_int_eq(h_stop(&H), 0);
	h_write_conf(&H, NULL);
	ck_assert(h_start(&H));
	ck_assert_int_eq(as_nobody(nobody_pings), 10);
}
END_TEST

START_TEST(deadline_ms_bounds_a_hanging_verify)
{
	struct rec hv = { 0 }, nd = { 0 }, pg = { 0 };
	struct stir_async *a;
	json_t *res;

	completed = 0;
	ck_assert_int_eq(stir_async_connect(H.sock, &a), STIR_OK);
	(void)queue_verify(a, NULL, NULL, 0, &nd);		/* no deadline */
	ck_assert_int_gt(stir_async_call(a, "ping", NULL, 5000, on_reply, &pg), 0);
	(void)queue_verify(a, NULL, NULL, 300, &hv);
	/* the fetch hangs for 60 s; the reply comes at the deadline */
	AU_RUN_UNTIL(a, hv.n == 1 && pg.n == 1);
	ck_assert_msg(pg.err == STIR_OK, "ping with deadline_ms: %s", pg.msg);
	ck_assert_msg(hv.err == STIR_OK, "verify with deadline_ms: %s", hv.msg);
	res = rec_json(&hv);
	ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")), "TN-Validation-Failed");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(res, "error"), "code")),
	    436);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_array_get(
	    json_object_get(res, "identities"), 0), "error"), "code")), 436);
	json_decref(res);
	/* the same hanging fetch without a deadline is still waiting */
	ck_assert_int_eq(nd.n, 0);
	ck_assert_int_eq(stir_async_pending(a), 1);
	stir_async_free(a);
	ck_assert_int_eq(nd.n, 1);
	ck_assert_int_eq(nd.err, STIR_ESHUTDOWN);
	free(hv.json);
	free(pg.json);
}
END_TEST

/* ---- against a fake daemon: framing and limits ---- */

START_TEST(requests_are_framed_and_replies_matched_by_id)
{
	struct rec r[3] = { 0 };
	struct stir_async *a;
	const char *reply2 = "{\"v\":1,\"id\":2,\"result\":{\"identity\":\"x.y.z;ppt=shaken\"}}\n";
	json_t *j;
	int fd;

	completed = 0;
	fd = au_fake_pair(&a);
	ck_assert_int_eq(stir_async_call(a, "ping", NULL, 1500, on_reply, &r[0]), 1);
	ck_assert_int_eq(stir_async_call(a, "sign", "{\"orig\":\"1\",\"dest\":[\"2\"]}", 0,
	    on_reply, &r[1]), 2);
	ck_assert_int_eq(stir_async_call(a, "status", "{}", 0, on_reply, &r[2]), 3);
	ck_assert_int_eq(stir_async_pending(a), 3);
	/* the envelopes: v, integer id, op, deadline_ms only when asked */
	j = au_fake_read_request(a, fd);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "v")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "id")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(j, "op")), "ping");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "deadline_ms")), 1500);
	ck_assert_int_eq(json_object_size(j), 4);
	json_decref(j);
	j = au_fake_read_request(a, fd);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "id")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "dest"), 0)), "2");
	ck_assert_ptr_null(json_object_get(j, "deadline_ms"));
	ck_assert_int_eq(json_object_size(j), 5);
	json_decref(j);
	json_decref(au_fake_read_request(a, fd));
	ck_assert_int_eq(stir_async_events(a), STIR_ASYNC_READ);	/* all sent */
	/* id 2's reply first, one byte at a time: nothing before the newline */
	for (size_t i = 0; reply2[i] != '\0'; i++) {
		ck_assert_int_eq(write(fd, reply2 + i, 1), 1);
		ck_assert_int_eq(stir_async_process(a, STIR_ASYNC_READ), STIR_OK);
		ck_assert_int_eq(r[1].n, reply2[i + 1] == '\0' ? 1 : 0);
	}
	ck_assert_int_eq(r[1].err, STIR_OK);
	ck_assert_str_eq(r[1].json, "{\"identity\":\"x.y.z;ppt=shaken\"}");
	ck_assert_int_eq(r[0].n, 0);
	/* a reply for an id never sent and one for a string id are ignored;
	 * then id 1's error and the start of id 3's reply in one write */
	au_fake_write(fd, "{\"v\":1,\"id\":99,\"result\":{}}\n{\"v\":1,\"id\":\"3\",\"result\":{}}\n"
	    "{\"v\":1,\"id\":1,\"error\":{\"code\":-1003,\"name\":\"EBADREQ\",\"message\":\"field 'x'\"}}\n"
	    "{\"v\":1,\"id\":3,\"res");
	AU_RUN_UNTIL(a, r[0].n == 1);
	ck_assert_int_eq(r[0].err, STIR_EBADREQ);
	ck_assert_str_eq(r[0].msg, "field 'x'");
	ck_assert_int_eq(r[2].n, 0);
	ck_assert_int_eq(stir_async_pending(a), 1);
	au_fake_write(fd, "ult\":{\"a\":[1,2]}}\n");
	AU_RUN_UNTIL(a, r[2].n == 1);
	ck_assert_str_eq(r[2].json, "{\"a\":[1,2]}");
	ck_assert_int_eq(r[0].n + r[1].n + r[2].n, 3);
	ck_assert_int_eq(stir_async_pending(a), 0);
	stir_async_free(a);
	(void)close(fd);
	for (int i = 0; i < 3; i++)
		free(r[i].json);
}
END_TEST

START_TEST(bad_arguments_are_refused_without_a_callback)
{
	struct stir_async *a;
	struct rec r = { 0 };
	int fd;

	ck_assert_int_eq(stir_async_connect("/nonexistent/stird.sock", &a), STIR_ECONNREFUSED);
	ck_assert_int_eq(stir_async_connect(NULL, &a), STIR_EINVAL);
	fd = au_fake_pair(&a);
	ck_assert_int_eq(stir_async_call(a, "ping", "[1]", 0, on_reply, &r), STIR_EINVAL);
	ck_assert_int_eq(stir_async_call(a, "ping", "{", 0, on_reply, &r), STIR_EINVAL);
	ck_assert_int_eq(stir_async_call(a, "ping", NULL, -1, on_reply, &r), STIR_EINVAL);
	ck_assert_int_eq(stir_async_call(a, "ping", NULL, 600001, on_reply, &r), STIR_EINVAL);
	ck_assert_int_eq(stir_async_call(a, "ping", NULL, 0, NULL, &r), STIR_EINVAL);
	ck_assert_int_eq(stir_async_call(a, NULL, NULL, 0, on_reply, &r), STIR_EINVAL);
	ck_assert_int_eq(stir_async_cancel(a, 0), STIR_ENOENT);
	ck_assert_int_eq(stir_async_pending(a), 0);
	ck_assert_int_eq(r.n, 0);
	/* a valid one after all that still gets id 1 */
	ck_assert_int_eq(stir_async_call(a, "ping", NULL, 600000, on_reply, &r), 1);
	stir_async_free(a);
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(r.err, STIR_ESHUTDOWN);
	stir_async_free(NULL);
	(void)close(fd);
}
END_TEST

START_TEST(a_request_refused_locally_is_never_sent)
{
	struct rec r[4] = { 0 };
	struct stir_async *a;
	json_t *j;
	int fd;

	completed = 0;
	fd = au_fake_pair(&a);
	ck_assert_int_eq(stir_async_call(a, "sign", refused[0].params, 0, on_reply, &r[0]), 1);
	ck_assert_int_eq(stir_async_call(a, "sign", refused[1].params, 0, on_reply, &r[1]), 2);
	ck_assert_int_eq(stir_async_call(a, "ping", NULL, 0, on_reply, &r[2]), 3);
	ck_assert_int_eq(stir_async_call(a, "ping", "{\"x\":1}", 0, on_reply, &r[3]), 4);
	ck_assert_int_eq(stir_async_pending(a), 4);
	/* a refused request can be cancelled like any other */
	ck_assert_int_eq(stir_async_cancel(a, 4), STIR_OK);
	ck_assert_int_eq(stir_async_pending(a), 3);
	/* what reaches the daemon is the ping alone */
	j = au_fake_read_request(a, fd);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "id")), 3);
	json_decref(j);
	ck_assert_int_eq(r[0].n, 1);
	ck_assert_int_eq(r[0].err, STIR_EBADREQ);
	ck_assert_str_eq(r[0].msg, "unknown field 'colour'");
	ck_assert_int_eq(r[1].n, 1);
	ck_assert_int_eq(r[1].err, STIR_EBADREQ);
	ck_assert_ptr_nonnull(strstr(r[1].msg, "'orig'"));
	ck_assert_int_lt(r[0].order, r[1].order);	/* oldest first */
	ck_assert_int_eq(r[2].n, 0);
	ck_assert_int_eq(r[3].n, 0);
	ck_assert_int_eq(stir_async_pending(a), 1);
	au_fake_write(fd, "{\"v\":1,\"id\":3,\"result\":{}}\n");
	AU_RUN_UNTIL(a, r[2].n == 1);
	ck_assert_int_eq(r[2].err, STIR_OK);
	/* freed with one refused and not yet answered: ESHUTDOWN, once */
	ck_assert_int_eq(stir_async_call(a, "ping", "{\"x\":1}", 0, on_reply, &r[3]), 5);
	stir_async_free(a);
	ck_assert_int_eq(r[3].n, 1);
	ck_assert_int_eq(r[3].err, STIR_ESHUTDOWN);
	(void)close(fd);
	free(r[2].json);
}
END_TEST

START_TEST(a_malformed_reply_loses_the_connection)
{
	struct rec r[2] = { 0 };
	struct stir_async *a;
	int fd, rc;

	fd = au_fake_pair(&a);
	ck_assert_int_gt(stir_async_call(a, "ping", NULL, 0, on_reply, &r[0]), 0);
	ck_assert_int_gt(stir_async_call(a, "ping", NULL, 0, on_reply, &r[1]), 0);
	au_fake_write(fd, "{\"v\":1,\"id\":1,\"result\":{}}\nnot json\n");
	while ((rc = au_step(a)) == STIR_OK)
		;
	ck_assert_int_eq(rc, STIR_EIO);
	ck_assert_int_eq(r[0].err, STIR_OK);
	ck_assert_int_eq(r[1].n, 1);
	ck_assert_int_eq(r[1].err, STIR_EIO);
	ck_assert_str_eq(r[1].msg, "malformed reply from stird");
	stir_async_free(a);
	(void)close(fd);
	free(r[0].json);
}
END_TEST

START_TEST(a_refusal_with_a_null_id_reaches_every_pending_request)
{
	struct rec r[2] = { 0 };
	struct stir_async *a;
	int fd;

	fd = au_fake_pair(&a);
	ck_assert_int_gt(stir_async_call(a, "ping", NULL, 0, on_reply, &r[0]), 0);
	ck_assert_int_gt(stir_async_call(a, "sign", "{\"orig\":\"1\",\"dest\":[\"2\"]}", 0,
	    on_reply, &r[1]), 0);
	au_fake_write(fd, "{\"v\":1,\"id\":null,\"error\":{\"code\":-1,\"name\":\"EPERM\","
	    "\"message\":\"uid 65534 lacks the permission\"}}\n");
	(void)close(fd);
	while (au_step(a) == STIR_OK)
		;
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(r[i].n, 1);
		ck_assert_int_eq(r[i].err, STIR_EPERM);
		ck_assert_str_eq(r[i].msg, "uid 65534 lacks the permission");
	}
	stir_async_free(a);
}
END_TEST

START_TEST(an_oversized_reply_loses_the_connection)
{
	static char chunk[65536];
	struct rec r = { 0 };
	struct stir_async *a;
	size_t sent = 0;
	int fd, rc = STIR_OK;

	fd = au_fake_pair(&a);
	ck_assert_int_gt(stir_async_call(a, "status", NULL, 0, on_reply, &r), 0);
	memset(chunk, ' ', sizeof(chunk));
	au_fake_write(fd, "{\"v\":1,\"id\":1,\"result\":{\"x\":\"");
	/* 16 MiB and more without a newline; the handle stops it */
	while (rc == STIR_OK && sent < 17 * 1024 * 1024) {
		ssize_t n = send(fd, chunk, sizeof(chunk), MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0)
			sent += (size_t)n;
		rc = au_step(a);
	}
	ck_assert_int_eq(rc, STIR_EIO);
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(r.err, STIR_EIO);
	ck_assert_ptr_nonnull(strstr(r.msg, "over"));
	stir_async_free(a);
	(void)close(fd);
}
END_TEST

START_TEST(the_output_queue_is_bounded)
{
	static char params[70000];
	struct rec r = { 0 };
	struct stir_async *a;
	size_t n;
	long long id;
	int fd, queued = 0, rc;

	completed = 0;
	fd = au_fake_pair(&a);
	n = (size_t)snprintf(params, sizeof(params), "{\"pad\":\"");
	memset(params + n, 'x', 65536);
	snprintf(params + n + 65536, sizeof(params) - n - 65536, "\"}");
	/* the fake daemon reads nothing: the socket fills, then the queue */
	while ((id = stir_async_call(a, "x", params, 0, on_reply, &r)) > 0)
		ck_assert_int_lt(++queued, 1000);
	ck_assert_int_eq(id, STIR_EBUSY);
	ck_assert_int_ge(queued, 4 * 1024 * 1024 / 65600);
	ck_assert_int_eq(stir_async_pending(a), (size_t)queued);
	ck_assert(stir_async_events(a) & STIR_ASYNC_WRITE);
	ck_assert_int_eq(r.n, 0);
	/* the daemon goes away: each queued request fails once */
	(void)close(fd);
	while ((rc = au_step(a)) == STIR_OK)
		;
	ck_assert_int_eq(rc, STIR_EIO);
	ck_assert_int_eq(r.n, queued);
	ck_assert_int_eq(r.err, STIR_EIO);
	ck_assert_int_eq(stir_async_pending(a), 0);
	stir_async_free(a);
	ck_assert_int_eq(r.n, queued);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("async");
	TCase *tc = tcase_create("daemon"), *fk = tcase_create("fake"), *dl;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, pipelined_replies_reach_their_own_callbacks);
	tcase_add_test(tc, a_hanging_verify_holds_back_no_later_reply);
	tcase_add_test(tc, a_killed_daemon_fails_every_pending_request_once);
	tcase_add_test(tc, callbacks_may_cancel_queue_and_free);
	tcase_add_test(tc, an_unpermitted_peer_gets_eperm);
	tcase_add_test(tc, requests_stird_would_refuse_are_refused_as_the_blocking_client_does);
	suite_add_tcase(s, tc);
	/* stird's envelope field deadline_ms (doc/protocol.md) */
	dl = tcase_create("deadline");
	tcase_add_checked_fixture(dl, setup, teardown);
	tcase_set_timeout(dl, 30);
	tcase_add_test(dl, deadline_ms_bounds_a_hanging_verify);
	suite_add_tcase(s, dl);
	tcase_add_checked_fixture(fk, au_fake_setup, au_fake_teardown);
	tcase_set_timeout(fk, 30);
	tcase_add_test(fk, requests_are_framed_and_replies_matched_by_id);
	tcase_add_test(fk, bad_arguments_are_refused_without_a_callback);
	tcase_add_test(fk, a_request_refused_locally_is_never_sent);
	tcase_add_test(fk, a_malformed_reply_loses_the_connection);
	tcase_add_test(fk, a_refusal_with_a_null_id_reaches_every_pending_request);
	tcase_add_test(fk, an_oversized_reply_loses_the_connection);
	tcase_add_test(fk, the_output_queue_is_bounded);
	suite_add_tcase(s, fk);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
