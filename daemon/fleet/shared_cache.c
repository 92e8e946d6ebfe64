/* shared_cache.c: the fleet's level of the certificate cache, on Redis (shared_cache.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/crypto.h>
#include <jansson.h>
#include <sodium.h>

#include "stirclient.h"
#include "daemon/fleet/shared_cache.h"

#define KEY_MAX		(64 + 16 + 64 + 1)	/* prefix, "cache:", SHA-256 hex */
#define TOKEN_BYTES	16

/* compare-and-delete: only the holder frees a lock (it may have expired) */
static const char unlock_script[] =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
    "else return 0 end";

struct sc_op;

struct stir_shared_cache {
	uv_loop_t			*loop;
	struct stir_redis		*redis;
	struct stir_fetcher		*fetcher;
	char				 prefix[65];
	struct stir_shared_cache_opts	 opts;
	struct stir_shared_cache_stats	 st;
	struct sc_op			*ops;		/* live, for free */
};

/*
 * One fetch through the fleet.  It lives until its caller has its answer
 * and nothing of Redis, the fetcher or its timer can call back into it.
 */
struct sc_op {
	struct stir_shared_cache	*sc;	/* NULL: the cache went */
	struct sc_op			*prev, *next;
	char				*url;
	uint64_t			 owner;
	stir_fetch_cb			 cb;
	void				*arg;
	char				 key[KEY_MAX];
	char				 lock[KEY_MAX];
	char				 token[TOKEN_BYTES * 2 + 1];
	uv_timer_t			*poll;
	uint64_t			 wait_until;	/* loop time, polling */
	bool				 redis_pending;
	bool				 fetching;
	bool				 locked;	/* this host fetches for the fleet */
	bool				 polling;
	bool				 delivered;
};

static void	op_release(struct sc_op *op);

/* ---- values: a JSON line, "\n", the body ---- */

static int
key_of(const char *prefix, const char *what, const char *url, char *out, size_t outlen)
{
	unsigned char md[32];
	char hex[65];
	int n;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, url, strlen(url), md) < 0)
		return STIR_ECRYPTO;
	(void)sodium_bin2hex(hex, sizeof(hex), md, sizeof(md));
	n = snprintf(out, outlen, "%s%s:%s", prefix, what, hex);
	return n > 0 && (size_t)n < outlen ? STIR_OK : STIR_EINVAL;
}

char *
stir_shared_value_make(const char *url, const struct stir_fetch_result *res, int64_t now,
    size_t max, size_t *ret_len)
{
	char head[STIR_SHARED_HEAD_MAX];
	json_t *h;
	size_t n, len = res->err == STIR_OK ? res->len : 0;
	char *v;

	h = json_pack("{s:s, s:I, s:i, s:s, s:I, s:s?, s:s?, s:s?, s:s?}", "url", url,
	    "at", (json_int_t)now, "err", res->err, "detail", res->detail,
	    "status", (json_int_t)res->http_status, "cache_control", res->cache_control,
	    "expires", res->expires, "date", res->date, "content_type", res->content_type);
	if (h == NULL)
		return NULL;
	n = json_dumpb(h, head, sizeof(head), JSON_COMPACT);
	json_decref(h);
	if (n == 0 || n >= sizeof(head) || n + 1 + len > max || (v = malloc(n + 1 + len)) == NULL)
		return NULL;
	memcpy(v, head, n);
	v[n] = '\n';
	if (len > 0)
		memcpy(v + n + 1, res->body, len);
	*ret_len = n + 1 + len;
	return v;
}

/* A string member, or NULL (absent, or not a string). */
static const char *
opt_str(const json_t *h, const char *k)
{
	return json_string_value(json_object_get(h, k));
}

static bool
int_in(const json_t *h, const char *k, json_int_t lo, json_int_t hi, json_int_t *ret)
{
	const json_t *v = json_object_get(h, k);

	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return false;
	*ret = json_integer_value(v);
	return true;
}

