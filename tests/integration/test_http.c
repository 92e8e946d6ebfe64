/*
 * test_http.c: stird-http end to end: the real stird (harness.c) with its
 * SQLite file and a test PKI, x5u served by tests/https-server.py, and the
 * real stird-http in front of it on a free loopback port and a unix
 * socket, driven with libcurl and raw sockets.  Every bad request is
 * followed by a good one: the door and stird must still answer.
 */
#include "config.h"

#include <arpa/inet.h>
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
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>
#include <jansson.h>

#include "harness.h"

#define TOKEN_ALL	"tok-all-0123456789abcdef"
#define TOKEN_VERIFY	"tok-verify-0123456789abcdef"
#define TOKEN_NEW	"tok-new-0123456789abcdef"
#define MAX_BODY	4096
#define PIPELINED	50

struct door_proc {
	pid_t	pid;
	int	port;
	char	conf[H_PATH_MAX];
	char	log[H_PATH_MAX];
	char	base[128];		/* http(s)://127.0.0.1:port */
};

struct resp {
	long	status;
	char	body[256 * 1024];
	size_t	len;
	char	reqid[160];
	char	allow[64];
	char	ctype[128];
	bool	www_auth;
	bool	close;
};

static struct h H;
static struct door_proc D;		/* the main door */
static char x5u[64];
static char out[H_OUT_MAX];

static int
free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	ck_assert_int_ge(fd, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static int
tcp_connect(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- HTTP with libcurl ---- */

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;
	size_t len = sz * n, room = sizeof(r->body) - 1 - r->len;

	if (len > room)
		len = room;
	memcpy(r->body + r->len, p, len);
	r->len += len;
	r->body[r->len] = '\0';
	return sz * n;
}

static void
header_value(const char *line, size_t n, const char *name, char *dst, size_t dstlen)
{
	size_t nl = strlen(name);

	if (n > nl + 1 && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
		const char *v = line + nl + 1;
		size_t vl = n - nl - 1;

		while (vl > 0 && *v == ' ')
			v++, vl--;
		while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
			vl--;
		snprintf(dst, dstlen, "%.*s", (int)vl, v);
	}
}

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct resp *r = arg;
	char conn[64] = "";

	header_value(p, sz * n, "X-RequestID", r->reqid, sizeof(r->reqid));
	header_value(p, sz * n, "Allow", r->allow, sizeof(r->allow));
	header_value(p, sz * n, "Content-Type", r->ctype, sizeof(r->ctype));
	header_value(p, sz * n, "Connection", conn, sizeof(conn));
	if (strcasecmp(conn, "close") == 0)
		r->close = true;
	if (sz * n > 17 && strncasecmp(p, "WWW-Authenticate:", 17) == 0)
		r->www_auth = true;
	return sz * n;
}

/*
 * One request.  c: a handle to reuse (keep-alive), or NULL.  ctype NULL:
 * no Content-Type.  hdr: one more header line or NULL.  tls: client
 * certificate and key files (NULL: none) and the CA to trust.
 */
static long
http_ex(CURL *c, const char *url, const char *method, const char *ctype, const char *body,
    const char *hdr, const char *unix_path, const char *ca, const char *cert,
    const char *key, struct resp *r)
{
	struct curl_slist *hl = NULL;
	char ct[160];
	bool own = c == NULL;
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if (own)
		ck_assert_ptr_nonnull(c = curl_easy_init());
	else
		curl_easy_reset(c);
	snprintf(ct, sizeof(ct), "Content-Type:%s%s", ctype ? " " : "", ctype ? ctype : "");
	hl = curl_slist_append(hl, ct);
	hl = curl_slist_append(hl, "Expect:");
	if (hdr != NULL)
		hl = curl_slist_append(hl, hdr);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	} else if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	if (unix_path != NULL)
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, unix_path);
	if (ca != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	if (cert != NULL) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, key);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	else
		r->status = -(long)rc;
	curl_slist_free_all(hl);
	if (own)
		curl_easy_cleanup(c);
	return r->status;
}

static long
http(const char *path, const char *method, const char *ctype, const char *body,
    const char *hdr, struct resp *r)
{
	char url[256];

	snprintf(url, sizeof(url), "%s%s", D.base, path);
	return http_ex(NULL, url, method, ctype, body, hdr, NULL, NULL, NULL, NULL, r);
}

static long
post(const char *path, const char *body, const char *hdr, struct resp *r)
{
	return http(path, "POST", "application/json", body, hdr, r);
}

static json_t *
json_of(const struct resp *r)
{
	json_t *o = json_loadb(r->body, r->len, 0, NULL);

	ck_assert_msg(o != NULL, "not JSON (status %ld): %s", r->status, r->body);
	return o;
}

/* ---- the door process ---- */

