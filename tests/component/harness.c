/* harness.c: the component test harness (harness.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "stirclient.h"
#include "daemon/base/conf.h"
#include "daemon/base/log.h"
#include "daemon/core/state.h"
#include "daemon/keys/signer.h"
#include "daemon/ops/ops.h"
#include "daemon/pki/cert.h"
#include "daemon/pki/certcache.h"
#include "daemon/pki/fetch.h"
#include "daemon/pki/rcd_anchor.h"
#include "daemon/pki/vmemo.h"
#include "daemon/sign/creds.h"
#include "daemon/store/store.h"
#include "daemon/store/storeq.h"
#include "tests/component/fake_fetch.h"
#include "tests/component/fake_signer.h"
#include "tests/component/harness.h"
#include "tests/unit/test_util.h"

#define CH_THREADS	2	/* pool drainers, as threads = 2 would give */

/* ---- the fixture's rows: what trust.add and cred.add would store ---- */

static char *
pki_file(const struct ch *h, const char *name, size_t *ret_len)
{
	char path[4096];
	char *s;

	snprintf(path, sizeof(path), "%s/%s", h->pki, name);
	s = tu_read_file(path, ret_len);
	ck_assert_msg(s != NULL, "cannot read %s", path);
	return s;
}

static void
add_anchor(struct ch *h, const char *file)
{
	struct stir_chain *c = NULL;
	struct stir_cert_info info;
	struct stir_trust_row row;
	size_t len = 0;
	char *pem = pki_file(h, file, &len);
	int64_t id = 0;

	ck_assert_int_eq(stir_chain_parse(pem, len, 1, false, &c), STIR_OK);
	ck_assert_int_eq(stir_cert_info(c->crt[0], &info), STIR_OK);
	memset(&row, 0, sizeof(row));
	row.sha256 = info.sha256;
	row.subject = info.subject;
	row.pem = pem;
	row.not_after = info.not_after;
	row.added = (int64_t)time(NULL);
	ck_assert_int_eq(stir_store_trust_add(h->srv.store, &row, &id), STIR_OK);
	stir_chain_free(c);
	free(pem);
}

/* Credential name: chain_file on the signer's key, checked as cred.add checks it. */
static void
add_cred(struct ch *h, const char *name, const char *chain_file, const char *x5u)
{
	struct stir_chain *c = NULL;
	struct stir_tnauth *ta = NULL;
	struct stir_cert_info info;
	struct stir_cred_row row;
	size_t len = 0, spki_len = 0;
	uint8_t *spki = NULL;
	char msg[384], *pem = pki_file(h, chain_file, &len);

	ck_assert_int_eq(stir_signer_pubkey_der(h->srv.signer, name, &spki, &spki_len), STIR_OK);
	ck_assert_int_eq(stir_chain_parse(pem, len, STIR_CHAIN_MAX, true, &c), STIR_OK);
	ck_assert_msg(stir_cred_check(c, spki, spki_len, time(NULL), &ta, msg, sizeof(msg)) ==
	    STIR_OK, "credential %s: %s", name, msg);
	ck_assert_int_eq(stir_cert_info(c->crt[0], &info), STIR_OK);
	memset(&row, 0, sizeof(row));
	row.name = (char *)name;
	row.key_ref = (char *)name;
	row.chain_pem = pem;
	row.x5u = (char *)x5u;
	row.subject = info.subject;
	row.not_after = info.not_after;
	row.created = (int64_t)time(NULL);
	ck_assert_int_eq(stir_store_cred_add(h->srv.store, &row), STIR_OK);
	stir_tnauth_free(ta);
	stir_chain_free(c);
	free(spki);
	free(pem);
}

/* ---- the test's end of the connection ---- */

static void
on_alloc(uv_handle_t *hd, size_t suggested, uv_buf_t *buf)
{
	char *p = malloc(suggested);

	(void)hd;
	ck_assert_ptr_nonnull(p);
	*buf = uv_buf_init(p, (unsigned)suggested);
}

