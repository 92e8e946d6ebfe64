/*
 * test_fetch_abuse.c: what a remote caller can make stird fetch.  A flood
 * of verifications whose x5u URLs never answer must not stall cold
 * verifications of other hosts (the fetch scheduler is fair between
 * hosts); one verification fetches at most max_x5u_per_verify x5u URLs;
 * an untrusted chain's CRL is never fetched.  Outcomes, order and counts
 * are asserted, never durations.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "stirclient.h"
#include "harness.h"

#define FROM		"'sip:+12155551212@example.com;user=phone'"
#define TO		"tel:+12125551213"
#define JFROM		"sip:+12155551212@example.com;user=phone"
#define JTO		"tel:+12125551213"

#define ATTACK_CONNS	2
#define ATTACK_PER_CONN	40	/* verifications per connection */
#define ATTACK_X5U	4	/* x5u URLs per verification: max_x5u_per_verify */
#define ATTACK_TOTAL	(ATTACK_CONNS * ATTACK_PER_CONN)
#define LEGIT		3	/* cold verifications of the healthy host */
#define SILENT_MAX	1024	/* connections the silent server accepts */

static struct h H;
static char out[H_OUT_MAX];
static char x5u[64];

static void
setup(void)
{
	char extra[H_PATH_MAX + 512];

	h_init(&H, NULL);
	/* a fetch time limit the test never reaches: nothing of the attack
	 * ends by timing out while the legitimate verifications run */
	snprintf(extra, sizeof(extra), "x5u_ca_file = %s/web-ca.pem\nx5u_allow_private = yes\n"
	    "fetch_timeout_ms = 60000\ncache_min_ttl = 0\nmax_inflight = 128\n", H.pki);
	h_write_conf(&H, extra);
	h_publish(&H, "sp-chain.pem");
	ck_assert_msg(h_https_start(&H), "tests/https-server.py did not start");
	snprintf(x5u, sizeof(x5u), "https://127.0.0.1:%d", H.https_port);
	ck_assert_msg(h_start(&H), "stird did not start");
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "trust add '%s/ca.pem'", H.pki), 0);
}

static void
teardown(void)
{
	h_teardown(&H);
}

/* A shaken Identity value with x5u url, signed with key_file (in pki/). */
static char *
identity(const char *key_file, const char *url)
{
	char hdr[1024], pay[512], params[1100];

	snprintf(hdr, sizeof(hdr), "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s\"}",
	    url);
	snprintf(pay, sizeof(pay), "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%ld,"
	    "\"orig\":{\"tn\":\"12155551212\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
	    (long)time(NULL));
	snprintf(params, sizeof(params), ";info=<%s>;alg=ES256;ppt=shaken", url);
	return h_jws(&H, key_file, hdr, pay, params);
}

/* Requests for path the healthy x5u server has seen (its log). */
static int
x5u_requests(const char *path)
{
	char o[64];

	ck_assert_int_eq(h_sh(o, sizeof(o), "grep -c -F 'REQ GET %s' '%s/https.log' || true",
	    path, H.dir), 0);
	return atoi(o);
}

/* A TCP listener on 127.0.0.1 that accepts and never answers. */
static int
silent_listen(int *ret_port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, SILENT_MAX), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*ret_port = ntohs(sa.sin_port);
	return fd;
}