static void
door_start_at(struct door_proc *p, const char *name, const char *extra, bool tls,
    const char *stird_sock)
{
	FILE *f;
	int st;

	memset(p, 0, sizeof(*p));
	p->port = free_port();
	snprintf(p->conf, sizeof(p->conf), "%s/%s.conf", H.dir, name);
	snprintf(p->log, sizeof(p->log), "%s/%s.log", H.dir, name);
	snprintf(p->base, sizeof(p->base), "%s://127.0.0.1:%d", tls ? "https" : "http", p->port);
	ck_assert_ptr_nonnull(f = fopen(p->conf, "w"));
	fprintf(f, "listen = 127.0.0.1:%d\nstird_socket = %s\nlog_level = debug\n%s\n",
	    p->port, stird_sock, extra ? extra : "");
	fclose(f);
	p->pid = fork();
	ck_assert_int_ge(p->pid, 0);
	if (p->pid == 0) {
		const char *prog = getenv("STIRD_HTTP");
		int fd = open(p->log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			(void)dup2(fd, 2);
			(void)dup2(fd, 1);
			close(fd);
		}
		if (prog == NULL)
			prog = "./stird-http";
		execl(prog, prog, "-f", "-c", p->conf, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {		/* up to 10 s (sanitizer builds) */
		int fd = tcp_connect(p->port);

		if (fd >= 0) {
			close(fd);
			return;
		}
		if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
			h_sh(out, sizeof(out), "cat '%s'", p->log);
			ck_abort_msg("stird-http exited (%d): %s", st, out);
		}
		usleep(20000);
	}
	ck_abort_msg("stird-http did not listen on %d", p->port);
}

static void
door_start_ex(struct door_proc *p, const char *name, const char *extra, bool tls)
{
	door_start_at(p, name, extra, tls, H.sock);
}

static void
door_start(struct door_proc *p, const char *name, const char *extra)
{
	door_start_ex(p, name, extra, false);
}

/* SIGTERM; the exit status (-1: had to be killed). */
static int
door_stop(struct door_proc *p)
{
	int st;

	if (p->pid <= 0)
		return -1;
	kill(p->pid, SIGTERM);
	for (int i = 0; i < 500; i++) {
		if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
			p->pid = 0;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		usleep(10000);
	}
	kill(p->pid, SIGKILL);
	(void)waitpid(p->pid, &st, 0);
	p->pid = 0;
	return -1;
}

/* /healthz of the door at base until it answers want (bounded tries). */
static bool
healthz_becomes(const char *base, long want)
{
	struct resp *r = malloc(sizeof(*r));
	char url[256];
	bool ok = false;

	snprintf(url, sizeof(url), "%s/healthz", base);
	for (int i = 0; i < 250 && !ok; i++) {
		ok = http_ex(NULL, url, "GET", NULL, NULL, NULL, NULL, NULL, NULL, NULL, r) == want;
		if (!ok)
			usleep(20000);
	}
	free(r);
	return ok;
}

/* ---- fixtures ---- */

static void
stack_up(void)
{
	char extra[H_PATH_MAX + 128];

	curl_global_init(CURL_GLOBAL_DEFAULT);
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
	snprintf(extra, sizeof(extra), "max_body_bytes = %d\nlisten = unix:%s/http.sock\n",
	    MAX_BODY, H.dir);
	door_start(&D, "door", extra);
	ck_assert_msg(healthz_becomes(D.base, 200), "stird-http never reached stird");
}

static void
stack_down(void)
{
	int st = door_stop(&D);

	h_teardown(&H);
	curl_global_cleanup();
	ck_assert_msg(st == 0, "stird-http exited %d on SIGTERM", st);
}

/* ---- requests ---- */

static char *
sign_body(const char *orig)
{
	static char b[512];

	snprintf(b, sizeof(b), "{\"signingRequest\":{\"orig\":{\"tn\":\"%s\"},"
	    "\"dest\":{\"tn\":[\"12125551213\"]},\"iat\":%lld,\"attest\":\"A\","
	    "\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}}", orig, (long long)time(NULL));
	return b;
}

/* Sign through /stir/v1/signing; the Identity value (free()). */
static char *
shaken_sign(void)
{
	struct resp *r = malloc(sizeof(*r));
	json_t *o;
	char *id;

	ck_assert_int_eq(post("/stir/v1/signing", sign_body("12155551212"), NULL, r), 200);
	o = json_of(r);
	id = strdup(json_string_value(json_object_get(json_object_get(o, "signingResponse"),
	    "identity")));
	ck_assert_ptr_nonnull(id);
	json_decref(o);
	free(r);
	return id;
}

static json_t *
shaken_verify(const char *from, const char *identity, long want_status)
{
	struct resp *r = malloc(sizeof(*r));
	char *body = malloc(strlen(identity) + 512);
	json_t *o;

	sprintf(body, "{\"verificationRequest\":{\"from\":{\"tn\":\"%s\"},\"to\":{\"tn\":"
	    "[\"12125551213\"]},\"time\":%lld,\"identity\":\"%s\"}}", from,
	    (long long)time(NULL), identity);
	ck_assert_int_eq(post("/stir/v1/verification", body, NULL, r), want_status);
	o = json_of(r);
	free(body);
	free(r);
	return o;
}

/* The door and stird still serve: a sign, then a verify, pass. */
static void
still_serves(void)
{
	char *id = shaken_sign();
	json_t *o = shaken_verify("12155551212", id, 200);

	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o,
	    "verificationResponse"), "verstatValue")), "TN-Validation-Passed");
	json_decref(o);
	free(id);
}

static const char *
shaken_msgid(json_t *o)
{
	json_t *re = json_object_get(o, "requestError");
	json_t *ex = json_object_get(re, "serviceException");

	if (ex == NULL)
		ex = json_object_get(re, "policyException");
	return json_string_value(json_object_get(ex, "messageId"));
}

static const char *
shaken_variable(json_t *o)
{
	json_t *re = json_object_get(o, "requestError");
	json_t *ex = json_object_get(re, "serviceException");

	return json_string_value(json_array_get(json_object_get(ex, "variables"), 0));
}

