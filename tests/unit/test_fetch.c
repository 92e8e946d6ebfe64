/*
 * test_fetch.c: stir_http_cache_ttl(), the fetcher and the certificate
 * cache, against tests/https-server.py on 127.0.0.1 with a web PKI made
 * by openssl when the suite starts (unchecked fixture, in the parent).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "stirclient.h"
#include "daemon/pki/certcache.h"
#include "daemon/pki/fetch.h"
#include "daemon/store/store.h"
#include "tests/unit/test_util.h"

/* ---- the server (started once, in the parent) ---- */

struct srv {
	pid_t	 pid;
	int	 port;
};

#define KB_FILES	10	/* www/cc_kb<i>.bin */
#define KB_LEN		1000

static char *dir;		/* PKI, www/, logs */
static struct srv tls_srv, plain_srv;
static char ca_file[512], tls_log[512];
static bool have_server;

static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void
put_file(const char *name, const char *text)
{
	char p[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/www/%s", dir, name);
	if ((f = fopen(p, "w")) == NULL) {
		perror(p);
		exit(EXIT_FAILURE);
	}
	fputs(text, f);
	fclose(f);
}

static void
start_server(struct srv *s, bool tls, const char *log)
{
	char script[512], www[512], cert[512], key[512], line[32];
	int out[2], lfd;
	size_t got = 0;

	(void)tu_srcpath("tests/https-server.py", script, sizeof(script));
	snprintf(www, sizeof(www), "%s/www", dir);
	snprintf(cert, sizeof(cert), "%s/srv.pem", dir);
	snprintf(key, sizeof(key), "%s/srv.key", dir);
	if (pipe(out) != 0 || (lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0) {
		perror("pipe/open");
		exit(EXIT_FAILURE);
	}
	if ((s->pid = fork()) == 0) {
		(void)dup2(out[1], 1);
		(void)dup2(lfd, 2);
		close(out[0]);
		if (tls)
			execlp("python3", "python3", script, "--dir", www, "--cert", cert,
			    "--key", key, "--port", "0", (char *)NULL);
		else
			execlp("python3", "python3", script, "--dir", www, "--no-tls",
			    "--port", "0", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(lfd);
	/* the first line is the port */
	while (got < sizeof(line) - 1) {
		struct pollfd pfd = { out[0], POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, 15000) <= 0)
			break;
		if ((n = read(out[0], line + got, 1)) <= 0)
			break;
		if (line[got++] == '\n')
			break;
	}
	line[got] = '\0';
	close(out[0]);
	s->port = atoi(line);
	if (s->port <= 0) {
		fprintf(stderr, "https-server.py did not start (see %s)\n", log);
		exit(EXIT_FAILURE);
	}
}

static void
suite_setup(void)
{
	char plain_log[512];
	char *d = strdup("/tmp/stird-fetch-XXXXXX");
	char big[20001];

	if (d == NULL || mkdtemp(d) == NULL) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
	dir = d;
	if (sh("{ command -v python3 && command -v openssl; } >/dev/null") != 0) {
		fprintf(stderr, "python3 or openssl is missing: skipped\n");
		exit(77);		/* automake's SKIP */
	}
	if (sh("cd '%s' && mkdir www && { "
	    "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
	    " -keyout ca.key -out ca.pem -days 2 -subj '/CN=stird test web CA' &&"
	    " openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
	    " -keyout srv.key -out srv.csr -subj '/CN=127.0.0.1' &&"
	    " printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n"
	    "extendedKeyUsage=serverAuth\\n' > ext.cnf &&"
	    " openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
	    " -out srv.pem -days 2 -extfile ext.cnf; } > pki.log 2>&1", dir) != 0) {
		fprintf(stderr, "openssl could not make the test web PKI (%s/pki.log)\n", dir);
		exit(EXIT_FAILURE);
	}
	snprintf(ca_file, sizeof(ca_file), "%s/ca.pem", dir);
	snprintf(tls_log, sizeof(tls_log), "%s/https.log", dir);
	snprintf(plain_log, sizeof(plain_log), "%s/http.log", dir);

	put_file("ok.pem", "-----BEGIN CERTIFICATE-----\nok\n-----END CERTIFICATE-----\n");
	put_file("ok.pem.meta", "{\"headers\":{\"Cache-Control\":\"public, max-age=300\"}}");
	put_file("redir.pem.meta", "{\"redirect\":\"https://127.0.0.1/ok.pem\"}");
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put_file("big.pem", big);
	put_file("hang.pem.meta", "{\"hang\":true}");
	put_file("slow.pem", "slow\n");
	put_file("slow.pem.meta", "{\"delay\":2}");
	put_file("fast.pem", "fast\n");
	put_file("same.pem", "same\n");
	put_file("same.pem.meta", "{\"delay\":0.3}");
	put_file("cc_fresh.pem", "fresh\n");
	put_file("cc_fresh.pem.meta", "{\"headers\":{\"Cache-Control\":\"max-age=600\"}}");
	put_file("cc_exp.pem", "expiring\n");
	put_file("cc_exp.pem.meta", "{\"headers\":{\"Cache-Control\":\"max-age=100\"}}");
	put_file("cc_nostore.pem", "nostore\n");
	put_file("cc_nostore.pem.meta", "{\"headers\":{\"Cache-Control\":\"no-store\"}}");
	put_file("cc_join.pem", "join\n");
	put_file("cc_join.pem.meta", "{\"delay\":0.3}");
	put_file("cc_many.pem", "many\n");
	put_file("cc_many.pem.meta", "{\"headers\":{\"Cache-Control\":\"max-age=600\"}}");
	put_file("cc_persist.pem", "persist\n");
	put_file("cc_persist.pem.meta", "{\"headers\":{\"Cache-Control\":\"max-age=3600\"}}");
	put_file("cc_lru1.pem", "1\n");
	put_file("cc_lru2.pem", "2\n");
	put_file("cc_lru3.pem", "3\n");
	put_file("cc_pre.pem", "prefetch\n");
	put_file("cc_pre.pem.meta", "{\"headers\":{\"Cache-Control\":\"max-age=600\"}}");
	put_file("nostatus.pem.meta", "{\"raw\":\"hello, this is not HTTP\\r\\n\\r\\n\"}");
	put_file("bighdr.pem", "x\n");
	put_file("manyhdr.pem", "x\n");
	{
		/* one 330 KB header line; 20 lines of 1000 bytes */
		size_t n = 330 * 1024;
		char *m = malloc(n + 64), *p;

		if (m == NULL)
			exit(EXIT_FAILURE);
		p = m + sprintf(m, "{\"headers\":{\"X-Big\":\"");
		memset(p, 'A', n);
		strcpy(p + n, "\"}}");
		put_file("bighdr.pem.meta", m);
		p = m + sprintf(m, "{\"headers\":{");
		for (int i = 0; i < 20; i++) {
			p += sprintf(p, "%s\"X-H%d\":\"", i ? "," : "", i);
			memset(p, 'B', 1000);
			p += 1000;
			*p++ = '"';
		}
		strcpy(p, "}}");
		put_file("manyhdr.pem.meta", m);
		free(m);
	}
	/* a 200 that is no certificate chain, and one that is */
	put_file("cc_junk.pem", "<html><body>Welcome to our parking page</body></html>\n");
	if (sh("cp '%s/ca.pem' '%s/www/cc_chain.pem'", dir, dir) != 0) {
		fprintf(stderr, "cannot copy the test chain\n");
		exit(EXIT_FAILURE);
	}
	/* ten bodies of KB_LEN bytes each, for the byte bounds */
	for (int i = 0; i < KB_FILES; i++) {
		char name[32], body[KB_LEN + 1];

		memset(body, 'a' + i, KB_LEN);
		body[KB_LEN] = '\0';
		snprintf(name, sizeof(name), "cc_kb%d.bin", i);
		put_file(name, body);
		snprintf(name, sizeof(name), "cc_kb%d.bin.meta", i);
		put_file(name, "{\"headers\":{\"Cache-Control\":\"max-age=3600\"}}");
	}

	start_server(&tls_srv, true, tls_log);
	start_server(&plain_srv, false, plain_log);
	have_server = true;
}

static void
suite_teardown(void)
{
	if (have_server) {
		(void)kill(tls_srv.pid, SIGTERM);
		(void)kill(plain_srv.pid, SIGTERM);
		(void)waitpid(tls_srv.pid, NULL, 0);
		(void)waitpid(plain_srv.pid, NULL, 0);
		have_server = false;
	}
	if (getenv("STIR_KEEP_TEST_DIR") == NULL)
		tu_rmtree(dir);
	free(dir);
	dir = NULL;
}

/* Requests for path seen by the HTTPS server so far. */
static int
requests_for(const char *path)
{
	char want[256], line[1024];
	int n = 0;
	FILE *f;

	snprintf(want, sizeof(want), "REQ GET %s HTTP/", path);
	if ((f = fopen(tls_log, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, want, strlen(want)) == 0)
			n++;
	fclose(f);
	return n;
}

static const char *
url(char *buf, size_t len, const char *host, const char *path)
{
	snprintf(buf, len, "https://%s:%d%s", host, tls_srv.port, path);
	return buf;
}

/* ---- the loop ---- */

static uv_loop_t loop;

static void
tick(uv_timer_t *t)
{
	(void)t;
}

/* Run the loop until *count reaches want or ms pass. */
static void
run_until(const int *count, int want, unsigned ms)
{
	uv_timer_t t;
	uint64_t end;

	uv_update_time(&loop);
	end = uv_now(&loop) + ms;
	ck_assert_int_eq(uv_timer_init(&loop, &t), 0);
	ck_assert_int_eq(uv_timer_start(&t, tick, 20, 20), 0);
	while (*count < want && uv_now(&loop) < end)
		(void)uv_run(&loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&t, NULL);
	(void)uv_run(&loop, UV_RUN_NOWAIT);
}

static struct stir_fetch_opts
opts_default(void)
{
	struct stir_fetch_opts o = {
		.ca_file = ca_file,
		.allow_http = false,
		.allow_private = true,
		.timeout_ms = 5000,
		.max_bytes = 10000,
	};
	return o;
}

/* ---- fetch results ---- */

struct fres {
	int	 done;
	int	 order;		/* 1 = first to finish */
	int	 err;
	long	 status;
	size_t	 len;
	char	 body[64];
	char	 cc[128];
	char	 ctype[128];
	char	 detail[256];
	uint64_t ms;		/* loop time when done */
};

static int finished;

static void
fetch_cb(void *arg, const struct stir_fetch_result *r)
{
	struct fres *x = arg;

	x->done++;
	x->order = ++finished;
	x->err = r->err;
	x->status = r->http_status;
	x->len = r->len;
	snprintf(x->body, sizeof(x->body), "%.*s", (int)(r->len < 63 ? r->len : 63),
	    r->body ? (const char *)r->body : "");
	snprintf(x->cc, sizeof(x->cc), "%s", r->cache_control ? r->cache_control : "");
	snprintf(x->ctype, sizeof(x->ctype), "%s", r->content_type ? r->content_type : "");
	snprintf(x->detail, sizeof(x->detail), "%s", r->detail);
	x->ms = uv_now(&loop);
}

static struct stir_fetcher *fetcher;

static void
fetcher_up(const struct stir_fetch_opts *o)
{
	ck_assert_int_eq(uv_loop_init(&loop), 0);
	finished = 0;
	ck_assert_int_eq(stir_fetcher_new(&loop, o, &fetcher), STIR_OK);
}

/* Close the fetcher; every libuv handle must be gone afterwards. */
static void
fetcher_down(void)
{
	stir_fetcher_close(fetcher);
	fetcher = NULL;
	ck_assert_int_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
}

static void
stats(struct stir_fetch_stats *st)
{
	stir_fetcher_stats(fetcher, st);
}

static void
fetch_one(const char *u, struct fres *x, unsigned ms)
{
	memset(x, 0, sizeof(*x));
	ck_assert_int_eq(stir_fetch(fetcher, u, fetch_cb, x), STIR_OK);
	ck_assert_int_eq(x->done, 0);		/* never from inside the call */
	run_until(&x->done, 1, ms);
	ck_assert_int_eq(x->done, 1);
}

/* ---- stir_http_cache_ttl ---- */

#define NOW	1700000000
#define TTL(cc, ex, d)	stir_http_cache_ttl((cc), (ex), (d), NOW, 60, 86400)

START_TEST(ttl_max_age_and_s_maxage)
{
	ck_assert_int_eq(TTL("max-age=300", NULL, NULL), 300);
	ck_assert_int_eq(TTL("public, MAX-AGE=3600", NULL, NULL), 3600);
	ck_assert_int_eq(TTL("max-age=\"120\"", NULL, NULL), 120);
	/* s-maxage wins, whatever the order */
	ck_assert_int_eq(TTL("max-age=300, s-maxage=900", NULL, NULL), 900);
	ck_assert_int_eq(TTL("s-maxage=900,max-age=300", NULL, NULL), 900);
	/* the first max-age counts */
	ck_assert_int_eq(TTL("max-age=200, max-age=5000", NULL, NULL), 200);
	/* max-age beats Expires */
	ck_assert_int_eq(TTL("max-age=500", "Tue, 14 Nov 2023 22:13:20 GMT",
	    "Tue, 14 Nov 2023 21:13:20 GMT"), 500);
	/* unknown directives, with quoted commas, are skipped */
	ck_assert_int_eq(TTL("ext=\"a, max-age=9\", max-age=700", NULL, NULL), 700);
}
END_TEST

START_TEST(ttl_no_store_and_no_cache_give_zero)
{
	ck_assert_int_eq(TTL("no-store", NULL, NULL), 0);
	ck_assert_int_eq(TTL("max-age=600, no-store", NULL, NULL), 0);
	ck_assert_int_eq(TTL("No-Cache", NULL, NULL), 0);
	ck_assert_int_eq(TTL("no-cache=\"Set-Cookie\", max-age=60", NULL, NULL), 0);
	/* not clamped up to min_ttl */
	ck_assert_int_eq(stir_http_cache_ttl("no-store", NULL, NULL, NOW, 600, 900), 0);
}
END_TEST

START_TEST(ttl_expires_relative_to_date)
{
	/* 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT */
	ck_assert_int_eq(TTL(NULL, "Tue, 14 Nov 2023 23:13:20 GMT",
	    "Tue, 14 Nov 2023 22:13:20 GMT"), 3600);
	/* relative to Date, not to our clock */
	ck_assert_int_eq(stir_http_cache_ttl(NULL, "Tue, 14 Nov 2023 23:13:20 GMT",
	    "Tue, 14 Nov 2023 22:13:20 GMT", 0, 60, 86400), 3600);
	/* no Date: now */
	ck_assert_int_eq(TTL(NULL, "Tue, 14 Nov 2023 22:23:20 GMT", NULL), 600);
	/* in the past, "0" or garbage: stale, so min_ttl */
	ck_assert_int_eq(TTL(NULL, "Tue, 14 Nov 2023 20:00:00 GMT", NULL), 60);
	ck_assert_int_eq(TTL(NULL, "0", NULL), 60);
	ck_assert_int_eq(TTL(NULL, "not a date", "nor this"), 60);
}
END_TEST

START_TEST(ttl_garbage_and_huge_numbers_are_safe)
{
	char longcc[10000];

	ck_assert_int_eq(TTL(NULL, NULL, NULL), 60);
	ck_assert_int_eq(TTL("", NULL, NULL), 60);
	ck_assert_int_eq(TTL(",,,;;;===\"\"\"", NULL, NULL), 60);
	ck_assert_int_eq(TTL("max-age=", NULL, NULL), 60);
	ck_assert_int_eq(TTL("max-age=-5", NULL, NULL), 60);
	ck_assert_int_eq(TTL("max-age=12abc", NULL, NULL), 60);
	ck_assert_int_eq(TTL("max-age=\"", NULL, NULL), 60);
	ck_assert_int_eq(TTL("max-age=99999999999999999999999999999999", NULL, NULL), 86400);
	ck_assert_int_eq(stir_http_cache_ttl("max-age=99999999999999999999999999", NULL, NULL,
	    NOW, 0, UINT32_MAX), 2147483648LL);
	/* an invalid max-age makes the response stale, Expires or not */
	ck_assert_int_eq(TTL("max-age=x", "Tue, 14 Nov 2023 23:13:20 GMT", NULL), 60);
	memset(longcc, ' ', sizeof(longcc) - 20);
	snprintf(longcc + sizeof(longcc) - 20, 20, "max-age=500");
	ck_assert_int_eq(TTL(longcc, NULL, NULL), 60);	/* past the scan limit */
	memset(longcc, 'x', sizeof(longcc) - 1);
	longcc[sizeof(longcc) - 1] = '\0';
	ck_assert_int_eq(TTL(longcc, longcc, longcc), 60);
}
END_TEST

START_TEST(ttl_is_clamped)
{
	ck_assert_int_eq(stir_http_cache_ttl("max-age=5", NULL, NULL, NOW, 60, 86400), 60);
	ck_assert_int_eq(stir_http_cache_ttl("max-age=0", NULL, NULL, NOW, 60, 86400), 60);
	ck_assert_int_eq(stir_http_cache_ttl("max-age=999999", NULL, NULL, NOW, 60, 86400), 86400);
	ck_assert_int_eq(stir_http_cache_ttl("max-age=100", NULL, NULL, NOW, 0, 50), 50);
	ck_assert_int_eq(stir_http_cache_ttl("max-age=0", NULL, NULL, NOW, 0, 50), 0);
}
END_TEST

/* ---- the fetcher ---- */

START_TEST(fetch_200_with_cache_control)
{
	struct stir_fetch_opts o = opts_default();
	struct fres r;
	char u[256];

	fetcher_up(&o);
	fetch_one(url(u, sizeof(u), "127.0.0.1", "/ok.pem"), &r, 5000);
	ck_assert_int_eq(r.err, STIR_OK);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.body, "-----BEGIN CERTIFICATE-----\nok\n-----END CERTIFICATE-----\n");
	ck_assert_str_eq(r.cc, "public, max-age=300");
	ck_assert_str_eq(r.ctype, "application/pem-certificate-chain");
	/* by name too: the certificate has DNS:localhost */
	fetch_one(url(u, sizeof(u), "localhost", "/ok.pem"), &r, 5000);
	ck_assert_int_eq(r.err, STIR_OK);
	fetcher_down();
}
END_TEST

START_TEST(fetch_404_is_efetch_with_status)
{
	struct stir_fetch_opts o = opts_default();
	struct fres r;
	char u[256];

	fetcher_up(&o);
	fetch_one(url(u, sizeof(u), "127.0.0.1", "/missing.pem"), &r, 5000);
	ck_assert_int_eq(r.err, STIR_EFETCH);
	ck_assert_int_eq(r.status, 404);
	ck_assert_uint_eq(r.len, 0);
	ck_assert_ptr_nonnull(strstr(r.detail, "404"));
	fetcher_down();
}
END_TEST

START_TEST(fetch_redirect_is_refused)
{
	struct stir_fetch_opts o = opts_default();
	struct fres r;
	char u[256];
	int before = requests_for("/ok.pem");

	fetcher_up(&o);
	fetch_one(url(u, sizeof(u), "127.0.0.1", "/redir.pem"), &r, 5000);
	ck_assert_int_eq(r.err, STIR_EFETCH);
	ck_assert_int_eq(r.status, 302);
	ck_assert_ptr_nonnull(strstr(r.detail, "redirect"));
	ck_assert_int_eq(requests_for("/ok.pem"), before);	/* not followed */
	fetcher_down();
}
END_TEST

START_TEST(fetch_body_over_max_bytes_is_etoobig)
{
	struct stir_fetch_opts o = opts_default();
	struct fres r;
	char u[256];

	o.max_bytes = 10000;		/* big.pem has 20000 */
	fetcher_up(&o);
	fetch_one(url(u, sizeof(u), "127.0.0.1", "/big.pem"), &r, 5000);
	ck_assert_int_eq(r.err, STIR_ETOOBIG);
	ck_assert_uint_eq(r.len, 0);
	o.max_bytes = 20000;		/* exactly the limit is fine */
	ck_assert_int_eq(stir_fetcher_set_opts(fetcher, &o), STIR_OK);
	fetch_one(url(u, sizeof(u), "127.0.0.1", "/big.pem"), &r, 5000);
	ck_assert_int_eq(r.err, STIR_OK);
	ck_assert_uint_eq(r.len, 20000);
	fetcher_down();
}
END_TEST

START_TEST(fetch_silent_server_times_out)
{
	struct stir_fetch_opts o = opts_default();
	struct fres r;
	char u[256];

	o.timeout_ms = 800;
	fetcher_up(&o);
	fetch_one(url(u, sizeof(u), "127.0.0.1", "/hang.pem"), &r, 5000);
	ck_assert_int_eq(r.err, STIR_ETIMEDOUT);
	ck_assert_int_eq(r.status, 0);
	fetcher_down();
}
END_TEST

START_TEST(fetch_http_refused_unless_allow_http)
{
	struct stir_fetch_opts o = opts_default();
	struct fres r;
	char u[256];

	snprintf(u, sizeof(u), "http://127.0.0.1:%d/ok.pem", plain_srv.port);
	fetcher_up(&o);
	fetch_one(u, &r, 5000);
	ck_assert_int_eq(r.err, STIR_EPOLICY);
	o.allow_http = true;
	ck_assert_int_eq(stir_fetcher_set_opts(fetcher, &o), STIR_OK);
	fetch_one(u, &r, 5000);
	ck_assert_int_eq(r.err, STIR_OK);
	ck_assert_int_eq(r.status, 200);
	/* other schemes never */
	fetch_one("file:///etc/passwd", &r, 5000);
	ck_assert_int_eq(r.err, STIR_EPOLICY);
	fetcher_down();
}
END_TEST

START_TEST(fetch_loopback_refused_without_allow_private)
{
	struct stir_fetch_opts o = opts_default();
	struct fres r;
	char u[256];

	o.allow_private = false;
	fetcher_up(&o);
	fetch_one(url(u, sizeof(u), "127.0.0.1", "/ok.pem"), &r, 5000);
	ck_assert_int_eq(r.err, STIR_EPOLICY);
	fetch_one(url(u, sizeof(u), "localhost", "/ok.pem"), &r, 5000);
	ck_assert_int_eq(r.err, STIR_EPOLICY);
	snprintf(u, sizeof(u), "https://[::ffff:127.0.0.1]:%d/ok.pem", tls_srv.port);
	fetch_one(u, &r, 5000);
	ck_assert_int_eq(r.err, STIR_EPOLICY);
	snprintf(u, sizeof(u), "https://[::1]:%d/ok.pem", tls_srv.port);
	fetch_one(u, &r, 5000);
	ck_assert_int_eq(r.err, STIR_EPOLICY);
	snprintf(u, sizeof(u), "https://10.1.2.3:%d/ok.pem", tls_srv.port);
	fetch_one(u, &r, 5000);
	ck_assert_int_eq(r.err, STIR_EPOLICY);
	snprintf(u, sizeof(u), "https://169.254.169.254/latest/meta-data");
	fetch_one(u, &r, 5000);
	ck_assert_int_eq(r.err, STIR_EPOLICY);
	fetcher_down();
}
END_TEST

START_TEST(fetch_reused_connection_is_checked_after_reload)
{
	struct stir_fetch_opts o = opts_default();
	struct fres r;
	char u[256];

	fetcher_up(&o);
	fetch_one(url(u, sizeof(u), "127.0.0.1", "/ok.pem"), &r, 5000);
	ck_assert_int_eq(r.err, STIR_OK);
	/* the kept-alive connection to 127.0.0.1 must not slip through */
	o.allow_private = false;
	ck_assert_int_eq(stir_fetcher_set_opts(fetcher, &o), STIR_OK);
	fetch_one(u, &r, 5000);
	ck_assert_int_eq(r.err, STIR_EPOLICY);
	ck_assert_uint_eq(r.len, 0);
	fetch_one(url(u, sizeof(u), "127.0.0.1", "/missing.pem"), &r, 5000);
	ck_assert_int_eq(r.err, STIR_EPOLICY);
	fetcher_down();
}
END_TEST

/* Sharing a transfer is the certificate cache's: here each call is one. */
START_TEST(fetch_each_call_is_its_own_transfer)
{
	struct stir_fetch_opts o = opts_default();
	struct fres a, b;
	struct stir_fetch_stats st;
	char u[256];
	int before = requests_for("/same.pem");

	fetcher_up(&o);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	url(u, sizeof(u), "127.0.0.1", "/same.pem");
	ck_assert_int_eq(stir_fetch(fetcher, u, fetch_cb, &a), STIR_OK);
	ck_assert_int_eq(stir_fetch(fetcher, u, fetch_cb, &b), STIR_OK);
	stats(&st);
	ck_assert_uint_eq(st.active, 2);
	run_until(&finished, 2, 5000);
	ck_assert_int_eq(a.done, 1);
	ck_assert_int_eq(b.done, 1);
	ck_assert_int_eq(a.err, STIR_OK);
	ck_assert_int_eq(b.err, STIR_OK);
	ck_assert_str_eq(b.body, "same\n");
	stats(&st);
	ck_assert(st.outcomes[STIR_M_FETCH_OK] == 2);
	ck_assert_int_eq(requests_for("/same.pem") - before, 2);
	fetcher_down();
}
END_TEST

START_TEST(fetch_slow_does_not_delay_fast)
{
	struct stir_fetch_opts o = opts_default();
	struct fres slow, fast;
	char u[256];
	uint64_t t0;

	fetcher_up(&o);
	memset(&slow, 0, sizeof(slow));
	memset(&fast, 0, sizeof(fast));
	uv_update_time(&loop);
	t0 = uv_now(&loop);
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", "/slow.pem"),
	    fetch_cb, &slow), STIR_OK);
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", "/fast.pem"),
	    fetch_cb, &fast), STIR_OK);
	ck_assert_uint_eq(stir_fetcher_inflight(fetcher), 2);
	run_until(&finished, 2, 8000);
	ck_assert_int_eq(fast.err, STIR_OK);
	ck_assert_int_eq(slow.err, STIR_OK);
	ck_assert_int_eq(fast.order, 1);
	ck_assert_int_eq(slow.order, 2);
	/* fast did not wait for slow's 2 s (valgrind-slow handshakes allowed) */
	ck_assert_uint_ge(slow.ms - t0, 1900);
	ck_assert_uint_ge(slow.ms - fast.ms, 1000);
	fetcher_down();
}
END_TEST