/* Accept what is waiting (holding it open); the number held. */
static int
silent_accept(int lfd, int *held, int n)
{
	int fd;

	while (n < SILENT_MAX && (fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		held[n++] = fd;
	return n;
}

/* Replies read so far on a connection, appended to buf; complete lines. */
struct conn {
	int	 fd;
	char	*buf;
	size_t	 len, cap;
	int	 lines;
};

static void
conn_read(struct conn *c, int wait_ms)
{
	struct pollfd p = { c->fd, POLLIN, 0 };

	while (poll(&p, 1, wait_ms) > 0) {
		ssize_t n;

		if (c->len + 65536 > c->cap) {
			c->cap = (c->cap + 65536) * 2;
			ck_assert_ptr_nonnull(c->buf = realloc(c->buf, c->cap));
		}
		if ((n = read(c->fd, c->buf + c->len, c->cap - c->len - 1)) <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			c->lines += c->buf[c->len + (size_t)i] == '\n';
		c->len += (size_t)n;
		c->buf[c->len] = '\0';
		wait_ms = 0;
	}
}

/* Each reply line on c: a verify result whose error is 436; how many. */
static int
replies_436(const struct conn *c, const char *must_not)
{
	const char *p = c->buf;
	int n = 0;

	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		json_error_t e;
		json_t *r;
		const char *detail;

		if (nl == NULL)
			break;
		r = json_loadb(p, (size_t)(nl - p), 0, &e);
		ck_assert_msg(r != NULL, "reply is not JSON: %.200s", p);
		ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(r,
		    "result"), "error"), "code")), 436);
		detail = json_string_value(json_object_get(json_object_get(json_object_get(r,
		    "result"), "error"), "detail"));
		ck_assert_ptr_nonnull(detail);
		if (must_not != NULL)
			ck_assert_msg(strstr(detail, must_not) == NULL, "unexpected: %s", detail);
		json_decref(r);
		n++;
		p = nl + 1;
	}
	return n;
}

/*
 * The red-team attack: many verifications, each with several x5u URLs on
 * a server that accepts and never answers, while legitimate cold
 * verifications fetch from another (healthy) host.  First come, first
 * served, the legitimate fetches would wait behind 256 hanging ones for
 * fetch_timeout_ms (60 s).  Fair, they complete while every hanging fetch
 * is still pending.
 */
START_TEST(a_flood_of_hanging_x5u_does_not_stall_other_hosts)
{
	static int held[SILENT_MAX];
	struct conn c[ATTACK_CONNS];
	char url[256], *line = NULL;
	int lfd, port, nheld = 0, early = 0, total = 0;
	size_t cap = 0;

	lfd = silent_listen(&port);
	for (int k = 0; k < ATTACK_CONNS; k++) {
		memset(&c[k], 0, sizeof(c[k]));
		ck_assert_int_ge(c[k].fd = h_connect(H.sock), 0);
	}
	/* the attack: every request on the wire before any legitimate one */
	for (int k = 0; k < ATTACK_CONNS; k++)
		for (int r = 0; r < ATTACK_PER_CONN; r++) {
			json_t *ids = json_array(), *req;
			char *text;
			size_t off = 0, len;

			for (int i = 0; i < ATTACK_X5U; i++) {
				char *id;

				snprintf(url, sizeof(url), "https://127.0.0.1:%d/a-%d-%d-%d.pem", port,
				    k, r, i);
				id = identity("sp.key", url);
				(void)json_array_append_new(ids, json_string(id));
				free(id);
			}
			req = json_pack("{s:i, s:i, s:s, s:o, s:s, s:s}", "v", 1, "id", r, "op",
			    "verify", "identity", ids, "from", JFROM, "to", JTO);
			ck_assert_ptr_nonnull(text = json_dumps(req, JSON_COMPACT));
			json_decref(req);
			len = strlen(text);
			if (len + 2 > cap) {
				cap = len + 2;
				ck_assert_ptr_nonnull(line = realloc(line, cap));
			}
			snprintf(line, cap, "%s\n", text);
			free(text);
			while (off < len + 1) {
				ssize_t w = write(c[k].fd, line + off, len + 1 - off);

				ck_assert_int_gt(w, 0);
				off += (size_t)w;
			}
		}
	free(line);
	/* the hanging fetches are running (at least one host's share) */
	for (int i = 0; i < 600 && nheld < 8; i++) {
		struct pollfd p = { lfd, POLLIN, 0 };

		(void)poll(&p, 1, 50);
		nheld = silent_accept(lfd, held, nheld);
	}
	ck_assert_int_ge(nheld, 8);

	/* legitimate cold verifications of the healthy host all pass */
	for (int i = 0; i < LEGIT; i++) {
		char *id;

		snprintf(url, sizeof(url), "%s/sp-chain.pem?legit%d", x5u, i);
		id = identity("sp.key", url);
		ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out),
		    "verify --identity '%s' --from %s --to %s", id, FROM, TO), 0);
		ck_assert_ptr_nonnull(strstr(out, "TN-Validation-Passed"));
		free(id);
	}
	for (int i = 0; i < LEGIT; i++) {
		snprintf(url, sizeof(url), "/sp-chain.pem?legit%d", i);
		ck_assert_int_eq(x5u_requests(url), 1);
	}
	/* ... while the attack is held: what answered so far was refused at
	 * once (a full queue), none after a fetch timed out */
	nheld = silent_accept(lfd, held, nheld);
	for (int k = 0; k < ATTACK_CONNS; k++) {
		conn_read(&c[k], 0);
		early += replies_436(&c[k], "no complete answer");
	}
	ck_assert_int_lt(early, ATTACK_TOTAL);
	/* the silent host holds its share (fetch_per_host) of the slots */
	{
		const char *st = "{\"v\":1,\"id\":1,\"op\":\"status\"}\n";
		json_t *res, *fetch;

		ck_assert_int_gt(h_raw(H.admin, st, strlen(st), out, sizeof(out), 60000), 0);
		ck_assert_ptr_nonnull(res = json_loads(out, JSON_DISABLE_EOF_CHECK, NULL));
		fetch = json_object_get(json_object_get(res, "result"), "fetch");
		ck_assert_int_eq(json_integer_value(json_object_get(fetch, "active")), 8);
		ck_assert_int_gt(json_integer_value(json_object_get(fetch, "queued")), 0);
		ck_assert_int_eq(json_integer_value(json_object_get(fetch, "hosts")), 1);
		ck_assert_int_eq(json_integer_value(json_object_get(fetch, "expired")), 0);
		json_decref(res);
	}

	/* the silent server goes away: every attack verification ends 436 */
	for (int i = 0; i < nheld; i++)
		close(held[i]);
	close(lfd);
	for (int k = 0; k < ATTACK_CONNS; k++) {
		for (int i = 0; i < 1200 && c[k].lines < ATTACK_PER_CONN; i++)
			conn_read(&c[k], 100);
		ck_assert_int_eq(c[k].lines, ATTACK_PER_CONN);
		total += replies_436(&c[k], NULL);
		close(c[k].fd);
		free(c[k].buf);
	}
	ck_assert_int_eq(total, ATTACK_TOTAL);
}
END_TEST