START_TEST(shaken_sign_then_verify_passes_and_echoes_the_request_id)
{
	struct resp *r = malloc(sizeof(*r));
	json_t *o, *vr, *r0;
	char *id, *body;

	ck_assert_int_eq(post("/stir/v1/signing", sign_body("12155551212"),
	    "X-RequestID: 4c7a2de8-1d8f-4b56-4ef5-0585fee32d15", r), 200);
	ck_assert_str_eq(r->reqid, "4c7a2de8-1d8f-4b56-4ef5-0585fee32d15");
	ck_assert_ptr_nonnull(strstr(r->ctype, "application/json"));
	o = json_of(r);
	id = strdup(json_string_value(json_object_get(json_object_get(o, "signingResponse"),
	    "identity")));
	ck_assert_ptr_nonnull(strstr(id, ";info=<"));
	ck_assert_ptr_nonnull(strstr(id, "ppt=shaken"));
	ck_assert_ptr_null(json_object_get(json_object_get(o, "signingResponse"), "identities"));
	json_decref(o);

	ck_assert_ptr_nonnull(body = malloc(strlen(id) + 512));
	sprintf(body, "{\"verificationRequest\":{\"from\":{\"tn\":\"12155551212\"},\"to\":{\"tn\":"
	    "[\"12125551213\"]},\"time\":%lld,\"identity\":\"%s\"}}", (long long)time(NULL), id);
	ck_assert_int_eq(post("/stir/v1/verification", body, "X-RequestID: v-1", r), 200);
	ck_assert_str_eq(r->reqid, "v-1");
	o = json_of(r);
	vr = json_object_get(o, "verificationResponse");
	ck_assert_str_eq(json_string_value(json_object_get(vr, "verstatValue")),
	    "TN-Validation-Passed");
	ck_assert_int_eq(json_array_size(json_object_get(vr, "verifyResults")), 1);
	r0 = json_object_get(json_array_get(json_object_get(vr, "verifyResults"), 0), "verifyResult");
	ck_assert_str_eq(json_string_value(json_object_get(r0, "status")), "pass");
	ck_assert_str_eq(json_string_value(json_object_get(r0, "ppt")), "shaken");
	ck_assert_ptr_null(json_object_get(vr, "reasonCode"));
	json_decref(o);
	free(body);
	free(id);
	free(r);
}
END_TEST

START_TEST(spoofed_from_fails_with_438_and_reason_values)
{
	char *id = shaken_sign();
	json_t *o = shaken_verify("12155550000", id, 200), *vr, *r0;

	vr = json_object_get(o, "verificationResponse");
	ck_assert_str_eq(json_string_value(json_object_get(vr, "verstatValue")),
	    "TN-Validation-Failed");
	ck_assert_int_eq(json_integer_value(json_object_get(vr, "reasonCode")), 438);
	r0 = json_object_get(json_array_get(json_object_get(vr, "verifyResults"), 0), "verifyResult");
	ck_assert_str_eq(json_string_value(json_object_get(r0, "status")), "fail");
	ck_assert_int_eq(json_integer_value(json_object_get(r0, "reasonCode")), 438);
	ck_assert_str_eq(json_string_value(json_object_get(r0, "reasonText")),
	    "Invalid Identity Header");
	ck_assert_int_eq(json_array_size(json_object_get(vr, "reason")), 1);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_array_get(json_object_get(vr,
	    "reason"), 0)), "cause=438"));
	json_decref(o);
	free(id);
	still_serves();
}
END_TEST

START_TEST(native_sign_and_verify_carry_the_op_fields)
{
	struct resp *r = malloc(sizeof(*r));
	json_t *o, *res;
	char *body, *id;

	ck_assert_int_eq(post("/v1/sign", "{\"orig\":\"12155551212\",\"dest\":[\"12125551213\"],"
	    "\"attest\":\"B\"}", NULL, r), 200);
	o = json_of(r);
	res = json_object_get(o, "result");
	ck_assert_str_eq(json_string_value(json_object_get(res, "cred")), "sp");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(res, "payload"),
	    "attest")), "B");
	id = strdup(json_string_value(json_object_get(res, "identity")));
	json_decref(o);
	ck_assert_ptr_nonnull(body = malloc(strlen(id) + 256));
	sprintf(body, "{\"identity\":[\"%s\"],\"from\":\"tel:+12155551212\",\"to\":\"tel:+12125551213\"}",
	    id);
	ck_assert_int_eq(post("/v1/verify", body, NULL, r), 200);
	o = json_of(r);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "result"),
	    "verstat")), "TN-Validation-Passed");
	json_decref(o);
	/* stird's own error, with its code and name */
	ck_assert_int_eq(post("/v1/sign", "{\"orig\":\"12155551212\",\"dest\":[\"12125551213\"],"
	    "\"attest\":\"A\",\"colour\":\"red\"}", NULL, r), 400);
	o = json_of(r);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o, "error"), "name")),
	    "EBADREQ");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_object_get(o, "error"),
	    "message")), "colour"));
	json_decref(o);
	/* the envelope is the door's */
	ck_assert_int_eq(post("/v1/sign", "{\"op\":\"key.list\"}", NULL, r), 400);
	ck_assert_ptr_nonnull(strstr(r->body, "EBADREQ"));
	free(body);
	free(id);
	free(r);
	still_serves();
}
END_TEST