START_TEST(fetch_close_fails_transfers_with_eshutdown)
{
	struct stir_fetch_opts o = opts_default();
	struct fres r;
	char u[256];

	fetcher_up(&o);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", "/hang.pem"),
	    fetch_cb, &r), STIR_OK);
	run_until(&r.done, 1, 300);		/* connected and waiting */
	ck_assert_int_eq(r.done, 0);
	stir_fetcher_close(fetcher);
	ck_assert_int_eq(r.done, 1);
	ck_assert_int_eq(r.err, STIR_ESHUTDOWN);
	fetcher = NULL;
	ck_assert_int_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

START_TEST(fetch_bad_arguments)
{
	struct stir_fetch_opts o = opts_default();
	char longurl[STIR_URL_MAX + 20];
	struct fres r;

	fetcher_up(&o);
	memset(longurl, 'a', sizeof(longurl) - 1);
	longurl[sizeof(longurl) - 1] = '\0';
	ck_assert_int_eq(stir_fetch(fetcher, "", fetch_cb, &r), STIR_EINVAL);
	ck_assert_int_eq(stir_fetch(fetcher, longurl, fetch_cb, &r), STIR_EINVAL);
	fetcher_down();
}
END_TEST

/* ---- scheduling: hosts, queues, shares ---- */