/* One verification fetches at most max_x5u_per_verify (4) x5u URLs. */
/*
 * deadline_ms: a verification whose x5u server never answers is answered
 * at its deadline with a 436 verdict naming the deadline, while the fetch
 * (60 s limit) is still pending; the same connection keeps serving, an
 * op that changes state is not cut short, and bad values are refused.
 */
START_TEST(a_verify_is_answered_at_its_deadline)
{
	static int held[SILENT_MAX];
	struct conn c;
	char url[256], line[8192], *id;
	int lfd, port, nheld = 0;
	json_t *r, *res, *it0;
	const char *p;

	lfd = silent_listen(&port);
	memset(&c, 0, sizeof(c));
	ck_assert_int_ge(c.fd = h_connect(H.sock), 0);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/deadline.pem", port);
	id = identity("sp.key", url);
	snprintf(line, sizeof(line), "{\"v\":1,\"id\":1,\"op\":\"verify\",\"deadline_ms\":300,"
	    "\"identity\":[\"%s\"],\"from\":\"%s\",\"to\":\"%s\"}\n"
	    "{\"v\":1,\"id\":2,\"op\":\"ping\",\"deadline_ms\":5000}\n"
	    "{\"v\":1,\"id\":3,\"op\":\"ping\",\"deadline_ms\":0}\n"
	    "{\"v\":1,\"id\":4,\"op\":\"ping\",\"deadline_ms\":600001}\n"
	    "{\"v\":1,\"id\":5,\"op\":\"ping\",\"deadline_ms\":\"1\"}\n",
	    id, JFROM, JTO);
	free(id);
	ck_assert_int_eq(write(c.fd, line, strlen(line)), (ssize_t)strlen(line));
	/* five replies, the verify's while its fetch is held open */
	for (int i = 0; i < 400 && c.lines < 5; i++) {
		conn_read(&c, 50);
		nheld = silent_accept(lfd, held, nheld);
	}
	ck_assert_int_eq(c.lines, 5);
	nheld = silent_accept(lfd, held, nheld);
	ck_assert_int_ge(nheld, 1);		/* the fetch was started and hangs */
	for (p = c.buf; p != NULL && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		json_error_t e;
		json_int_t rid;

		ck_assert_ptr_nonnull(r = json_loadb(p, (size_t)(strchr(p, '\n') - p), 0, &e));
		rid = json_integer_value(json_object_get(r, "id"));
		res = json_object_get(r, "result");
		if (rid == 1) {
			ck_assert_ptr_nonnull(res);
			ck_assert_str_eq(json_string_value(json_object_get(res, "verstat")),
			    "TN-Validation-Failed");
			it0 = json_array_get(json_object_get(res, "identities"), 0);
			ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(it0,
			    "error"), "code")), 436);
			ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(it0,
			    "error"), "detail")), "deadline_ms (300 ms)"));
			ck_assert_int_eq(json_array_size(json_object_get(res, "reason")), 1);
		} else if (rid == 2)
			ck_assert_ptr_nonnull(res);
		else {
			ck_assert_ptr_null(res);
			ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "error"),
			    "name")), "EBADREQ");
			ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(r,
			    "error"), "message")), "deadline_ms"));
		}
		json_decref(r);
	}
	/* the daemon carries on; its fetch is still held open */
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "status"), 0);
	ck_assert_msg(strstr(out, "x5u/CRL fetches: 1 active, 0 queued, 1 hosts") != NULL, "%s", out);
	close(c.fd);
	free(c.buf);
	for (int i = 0; i < nheld; i++)
		close(held[i]);
	close(lfd);
}
END_TEST