START_TEST(a_diverted_call_is_signed_and_verified_through_the_shaken_routes)
{
	struct resp *r = malloc(sizeof(*r));
	char *orig = shaken_sign(), *body, *div;
	json_t *o, *vr, *res;

	ck_assert_ptr_nonnull(body = malloc(strlen(orig) * 2 + 1024));
	sprintf(body, "{\"signingRequest\":{\"ppt\":\"div\",\"original\":\"%s\","
	    "\"dest\":{\"tn\":[\"12125550100\"]},\"div\":{\"tn\":\"12125551213\"}}}", orig);
	ck_assert_int_eq(post("/stir/v1/signing", body, NULL, r), 200);
	o = json_of(r);
	div = strdup(json_string_value(json_object_get(json_object_get(o, "signingResponse"),
	    "identity")));
	json_decref(o);
	ck_assert_ptr_nonnull(strstr(div, "ppt=div"));
	sprintf(body, "{\"verificationRequest\":{\"from\":{\"tn\":\"12155551212\"},"
	    "\"to\":{\"tn\":[\"12125551213\"]},\"identity\":[\"%s\",\"%s\"],"
	    "\"requestUri\":\"tel:+12125550100\"}}", orig, div);
	ck_assert_int_eq(post("/stir/v1/verification", body, NULL, r), 200);
	o = json_of(r);
	vr = json_object_get(o, "verificationResponse");
	ck_assert_str_eq(json_string_value(json_object_get(vr, "verstatValue")),
	    "TN-Validation-Passed");
	ck_assert_int_eq(json_array_size(json_object_get(vr, "verifyResults")), 2);
	res = json_object_get(json_array_get(json_object_get(vr, "verifyResults"), 1), "verifyResult");
	ck_assert_str_eq(json_string_value(json_object_get(res, "ppt")), "div");
	ck_assert_str_eq(json_string_value(json_object_get(res, "status")), "pass");
	ck_assert(json_is_true(json_object_get(json_object_get(vr, "diversion"), "verified")));
	json_decref(o);
	free(div);
	free(body);
	free(orig);
	free(r);
}
END_TEST

/* Read one HTTP response off fd into r (status, X-RequestID); false at EOF. */
static bool
read_response(int fd, char *buf, size_t cap, size_t *have, long *status, char *reqid,
    size_t reqidlen)
{
	for (;;) {
		char *end = NULL, *cl;
		size_t hlen, blen = 0, total;
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		buf[*have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL) {
			hlen = (size_t)(end - buf) + 4;
			if ((cl = strcasestr(buf, "\r\nContent-Length:")) != NULL && cl < end)
				blen = strtoul(cl + 17, NULL, 10);
			total = hlen + blen;
			if (*have >= total) {
				char *id = strcasestr(buf, "\r\nX-RequestID:");

				*status = strtol(buf + 9, NULL, 10);
				reqid[0] = '\0';
				if (id != NULL && id < end) {
					id += 14;
					while (*id == ' ')
						id++;
					snprintf(reqid, reqidlen, "%.*s", (int)strcspn(id, "\r"), id);
				}
				memmove(buf, buf + total, *have - total);
				*have -= total;
				return true;
			}
		}
		if (poll(&pfd, 1, 20000) <= 0 || *have + 1 >= cap)
			return false;
		if ((n = recv(fd, buf + *have, cap - 1 - *have, 0)) <= 0)
			return false;
		*have += (size_t)n;
	}
}

START_TEST(fifty_pipelined_requests_on_one_connection_are_answered_in_order)
{
	size_t cap = 1024 * 1024, have = 0, off = 0, len = 0;
	char *req = malloc(cap), *buf = malloc(cap), reqid[64];
	const char *body = sign_body("12155551212");
	int fd = tcp_connect(D.port);
	long status;

	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < PIPELINED; i++) {
		/* signs and metrics-free health checks, interleaved */
		if (i % 5 == 4)
			len += (size_t)snprintf(req + len, cap - len, "GET /healthz HTTP/1.1\r\n"
			    "Host: t\r\nX-RequestID: r%d\r\n\r\n", i);
		else
			len += (size_t)snprintf(req + len, cap - len, "POST /stir/v1/signing HTTP/1.1\r\n"
			    "Host: t\r\nContent-Type: application/json\r\nX-RequestID: r%d\r\n"
			    "Content-Length: %zu\r\n\r\n%s", i, strlen(body), body);
	}
	while (off < len) {		/* all of it before reading anything */
		ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);

		ck_assert_int_gt(w, 0);
		off += (size_t)w;
	}
	for (int i = 0; i < PIPELINED; i++) {
		char want[16];

		ck_assert_msg(read_response(fd, buf, cap, &have, &status, reqid, sizeof(reqid)),
		    "connection ended after %d responses", i);
		snprintf(want, sizeof(want), "r%d", i);
		ck_assert_str_eq(reqid, want);
		ck_assert_int_eq(status, 200);
	}
	close(fd);
	free(req);
	free(buf);
}
END_TEST