int
stir_shared_value_read(const char *v, size_t len, const char *url, int64_t now,
    const struct stir_shared_cache_opts *o, struct stir_fetch_result *res, char *cc,
    size_t cclen, json_t **ret_head)
{
	const char *nl = memchr(v, '\n', len < STIR_SHARED_HEAD_MAX ? len : STIR_SHARED_HEAD_MAX);
	json_int_t at, err, status;
	json_t *h;
	int64_t ttl;

	*ret_head = NULL;
	if (nl == NULL || (h = json_loadb(v, (size_t)(nl - v), JSON_REJECT_DUPLICATES, NULL)) ==
	    NULL)
		return STIR_ENOENT;
	/* another URL's (a hash collision, or a value put there by hand),
	 * or a time or code out of range: a miss */
	if (!json_is_object(h) || opt_str(h, "url") == NULL || strcmp(opt_str(h, "url"), url) != 0 ||
	    !int_in(h, "at", 0, now + 60, &at) || !int_in(h, "err", -9999, 0, &err) ||
	    !int_in(h, "status", 0, 999, &status))
		goto miss;
	memset(res, 0, sizeof(*res));
	res->err = (int)err;
	res->http_status = (long)status;
	res->content_type = opt_str(h, "content_type");
	snprintf(res->detail, sizeof(res->detail), "%s", opt_str(h, "detail") ? opt_str(h, "detail") : "");
	if (res->err == STIR_OK) {
		ttl = stir_http_cache_ttl(opt_str(h, "cache_control"), opt_str(h, "expires"),
		    opt_str(h, "date"), (int64_t)at, o->min_ttl, o->max_ttl);
		res->body = (const uint8_t *)nl + 1;
		res->len = len - (size_t)(nl + 1 - v);
	} else {
		ttl = o->negative_ttl;
		if ((size_t)(nl + 1 - v) != len)	/* a failure has no body */
			goto miss;
	}
	if (ttl <= 0 || now >= (int64_t)at + ttl)
		goto miss;
	/* the lifetime that is left, as the certificate cache reads it */
	snprintf(cc, cclen, "max-age=%lld", (long long)((int64_t)at + ttl - now));
	res->cache_control = cc;
	*ret_head = h;
	return STIR_OK;
 miss:
	json_decref(h);
	return STIR_ENOENT;
}

/* Deliver the value v (len) for op's URL if it is fresh: false if it is not. */
static bool
deliver_value(struct sc_op *op, const char *v, size_t len)
{
	struct stir_fetch_result res;
	char cc[40];
	json_t *h;

	if (stir_shared_value_read(v, len, op->url, (int64_t)time(NULL), &op->sc->opts, &res, cc,
	    sizeof(cc), &h) != STIR_OK)
		return false;
	op->delivered = true;
	op->cb(op->arg, &res);
	json_decref(h);
	return true;
}

/* ---- one fetch through the fleet ---- */

static void
deliver_error(struct sc_op *op, int err, const char *detail)
{
	struct stir_fetch_result res;

	if (op->delivered)
		return;
	memset(&res, 0, sizeof(res));
	res.err = err;
	snprintf(res.detail, sizeof(res.detail), "%s", detail);
	op->delivered = true;
	op->cb(op->arg, &res);
}

static void
ignore_reply(void *arg, const struct stir_redis_reply *rep)
{
	(void)arg;
	(void)rep;
}

static void
publish(struct sc_op *op, const struct stir_fetch_result *res)
{
	struct stir_shared_cache *sc = op->sc;
	int64_t now = (int64_t)time(NULL), ttl;
	const char *argv[5];
	size_t argl[5], len = 0;
	char ex[24], *v;

	if (res->err == STIR_ESHUTDOWN || res->err == STIR_ENOMEM || res->err == STIR_EBUSY)
		return;		/* ours, not the server's */
	ttl = res->err == STIR_OK ? stir_http_cache_ttl(res->cache_control, res->expires,
	    res->date, now, sc->opts.min_ttl, sc->opts.max_ttl) : sc->opts.negative_ttl;
	if (ttl <= 0 || (v = stir_shared_value_make(op->url, res, now, sc->opts.max_bytes,
	    &len)) == NULL)
		return;
	snprintf(ex, sizeof(ex), "%lld", (long long)ttl);
	argv[0] = "SET";
	argv[1] = op->key;
	argv[2] = v;
	argv[3] = "EX";
	argv[4] = ex;
	for (int i = 0; i < 5; i++)
		argl[i] = i == 2 ? len : strlen(argv[i]);
	if (stir_redis_command(sc->redis, ignore_reply, NULL, 5, argv, argl) == STIR_OK)
		sc->st.published++;
	free(v);
}