/* Every whole line is one reply (one JSON object), kept in arrival order. */
static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct ch *h = s->data;
	char *nl;

	if (n < 0) {
		h->eof = true;
		(void)uv_read_stop(s);
	} else if (n > 0) {
		ck_assert_ptr_nonnull(h->in = realloc(h->in, h->inlen + (size_t)n + 1));
		memcpy(h->in + h->inlen, buf->base, (size_t)n);
		h->inlen += (size_t)n;
	}
	free(buf->base);
	while (h->inlen > 0 && (nl = memchr(h->in, '\n', h->inlen)) != NULL) {
		size_t len = (size_t)(nl - h->in);
		json_error_t e;
		json_t *j = json_loadb(h->in, len, JSON_REJECT_DUPLICATES, &e);

		ck_assert_msg(j != NULL, "a reply that is not JSON: %.*s", (int)len, h->in);
		ck_assert_msg(h->nreplies < CH_REPLIES_MAX, "more than %d replies", CH_REPLIES_MAX);
		h->replies[h->nreplies++] = j;
		memmove(h->in, nl + 1, h->inlen - len - 1);
		h->inlen -= len + 1;
	}
}

/* As server.c's listener_on_connection(): stird's own accept. */
static void
on_connection(uv_stream_t *s, int status)
{
	struct stir_listener *l = s->data;

	ck_assert_int_eq(status, 0);
	ck_assert_int_eq(stir_conn_accept(l->srv, l), STIR_OK);
}

static void
listen_here(struct ch *h)
{
	struct stir_listener *l = &h->srv.listeners[STIR_ROLE_CLIENT];
	const char *path = h->srv.boot->socket;

	l->srv = &h->srv;
	l->role = STIR_ROLE_CLIENT;
	ck_assert_int_eq(uv_pipe_init(&h->loop, &l->pipe, 0), 0);
	l->pipe.data = l;
	l->open = true;
	ck_assert_int_eq(uv_pipe_bind(&l->pipe, path), 0);
	l->bound_here = true;
	ck_assert_ptr_nonnull(l->path = strdup(path));
	ck_assert_int_eq(uv_listen((uv_stream_t *)&l->pipe, 8, on_connection), 0);
}

static void
connect_client(struct ch *h)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(h->srv.boot->socket), sizeof(sun.sun_path));
	memcpy(sun.sun_path, h->srv.boot->socket, strlen(h->srv.boot->socket));
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
	/* the listener is listening: the kernel completes this at once */
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(uv_pipe_init(&h->loop, &h->client, 0), 0);
	ck_assert_int_eq(uv_pipe_open(&h->client, fd), 0);
	h->client.data = h;
	ck_assert_int_eq(uv_read_start((uv_stream_t *)&h->client, on_alloc, on_read), 0);
}

/* ---- waiting ---- */

static void
on_watchdog(uv_timer_t *t)
{
	struct ch *h = t->data;

	h->expired = true;
}

void
ch_run_until(struct ch *h, bool (*pred)(struct ch *h, void *arg), void *arg, const char *what)
{
	h->expired = false;
	ck_assert_int_eq(uv_timer_start(&h->watchdog, on_watchdog, CH_WATCHDOG_MS, 0), 0);
	while (!pred(h, arg)) {
		ck_assert_msg(!h->expired, "the loop never got to: %s", what);
		(void)uv_run(&h->loop, UV_RUN_ONCE);
	}
	(void)uv_timer_stop(&h->watchdog);
}

static bool
have_replies(struct ch *h, void *arg)
{
	return h->nreplies >= *(size_t *)arg;
}

void
ch_wait_replies(struct ch *h, size_t n)
{
	char what[64];

	snprintf(what, sizeof(what), "%zu replies", n);
	ch_run_until(h, have_replies, &n, what);
}

struct fetch_wait {
	const char	*url;
	unsigned	 n;
};

static bool
have_fetches(struct ch *h, void *arg)
{
	struct fetch_wait *w = arg;

	return fake_fetch_requests(h->fetcher, w->url) >= w->n;
}

void
ch_wait_fetches(struct ch *h, const char *url, unsigned n)
{
	struct fetch_wait w = { url, n };
	char what[64];

	snprintf(what, sizeof(what), "%u fetches of the URL", n);
	ch_run_until(h, have_fetches, &w, what);
}