START_TEST(bad_requests_get_their_status_and_the_door_goes_on)
{
	struct resp *r = malloc(sizeof(*r));
	char *big = malloc(MAX_BODY * 2 + 64);
	json_t *o;

	/* malformed JSON */
	ck_assert_int_eq(post("/stir/v1/signing", "{\"signingRequest\":", "X-RequestID: bad-1", r), 400);
	ck_assert_str_eq(r->reqid, "bad-1");
	o = json_of(r);
	ck_assert_str_eq(shaken_msgid(o), "SVC4001");
	json_decref(o);
	still_serves();
	/* an unknown member, named */
	ck_assert_int_eq(post("/stir/v1/signing", "{\"signingRequest\":{\"orig\":{\"tn\":\"1\"},"
	    "\"dest\":{\"tn\":[\"2\"]},\"attest\":\"A\",\"colour\":\"red\"}}", NULL, r), 400);
	o = json_of(r);
	ck_assert_str_eq(shaken_variable(o), "signingRequest.colour");
	json_decref(o);
	/* a missing one */
	ck_assert_int_eq(post("/stir/v1/verification", "{\"verificationRequest\":{\"to\":{\"tn\":[\"2\"]}}}",
	    NULL, r), 400);
	o = json_of(r);
	ck_assert_str_eq(shaken_msgid(o), "SVC4000");
	ck_assert_str_eq(shaken_variable(o), "verificationRequest.from");
	json_decref(o);
	/* wrong Content-Type, and none */
	ck_assert_int_eq(http("/stir/v1/signing", "POST", "text/plain", sign_body("1"), NULL, r), 415);
	ck_assert_str_eq(shaken_msgid(o = json_of(r)), "SVC4002");
	json_decref(o);
	ck_assert_int_eq(http("/v1/sign", "POST", NULL, "{}", NULL, r), 415);
	ck_assert_int_eq(http("/v1/sign", "POST", "application/json; charset=utf-8",
	    "{\"orig\":\"12155551212\",\"dest\":\"12125551213\",\"attest\":\"A\"}", NULL, r), 200);
	/* unknown route, wrong method */
	ck_assert_int_eq(http("/stir/v2/signing", "POST", "application/json", "{}", NULL, r), 404);
	ck_assert_int_eq(http("/stir/v1/signing", "GET", NULL, NULL, NULL, r), 405);
	ck_assert_str_eq(r->allow, "POST");
	ck_assert_int_eq(http("/metrics", "DELETE", NULL, NULL, NULL, r), 405);
	ck_assert_str_eq(r->allow, "GET, HEAD");
	/* a malformed X-RequestID */
	ck_assert_int_eq(post("/v1/sign", "{}", "X-RequestID: a b", r), 400);
	still_serves();
	/* a body over max_body_bytes, by Content-Length: 413 and the connection closes */
	memset(big, ' ', MAX_BODY * 2);
	big[MAX_BODY * 2] = '\0';
	memcpy(big, "{\"signingRequest\":{}}", 21);
	ck_assert_int_eq(post("/stir/v1/signing", big, "X-RequestID: big-1", r), 413);
	ck_assert_str_eq(r->reqid, "big-1");
	ck_assert(r->close);
	ck_assert_str_eq(shaken_msgid(o = json_of(r)), "SVC4003");
	json_decref(o);
	/* and chunked, where the size is only known as it streams in */
	ck_assert_int_eq(post("/v1/sign", big, "Transfer-Encoding: chunked", r), 413);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o = json_of(r), "error"),
	    "name")), "ETOOBIG");
	json_decref(o);
	still_serves();
	/* HEAD on a GET route */
	ck_assert_int_eq(http("/healthz", "HEAD", NULL, NULL, NULL, r), 200);
	free(big);
	free(r);
}
END_TEST

START_TEST(keep_alive_connection_survives_errors)
{
	struct resp *r = malloc(sizeof(*r));
	CURL *c = curl_easy_init();
	char url[256];
	long conns = 0;

	/* the errors that read the whole body keep the connection */
	snprintf(url, sizeof(url), "%s/stir/v1/signing", D.base);
	ck_assert_int_eq(http_ex(c, url, "POST", "application/json", "{oops", NULL, NULL, NULL,
	    NULL, NULL, r), 400);
	ck_assert_int_eq(http_ex(c, url, "POST", "text/plain", "{}", NULL, NULL, NULL,
	    NULL, NULL, r), 415);
	ck_assert_int_eq(http_ex(c, url, "POST", "application/json", sign_body("12155551212"),
	    NULL, NULL, NULL, NULL, NULL, r), 200);
	curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &conns);
	ck_assert_int_eq(conns, 0);		/* the last one reused the first's */
	curl_easy_cleanup(c);
	free(r);
}
END_TEST