START_TEST(fetch_hanging_host_does_not_hold_other_hosts)
{
	struct stir_fetch_opts o = opts_default();
	static struct fres hang[4], ok;
	struct stir_fetch_stats st;
	char u[256], p[64];

	o.per_host = 2;
	o.timeout_ms = 30000;
	fetcher_up(&o);
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "/hang.pem?h%d", i);
		memset(&hang[i], 0, sizeof(hang[i]));
		ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", p), fetch_cb,
		    &hang[i]), STIR_OK);
	}
	stats(&st);
	ck_assert_uint_eq(st.active, 2);	/* the host's share */
	ck_assert_uint_eq(st.queued, 2);
	ck_assert_uint_eq(st.hosts, 1);
	/* another host (name and port) runs at once */
	memset(&ok, 0, sizeof(ok));
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "LocalHost", "/ok.pem?h"),
	    fetch_cb, &ok), STIR_OK);
	stats(&st);
	ck_assert_uint_eq(st.active, 3);
	ck_assert_uint_eq(st.hosts, 2);
	run_until(&ok.done, 1, 20000);
	ck_assert_int_eq(ok.done, 1);
	ck_assert_int_eq(ok.err, STIR_OK);
	ck_assert_uint_gt(ok.len, 0);
	for (int i = 0; i < 4; i++)	/* ... while the hanging host's are pending */
		ck_assert_int_eq(hang[i].done, 0);
	stats(&st);
	ck_assert_uint_eq(st.active, 2);
	ck_assert_uint_eq(st.queued, 2);
	ck_assert_uint_eq(st.hosts, 1);
	fetcher_down();
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(hang[i].done, 1);
		ck_assert_int_eq(hang[i].err, STIR_ESHUTDOWN);
	}
}
END_TEST