static bool
not_connecting(struct ch *h, void *arg)
{
	(void)arg;
	return h->srv.nconns > 0;
}

/* ---- set up and tear down ---- */

static void
load_state(struct ch *h)
{
	struct stir_state_parts p = { .cfg = stir_config_ref(h->srv.boot) };
	char msg[512];

	ck_assert_msg(stir_server_load(&h->srv, STIR_LOAD_CREDS | STIR_LOAD_TRUST,
	    h->srv.boot->crl_file, &p, msg, sizeof(msg)) == STIR_OK, "load: %s", msg);
	ck_assert_int_eq(stir_server_install(&h->srv, &p), STIR_OK);
	ck_assert_uint_eq(h->srv.state->creds->n, 1);
	ck_assert_uint_eq(stir_trust_count(h->srv.state->trust), 1);
}

/* The fetcher and the certificate cache, as stir_server_init() sets them from cfg. */
static void
start_cache(struct ch *h)
{
	const struct stir_config *cfg = h->srv.boot;
	struct stir_fetch_opts fo;
	struct stir_certcache_opts co;

	memset(&fo, 0, sizeof(fo));
	fo.timeout_ms = cfg->fetch_timeout_ms;
	fo.max_bytes = cfg->fetch_max_bytes;
	fo.per_host = cfg->fetch_per_host;
	fo.per_owner = cfg->fetch_per_request;
	fo.queue_ms = cfg->fetch_queue_ms;
	memset(&co, 0, sizeof(co));
	co.min_ttl = cfg->cache_min_ttl;
	co.max_ttl = cfg->cache_max_ttl;
	co.negative_ttl = cfg->cache_negative_ttl;
	co.max_entries = cfg->cache_max_entries;
	co.max_bytes = cfg->cache_max_bytes;
	co.store_max_bytes = cfg->cache_store_max_bytes;
	ck_assert_int_eq(stir_fetcher_new(&h->loop, &fo, &h->srv.fetcher), STIR_OK);
	h->fetcher = h->srv.fetcher;
	ck_assert_int_eq(stir_certcache_new(&h->loop, h->srv.store, h->srv.fetcher, &co,
	    &h->srv.certcache), STIR_OK);
	stir_certcache_set_storeq(h->srv.certcache, h->srv.storeq);
}

void
ch_init(struct ch *h, const char *pki, const char *conf_extra)
{
	struct stir_server *srv = &h->srv;
	struct stir_config *cfg = NULL;
	char *text = NULL, path[4096], key[4096], err[512];
	int n;

	memset(h, 0, sizeof(*h));
	h->pki = pki;
	h->dir = tu_mkdtemp();
	n = asprintf(&text,
	    "database = %s/stird.db\n"
	    "key_dir = %s/keys\n"
	    "socket = %s/stird.sock\n"
	    "admin_socket = %s/admin.sock\n"
	    "signer = in-process\n"
	    "threads = %d\n"
	    "lock_memory = no\n"
	    "crl_mode = off\n"
	    "log_level = warning\n"
	    "%s", h->dir, h->dir, h->dir, h->dir, CH_THREADS, conf_extra ? conf_extra : "");
	ck_assert_int_gt(n, 0);
	snprintf(path, sizeof(path), "%s/stird.conf", h->dir);
	ck_assert_int_eq(tu_write_file(path, text, strlen(text), 0600), 0);
	ck_assert_msg(stir_config_parse(path, text, strlen(text), &cfg, err, sizeof(err)) ==
	    STIR_OK, "config: %s", err);
	free(text);
	stir_log_init(cfg->log_level);
	ck_assert_int_eq(uv_loop_init(&h->loop), 0);

	/* what stir_server_init() fills, but sockets and the signer process */
	memset(srv, 0, sizeof(*srv));
	srv->loop = &h->loop;
	srv->ops = stir_op_table;
	srv->nops = stir_op_count;
	srv->boot = cfg;
	ck_assert_ptr_nonnull(srv->config_path = strdup(path));
	srv->self_uid = geteuid();
	srv->started = time(NULL);
	srv->refusal_log.burst = STIR_REFUSAL_LOG_BURST;
	srv->refusal_log.interval_ms = STIR_REFUSAL_LOG_MS;
	stir_metrics_init(&srv->metrics);
	ck_assert_int_eq(stir_workq_init(&srv->workq, &h->loop, CH_THREADS), STIR_OK);
	ck_assert_msg(stir_store_open(cfg->database, &srv->store, err, sizeof(err)) == STIR_OK,
	    "database: %s", err);
	snprintf(key, sizeof(key), "%s/sp.key", pki);
	ck_assert_int_eq(fake_signer_new(CH_CRED, key, &h->signer, &srv->signer), STIR_OK);
	add_anchor(h, "ca.pem");
	add_cred(h, CH_CRED, "sp-chain.pem", CH_X5U);
	ck_assert_int_eq(stir_storeq_start(&h->loop, &srv->storeq), STIR_OK);
	ck_assert_int_eq(stir_vmemo_new(&srv->vmemo), STIR_OK);
	load_state(h);
	start_cache(h);

	listen_here(h);
	connect_client(h);
	ck_assert_int_eq(uv_timer_init(&h->loop, &h->watchdog), 0);
	h->watchdog.data = h;
	ch_run_until(h, not_connecting, NULL, "the connection accepted");
}