START_TEST(unix_listener_serves_the_same_routes)
{
	struct resp *r = malloc(sizeof(*r));
	char path[H_PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/http.sock", H.dir);
	ck_assert_int_eq(http_ex(NULL, "http://localhost/healthz", "GET", NULL, NULL, NULL, path,
	    NULL, NULL, NULL, r), 200);
	ck_assert_str_eq(r->body, "{\"status\":\"ok\"}");
	ck_assert_int_eq(http_ex(NULL, "http://localhost/stir/v1/signing", "POST",
	    "application/json", sign_body("12155551212"), NULL, path, NULL, NULL, NULL, r), 200);
	ck_assert_ptr_nonnull(strstr(r->body, "\"signingResponse\""));
	free(r);
}
END_TEST

START_TEST(metrics_are_prometheus_text_with_the_door_counters)
{
	struct resp *r = malloc(sizeof(*r));

	ck_assert_int_eq(post("/stir/v1/signing", sign_body("12155551212"), NULL, r), 200);
	ck_assert_int_eq(http("/nope", "GET", NULL, NULL, NULL, r), 404);
	ck_assert_int_eq(http("/metrics", "GET", NULL, NULL, NULL, r), 200);
	ck_assert_ptr_nonnull(strstr(r->ctype, "text/plain; version=0.0.4"));
	ck_assert_ptr_nonnull(strstr(r->body, "# TYPE stird_http_requests_total counter\n"));
	ck_assert_ptr_nonnull(strstr(r->body, "stird_http_requests_total{route=\"signing\",code=\"200\"} "));
	ck_assert_ptr_nonnull(strstr(r->body, "stird_http_requests_total{route=\"none\",code=\"404\"} "));
	ck_assert_ptr_nonnull(strstr(r->body, "# TYPE stird_http_connections gauge\n"));
	ck_assert_ptr_nonnull(strstr(r->body, "stird_http_upstream_connections 2\n"));
	/* stird's own families, from its stats op, rendered generically */
	ck_assert_ptr_nonnull(strstr(r->body, "stird_http_stats_up 1\n"));
	ck_assert_ptr_nonnull(strstr(r->body, "# TYPE stird_requests_total counter\n"));
	ck_assert_ptr_nonnull(strstr(r->body, "# TYPE stird_sign_duration_seconds histogram\n"));
	ck_assert_ptr_nonnull(strstr(r->body, "stird_sign_duration_seconds_bucket{"));
	ck_assert_ptr_nonnull(strstr(r->body, "le=\"+Inf\"} "));
	ck_assert_ptr_nonnull(strstr(r->body, "\nstird_sign_duration_seconds_count"));
	ck_assert_int_eq(http("/healthz", "GET", NULL, NULL, NULL, r), 200);
	ck_assert_str_eq(r->body, "{\"status\":\"ok\"}");
	free(r);
}
END_TEST

START_TEST(bearer_tokens_authenticate_and_grant)
{
	struct resp *r = malloc(sizeof(*r));
	struct door_proc p;
	char extra[H_PATH_MAX + 64], url[256];

	ck_assert_int_eq(h_sh(out, sizeof(out), "printf '# tokens\\n%s sign,verify stats-less\\n"
	    "%s verify checker\\n' > '%s/tokens'", TOKEN_ALL, TOKEN_VERIFY, H.dir), 0);
	snprintf(extra, sizeof(extra), "tokens_file = %s/tokens\n", H.dir);
	door_start(&p, "tokens", extra);
	ck_assert(healthz_becomes(p.base, 200));	/* healthz needs nothing */
	snprintf(url, sizeof(url), "%s/stir/v1/signing", p.base);
	ck_assert_int_eq(http_ex(NULL, url, "POST", "application/json", sign_body("12155551212"),
	    NULL, NULL, NULL, NULL, NULL, r), 401);
	ck_assert(r->www_auth);
	ck_assert_ptr_nonnull(strstr(r->body, "POL4000"));
	ck_assert_int_eq(http_ex(NULL, url, "POST", "application/json", sign_body("12155551212"),
	    "Authorization: Bearer not-a-known-token-at-all", NULL, NULL, NULL, NULL, r), 401);
	ck_assert_int_eq(http_ex(NULL, url, "POST", "application/json", sign_body("12155551212"),
	    "Authorization: Bearer " TOKEN_VERIFY, NULL, NULL, NULL, NULL, r), 403);
	ck_assert_ptr_nonnull(strstr(r->body, "POL4001"));
	ck_assert_int_eq(http_ex(NULL, url, "POST", "application/json", sign_body("12155551212"),
	    "Authorization: Bearer " TOKEN_ALL, NULL, NULL, NULL, NULL, r), 200);
	{
		/* a body well over the first allocation (grown as it streams in),
		 * under this door's default 65536-byte limit */
		const char *b = sign_body("12155551212");
		size_t bl = strlen(b), pad = 40000;
		char *big = malloc(bl + pad + 1);

		memset(big, ' ', pad);
		memcpy(big + pad, b, bl + 1);
		ck_assert_int_eq(http_ex(NULL, url, "POST", "application/json", big,
		    "Authorization: Bearer " TOKEN_ALL, NULL, NULL, NULL, NULL, r), 200);
		free(big);
	}
	snprintf(url, sizeof(url), "%s/metrics", p.base);
	ck_assert_int_eq(http_ex(NULL, url, "GET", NULL, NULL,
	    "Authorization: Bearer " TOKEN_ALL, NULL, NULL, NULL, NULL, r), 403);

	/* tokens rotate: SIGHUP reads the file again */
	snprintf(url, sizeof(url), "%s/stir/v1/signing", p.base);
	ck_assert_int_eq(h_sh(out, sizeof(out), "printf '%s sign rotated\n' > '%s/tokens'",
	    TOKEN_NEW, H.dir), 0);
	ck_assert_int_eq(kill(p.pid, SIGHUP), 0);
	{
		long st = 0;

		for (int i = 0; i < 200 && st != 401; i++) {
			st = http_ex(NULL, url, "POST", "application/json", sign_body("12155551212"),
			    "Authorization: Bearer " TOKEN_ALL, NULL, NULL, NULL, NULL, r);
			if (st != 401)
				usleep(50000);
		}
		ck_assert_int_eq(st, 401);
	}
	ck_assert_int_eq(http_ex(NULL, url, "POST", "application/json", sign_body("12155551212"),
	    "Authorization: Bearer " TOKEN_NEW, NULL, NULL, NULL, NULL, r), 200);
	/* a broken file is refused and the tokens in use stay */
	ck_assert_int_eq(h_sh(out, sizeof(out), "printf 'just-one-word\n' > '%s/tokens'", H.dir), 0);
	ck_assert_int_eq(kill(p.pid, SIGHUP), 0);
	{
		char log[65536];
		int i;

		for (i = 0; i < 200; i++) {
			ck_assert_int_eq(h_sh(log, sizeof(log), "cat '%s'", p.log), 0);
			if (strstr(log, "the previous tokens and grants stay") != NULL)
				break;
			usleep(50000);
		}
		ck_assert_int_lt(i, 200);
	}
	ck_assert_int_eq(http_ex(NULL, url, "POST", "application/json", sign_body("12155551212"),
	    "Authorization: Bearer " TOKEN_NEW, NULL, NULL, NULL, NULL, r), 200);
	ck_assert_int_eq(door_stop(&p), 0);
	free(r);
	still_serves();
}
END_TEST

START_TEST(connections_over_max_connections_get_503)
{
	struct resp *r = malloc(sizeof(*r));
	struct door_proc p;
	char buf[4096], reqid[32], url[256], *m;
	int fds[2];
	size_t have;
	long status;

	door_start(&p, "conns", "max_connections = 2\n");
	ck_assert(healthz_becomes(p.base, 200));
	for (int i = 0; i < 2; i++) {	/* two kept-alive connections, served */
		const char *q = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";

		ck_assert_int_ge(fds[i] = tcp_connect(p.port), 0);
		ck_assert_int_eq(send(fds[i], q, strlen(q), 0), (ssize_t)strlen(q));
		have = 0;
		ck_assert(read_response(fds[i], buf, sizeof(buf), &have, &status, reqid, sizeof(reqid)));
		ck_assert_int_eq(status, 200);
	}
	snprintf(url, sizeof(url), "%s/healthz", p.base);
	ck_assert_int_eq(http_ex(NULL, url, "GET", NULL, NULL, NULL, NULL, NULL, NULL, NULL, r), 503);
	ck_assert(r->close);
	ck_assert_ptr_nonnull(strstr(r->body, "max_connections"));
	close(fds[0]);
	close(fds[1]);
	ck_assert(healthz_becomes(p.base, 200));	/* slots free again */
	snprintf(url, sizeof(url), "%s/metrics", p.base);
	ck_assert_int_eq(http_ex(NULL, url, "GET", NULL, NULL, NULL, NULL, NULL, NULL, NULL, r), 200);
	/* at least the one above (retries while MHD noticed the closes may add more) */
	ck_assert_ptr_nonnull(m = strstr(r->body, "\nstird_http_refused_connections_total "));
	ck_assert_int_ge(strtol(m + 38, NULL, 10), 1);
	ck_assert_int_eq(door_stop(&p), 0);
	free(r);
}
END_TEST

/* A client CA and two client certificates (certtool), one of them granted. */
static void
make_client_pki(char *fp, size_t fplen)
{
	ck_assert_int_eq(h_sh(out, sizeof(out), "cd '%s' && "
	    "printf 'cn = stird test client CA\\nca\\ncert_signing_key\\nexpiration_days = 30\\n' > cca.tmpl && "
	    "printf 'cn = client one\\ntls_www_client\\nsigning_key\\nexpiration_days = 30\\n' > c1.tmpl && "
	    "printf 'cn = client two\\ntls_www_client\\nsigning_key\\nexpiration_days = 30\\n' > c2.tmpl && "
	    "{ certtool --generate-privkey --key-type ecdsa --outfile cca.key && "
	    "certtool --generate-self-signed --load-privkey cca.key --template cca.tmpl --outfile cca.pem && "
	    "for c in c1 c2; do certtool --generate-privkey --key-type ecdsa --outfile $c.key && "
	    "certtool --generate-certificate --load-privkey $c.key --load-ca-certificate cca.pem "
	    "--load-ca-privkey cca.key --template $c.tmpl --outfile $c.pem || exit 1; done; } "
	    ">/dev/null 2>&1 && openssl x509 -noout -fingerprint -sha256 -in c1.pem | sed 's/.*=//'",
	    H.dir), 0);
	out[strcspn(out, "\n")] = '\0';
	ck_assert_int_eq(strlen(out), 95);	/* AB:CD:... */
	ck_assert_uint_gt(fplen, 95);
	memcpy(fp, out, 96);
}

START_TEST(tls_client_certificates_are_required_and_granted)
{
	struct resp *r = malloc(sizeof(*r));
	struct door_proc p;
	char fp[128], extra[H_PATH_MAX * 5], url[256], ca[H_PATH_MAX + 16];
	char c1[H_PATH_MAX + 16], k1[H_PATH_MAX + 16], c2[H_PATH_MAX + 16], k2[H_PATH_MAX + 16];

	make_client_pki(fp, sizeof(fp));
	ck_assert_int_eq(h_sh(out, sizeof(out), "echo '%s sign,verify client-one' > '%s/grants'",
	    fp, H.dir), 0);
	snprintf(extra, sizeof(extra), "tls_cert = %s/web.pem\ntls_key = %s/web.key\n"
	    "tls_client_ca = %s/cca.pem\nclient_cert_grants = %s/grants\n",
	    H.pki, H.pki, H.dir, H.dir);
	door_start_ex(&p, "tls", extra, true);
	snprintf(ca, sizeof(ca), "%s/web-ca.pem", H.pki);
	snprintf(c1, sizeof(c1), "%s/c1.pem", H.dir);
	snprintf(k1, sizeof(k1), "%s/c1.key", H.dir);
	snprintf(c2, sizeof(c2), "%s/c2.pem", H.dir);
	snprintf(k2, sizeof(k2), "%s/c2.key", H.dir);
	snprintf(url, sizeof(url), "%s/stir/v1/signing", p.base);
	/* the granted certificate signs (stird may still be connecting: retry a few times) */
	for (int i = 0; i < 100; i++) {
		if (http_ex(NULL, url, "POST", "application/json", sign_body("12155551212"),
		    NULL, NULL, ca, c1, k1, r) == 200)
			break;
		usleep(20000);
	}
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(r->body, "signingResponse"));
	/* no certificate: 401; one not granted: 403 */
	ck_assert_int_eq(http_ex(NULL, url, "POST", "application/json", sign_body("12155551212"),
	    NULL, NULL, ca, NULL, NULL, r), 401);
	ck_assert_int_eq(http_ex(NULL, url, "POST", "application/json", sign_body("12155551212"),
	    NULL, NULL, ca, c2, k2, r), 403);
	/* the granted one lacks stats */
	snprintf(url, sizeof(url), "%s/metrics", p.base);
	ck_assert_int_eq(http_ex(NULL, url, "GET", NULL, NULL, NULL, NULL, ca, c1, k1, r), 403);
	ck_assert_int_eq(door_stop(&p), 0);
	free(r);
}
END_TEST