static void
unlock(struct sc_op *op)
{
	const char *argv[5] = { "EVAL", unlock_script, "1", op->lock, op->token };
	size_t argl[5];

	op->locked = false;
	for (int i = 0; i < 5; i++)
		argl[i] = strlen(argv[i]);
	(void)stir_redis_command(op->sc->redis, ignore_reply, NULL, 5, argv, argl);
}

static void
on_fetched(void *arg, const struct stir_fetch_result *res)
{
	struct sc_op *op = arg;

	op->fetching = false;
	if (op->sc != NULL && op->locked) {
		publish(op, res);
		unlock(op);
	}
	if (!op->delivered) {
		op->delivered = true;
		op->cb(op->arg, res);
	}
	op_release(op);
}

/* Fetch here (for the fleet if this host holds the lock). */
static void
fetch_here(struct sc_op *op)
{
	char detail[96];
	int rc;

	op->fetching = true;
	if ((rc = stir_fetch_for(op->sc->fetcher, op->url, op->owner, on_fetched, op)) !=
	    STIR_OK) {
		op->fetching = false;
		if (op->locked)
			unlock(op);
		snprintf(detail, sizeof(detail), "the fetch could not start: %s",
		    stir_strerror(rc));
		deliver_error(op, rc, detail);
	}
}

static void	on_get(void *arg, const struct stir_redis_reply *rep);

static int
send_get(struct sc_op *op)
{
	const char *argv[2] = { "GET", op->key };
	size_t argl[2] = { 3, strlen(op->key) };
	int rc;

	if ((rc = stir_redis_command(op->sc->redis, on_get, op, 2, argv, argl)) == STIR_OK)
		op->redis_pending = true;
	return rc;
}

static void
on_poll_closed(uv_handle_t *h)
{
	struct sc_op *op = h->data;

	free(h);
	op->poll = NULL;
	op_release(op);
}

static void
on_poll(uv_timer_t *t)
{
	struct sc_op *op = t->data;

	uv_close((uv_handle_t *)t, on_poll_closed);
	if (op->sc == NULL || op->delivered)
		return;
	if (send_get(op) != STIR_OK) {
		op->sc->st.bypassed++;
		fetch_here(op);
	}
}

/* Another host is fetching: look again in a moment, or fetch here. */
static void
wait_for_fleet(struct sc_op *op)
{
	struct stir_shared_cache *sc = op->sc;

	if (uv_now(sc->loop) >= op->wait_until || op->poll != NULL ||
	    (op->poll = malloc(sizeof(*op->poll))) == NULL) {
		fetch_here(op);
		return;
	}
	(void)uv_timer_init(sc->loop, op->poll);
	op->poll->data = op;
	(void)uv_timer_start(op->poll, on_poll, STIR_SHARED_POLL_MS, 0);
}

static void
on_lock(void *arg, const struct stir_redis_reply *rep)
{
	struct sc_op *op = arg;

	op->redis_pending = false;
	if (op->sc == NULL || op->delivered) {
		op_release(op);
		return;
	}
	if (rep->err == STIR_OK && rep->type == STIR_REDIS_STATUS) {
		op->locked = true;
		fetch_here(op);
	} else if (rep->err == STIR_OK && rep->type == STIR_REDIS_NIL) {
		op->sc->st.waits++;
		op->polling = true;
		op->wait_until = uv_now(op->sc->loop) + op->sc->opts.lock_ms;
		wait_for_fleet(op);
	} else {
		op->sc->st.bypassed++;
		fetch_here(op);
	}
	op_release(op);
}

static void
take_lock(struct sc_op *op)
{
	char px[16];
	const char *argv[6];
	size_t argl[6];
	unsigned char rnd[TOKEN_BYTES];

	randombytes_buf(rnd, sizeof(rnd));
	(void)sodium_bin2hex(op->token, sizeof(op->token), rnd, sizeof(rnd));
	snprintf(px, sizeof(px), "%u", op->sc->opts.lock_ms);
	argv[0] = "SET";
	argv[1] = op->lock;
	argv[2] = op->token;
	argv[3] = "NX";
	argv[4] = "PX";
	argv[5] = px;
	for (int i = 0; i < 6; i++)
		argl[i] = strlen(argv[i]);
	if (stir_redis_command(op->sc->redis, on_lock, op, 6, argv,
	    argl) == STIR_OK)
		op->redis_pending = true;
	else {
		op->sc->st.bypassed++;
		fetch_here(op);
	}
}