static void
close_left(uv_handle_t *hd, void *arg)
{
	(void)arg;
	if (!uv_is_closing(hd))
		uv_close(hd, NULL);
}

void
ch_done(struct ch *h)
{
	ck_assert_msg(fake_fetch_pending(h->fetcher) == 0, "fetches still held at the end");
	ck_assert_uint_eq(h->srv.inflight_total, 0);
	uv_close((uv_handle_t *)&h->client, NULL);
	uv_close((uv_handle_t *)&h->watchdog, NULL);
	/* stird's stop: the listener, then the connection, then the work
	 * queue, the cache, the fetcher and the store thread */
	stir_server_stop(&h->srv);
	(void)uv_run(&h->loop, UV_RUN_DEFAULT);
	ck_assert_ptr_null(h->srv.certcache);
	ck_assert_ptr_null(h->srv.fetcher);
	ck_assert_ptr_null(h->srv.storeq);
	/* as main() does: whatever the server does not close itself (timers) */
	uv_walk(&h->loop, close_left, NULL);
	(void)uv_run(&h->loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&h->loop), 0);
	stir_server_done(&h->srv);
	for (size_t i = 0; i < h->nreplies; i++)
		json_decref(h->replies[i]);
	free(h->in);
	tu_rmtree(h->dir);
	free(h->dir);
	memset(h, 0, sizeof(*h));
}

/* ---- requests and replies ---- */

void
ch_request(struct ch *h, json_t *req)
{
	char *line;
	size_t len, off = 0;

	ck_assert_ptr_nonnull(req);
	ck_assert_ptr_nonnull(line = json_dumps(req, JSON_COMPACT));
	json_decref(req);
	len = strlen(line);
	ck_assert_ptr_nonnull(line = realloc(line, len + 2));
	line[len++] = '\n';
	line[len] = '\0';
	while (off < len) {
		uv_buf_t b = uv_buf_init(line + off, (unsigned)(len - off));
		int r = uv_try_write((uv_stream_t *)&h->client, &b, 1);

		if (r == UV_EAGAIN) {		/* stird reads as the loop turns */
			(void)uv_run(&h->loop, UV_RUN_NOWAIT);
			continue;
		}
		ck_assert_int_gt(r, 0);
		off += (size_t)r;
	}
	free(line);
}

int
ch_reply_index(const struct ch *h, json_int_t id)
{
	for (size_t i = 0; i < h->nreplies; i++)
		if (json_integer_value(json_object_get(h->replies[i], "id")) == id)
			return (int)i;
	return -1;
}

static bool
have_reply(struct ch *h, void *arg)
{
	return ch_reply_index(h, *(json_int_t *)arg) >= 0;
}

json_t *
ch_reply(struct ch *h, json_int_t id)
{
	char what[64];

	snprintf(what, sizeof(what), "the reply to request %lld", (long long)id);
	ch_run_until(h, have_reply, &id, what);
	return h->replies[ch_reply_index(h, id)];
}