START_TEST(stird_stopped_gives_503_then_the_door_reconnects)
{
	struct resp *r = malloc(sizeof(*r));
	json_t *o;

	ck_assert_int_eq(h_stop(&H), 0);
	ck_assert(healthz_becomes(D.base, 503));
	ck_assert_int_eq(post("/stir/v1/signing", sign_body("12155551212"), "X-RequestID: down", r), 503);
	ck_assert_str_eq(r->reqid, "down");
	o = json_of(r);
	ck_assert_str_eq(shaken_msgid(o), "SVC5003");
	json_decref(o);
	ck_assert_int_eq(post("/v1/verify", "{\"identity\":[],\"from\":\"tel:+1\",\"to\":\"tel:+2\"}",
	    NULL, r), 503);
	ck_assert_ptr_nonnull(strstr(r->body, "ECONNREFUSED"));
	ck_assert(h_start(&H));
	ck_assert(healthz_becomes(D.base, 200));
	still_serves();
	free(r);
}
END_TEST

/* A "stird" that accepts and reads but never answers; its pid. */
static pid_t
silent_stird(const char *path)
{
	struct sockaddr_un sun;
	int fd;
	pid_t pid;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_int_lt(strlen(path), sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path));
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_ge(pid = fork(), 0);
	if (pid == 0) {
		struct pollfd pfd[9];
		nfds_t n = 1;
		char sink[4096];

		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		for (;;) {
			if (poll(pfd, n, -1) <= 0)
				continue;
			if ((pfd[0].revents & POLLIN) && n < 9) {
				pfd[n].fd = accept(fd, NULL, NULL);
				pfd[n].events = POLLIN;
				n++;
			}
			for (nfds_t i = 1; i < n; i++)
				if (pfd[i].revents & POLLIN)
					if (read(pfd[i].fd, sink, sizeof(sink)) <= 0)
						pfd[i].events = 0;
		}
	}
	close(fd);
	return pid;
}