static void
on_get(void *arg, const struct stir_redis_reply *rep)
{
	struct sc_op *op = arg;
	struct stir_shared_cache *sc = op->sc;

	op->redis_pending = false;
	if (sc == NULL || op->delivered) {
		op_release(op);
		return;
	}
	if (rep->err != STIR_OK || rep->type == STIR_REDIS_ERROR) {
		sc->st.bypassed++;
		fetch_here(op);
	} else if (rep->type == STIR_REDIS_STRING && deliver_value(op, rep->str, rep->len)) {
		if (op->polling)
			sc->st.waited_hits++;
		else
			sc->st.hits++;
	} else if (op->polling)
		wait_for_fleet(op);
	else {
		sc->st.misses++;
		take_lock(op);
	}
	op_release(op);
}

static void
op_release(struct sc_op *op)
{
	if (!op->delivered || op->redis_pending || op->fetching || op->poll != NULL)
		return;
	if (op->sc != NULL) {
		if (op->prev != NULL)
			op->prev->next = op->next;
		else
			op->sc->ops = op->next;
		if (op->next != NULL)
			op->next->prev = op->prev;
	}
	free(op->url);
	free(op);
}

int
stir_shared_fetch(void *ctx, const char *url, uint64_t owner, stir_fetch_cb cb, void *arg)
{
	struct stir_shared_cache *sc = ctx;
	struct sc_op *op;
	int rc;

	if (!stir_redis_up(sc->redis)) {
		sc->st.bypassed++;
		return stir_fetch_for(sc->fetcher, url, owner, cb, arg);
	}
	if ((op = calloc(1, sizeof(*op))) == NULL || (op->url = strdup(url)) == NULL) {
		free(op);
		return STIR_ENOMEM;
	}
	op->sc = sc;
	op->owner = owner;
	op->cb = cb;
	op->arg = arg;
	if ((rc = key_of(sc->prefix, "cache", url, op->key, sizeof(op->key))) != STIR_OK ||
	    (rc = key_of(sc->prefix, "lock", url, op->lock, sizeof(op->lock))) != STIR_OK ||
	    (rc = send_get(op)) != STIR_OK) {
		free(op->url);
		free(op);
		sc->st.bypassed++;
		return stir_fetch_for(sc->fetcher, url, owner, cb, arg);
	}
	op->next = sc->ops;
	if (sc->ops != NULL)
		sc->ops->prev = op;
	sc->ops = op;
	return STIR_OK;
}

void
stir_shared_cache_set_opts(struct stir_shared_cache *sc, const struct stir_shared_cache_opts *opts)
{
	snprintf(sc->prefix, sizeof(sc->prefix), "%s", opts->prefix);
	sc->opts = *opts;
	sc->opts.prefix = sc->prefix;
}

int
stir_shared_cache_new(uv_loop_t *loop, struct stir_redis *redis, struct stir_fetcher *fetcher,
    const struct stir_shared_cache_opts *opts, struct stir_shared_cache **ret)
{
	struct stir_shared_cache *sc;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return STIR_ENOMEM;
	sc->loop = loop;
	sc->redis = redis;
	sc->fetcher = fetcher;
	stir_shared_cache_set_opts(sc, opts);
	*ret = sc;
	return STIR_OK;
}

void
stir_shared_cache_free(struct stir_shared_cache *sc)
{
	struct sc_op *op, *next;

	if (sc == NULL)
		return;
	for (op = sc->ops; op != NULL; op = next) {
		next = op->next;
		op->sc = NULL;
		op->prev = op->next = NULL;
		/* a fetch under way answers by itself */
		if (!op->fetching)
			deliver_error(op, STIR_ESHUTDOWN, "shutting down");
		op->locked = false;
		if (op->poll != NULL && !uv_is_closing((uv_handle_t *)op->poll))
			uv_close((uv_handle_t *)op->poll, on_poll_closed);
		op_release(op);
	}
	free(sc);
}

void
stir_shared_cache_stats(const struct stir_shared_cache *sc, struct stir_shared_cache_stats *ret)
{
	*ret = sc->st;
}