const char *
ch_text(const json_t *j)
{
	static char buf[16384];
	char *s;

	if (j == NULL)
		return "(null)";
	if ((s = json_dumps(j, JSON_COMPACT)) == NULL)
		return "(cannot encode)";
	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	return buf;
}

void
ch_serve_chain(struct ch *h, const char *cache_control)
{
	size_t len = 0;
	char *pem = pki_file(h, "sp-chain.pem", &len);

	fake_fetch_serve(h->fetcher, CH_X5U, pem, len, cache_control);
	free(pem);
}

char *
ch_sign(struct ch *h, json_int_t id, const char *orig, const char *dest)
{
	json_t *rep, *res;
	char *identity;

	ch_request(h, json_pack("{s:i, s:I, s:s, s:s, s:s, s:s}", "v", 1, "id", id,
	    "op", "sign", "orig", orig, "dest", dest, "attest", "A"));
	rep = ch_reply(h, id);
	res = json_object_get(rep, "result");
	ck_assert_msg(json_is_string(json_object_get(res, "identity")), "sign: %s", ch_text(rep));
	ck_assert_ptr_nonnull(identity = strdup(json_string_value(json_object_get(res,
	    "identity"))));
	return identity;
}

void
ch_verify_send(struct ch *h, json_int_t id, const char *from, const char *to,
    const char *const *ids)
{
	json_t *arr = json_array();

	ck_assert_ptr_nonnull(arr);
	for (size_t i = 0; ids[i] != NULL; i++)
		ck_assert_int_eq(json_array_append_new(arr, json_string(ids[i])), 0);
	ch_request(h, json_pack("{s:i, s:I, s:s, s:o, s:s, s:s}", "v", 1, "id", id,
	    "op", "verify", "identity", arr, "from", from, "to", to));
}

void
ch_install_trust(struct ch *h, const char *const *pem_files, size_t n)
{
	struct stir_state_parts p = { 0 };
	const char **pems = calloc(n + 1, sizeof(*pems));
	char msg[512];

	ck_assert_ptr_nonnull(pems);
	for (size_t i = 0; i < n; i++)
		pems[i] = pki_file(h, pem_files[i], NULL);
	ck_assert_msg(stir_trust_new(pems, n, "", &p.trust, msg, sizeof(msg)) == STIR_OK,
	    "trust: %s", msg);
	ck_assert_int_eq(stir_rcd_anchors_new(NULL, 0, &p.rcd_anchors), STIR_OK);
	p.seq = ++h->srv.load_seq;	/* a load newer than the running state's */
	ck_assert_int_eq(stir_server_install(&h->srv, &p), STIR_OK);
	for (size_t i = 0; i < n; i++)
		free((char *)pems[i]);
	free(pems);
}

/* ---- verify replies ---- */

static const json_t *
result_of(const json_t *reply)
{
	const json_t *r = json_object_get(reply, "result");

	ck_assert_msg(r != NULL, "not a result: %s", ch_text(reply));
	return r;
}

const char *
ch_verstat(const json_t *reply)
{
	const char *s = json_string_value(json_object_get(result_of(reply), "verstat"));

	ck_assert_msg(s != NULL, "no verstat: %s", ch_text(reply));
	return s;
}

int
ch_code(const json_t *reply)
{
	return (int)json_integer_value(json_object_get(json_object_get(result_of(reply),
	    "error"), "code"));
}

static const json_t *
identity_at(const json_t *reply, size_t i)
{
	const json_t *id = json_array_get(json_object_get(result_of(reply), "identities"), i);

	ck_assert_msg(id != NULL, "no identities[%zu]: %s", i, ch_text(reply));
	return id;
}

int
ch_id_code(const json_t *reply, size_t i)
{
	return (int)json_integer_value(json_object_get(json_object_get(identity_at(reply, i),
	    "error"), "code"));
}

bool
ch_id_valid(const json_t *reply, size_t i)
{
	return json_is_true(json_object_get(identity_at(reply, i), "valid"));
}