#define SILENT_VERIFY	"{\"identity\":[],\"from\":\"a\",\"to\":\"b\"}"

START_TEST(a_silent_stird_gives_504_after_the_deadline)
{
	struct resp *r = malloc(sizeof(*r));
	struct door_proc p;
	char sock[H_PATH_MAX + 16], url[256];
	pid_t silent;
	int st;
	json_t *o;

	snprintf(sock, sizeof(sock), "%s/silent.sock", H.dir);
	silent = silent_stird(sock);
	door_start_at(&p, "silent", "deadline_ms = 100\n", false, sock);
	snprintf(url, sizeof(url), "%s/stir/v1/signing", p.base);
	ck_assert_int_eq(http_ex(NULL, url, "POST", "application/json", sign_body("12155551212"),
	    "X-RequestID: slow", NULL, NULL, NULL, NULL, r), 504);
	ck_assert_str_eq(r->reqid, "slow");
	o = json_of(r);
	ck_assert_str_eq(shaken_msgid(o), "SVC5004");
	json_decref(o);
	/* a verify stird would take (libstirclient refuses locally, with
	 * no wait, one its op schema refuses) */
	snprintf(url, sizeof(url), "%s/v1/verify", p.base);
	ck_assert_int_eq(http_ex(NULL, url, "POST", "application/json", SILENT_VERIFY, NULL,
	    NULL, NULL, NULL, NULL, r), 504);
	ck_assert_ptr_nonnull(strstr(r->body, "ETIMEDOUT"));
	{
		/* SIGTERM with a request waiting for stird: a clean exit, and
		 * the request, if the door had read it, answered 503 */
		const char *q = "POST /v1/verify HTTP/1.1\r\nHost: t\r\nContent-Type: "
		    "application/json\r\nContent-Length: 35\r\n\r\n" SILENT_VERIFY;
		char buf[4096], reqid[8];
		size_t have = 0;
		long status = 0;
		int fd = tcp_connect(p.port);

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(send(fd, q, strlen(q), 0), (ssize_t)strlen(q));
		ck_assert_int_eq(door_stop(&p), 0);
		if (read_response(fd, buf, sizeof(buf), &have, &status, reqid, sizeof(reqid)))
			ck_assert_int_eq(status, 503);
		close(fd);
	}
	kill(silent, SIGKILL);
	(void)waitpid(silent, &st, 0);
	free(r);
	still_serves();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("door");
	TCase *tr = tcase_create("restart");

	tcase_add_unchecked_fixture(tc, stack_up, stack_down);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, shaken_sign_then_verify_passes_and_echoes_the_request_id);
	tcase_add_test(tc, spoofed_from_fails_with_438_and_reason_values);
	tcase_add_test(tc, native_sign_and_verify_carry_the_op_fields);
	tcase_add_test(tc, a_diverted_call_is_signed_and_verified_through_the_shaken_routes);
	tcase_add_test(tc, fifty_pipelined_requests_on_one_connection_are_answered_in_order);
	tcase_add_test(tc, bad_requests_get_their_status_and_the_door_goes_on);
	tcase_add_test(tc, keep_alive_connection_survives_errors);
	tcase_add_test(tc, unix_listener_serves_the_same_routes);
	tcase_add_test(tc, metrics_are_prometheus_text_with_the_door_counters);
	tcase_add_test(tc, bearer_tokens_authenticate_and_grant);
	tcase_add_test(tc, connections_over_max_connections_get_503);
	tcase_add_test(tc, tls_client_certificates_are_required_and_granted);
	tcase_add_test(tc, a_silent_stird_gives_504_after_the_deadline);
	suite_add_tcase(s, tc);
	/* its own stack, made in the test's process: it stops and restarts stird */
	tcase_add_checked_fixture(tr, stack_up, stack_down);
	tcase_set_timeout(tr, 120);
	tcase_add_test(tr, stird_stopped_gives_503_then_the_door_reconnects);
	suite_add_tcase(s, tr);
	return h_run(s);
}