START_TEST(fetch_freed_slots_go_to_hosts_in_turn)
{
	struct stir_fetch_opts o = opts_default();
	struct fres a1, a2, a3, b1;
	struct stir_fetch_stats st;
	char u[256];

	o.max_active = 1;		/* every transfer waits for the one before */
	fetcher_up(&o);
	memset(&a1, 0, sizeof(a1));
	memset(&a2, 0, sizeof(a2));
	memset(&a3, 0, sizeof(a3));
	memset(&b1, 0, sizeof(b1));
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", "/ok.pem?a1"),
	    fetch_cb, &a1), STIR_OK);
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", "/ok.pem?a2"),
	    fetch_cb, &a2), STIR_OK);
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", "/ok.pem?a3"),
	    fetch_cb, &a3), STIR_OK);
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "localhost", "/ok.pem?b1"),
	    fetch_cb, &b1), STIR_OK);
	stats(&st);
	ck_assert_uint_eq(st.active, 1);
	ck_assert_uint_eq(st.queued, 3);
	run_until(&finished, 4, 30000);
	ck_assert_int_eq(finished, 4);
	ck_assert_int_eq(a1.err, STIR_OK);
	ck_assert_int_eq(a2.err, STIR_OK);
	ck_assert_int_eq(a3.err, STIR_OK);
	ck_assert_int_eq(b1.err, STIR_OK);
	ck_assert_int_eq(a1.order, 1);
	ck_assert_int_lt(a2.order, a3.order);	/* one host's in order */
	/* first come, first served would run b1 last */
	ck_assert_int_lt(b1.order, a3.order);
	fetcher_down();
}
END_TEST

START_TEST(fetch_queue_deadline_fails_without_running)
{
	struct stir_fetch_opts o = opts_default();
	struct fres h, q;
	struct stir_fetch_stats st;
	char u[256];

	o.per_host = 1;
	o.timeout_ms = 30000;
	o.queue_ms = 300;
	fetcher_up(&o);
	memset(&h, 0, sizeof(h));
	memset(&q, 0, sizeof(q));
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", "/hang.pem?d1"),
	    fetch_cb, &h), STIR_OK);
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", "/ok.pem?d2"),
	    fetch_cb, &q), STIR_OK);
	stats(&st);
	ck_assert_uint_eq(st.queued, 1);
	run_until(&q.done, 1, 20000);
	ck_assert_int_eq(q.done, 1);
	ck_assert_int_eq(q.err, STIR_EBUSY);
	ck_assert_ptr_nonnull(strstr(q.detail, "no fetch slot within 300 ms"));
	ck_assert_int_eq(h.done, 0);		/* failed while the slot was held */
	stats(&st);
	ck_assert_uint_eq(st.queued, 0);
	ck_assert_uint_eq(st.active, 1);
	ck_assert(st.expired == 1);
	ck_assert_int_eq(requests_for("/ok.pem?d2"), 0);	/* never ran */
	fetcher_down();
	ck_assert_int_eq(h.err, STIR_ESHUTDOWN);
}
END_TEST

#define QFULL	(256 + 1)	/* FETCH_HOST_MAX_QUEUED, and the one running */

START_TEST(fetch_full_host_queue_refuses_at_once)
{
	struct stir_fetch_opts o = opts_default();
	static struct fres r[QFULL + 1], other;
	struct stir_fetch_stats st;
	char u[256], p[64];

	o.per_host = 1;
	o.timeout_ms = 30000;
	fetcher_up(&o);
	memset(r, 0, sizeof(r));
	for (int i = 0; i < QFULL; i++) {
		snprintf(p, sizeof(p), "/hang.pem?f%d", i);
		ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", p), fetch_cb,
		    &r[i]), STIR_OK);
	}
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", "/hang.pem?over"),
	    fetch_cb, &r[QFULL]), STIR_EBUSY);
	/* the URL of a waiting transfer is a new transfer too (the cache
	 * shares transfers, not the fetcher) */
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", "/hang.pem?f9"),
	    fetch_cb, &r[QFULL]), STIR_EBUSY);
	stats(&st);
	ck_assert_uint_eq(st.active, 1);
	ck_assert_uint_eq(st.queued, QFULL - 1);
	ck_assert(st.refused == 2);
	memset(&other, 0, sizeof(other));
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "localhost", "/ok.pem?f"),
	    fetch_cb, &other), STIR_OK);
	run_until(&other.done, 1, 20000);
	ck_assert_int_eq(other.err, STIR_OK);
	fetcher_down();
	for (int i = 0; i < QFULL; i++) {
		ck_assert_int_eq(r[i].err, STIR_ESHUTDOWN);
		ck_assert_int_eq(r[i].done, 1);
	}
	ck_assert_int_eq(r[QFULL].done, 0);	/* refused: never called */
}
END_TEST

START_TEST(fetch_owner_share_is_bounded)
{
	struct stir_fetch_opts o = opts_default();
	static struct fres r[6];
	struct stir_fetch_stats st;
	char u[256];

	o.per_owner = 2;
	o.timeout_ms = 30000;
	fetcher_up(&o);
	memset(r, 0, sizeof(r));
	ck_assert_int_eq(stir_fetch_for(fetcher, url(u, sizeof(u), "127.0.0.1", "/hang.pem?o1"),
	    7, fetch_cb, &r[0]), STIR_OK);
	ck_assert_int_eq(stir_fetch_for(fetcher, url(u, sizeof(u), "localhost", "/hang.pem?o2"),
	    7, fetch_cb, &r[1]), STIR_OK);
	/* a third of owner 7, whatever host: refused */
	ck_assert_int_eq(stir_fetch_for(fetcher, url(u, sizeof(u), "127.0.0.1", "/hang.pem?o3"),
	    7, fetch_cb, &r[2]), STIR_EBUSY);
	/* nor a second of a URL it fetches already: here, each call counts */
	ck_assert_int_eq(stir_fetch_for(fetcher, url(u, sizeof(u), "127.0.0.1", "/hang.pem?o1"),
	    7, fetch_cb, &r[2]), STIR_EBUSY);
	/* other owners, and untagged fetches, have their own */
	ck_assert_int_eq(stir_fetch_for(fetcher, url(u, sizeof(u), "127.0.0.1", "/hang.pem?o3"),
	    8, fetch_cb, &r[3]), STIR_OK);
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", "/hang.pem?o4"),
	    fetch_cb, &r[4]), STIR_OK);
	ck_assert_int_eq(stir_fetch(fetcher, url(u, sizeof(u), "127.0.0.1", "/hang.pem?o5"),
	    fetch_cb, &r[5]), STIR_OK);
	stats(&st);
	ck_assert_uint_eq(st.active, 5);
	ck_assert(st.refused == 2);
	fetcher_down();
	ck_assert_int_eq(r[2].done, 0);		/* refused: never called */
	for (int i = 0; i < 6; i++)
		ck_assert_int_eq(r[i].err, i == 2 ? 0 : STIR_ESHUTDOWN);
}
END_TEST