/* Deadlines fire in due order, whatever order the requests came in. */
START_TEST(deadlines_fire_in_due_order)
{
	static int held[SILENT_MAX];
	static const int ms[] = { 1200, 400, 1000, 200, 800, 600 };
	static const int want[] = { 4, 2, 6, 5, 3, 1 };	/* ids by deadline */
	struct conn c;
	char url[256], line[8192], *id;
	int lfd, port, nheld = 0, k = 0;
	const char *p;

	lfd = silent_listen(&port);
	memset(&c, 0, sizeof(c));
	ck_assert_int_ge(c.fd = h_connect(H.sock), 0);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/order.pem", port);
	id = identity("sp.key", url);
	for (int i = 0; i < 6; i++) {
		snprintf(line, sizeof(line), "{\"v\":1,\"id\":%d,\"op\":\"verify\",\"deadline_ms\":%d,"
		    "\"identity\":[\"%s\"],\"from\":\"%s\",\"to\":\"%s\"}\n", i + 1, ms[i], id, JFROM, JTO);
		ck_assert_int_eq(write(c.fd, line, strlen(line)), (ssize_t)strlen(line));
	}
	free(id);
	for (int i = 0; i < 600 && c.lines < 6; i++) {
		conn_read(&c, 50);
		nheld = silent_accept(lfd, held, nheld);
	}
	ck_assert_int_eq(c.lines, 6);
	for (p = c.buf; *p != '\0'; p = strchr(p, '\n') + 1) {
		json_error_t e;
		json_t *r = json_loadb(p, (size_t)(strchr(p, '\n') - p), 0, &e);

		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(json_integer_value(json_object_get(r, "id")), want[k]);
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r, "result"),
		    "verstat")), "TN-Validation-Failed");
		json_decref(r);
		k++;
	}
	ck_assert_int_eq(k, 6);
	close(c.fd);
	free(c.buf);
	for (int i = 0; i < nheld; i++)
		close(held[i]);
	close(lfd);
}
END_TEST