START_TEST(fetch_huge_headers_are_etoobig)
{
	struct stir_fetch_opts o = opts_default();
	struct fres r;
	char u[256];

	fetcher_up(&o);
	/* one 330 KB line: libcurl's own limit, reported as out of memory */
	fetch_one(url(u, sizeof(u), "127.0.0.1", "/bighdr.pem"), &r, 20000);
	ck_assert_int_eq(r.err, STIR_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(r.detail, "response headers are too large"));
	ck_assert_ptr_null(strstr(r.detail, "memory"));
	/* 20 KB in lines of 1 KB: ours */
	fetch_one(url(u, sizeof(u), "127.0.0.1", "/manyhdr.pem"), &r, 20000);
	ck_assert_int_eq(r.err, STIR_ETOOBIG);
	ck_assert_ptr_nonnull(strstr(r.detail, "response headers are too large"));
	fetcher_down();
}
END_TEST

START_TEST(fetch_no_status_line_is_not_a_scheme_error)
{
	struct stir_fetch_opts o = opts_default();
	struct fres r;
	char u[256];

	fetcher_up(&o);
	fetch_one(url(u, sizeof(u), "127.0.0.1", "/nostatus.pem"), &r, 20000);
	ck_assert_int_eq(r.err, STIR_EFETCH);
	ck_assert_int_eq(r.status, 0);
	ck_assert_ptr_nonnull(strstr(r.detail, "no HTTP status line"));
	ck_assert_ptr_null(strstr(r.detail, "scheme"));
	fetcher_down();
}
END_TEST

/* ---- the certificate cache ---- */

struct cres {
	int	 done;
	int	 order;		/* 1 = the first answer since cache_up() */
	bool	 sync;		/* called before stir_certcache_get returned */
	int	 err;
	bool	 from_cache;
	uint64_t serial;
	int64_t	 expires;
	size_t	 len;
	int	 kind;
	char	 body[64];
	char	 detail[256];
};

static struct stir_store *store;
static struct stir_certcache *cache;
static char dbpath[600];
static bool in_get;
static int answered;

static const struct stir_certcache_opts cc_opts = {
	.min_ttl = 60, .max_ttl = 86400, .negative_ttl = 30, .max_entries = 100,
	.max_bytes = 64 * 1024 * 1024, .store_max_bytes = 256 * 1024 * 1024,
};

static void
cache_cb(void *arg, const struct stir_certcache_entry *e)
{
	struct cres *x = arg;

	x->done++;
	x->order = ++answered;
	x->sync = in_get;
	x->err = e->err;
	x->from_cache = e->from_cache;
	x->serial = e->serial;
	x->expires = e->expires;
	x->len = e->len;
	x->kind = e->kind;
	snprintf(x->detail, sizeof(x->detail), "%s", e->detail ? e->detail : "");
	snprintf(x->body, sizeof(x->body), "%.*s", (int)(e->len < 63 ? e->len : 63),
	    e->body ? (const char *)e->body : "");
}

static void
cache_up_fetching(const struct stir_certcache_opts *co, const struct stir_fetch_opts *o)
{
	char msg[256];
	char *d = tu_mkdtemp();

	snprintf(dbpath, sizeof(dbpath), "%s/stird.db", d);
	free(d);
	answered = 0;
	fetcher_up(o);
	ck_assert_int_eq(stir_store_open(dbpath, &store, msg, sizeof(msg)), STIR_OK);
	ck_assert_int_eq(stir_certcache_new(&loop, store, fetcher, co, &cache), STIR_OK);
}

static void
cache_up(const struct stir_certcache_opts *co)
{
	struct stir_fetch_opts o = opts_default();

	cache_up_fetching(co, &o);
}

static void
cache_reopen(const struct stir_certcache_opts *co)
{
	char msg[256];

	while (stir_certcache_writes_pending(cache) > 0)	/* rows written */
		(void)uv_run(&loop, UV_RUN_ONCE);
	stir_certcache_free(cache);
	stir_store_close(store);
	ck_assert_int_eq(stir_store_open(dbpath, &store, msg, sizeof(msg)), STIR_OK);
	ck_assert_int_eq(stir_certcache_new(&loop, store, fetcher, co, &cache), STIR_OK);
}

/* Let the writer finish every queued row change. */
static void
cache_drain(void)
{
	while (stir_certcache_writes_pending(cache) > 0)
		(void)uv_run(&loop, UV_RUN_ONCE);
}

static void
cache_down(void)
{
	stir_certcache_free(cache);
	cache = NULL;
	fetcher_down();		/* runs the loop: pending writes finish */
	stir_store_close(store);
	store = NULL;
}

/* Get u as kind; cache_get() gets it as other content (any bytes). */
static void
cache_get_as(const char *u, enum stir_cc_kind kind, int64_t now, struct cres *x)
{
	memset(x, 0, sizeof(*x));
	in_get = true;
	ck_assert_int_eq(stir_certcache_get(cache, u, kind, now, cache_cb, x), STIR_OK);
	in_get = false;
	run_until(&x->done, 1, 5000);
	ck_assert_int_eq(x->done, 1);
}

static void
cache_get(const char *u, int64_t now, struct cres *x)
{
	cache_get_as(u, STIR_CC_OTHER, now, x);
}

START_TEST(cache_fresh_hit_without_fetch)
{
	struct cres a, b;
	char u[256];
	int64_t t = (int64_t)time(NULL);
	int before = requests_for("/cc_fresh.pem");

	cache_up(&cc_opts);
	url(u, sizeof(u), "127.0.0.1", "/cc_fresh.pem");
	cache_get(u, t, &a);
	ck_assert_int_eq(a.err, STIR_OK);
	ck_assert(!a.sync);
	ck_assert(!a.from_cache);
	ck_assert_str_eq(a.body, "fresh\n");
	ck_assert_int_eq(a.expires - t >= 600 && a.expires - t <= 602, 1);
	cache_get(u, t + 500, &b);
	ck_assert(!b.sync);			/* answered from the loop */
	ck_assert(b.from_cache);
	ck_assert_int_eq(b.err, STIR_OK);
	ck_assert_str_eq(b.body, "fresh\n");
	ck_assert_uint_eq(b.serial, a.serial);
	ck_assert_int_eq(requests_for("/cc_fresh.pem") - before, 1);
	cache_down();
}
END_TEST

/* One turn of the loop, waiting for nothing. */
static void
turn(void)
{
	(void)uv_run(&loop, UV_RUN_NOWAIT);
}

static struct cres nested;
static const char *nested_url;

/* A callback that looks up nested_url again from inside its answer. */
static void
cache_cb_get_again(void *arg, const struct stir_certcache_entry *e)
{
	cache_cb(arg, e);
	ck_assert_int_eq(stir_certcache_get(cache, nested_url, STIR_CC_OTHER, e->fetched_at + 2,
	    cache_cb, &nested), STIR_OK);
}

/*
 * The contract: a hit's callback has not run when the get returns; it
 * runs once, on the next loop turn, in the order asked; one asked from
 * inside an answer waits for the turn after.  No transfer is made.
 */