START_TEST(x5u_urls_beyond_the_limit_are_not_fetched)
{
	json_t *ids = json_array(), *req, *res, *idr;
	char url[256], *text, line[H_OUT_MAX / 4];
	ssize_t n;

	for (int i = 0; i < 6; i++) {
		char *id;

		snprintf(url, sizeof(url), "%s/sp-chain.pem?lim%d", x5u, i);
		id = identity("sp.key", url);
		(void)json_array_append_new(ids, json_string(id));
		free(id);
	}
	req = json_pack("{s:i, s:i, s:s, s:o, s:s, s:s}", "v", 1, "id", 1, "op", "verify",
	    "identity", ids, "from", JFROM, "to", JTO);
	ck_assert_ptr_nonnull(text = json_dumps(req, JSON_COMPACT));
	json_decref(req);
	snprintf(line, sizeof(line), "%s\n", text);
	free(text);
	n = h_raw(H.sock, line, strlen(line), out, sizeof(out), 60000);
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(res = json_loads(out, JSON_DISABLE_EOF_CHECK, NULL));
	/* RFC 8224: one valid value is enough */
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(res, "result"),
	    "verstat")), "TN-Validation-Passed");
	idr = json_object_get(json_object_get(res, "result"), "identities");
	ck_assert_uint_eq(json_array_size(idr), 6);
	for (size_t i = 0; i < 6; i++) {
		json_t *err = json_object_get(json_array_get(idr, i), "error");

		if (i < 4) {
			ck_assert(json_is_true(json_object_get(json_array_get(idr, i), "valid")));
			continue;
		}
		ck_assert_int_eq(json_integer_value(json_object_get(err, "code")), 436);
		ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(err, "detail")),
		    "max_x5u_per_verify"));
	}
	json_decref(res);
	for (int i = 0; i < 6; i++) {
		snprintf(url, sizeof(url), "/sp-chain.pem?lim%d", i);
		ck_assert_int_eq(x5u_requests(url), i < 4 ? 1 : 0);
	}
}
END_TEST

/*
 * An untrusted chain is rejected (437) before its CRL distribution point
 * is contacted: zero requests for the CRL.
 */
START_TEST(an_untrusted_chains_crl_is_never_fetched)
{
	char info[512], *t;

	ck_assert_int_eq(h_sh(out, sizeof(out), "cd '%s' && cat >> ext.cnf <<EOF\n"
	    "[rogue_crldp]\nbasicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature\n"
	    "1.3.6.1.5.5.7.1.26 = ASN1:SEQUENCE:tnauth_spc\n"
	    "crlDistributionPoints = URI:%s/rogue.crl\nEOF\n"
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30"
	    " -keyout rogue-ca.key -out rogue-ca.pem -subj /CN=rogue-ca"
	    " -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'"
	    " 2>/dev/null &&"
	    " openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out rogue.key 2>/dev/null &&"
	    " openssl req -new -key rogue.key -subj /CN=rogue -config ext.cnf -out rogue.csr &&"
	    " openssl x509 -req -in rogue.csr -CA rogue-ca.pem -CAkey rogue-ca.key -CAcreateserial"
	    " -days 30 -extfile ext.cnf -extensions rogue_crldp -out rogue.pem 2>/dev/null &&"
	    " cat rogue.pem rogue-ca.pem > '%s'/rogue-chain.pem",
	    H.pki, x5u, H.www), 0);
	snprintf(info, sizeof(info), "%s/rogue-chain.pem", x5u);
	t = identity("rogue.key", info);
	ck_assert_int_eq(h_ctl(&H, NULL, out, sizeof(out), "verify --identity '%s' --from %s --to %s",
	    t, FROM, TO), 1);
	ck_assert_ptr_nonnull(strstr(out, "437"));
	free(t);
	ck_assert_int_eq(x5u_requests("/rogue-chain.pem"), 1);
	ck_assert_int_eq(x5u_requests("/rogue.crl"), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fetch_abuse");
	TCase *tc = tcase_create("fetch_abuse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, a_flood_of_hanging_x5u_does_not_stall_other_hosts);
	tcase_add_test(tc, x5u_urls_beyond_the_limit_are_not_fetched);
	tcase_add_test(tc, an_untrusted_chains_crl_is_never_fetched);
	tcase_add_test(tc, a_verify_is_answered_at_its_deadline);
	tcase_add_test(tc, deadlines_fire_in_due_order);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return h_run(suite());
}