START_TEST(cache_hit_is_answered_on_the_next_loop_turn)
{
	struct stir_certcache_stats cs0, cs;
	struct stir_fetch_stats st0, st;
	struct cres a, b, c, fill;
	char u[256];
	int64_t t = (int64_t)time(NULL);

	cache_up(&cc_opts);
	url(u, sizeof(u), "127.0.0.1", "/cc_fresh.pem?turn");
	cache_get(u, t, &fill);
	ck_assert_int_eq(fill.err, STIR_OK);
	stir_certcache_stats(cache, &cs0);
	stir_fetcher_stats(fetcher, &st0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	memset(&nested, 0, sizeof(nested));
	nested_url = u;
	in_get = true;
	ck_assert_int_eq(stir_certcache_get(cache, u, STIR_CC_OTHER, t + 1, cache_cb, &a),
	    STIR_OK);
	ck_assert_int_eq(stir_certcache_get(cache, u, STIR_CC_CHAIN, t + 1, cache_cb, &b),
	    STIR_OK);
	ck_assert_int_eq(stir_certcache_get_for(cache, u, STIR_CC_OTHER, t + 1, 7,
	    cache_cb_get_again, &c), STIR_OK);
	in_get = false;
	ck_assert_int_eq(a.done + b.done + c.done, 0);	/* not from inside the call */
	turn();
	ck_assert_int_eq(a.done, 1);
	ck_assert_int_eq(b.done, 1);
	ck_assert_int_eq(c.done, 1);
	ck_assert(!a.sync && !b.sync && !c.sync);
	ck_assert_int_eq(a.order, fill.order + 1);	/* in the order asked */
	ck_assert_int_eq(b.order, fill.order + 2);
	ck_assert_int_eq(c.order, fill.order + 3);
	ck_assert(a.from_cache && b.from_cache && c.from_cache);
	ck_assert_int_eq(a.err, STIR_OK);
	ck_assert_str_eq(a.body, "fresh\n");
	ck_assert_uint_eq(a.serial, fill.serial);
	ck_assert_int_eq(b.err, STIR_ECERT);		/* judged as a chain */
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(nested.done, 0);		/* asked during this turn */
	turn();
	ck_assert_int_eq(nested.done, 1);
	ck_assert_int_eq(nested.order, c.order + 1);
	for (int i = 0; i < 3; i++)
		turn();
	ck_assert_int_eq(a.done + b.done + c.done + nested.done, 4);	/* once each */
	stir_certcache_stats(cache, &cs);
	ck_assert(cs.hits - cs0.hits == 4);
	ck_assert(cs.misses == cs0.misses);
	stir_fetcher_stats(fetcher, &st);
	ck_assert(st.outcomes[STIR_M_FETCH_OK] == st0.outcomes[STIR_M_FETCH_OK]);
	ck_assert_uint_eq(st.active + st.queued, 0);
	cache_down();
}
END_TEST

static void
cache_cb_free(void *arg, const struct stir_certcache_entry *e)
{
	cache_cb(arg, e);
	stir_certcache_free(cache);
	cache = NULL;
}

/*
 * A hit answered is answered, whatever comes before its turn: the cache
 * freed before the turn, or freed by the answer before it, or a purge
 * (the body is held, not copied).  The loop closes with nothing left.
 */
START_TEST(cache_hit_is_delivered_after_purge_and_free)
{
	struct cres a, b, fill;
	char u[256];
	int64_t t = (int64_t)time(NULL);

	cache_up(&cc_opts);
	url(u, sizeof(u), "127.0.0.1", "/cc_fresh.pem?free");
	cache_get(u, t, &fill);
	cache_drain();				/* the row is written */
	/* freed before the turn */
	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(stir_certcache_get(cache, u, STIR_CC_OTHER, t + 1, cache_cb, &a),
	    STIR_OK);
	stir_certcache_free(cache);
	cache = NULL;
	ck_assert_int_eq(a.done, 0);
	turn();
	ck_assert_int_eq(a.done, 1);
	ck_assert(a.from_cache);
	ck_assert_str_eq(a.body, "fresh\n");
	/* freed by the answer before, and purged before the turn */
	ck_assert_int_eq(stir_certcache_new(&loop, store, fetcher, &cc_opts, &cache), STIR_OK);
	ck_assert_uint_eq(stir_certcache_size(cache), 1);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(stir_certcache_get(cache, u, STIR_CC_OTHER, t + 2, cache_cb_free, &a),
	    STIR_OK);
	ck_assert_int_eq(stir_certcache_get(cache, u, STIR_CC_OTHER, t + 2, cache_cb, &b),
	    STIR_OK);
	ck_assert_int_eq(stir_certcache_purge(cache, u), STIR_OK);
	ck_assert_uint_eq(stir_certcache_size(cache), 0);
	turn();					/* a frees the cache; b still comes */
	ck_assert_ptr_null(cache);
	ck_assert_int_eq(a.done, 1);
	ck_assert_int_eq(b.done, 1);
	ck_assert_int_lt(a.order, b.order);
	ck_assert(b.from_cache);
	ck_assert_int_eq(b.err, STIR_OK);
	ck_assert_str_eq(b.body, "fresh\n");
	cache_down();			/* the loop closes: no handle is left */
}
END_TEST

START_TEST(cache_expiry_triggers_refetch)
{
	struct cres a, b, c;
	char u[256];
	int64_t t = (int64_t)time(NULL);
	int before = requests_for("/cc_exp.pem");

	cache_up(&cc_opts);
	url(u, sizeof(u), "127.0.0.1", "/cc_exp.pem");
	cache_get(u, t, &a);
	ck_assert_int_eq(a.err, STIR_OK);
	cache_get(u, t + 99, &b);
	ck_assert(b.from_cache);
	cache_get(u, t + 101, &c);		/* max-age=100 is over */
	ck_assert(!c.sync);
	ck_assert(!c.from_cache);
	ck_assert_int_eq(c.err, STIR_OK);
	ck_assert_uint_eq(c.serial, a.serial);	/* the same bytes */
	ck_assert_int_eq(requests_for("/cc_exp.pem") - before, 2);
	cache_down();
}
END_TEST

START_TEST(cache_failures_are_kept_negative_ttl)
{
	struct cres a, b, c;
	char u[256];
	int64_t t = (int64_t)time(NULL);
	int before = requests_for("/cc_missing.pem");

	cache_up(&cc_opts);
	url(u, sizeof(u), "127.0.0.1", "/cc_missing.pem");
	cache_get(u, t, &a);
	ck_assert_int_eq(a.err, STIR_EFETCH);
	ck_assert(!a.from_cache);
	cache_get(u, t + 29, &b);
	ck_assert(!b.sync);
	ck_assert(b.from_cache);
	ck_assert_int_eq(b.err, STIR_EFETCH);
	cache_get(u, t + 31, &c);		/* negative_ttl is 30 */
	ck_assert(!c.from_cache);
	ck_assert_int_eq(c.err, STIR_EFETCH);
	ck_assert_int_eq(requests_for("/cc_missing.pem") - before, 2);
	cache_down();
}
END_TEST

START_TEST(cache_no_store_is_answered_but_not_kept)
{
	struct cres a, b;
	char u[256];
	int64_t t = (int64_t)time(NULL);
	int before = requests_for("/cc_nostore.pem");

	cache_up(&cc_opts);
	url(u, sizeof(u), "127.0.0.1", "/cc_nostore.pem");
	cache_get(u, t, &a);
	ck_assert_int_eq(a.err, STIR_OK);
	ck_assert_str_eq(a.body, "nostore\n");
	cache_get(u, t + 1, &b);
	ck_assert(!b.from_cache);
	ck_assert_int_eq(b.err, STIR_OK);
	ck_assert_uint_eq(stir_certcache_size(cache), 0);
	ck_assert_int_eq(requests_for("/cc_nostore.pem") - before, 2);
	cache_down();
}
END_TEST

START_TEST(cache_waiters_share_one_fetch)
{
	struct cres a, b, c;
	char u[256];
	int64_t t = (int64_t)time(NULL);
	int before = requests_for("/cc_join.pem");

	cache_up(&cc_opts);
	url(u, sizeof(u), "127.0.0.1", "/cc_join.pem");
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(stir_certcache_get(cache, u, STIR_CC_OTHER, t, cache_cb, &a), STIR_OK);
	ck_assert_int_eq(stir_certcache_get(cache, u, STIR_CC_OTHER, t, cache_cb, &b), STIR_OK);
	ck_assert_int_eq(stir_certcache_refresh(cache, u, STIR_CC_OTHER, t, cache_cb, &c),
	    STIR_OK);
	run_until(&c.done, 1, 5000);
	ck_assert_int_eq(a.done + b.done + c.done, 3);
	ck_assert_str_eq(a.body, "join\n");
	ck_assert_str_eq(c.body, "join\n");
	ck_assert_int_eq(requests_for("/cc_join.pem") - before, 1);
	cache_down();
}
END_TEST

/*
 * The cache is where callers of one URL share a transfer: gets of every
 * kind and owner join the one fetch, and joining takes no owner's share
 * (the fetcher counts each of its calls).
 */
#define MANY	8

START_TEST(cache_concurrent_gets_are_one_transfer)
{
	struct stir_fetch_opts o = opts_default();
	struct stir_certcache_stats cs;
	struct stir_fetch_stats st;
	static struct cres r[MANY + 1];
	char u[256], other[256];
	int64_t t = (int64_t)time(NULL);
	int before = requests_for("/cc_many.pem");

	o.per_owner = 1;
	cache_up_fetching(&cc_opts, &o);
	url(u, sizeof(u), "127.0.0.1", "/cc_many.pem");
	url(other, sizeof(other), "127.0.0.1", "/cc_fresh.pem?many");
	memset(r, 0, sizeof(r));
	for (int i = 0; i < MANY; i++)	/* owner 7 holds its one share after the first */
		ck_assert_int_eq(stir_certcache_get_for(cache, u, i % 2 ? STIR_CC_CHAIN :
		    STIR_CC_OTHER, t, i < MANY / 2 ? 7 : 0, cache_cb, &r[i]), STIR_OK);
	/* another URL is a transfer of its own: over owner 7's share */
	ck_assert_int_eq(stir_certcache_get_for(cache, other, STIR_CC_OTHER, t, 7, cache_cb,
	    &r[MANY]), STIR_EBUSY);
	stir_fetcher_stats(fetcher, &st);
	ck_assert_uint_eq(st.active, 1);
	ck_assert(st.refused == 1);
	for (int i = 0; i < MANY; i++)
		ck_assert_int_eq(r[i].done, 0);
	for (int i = 0; i < MANY; i++)
		run_until(&r[i].done, 1, 5000);
	for (int i = 0; i < MANY; i++) {
		ck_assert_int_eq(r[i].done, 1);
		ck_assert(!r[i].from_cache);
		/* one body, judged as each caller's kind */
		if (i % 2) {
			ck_assert_int_eq(r[i].err, STIR_ECERT);
			ck_assert_uint_eq(r[i].len, 0);
		} else {
			ck_assert_int_eq(r[i].err, STIR_OK);
			ck_assert_str_eq(r[i].body, "many\n");
		}
	}
	ck_assert_int_eq(r[MANY].done, 0);
	stir_fetcher_stats(fetcher, &st);
	ck_assert(st.outcomes[STIR_M_FETCH_OK] == 1);
	stir_certcache_stats(cache, &cs);
	ck_assert(cs.misses == MANY + 1);	/* the refused one missed too */
	ck_assert(cs.hits == 0);
	ck_assert_int_eq(requests_for("/cc_many.pem") - before, 1);
	cache_down();
}
END_TEST

START_TEST(cache_survives_free_and_new_with_the_same_file)
{
	struct cres a, b, n;
	struct stir_certcache_info *info = NULL;
	size_t ninfo = 0;
	char u[256], miss[256];
	int64_t t = (int64_t)time(NULL);
	int before = requests_for("/cc_persist.pem");

	cache_up(&cc_opts);
	url(u, sizeof(u), "127.0.0.1", "/cc_persist.pem");
	url(miss, sizeof(miss), "127.0.0.1", "/cc_persist_missing.pem");
	cache_get(u, t, &a);
	ck_assert_int_eq(a.err, STIR_OK);
	cache_get(miss, t, &n);
	ck_assert_int_eq(n.err, STIR_EFETCH);
	cache_reopen(&cc_opts);
	ck_assert_uint_eq(stir_certcache_size(cache), 2);
	cache_get(u, t + 5, &b);
	ck_assert(!b.sync);
	ck_assert(b.from_cache);
	ck_assert_int_eq(b.err, STIR_OK);
	ck_assert_str_eq(b.body, "persist\n");
	ck_assert_int_eq(b.expires, a.expires);
	cache_get(miss, t + 5, &n);
	ck_assert(n.from_cache);
	ck_assert_int_eq(n.err, STIR_EFETCH);
	ck_assert_int_eq(requests_for("/cc_persist.pem") - before, 1);
	/* purge reaches the store: nothing comes back after a restart */
	ck_assert_int_eq(stir_certcache_list(cache, 10, &info, &ninfo), STIR_OK);
	ck_assert_uint_eq(ninfo, 2);
	free(info);
	ck_assert_int_eq(stir_certcache_purge(cache, NULL), STIR_OK);
	ck_assert_uint_eq(stir_certcache_size(cache), 0);
	cache_reopen(&cc_opts);
	ck_assert_uint_eq(stir_certcache_size(cache), 0);
	cache_down();
}
END_TEST

START_TEST(cache_is_bounded_least_recently_used_first)
{
	struct stir_certcache_opts co = cc_opts;
	struct stir_certcache_entry e;
	struct cres r;
	char u1[256], u2[256], u3[256];
	int64_t t = (int64_t)time(NULL);

	co.max_entries = 2;
	cache_up(&co);
	url(u1, sizeof(u1), "127.0.0.1", "/cc_lru1.pem");
	url(u2, sizeof(u2), "127.0.0.1", "/cc_lru2.pem");
	url(u3, sizeof(u3), "127.0.0.1", "/cc_lru3.pem");
	cache_get(u1, t, &r);
	cache_get(u2, t, &r);
	cache_get(u1, t + 1, &r);		/* u1 is used again: u2 is older */
	ck_assert(r.from_cache);
	cache_get(u3, t, &r);
	ck_assert_uint_eq(stir_certcache_size(cache), 2);
	ck_assert_int_eq(stir_certcache_lookup(cache, u1, &e), STIR_OK);
	ck_assert_int_eq(stir_certcache_lookup(cache, u2, &e), STIR_ENOENT);
	ck_assert_int_eq(stir_certcache_lookup(cache, u3, &e), STIR_OK);
	ck_assert_uint_eq(e.len, 2);
	cache_down();
}
END_TEST

START_TEST(cache_refresh_fetches_even_when_fresh)
{
	struct cres a, b;
	char u[256];
	int64_t t = (int64_t)time(NULL);
	int before = requests_for("/cc_pre.pem");

	cache_up(&cc_opts);
	url(u, sizeof(u), "127.0.0.1", "/cc_pre.pem");
	cache_get(u, t, &a);
	memset(&b, 0, sizeof(b));
	in_get = true;
	ck_assert_int_eq(stir_certcache_refresh(cache, u, STIR_CC_OTHER, t + 1, cache_cb, &b),
	    STIR_OK);
	in_get = false;
	run_until(&b.done, 1, 5000);
	ck_assert(!b.sync);
	ck_assert(!b.from_cache);
	ck_assert_int_eq(b.err, STIR_OK);
	ck_assert_int_eq(requests_for("/cc_pre.pem") - before, 2);
	cache_down();
}
END_TEST

/* ---- what is kept, and the bounds ---- */

START_TEST(cache_junk_body_for_a_chain_is_not_stored)
{
	struct stir_certcache_entry e;
	struct stir_cache_row *rows = NULL;
	struct cres a, b, c, d;
	char junk[256], chain[256];
	size_t nrows = 0, bytes = 0, nr = 0;
	int64_t t = (int64_t)time(NULL);
	int before = requests_for("/cc_junk.pem");

	cache_up(&cc_opts);
	url(junk, sizeof(junk), "127.0.0.1", "/cc_junk.pem");
	url(chain, sizeof(chain), "127.0.0.1", "/cc_chain.pem");
	cache_get_as(junk, STIR_CC_CHAIN, t, &a);
	ck_assert_int_eq(a.err, STIR_ECERT);
	ck_assert_uint_eq(a.len, 0);
	ck_assert_msg(strstr(a.detail, "not a PEM certificate chain") != NULL, "%s", a.detail);
	/* remembered as a failure without its body, for negative_ttl */
	cache_get_as(junk, STIR_CC_CHAIN, t + 1, &b);
	ck_assert(b.from_cache);
	ck_assert_int_eq(b.err, STIR_ECERT);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(stir_certcache_lookup(cache, junk, &e), STIR_OK);
	ck_assert_int_eq(e.err, STIR_ECERT);
	ck_assert_ptr_null(e.body);
	ck_assert_uint_eq(e.len, 0);
	ck_assert_uint_eq(stir_certcache_bytes(cache), stir_cache_cost(junk, 0));
	ck_assert_int_eq(e.expires, t + 30);
	/* a chain is kept whole */
	cache_get_as(chain, STIR_CC_CHAIN, t, &c);
	ck_assert_int_eq(c.err, STIR_OK);
	ck_assert_uint_gt(c.len, 100);
	ck_assert_uint_eq(stir_certcache_bytes(cache),
	    stir_cache_cost(junk, 0) + stir_cache_cost(chain, c.len));
	/* the store holds the same: the failure without a body */
	cache_drain();
	ck_assert_int_eq(stir_store_cache_load(store, 0, 100, SIZE_MAX, &rows, &nrows), STIR_OK);
	ck_assert_uint_eq(nrows, 2);
	for (size_t i = 0; i < nrows; i++) {
		ck_assert_int_eq(rows[i].kind, STIR_CC_CHAIN);
		if (strcmp(rows[i].url, junk) == 0) {
			ck_assert_int_eq(rows[i].status, STIR_ECERT);
			ck_assert_ptr_null(rows[i].body);
			ck_assert_uint_eq(rows[i].len, 0);
		} else {
			ck_assert_str_eq(rows[i].url, chain);
			ck_assert_int_eq(rows[i].status, STIR_OK);
			ck_assert_uint_eq(rows[i].len, c.len);
		}
	}
	stir_store_cache_rows_free(rows, nrows);
	ck_assert_int_eq(stir_store_cache_total(store, &bytes, &nr), STIR_OK);
	ck_assert_uint_eq(nr, 2);
	ck_assert_uint_eq(bytes, stir_cache_cost(junk, 0) + stir_cache_cost(chain, c.len));
	/* a chain's refusal says nothing about other content: fetched again */
	cache_get_as(junk, STIR_CC_OTHER, t + 2, &d);
	ck_assert(!d.from_cache);
	ck_assert_int_eq(d.err, STIR_OK);
	ck_assert_str_eq(d.body, "<html><body>Welcome to our parking page</body></html>\n");
	/* kept as other content, it is still no chain, nor an image */
	cache_get_as(junk, STIR_CC_CHAIN, t + 3, &d);
	ck_assert(d.from_cache);
	ck_assert_int_eq(d.err, STIR_ECERT);
	ck_assert_uint_eq(d.len, 0);
	cache_get_as(junk, STIR_CC_IMAGE, t + 3, &d);
	ck_assert_int_eq(d.err, STIR_EINVAL);
	ck_assert_int_eq(requests_for("/cc_junk.pem") - before, 2);
	cache_down();
}
END_TEST

static void
kb_url(char *buf, size_t len, int i)
{
	char path[32];

	snprintf(path, sizeof(path), "/cc_kb%d.bin", i);
	url(buf, len, "127.0.0.1", path);
}

START_TEST(cache_memory_bound_in_bytes_evicts_least_recently_used)
{
	struct stir_certcache_opts co = cc_opts;
	struct stir_certcache_entry e;
	char u[4][256];
	struct cres r;
	size_t bytes = 0, nr = 0;
	int64_t t = (int64_t)time(NULL);

	for (int i = 0; i < 4; i++)
		kb_url(u[i], sizeof(u[i]), i);
	co.max_bytes = 3 * stir_cache_cost(u[0], KB_LEN) + 100;	/* three fit */
	cache_up(&co);
	for (int i = 0; i < 3; i++) {
		cache_get(u[i], t, &r);
		ck_assert_int_eq(r.err, STIR_OK);
		ck_assert_uint_eq(r.len, KB_LEN);
	}
	ck_assert_uint_eq(stir_certcache_size(cache), 3);
	cache_get(u[0], t + 1, &r);		/* u0 is used again: u1 is the oldest */
	ck_assert(r.from_cache);
	cache_get(u[3], t + 2, &r);
	ck_assert_int_eq(r.err, STIR_OK);
	ck_assert_uint_eq(stir_certcache_size(cache), 3);
	ck_assert_uint_le(stir_certcache_bytes(cache), co.max_bytes);
	ck_assert_int_eq(stir_certcache_lookup(cache, u[0], &e), STIR_OK);
	ck_assert_int_eq(stir_certcache_lookup(cache, u[1], &e), STIR_ENOENT);
	ck_assert_int_eq(stir_certcache_lookup(cache, u[2], &e), STIR_OK);
	ck_assert_int_eq(stir_certcache_lookup(cache, u[3], &e), STIR_OK);
	/* what leaves memory leaves the store */
	cache_drain();
	ck_assert_int_eq(stir_store_cache_total(store, &bytes, &nr), STIR_OK);
	ck_assert_uint_eq(nr, 3);
	ck_assert_uint_eq(bytes, 3 * stir_cache_cost(u[0], KB_LEN));
	/* a body larger than the whole bound is answered, never kept */
	co.max_bytes = stir_cache_cost(u[0], KB_LEN) - 1;
	stir_certcache_set_opts(cache, &co);
	ck_assert_uint_eq(stir_certcache_size(cache), 0);
	cache_get(u[1], t + 3, &r);
	ck_assert_int_eq(r.err, STIR_OK);
	ck_assert_uint_eq(r.len, KB_LEN);
	ck_assert_uint_eq(stir_certcache_size(cache), 0);
	ck_assert_uint_eq(stir_certcache_bytes(cache), 0);
	cache_down();
}
END_TEST

START_TEST(cache_store_is_bounded_in_bytes_least_recently_used_first)
{
	struct stir_certcache_opts co = cc_opts;
	struct stir_cache_row *rows = NULL;
	struct stir_certcache_entry e;
	char u[KB_FILES][256];
	struct cres r;
	size_t nrows = 0, bytes = 0, nr = 0;
	int64_t t = (int64_t)time(NULL);
	bool kept[KB_FILES] = { false };

	for (int i = 0; i < KB_FILES; i++)
		kb_url(u[i], sizeof(u[i]), i);
	co.store_max_bytes = 4 * stir_cache_cost(u[0], KB_LEN) + 100;	/* four rows fit */
	cache_up(&co);
	for (int i = 0; i < 4; i++)
		cache_get(u[i], t + i, &r);
	/* u0 used again, a minute later: its row's last_used moves on */
	cache_get(u[0], t + 100, &r);
	ck_assert(r.from_cache);
	for (int i = 4; i < KB_FILES; i++)
		cache_get(u[i], t + 10 + i, &r);
	cache_drain();
	/* memory holds all ten; the store only the four most recently used */
	ck_assert_uint_eq(stir_certcache_size(cache), KB_FILES);
	ck_assert_int_eq(stir_store_cache_total(store, &bytes, &nr), STIR_OK);
	ck_assert_uint_le(bytes, co.store_max_bytes);
	ck_assert_uint_eq(nr, 4);
	ck_assert_int_eq(stir_store_cache_load(store, 0, 100, SIZE_MAX, &rows, &nrows), STIR_OK);
	ck_assert_uint_eq(nrows, 4);
	for (size_t k = 0; k < nrows; k++)
		for (int i = 0; i < KB_FILES; i++)
			if (strcmp(rows[k].url, u[i]) == 0)
				kept[i] = true;
	stir_store_cache_rows_free(rows, nrows);
	ck_assert(kept[0] && kept[7] && kept[8] && kept[9]);
	/* and a restart brings back those four */
	cache_reopen(&co);
	ck_assert_uint_eq(stir_certcache_size(cache), 4);
	ck_assert_int_eq(stir_certcache_lookup(cache, u[0], &e), STIR_OK);
	ck_assert_uint_eq(e.len, KB_LEN);
	ck_assert_int_eq(stir_certcache_lookup(cache, u[1], &e), STIR_ENOENT);
	cache_down();
}
END_TEST

START_TEST(cache_start_loads_at_most_its_bounds_most_recent_first)
{
	struct stir_certcache_opts co = cc_opts;
	struct stir_certcache_entry e;
	char u[KB_FILES][256];
	struct cres r;
	size_t bytes = 0, nr = 0;
	int64_t t = (int64_t)time(NULL);

	for (int i = 0; i < KB_FILES; i++)
		kb_url(u[i], sizeof(u[i]), i);
	cache_up(&cc_opts);
	for (int i = 0; i < KB_FILES; i++)
		cache_get(u[i], t + i, &r);
	ck_assert_uint_eq(stir_certcache_size(cache), KB_FILES);
	/* the memory bound in bytes: the three most recently used */
	co.max_bytes = 3 * stir_cache_cost(u[0], KB_LEN) + 100;
	cache_reopen(&co);
	ck_assert_uint_eq(stir_certcache_size(cache), 3);
	ck_assert_uint_le(stir_certcache_bytes(cache), co.max_bytes);
	for (int i = 0; i < KB_FILES; i++)
		ck_assert_int_eq(stir_certcache_lookup(cache, u[i], &e), i >= 7 ? STIR_OK : STIR_ENOENT);
	/* the bound in entries: the two most recently used */
	co.max_bytes = cc_opts.max_bytes;
	co.max_entries = 2;
	cache_reopen(&co);
	ck_assert_uint_eq(stir_certcache_size(cache), 2);
	for (int i = 0; i < KB_FILES; i++)
		ck_assert_int_eq(stir_certcache_lookup(cache, u[i], &e), i >= 8 ? STIR_OK : STIR_ENOENT);
	/* what was not loaded stays in the store, which has its own bound */
	cache_drain();
	ck_assert_int_eq(stir_store_cache_total(store, &bytes, &nr), STIR_OK);
	ck_assert_uint_eq(nr, KB_FILES);
	cache_down();
}
END_TEST

static Suite *
fetch_suite(void)
{
	Suite *s = suite_create("fetch");
	TCase *tt = tcase_create("ttl");
	TCase *tf = tcase_create("fetcher");
	TCase *tc = tcase_create("certcache");

	tcase_add_test(tt, ttl_max_age_and_s_maxage);
	tcase_add_test(tt, ttl_no_store_and_no_cache_give_zero);
	tcase_add_test(tt, ttl_expires_relative_to_date);
	tcase_add_test(tt, ttl_garbage_and_huge_numbers_are_safe);
	tcase_add_test(tt, ttl_is_clamped);
	suite_add_tcase(s, tt);

	tcase_add_unchecked_fixture(tf, suite_setup, suite_teardown);
	tcase_set_timeout(tf, 30);
	tcase_add_test(tf, fetch_200_with_cache_control);
	tcase_add_test(tf, fetch_404_is_efetch_with_status);
	tcase_add_test(tf, fetch_redirect_is_refused);
	tcase_add_test(tf, fetch_body_over_max_bytes_is_etoobig);
	tcase_add_test(tf, fetch_silent_server_times_out);
	tcase_add_test(tf, fetch_http_refused_unless_allow_http);
	tcase_add_test(tf, fetch_loopback_refused_without_allow_private);
	tcase_add_test(tf, fetch_reused_connection_is_checked_after_reload);
	tcase_add_test(tf, fetch_each_call_is_its_own_transfer);
	tcase_add_test(tf, fetch_slow_does_not_delay_fast);
	tcase_add_test(tf, fetch_close_fails_transfers_with_eshutdown);
	tcase_add_test(tf, fetch_bad_arguments);
	tcase_add_test(tf, fetch_hanging_host_does_not_hold_other_hosts);
	tcase_add_test(tf, fetch_freed_slots_go_to_hosts_in_turn);
	tcase_add_test(tf, fetch_queue_deadline_fails_without_running);
	tcase_add_test(tf, fetch_full_host_queue_refuses_at_once);
	tcase_add_test(tf, fetch_owner_share_is_bounded);
	tcase_add_test(tf, fetch_huge_headers_are_etoobig);
	tcase_add_test(tf, fetch_no_status_line_is_not_a_scheme_error);
	suite_add_tcase(s, tf);

	tcase_add_unchecked_fixture(tc, tu_root_setup, tu_root_teardown);
	tcase_add_unchecked_fixture(tc, suite_setup, suite_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, cache_fresh_hit_without_fetch);
	tcase_add_test(tc, cache_hit_is_answered_on_the_next_loop_turn);
	tcase_add_test(tc, cache_hit_is_delivered_after_purge_and_free);
	tcase_add_test(tc, cache_expiry_triggers_refetch);
	tcase_add_test(tc, cache_failures_are_kept_negative_ttl);
	tcase_add_test(tc, cache_no_store_is_answered_but_not_kept);
	tcase_add_test(tc, cache_waiters_share_one_fetch);
	tcase_add_test(tc, cache_concurrent_gets_are_one_transfer);
	tcase_add_test(tc, cache_survives_free_and_new_with_the_same_file);
	tcase_add_test(tc, cache_is_bounded_least_recently_used_first);
	tcase_add_test(tc, cache_refresh_fetches_even_when_fresh);
	tcase_add_test(tc, cache_junk_body_for_a_chain_is_not_stored);
	tcase_add_test(tc, cache_memory_bound_in_bytes_evicts_least_recently_used);
	tcase_add_test(tc, cache_store_is_bounded_in_bytes_least_recently_used_first);
	tcase_add_test(tc, cache_start_loads_at_most_its_bounds_most_recent_first);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	/* a test that dies must not leave the server to SIGPIPE us */
	(void)signal(SIGPIPE, SIG_IGN);
	return tu_run(fetch_suite());
}
