/*
 * certcache.c: fetched x5u chains, CRLs and RCD content, in memory (a
 * hash table keyed by SipHash of the URL, with a least-recently-used
 * list, bounded in entries and bytes) and in the store (cert_cache)
 * through a writer that runs one batch at a time on the thread pool, so
 * rows change in the order the loop asked.  A hit never waits for the
 * store: it queues a last_used update (at most one per entry per
 * CC_TOUCH_SECONDS), and the writer bounds the table after its puts.
 *
 * A fetch in progress is a cc_fetch with its waiters: the one place
 * where callers of one URL share a transfer (the fetcher runs one per
 * call).  It outlives the cache if stir_certcache_free() comes first:
 * its waiters still get the fetch's answer, once.
 *
 * No callback runs inside stir_certcache_get*() or _refresh(): a hit
 * becomes a cc_answer (its entry, with a reference to the body, so
 * eviction or purge in between changes nothing) queued on cc_ready,
 * whose idle handle delivers the queue on the next loop turn.  cc_ready
 * outlives the cache too, until its queue is delivered.  The writer
 * likewise outlives the cache until its queue is empty (the loop runs
 * until then: queued work keeps it alive), so the store must be closed
 * only after uv_run() has returned.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "stirclient.h"
#include "daemon/pki/certcache.h"
#include "daemon/stir/url.h"
#include "daemon/store/storeq.h"
#include "daemon/base/log.h"
#include "daemon/store/store.h"

#define CC_WRITES_MAX	1024	/* row writes waiting for the pool */
#define CC_BUCKETS_MIN	64
#define CC_DETAIL_MAX	256
#define CC_TOUCH_SECONDS 60	/* a row's last_used is rewritten at most this often */

struct cc_waiter {
	stir_certcache_cb	 cb;
	void			*arg;
	int			 kind;		/* enum stir_cc_kind */
	struct cc_waiter	*next;
};

/* A kept body: its entry's, and each queued answer's, until the last lets go. */
struct cc_body {
	unsigned		 refs;
	size_t			 len;
	uint8_t			*bytes;		/* never NULL */
};

/* A hit, answered on the next loop turn; its entry points into it. */
struct cc_answer {
	stir_certcache_cb	 cb;
	void			*arg;
	struct stir_certcache_entry e;
	struct cc_body		*body;		/* a reference, or NULL */
	char			 detail[CC_DETAIL_MAX];
	struct cc_answer	*next;
	char			 url[];
};

/* The answers due on the next loop turn (an idle handle runs while any wait). */
struct cc_ready {
	uv_idle_t		 idle;
	struct cc_answer	*head, **tail;
	bool			 detached;	/* the cache is gone: close once delivered */
};

struct cc_fetch {
	struct stir_certcache	*cc;		/* NULL once the cache is freed */
	char			*url;
	int			 kind;		/* as the first caller asked */
	int64_t			 now;		/* caller's clock at the start */
	uint64_t		 t0_ms;		/* loop time at the start */
	struct cc_waiter	*waiters, **wtail;
};

struct cc_node {
	char			*url;
	uint64_t		 hash;
	struct cc_node		*hnext;
	struct cc_node		*lprev, *lnext;	/* LRU, when has_data */
	bool			 has_data;
	int			 err;
	int			 kind;		/* what the body parsed as */
	char			 detail[CC_DETAIL_MAX];
	struct cc_body		*body;		/* when err is STIR_OK */
	size_t			 cost;		/* stir_cache_cost(), when has_data */
	int64_t			 fetched_at, expires;
	int64_t			 last_used;	/* by the callers' clock */
	int64_t			 row_used;	/* last_used as last sent to the store */
	uint64_t		 serial;
	struct cc_fetch		*fetch;		/* in progress, or NULL */
};

enum cc_op_kind { CC_OP_PUT, CC_OP_DELETE, CC_OP_TOUCH };

struct cc_op {
	enum cc_op_kind		 kind;
	struct stir_cache_row	 row;		/* row.url NULL: delete all */
	struct cc_op		*next;
};

struct cc_writer {
	uv_loop_t		*loop;
	struct stir_store	*store;
	struct stir_storeq	*storeq;	/* the store's thread, or NULL: the pool */
	struct cc_op		*head, **tail;
	unsigned		 n;
	struct cc_op		*batch;		/* on the pool */
	uv_work_t		 work;
	bool			 busy;
	bool			 detached;	/* the cache is gone: free when idle */
	/* bound the table after the next batch (set by puts, start, reload) */
	bool			 want_trim;
	int64_t			 trim_now;
	size_t			 store_max;
	/* the same for the batch on the pool (only it reads these) */
	bool			 batch_trim;
	int64_t			 batch_now;
	size_t			 batch_max;
};

struct stir_certcache {
	uv_loop_t		*loop;
	struct stir_fetcher	*fetcher;
	stir_certcache_fetch_fn	 fetch_fn;	/* or the fetcher (stir_certcache_set_fetch()) */
	void			*fetch_ctx;
	struct stir_certcache_opts opts;
	struct cc_node		**buckets;
	size_t			 nbuckets;	/* a power of two */
	size_t			 nnodes, ndata;
	size_t			 bytes;		/* the entries' cost */
	struct cc_node		*lru_head, *lru_tail;	/* most recent first */
	uint64_t		 next_serial;
	uint8_t			 hkey[crypto_shorthash_KEYBYTES];
	struct cc_writer	*writer;	/* NULL without a store */
	struct cc_ready		*ready;
	uint64_t		 hits, misses, negative_hits;	/* stir_certcache_get*() */
};

/* ---- bodies, and hits answered on the next loop turn ---- */

/* bytes (owned on success) as a body with one reference; NULL if out of memory. */
static struct cc_body *
body_new(uint8_t *bytes, size_t len)
{
	struct cc_body *b;

	if ((b = malloc(sizeof(*b))) == NULL)
		return NULL;
	b->refs = 1;
	b->len = len;
	b->bytes = bytes;
	return b;
}

static void
body_unref(struct cc_body *b)
{
	if (b == NULL || --b->refs > 0)
		return;
	free(b->bytes);
	free(b);
}

static void
answer_free(struct cc_answer *a)
{
	body_unref(a->body);
	free(a);
}

static void
on_ready_closed(uv_handle_t *h)
{
	struct cc_ready *q = h->data;

	while (q->head != NULL) {	/* none: closed only once delivered */
		struct cc_answer *a = q->head;

		q->head = a->next;
		answer_free(a);
	}
	free(q);
}

static void
ready_close(struct cc_ready *q)
{
	if (!uv_is_closing((uv_handle_t *)&q->idle))
		uv_close((uv_handle_t *)&q->idle, on_ready_closed);
}

/* Deliver the answers queued before this turn; those their callbacks queue wait. */
static void
on_ready(uv_idle_t *h)
{
	struct cc_ready *q = h->data;
	struct cc_answer *a = q->head, *next;

	q->head = NULL;
	q->tail = &q->head;
	/* a callback may use the cache again, even free it: a is ours */
	for (; a != NULL; a = next) {
		next = a->next;
		a->cb(a->arg, &a->e);
		answer_free(a);
	}
	if (q->head != NULL)
		return;
	(void)uv_idle_stop(&q->idle);
	if (q->detached)
		ready_close(q);
}

static void
ready_push(struct cc_ready *q, struct cc_answer *a)
{
	a->next = NULL;
	*q->tail = a;
	q->tail = &a->next;
	(void)uv_idle_start(&q->idle, on_ready);	/* no-op if running */
}

/* ---- the store writer ---- */

static void
op_free(struct cc_op *op)
{
	while (op != NULL) {
		struct cc_op *n = op->next;

		free(op->row.url);
		free(op->row.body);
		free(op);
		op = n;
	}
}

static void writer_kick(struct cc_writer *w);

static void
writer_work(uv_work_t *req)
{
	struct cc_writer *w = req->data;

	size_t deleted = 0;
	int r;

	for (struct cc_op *op = w->batch; op != NULL; op = op->next) {
		r = op->kind == CC_OP_PUT ? stir_store_cache_put(w->store, &op->row) :
		    op->kind == CC_OP_TOUCH ? stir_store_cache_touch(w->store, op->row.url,
		    op->row.last_used) : stir_store_cache_delete(w->store, op->row.url);
		if (r != STIR_OK && r != STIR_ENOENT)
			log_debug("cert cache row %s failed: %s", op->kind == CC_OP_PUT ? "write" :
			    op->kind == CC_OP_TOUCH ? "touch" : "delete", stir_strerror(r));
	}
	if (w->batch_trim) {
		if ((r = stir_store_cache_trim(w->store, w->batch_now, w->batch_max,
		    &deleted)) != STIR_OK)
			log_debug("cert cache rows could not be bounded: %s", stir_strerror(r));
		else if (deleted > 0)
			log_debug("cert cache: %zu expired or least recently used rows deleted",
			    deleted);
	}
}

static void
writer_after(uv_work_t *req, int status)
{
	struct cc_writer *w = req->data;

	(void)status;
	op_free(w->batch);
	w->batch = NULL;
	w->busy = false;
	if (w->detached) {
		/*
		 * The cache is freed and the store thread is stopping: nothing
		 * more may be queued to it.  Writes that came during the last
		 * batch are dropped (a cache; stir_certcache_free() queued
		 * whatever it could).
		 */
		op_free(w->head);
		free(w);
	} else if (w->head != NULL || w->want_trim)
		writer_kick(w);
}

static void
writer_kick(struct cc_writer *w)
{
	if (w->busy || (w->head == NULL && !w->want_trim))
		return;
	w->batch = w->head;
	w->head = NULL;
	w->tail = &w->head;
	w->n = 0;
	w->batch_trim = w->want_trim;
	w->batch_now = w->trim_now;
	w->batch_max = w->store_max;
	w->want_trim = false;
	w->busy = true;
	w->work.data = w;
	if ((w->storeq != NULL ? stir_storeq_queue(w->storeq, &w->work, writer_work,
	    writer_after) : uv_queue_work(w->loop, &w->work, writer_work, writer_after)) != 0) {
		log_debug("cannot queue cert cache writes");
		op_free(w->batch);
		w->batch = NULL;
		w->busy = false;
	}
}

/* Queue a row change; row (borrowed) is copied.  A NULL url deletes all. */
static void
writer_push(struct cc_writer *w, enum cc_op_kind kind, const struct stir_cache_row *row)
{
	struct cc_op *op;

	if (w == NULL)
		return;
	if (kind != CC_OP_DELETE && w->n >= CC_WRITES_MAX) {
		log_debug("cert cache write queue full; a row %s is not persisted",
		    kind == CC_OP_PUT ? "write" : "touch");
		return;
	}
	if ((op = calloc(1, sizeof(*op))) == NULL ||
	    (row->url != NULL && (op->row.url = strdup(row->url)) == NULL) ||
	    (row->body != NULL && (op->row.body = malloc(row->len ? row->len : 1)) == NULL)) {
		op_free(op);
		log_debug("out of memory: a cert cache row change is lost");
		return;
	}
	op->kind = kind;
	if (row->body != NULL)
		memcpy(op->row.body, row->body, row->len);
	op->row.len = row->body != NULL ? row->len : 0;
	op->row.status = row->status;
	op->row.kind = row->kind;
	op->row.fetched_at = row->fetched_at;
	op->row.expires_at = row->expires_at;
	op->row.last_used = row->last_used;
	*w->tail = op;
	w->tail = &op->next;
	w->n++;
	if (kind == CC_OP_PUT) {	/* the table may have grown past its bound */
		w->want_trim = true;
		if (row->fetched_at > w->trim_now)
			w->trim_now = row->fetched_at;
	}
	writer_kick(w);
}

static void
writer_delete(struct cc_writer *w, const char *url)
{
	struct stir_cache_row row = { .url = (char *)url };

	writer_push(w, CC_OP_DELETE, &row);
}

/* ---- the table ---- */

static uint64_t
url_hash(const struct stir_certcache *cc, const char *url)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v = 0;

	crypto_shorthash(h, (const unsigned char *)url, strlen(url), cc->hkey);
	for (size_t i = 0; i < sizeof(v); i++)
		v = v << 8 | h[i];
	return v;
}

static struct cc_node *
node_find(const struct stir_certcache *cc, const char *url)
{
	uint64_t h = url_hash(cc, url);

	for (struct cc_node *n = cc->buckets[h & (cc->nbuckets - 1)]; n; n = n->hnext)
		if (n->hash == h && strcmp(n->url, url) == 0)
			return n;
	return NULL;
}

static void
table_grow(struct stir_certcache *cc)
{
	size_t nb = cc->nbuckets * 2;
	struct cc_node **b;

	if ((b = calloc(nb, sizeof(*b))) == NULL)
		return;			/* longer chains, still correct */
	for (size_t i = 0; i < cc->nbuckets; i++) {
		struct cc_node *n = cc->buckets[i], *next;

		for (; n != NULL; n = next) {
			next = n->hnext;
			n->hnext = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	}
	free(cc->buckets);
	cc->buckets = b;
	cc->nbuckets = nb;
}

static struct cc_node *
node_add(struct stir_certcache *cc, const char *url)
{
	struct cc_node *n;
	size_t i;

	if ((n = calloc(1, sizeof(*n))) == NULL || (n->url = strdup(url)) == NULL) {
		free(n);
		return NULL;
	}
	n->hash = url_hash(cc, url);
	if (cc->nnodes >= cc->nbuckets)
		table_grow(cc);
	i = n->hash & (cc->nbuckets - 1);
	n->hnext = cc->buckets[i];
	cc->buckets[i] = n;
	cc->nnodes++;
	return n;
}

static void
lru_unlink(struct stir_certcache *cc, struct cc_node *n)
{
	if (n->lprev != NULL)
		n->lprev->lnext = n->lnext;
	else
		cc->lru_head = n->lnext;
	if (n->lnext != NULL)
		n->lnext->lprev = n->lprev;
	else
		cc->lru_tail = n->lprev;
	n->lprev = n->lnext = NULL;
}

static void
lru_push_head(struct stir_certcache *cc, struct cc_node *n)
{
	n->lprev = NULL;
	n->lnext = cc->lru_head;
	if (cc->lru_head != NULL)
		cc->lru_head->lprev = n;
	else
		cc->lru_tail = n;
	cc->lru_head = n;
}

static void
lru_push_tail(struct stir_certcache *cc, struct cc_node *n)
{
	n->lnext = NULL;
	n->lprev = cc->lru_tail;
	if (cc->lru_tail != NULL)
		cc->lru_tail->lnext = n;
	else
		cc->lru_head = n;
	cc->lru_tail = n;
}

/* Forget n's data; the node goes too unless a fetch hangs on it. */
static void
node_drop(struct stir_certcache *cc, struct cc_node *n)
{
	if (n->has_data) {
		lru_unlink(cc, n);
		cc->ndata--;
		cc->bytes -= n->cost;
		n->cost = 0;
		body_unref(n->body);
		n->body = NULL;
		n->has_data = false;
	}
	if (n->fetch == NULL) {
		struct cc_node **pp = &cc->buckets[n->hash & (cc->nbuckets - 1)];

		while (*pp != n)
			pp = &(*pp)->hnext;
		*pp = n->hnext;
		cc->nnodes--;
		free(n->url);
		free(n);
	}
}

/* The least recently used go until the entries fit both bounds. */
static void
evict(struct stir_certcache *cc)
{
	while ((cc->ndata > cc->opts.max_entries || cc->bytes > cc->opts.max_bytes) &&
	    cc->lru_tail != NULL) {
		struct cc_node *n = cc->lru_tail;

		writer_delete(cc->writer, n->url);
		node_drop(cc, n);
	}
}

/* Take body (a reference, or NULL) as n's data, most recently used. */
static void
node_set(struct stir_certcache *cc, struct cc_node *n, int err, const char *detail,
    struct cc_body *body, int kind, int64_t fetched_at, int64_t expires, uint64_t serial)
{
	if (n->has_data) {
		lru_unlink(cc, n);
		body_unref(n->body);
		cc->bytes -= n->cost;
	} else
		cc->ndata++;
	n->has_data = true;
	n->err = err;
	n->kind = kind;
	snprintf(n->detail, sizeof(n->detail), "%s", detail ? detail : "");
	n->body = body;
	n->cost = stir_cache_cost(n->url, body != NULL ? body->len : 0);
	cc->bytes += n->cost;
	n->fetched_at = fetched_at;
	n->expires = expires;
	n->last_used = n->row_used = fetched_at;
	n->serial = serial;
	lru_push_head(cc, n);
}

/* The code stir_cc_kind_check() gives a body that is not of kind, or 0. */
static int
kind_refusal(int kind)
{
	switch (kind) {
	case STIR_CC_CHAIN:
	case STIR_CC_CRL:
	case STIR_CC_TNLIST:
		return STIR_ECERT;
	case STIR_CC_IMAGE:
	case STIR_CC_JCARD:
		return STIR_EINVAL;
	default:
		return 0;
	}
}

static void
entry_of(const struct cc_node *n, bool from_cache, struct stir_certcache_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->url = n->url;
	e->err = n->err;
	e->detail = n->err != STIR_OK ? n->detail : NULL;
	e->body = n->err == STIR_OK ? n->body->bytes : NULL;
	e->len = n->err == STIR_OK ? n->body->len : 0;
	e->fetched_at = n->fetched_at;
	e->expires = n->expires;
	e->serial = n->serial;
	e->from_cache = from_cache;
	e->kind = n->kind;
}

/* ---- fetching ---- */

static void
fetch_free(struct cc_fetch *cf)
{
	struct cc_waiter *w, *wn;

	for (w = cf->waiters; w != NULL; w = wn) {
		wn = w->next;
		free(w);
	}
	free(cf->url);
	free(cf);
}

/* A fetch's answer as one kind sees it: computed once per kind. */
struct cc_verdict {
	bool	 done;
	int	 err;
	char	 detail[CC_DETAIL_MAX];
};

static const struct cc_verdict *
verdict(struct cc_verdict *v, int kind, const struct stir_fetch_result *res)
{
	struct cc_verdict *k = &v[kind];

	if (k->done)
		return k;
	k->done = true;
	if (res->err != STIR_OK) {
		k->err = res->err;
		snprintf(k->detail, sizeof(k->detail), "%s", res->detail);
	} else
		k->err = stir_cc_kind_check((enum stir_cc_kind)kind, res->body, res->len,
		    k->detail, sizeof(k->detail));
	return k;
}

/*
 * Install a fetch's answer as the fetch's kind saw it (v): a body only if
 * it parsed.  Returns the serial and sets *ret_expires.
 */
static uint64_t
install(struct stir_certcache *cc, struct cc_fetch *cf,
    const struct stir_fetch_result *res, const struct cc_verdict *v, int64_t now,
    int64_t *ret_expires)
{
	struct cc_node *n = node_find(cc, cf->url);
	struct stir_cache_row row;
	size_t len = v->err == STIR_OK ? res->len : 0;
	int64_t ttl;
	struct cc_body *body = NULL;
	uint8_t *bytes = NULL;
	uint64_t serial;
	bool keep;

	if (n != NULL && n->fetch == cf)
		n->fetch = NULL;
	if (v->err == STIR_OK)
		ttl = stir_http_cache_ttl(res->cache_control, res->expires, res->date, now,
		    cc->opts.min_ttl, cc->opts.max_ttl);
	else if (v->err == STIR_ESHUTDOWN || v->err == STIR_ENOMEM ||
	    v->err == STIR_EBUSY)	/* ours, not the server's: not kept */
		ttl = 0;
	else
		ttl = cc->opts.negative_ttl;
	/* an entry larger than the whole memory bound is used once, not kept */
	keep = ttl > 0 && cc->opts.max_entries > 0 &&
	    stir_cache_cost(cf->url, len) <= cc->opts.max_bytes;
	/* the same bytes as before keep their serial (and any memo on it) */
	if (n != NULL && n->has_data && v->err == STIR_OK && n->err == STIR_OK &&
	    n->body->len == res->len &&
	    (res->len == 0 || memcmp(n->body->bytes, res->body, res->len) == 0))
		serial = n->serial;
	else
		serial = ++cc->next_serial;
	*ret_expires = now + ttl;
	if (keep && v->err == STIR_OK) {
		if ((bytes = malloc(len ? len : 1)) == NULL ||
		    (body = body_new(bytes, len)) == NULL) {
			free(bytes);
			keep = false;
		} else
			memcpy(bytes, res->body, len);
	}
	if (keep && n == NULL && (n = node_add(cc, cf->url)) == NULL)
		keep = false;
	if (!keep) {
		body_unref(body);
		if (n != NULL) {	/* "do not keep": nor any older answer */
			if (n->has_data)
				writer_delete(cc->writer, n->url);
			node_drop(cc, n);
		}
		*ret_expires = now;
		return serial;
	}
	node_set(cc, n, v->err, v->detail, body, cf->kind, now, now + ttl, serial);
	memset(&row, 0, sizeof(row));
	row.url = n->url;
	row.body = bytes;
	row.len = len;
	row.status = v->err;
	row.kind = cf->kind;
	row.fetched_at = now;
	row.expires_at = now + ttl;
	row.last_used = now;
	writer_push(cc->writer, CC_OP_PUT, &row);
	evict(cc);
	return serial;
}

static void
on_fetched(void *arg, const struct stir_fetch_result *res)
{
	struct cc_fetch *cf = arg;
	struct stir_certcache *cc = cf->cc;
	struct stir_certcache_entry e;
	struct cc_verdict v[STIR_CC_KINDS];
	struct cc_waiter *w, *wn;
	int64_t now = cf->now, expires = cf->now;
	uint64_t serial = 0;

	memset(v, 0, sizeof(v));
	if (cc != NULL) {
		now += (int64_t)((uv_now(cc->loop) - cf->t0_ms) / 1000);
		serial = install(cc, cf, res, verdict(v, cf->kind, res), now, &expires);
	}
	/* the waiters may use the cache again, even free it: cf is ours */
	w = cf->waiters;
	cf->waiters = NULL;
	for (; w != NULL; w = wn) {
		const struct cc_verdict *k = verdict(v, w->kind, res);

		wn = w->next;
		memset(&e, 0, sizeof(e));
		e.url = cf->url;
		e.err = k->err;
		e.detail = k->err != STIR_OK ? k->detail : NULL;
		e.body = k->err == STIR_OK ? res->body : NULL;
		e.len = k->err == STIR_OK ? res->len : 0;
		e.fetched_at = now;
		e.expires = expires;
		e.serial = serial;
		e.from_cache = false;
		e.kind = w->kind;
		w->cb(w->arg, &e);
		free(w);
	}
	fetch_free(cf);
}

static int
waiter_add(struct cc_fetch *cf, int kind, stir_certcache_cb cb, void *arg)
{
	struct cc_waiter *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return STIR_ENOMEM;
	w->cb = cb;
	w->arg = arg;
	w->kind = kind;
	*cf->wtail = w;
	cf->wtail = &w->next;
	return STIR_OK;
}

static int
fetch_start(struct stir_certcache *cc, struct cc_node *n, const char *url,
    int kind, int64_t now, uint64_t owner, stir_certcache_cb cb, void *arg)
{
	struct cc_fetch *cf = NULL;
	bool added = false;
	int r;

	if (n != NULL && n->fetch != NULL)	/* one transfer, many waiters */
		return waiter_add(n->fetch, kind, cb, arg);
	if (n == NULL) {
		if ((n = node_add(cc, url)) == NULL)
			return STIR_ENOMEM;
		added = true;
	}
	if ((cf = calloc(1, sizeof(*cf))) == NULL || (cf->url = strdup(url)) == NULL) {
		r = STIR_ENOMEM;
		goto fail;
	}
	cf->cc = cc;
	cf->kind = kind;
	cf->now = now;
	cf->t0_ms = uv_now(cc->loop);
	cf->wtail = &cf->waiters;
	if ((r = waiter_add(cf, kind, cb, arg)) != STIR_OK)
		goto fail;
	r = cc->fetch_fn != NULL ? cc->fetch_fn(cc->fetch_ctx, url, owner, on_fetched, cf) :
	    stir_fetch_for(cc->fetcher, url, owner, on_fetched, cf);
	if (r != STIR_OK)
		goto fail;
	n->fetch = cf;
	return STIR_OK;
 fail:
	if (cf != NULL)
		fetch_free(cf);
	if (added)
		node_drop(cc, n);
	return r;
}

static int
kind_ok(int kind)
{
	return kind >= 0 && kind < STIR_CC_KINDS;
}

/* n was used now: first in memory, and in the store now and then. */
static void
touch(struct stir_certcache *cc, struct cc_node *n, int64_t now)
{
	lru_unlink(cc, n);
	lru_push_head(cc, n);
	if (now > n->last_used)
		n->last_used = now;
	if (now - n->row_used >= CC_TOUCH_SECONDS) {
		struct stir_cache_row row = { .url = n->url, .last_used = now };

		writer_push(cc->writer, CC_OP_TOUCH, &row);
		n->row_used = now;
	}
}

/*
 * The answer of fresh entry n for kind, to be delivered on the next loop
 * turn; NULL if out of memory.  A body kept as another kind answers if it
 * parses as this one too.
 */
static struct cc_answer *
answer_of(const struct cc_node *n, int kind, stir_certcache_cb cb, void *arg)
{
	size_t ulen = strlen(n->url);
	struct cc_answer *a;

	if ((a = calloc(1, sizeof(*a) + ulen + 1)) == NULL)
		return NULL;
	memcpy(a->url, n->url, ulen + 1);
	a->cb = cb;
	a->arg = arg;
	entry_of(n, true, &a->e);
	a->e.url = a->url;
	if (n->err != STIR_OK) {
		snprintf(a->detail, sizeof(a->detail), "%s", n->detail);
		a->e.detail = a->detail;
		return a;
	}
	a->body = n->body;		/* shared: eviction before delivery frees nothing */
	a->body->refs++;
	if (n->kind != kind) {
		a->e.kind = kind;
		if ((a->e.err = stir_cc_kind_check((enum stir_cc_kind)kind, a->body->bytes,
		    a->body->len, a->detail, sizeof(a->detail))) != STIR_OK) {
			a->e.detail = a->detail;
			a->e.body = NULL;
			a->e.len = 0;
		}
	}
	return a;
}

int
stir_certcache_get(struct stir_certcache *cc, const char *url,
    enum stir_cc_kind kind, int64_t now, stir_certcache_cb cb, void *arg)
{
	return stir_certcache_get_for(cc, url, kind, now, 0, cb, arg);
}

int
stir_certcache_get_for(struct stir_certcache *cc, const char *url,
    enum stir_cc_kind kind, int64_t now, uint64_t owner, stir_certcache_cb cb, void *arg)
{
	struct cc_answer *a;
	struct cc_node *n;

	if (!stir_url_key_ok(url) || !kind_ok((int)kind))
		return STIR_EINVAL;
	n = node_find(cc, url);
	/* another kind's refusal says nothing about this kind: fetch */
	if (n == NULL || !n->has_data || now >= n->expires ||
	    (n->kind != (int)kind && n->err != STIR_OK && n->err == kind_refusal(n->kind))) {
		cc->misses++;
		return fetch_start(cc, n, url, (int)kind, now, owner, cb, arg);
	}
	/* a fresh entry: answered from the loop, never from inside this call */
	if ((a = answer_of(n, (int)kind, cb, arg)) == NULL)
		return STIR_ENOMEM;
	cc->hits++;
	if (n->err != STIR_OK)
		cc->negative_hits++;
	touch(cc, n, now);
	ready_push(cc->ready, a);
	return STIR_OK;
}

int
stir_certcache_refresh(struct stir_certcache *cc, const char *url,
    enum stir_cc_kind kind, int64_t now, stir_certcache_cb cb, void *arg)
{
	if (!stir_url_key_ok(url) || !kind_ok((int)kind))
		return STIR_EINVAL;
	return fetch_start(cc, node_find(cc, url), url, (int)kind, now, 0, cb, arg);
}

int
stir_certcache_lookup(struct stir_certcache *cc, const char *url,
    struct stir_certcache_entry *ret)
{
	struct cc_node *n;

	if (!stir_url_key_ok(url))
		return STIR_EINVAL;
	if ((n = node_find(cc, url)) == NULL || !n->has_data)
		return STIR_ENOENT;
	entry_of(n, true, ret);
	return STIR_OK;
}

/* ---- lifetime ---- */

/*
 * At start, the most recently used unexpired rows that fit the memory
 * bounds, in one query that reads nothing beyond them: the time a restart
 * takes is bounded by cache_max_bytes and cache_max_entries, whatever the
 * table holds.  Rows were checked against their kind before they were
 * written; the rest of the table is bounded by the writer.
 */
static void
load_rows(struct stir_certcache *cc, struct stir_store *store)
{
	struct stir_cache_row *rows = NULL;
	size_t nrows = 0;
	int64_t now = (int64_t)time(NULL);

	if (stir_store_cache_load(store, now, cc->opts.max_entries, cc->opts.max_bytes,
	    &rows, &nrows) != STIR_OK) {
		log_warn("the certificate cache could not be loaded from the store; starting empty");
		return;
	}
	for (size_t i = 0; i < nrows; i++) {
		struct stir_cache_row *row = &rows[i];
		struct cc_body *body = NULL;
		struct cc_node *n;
		size_t cost;

		if (!stir_url_key_ok(row->url) || !kind_ok(row->kind) ||
		    node_find(cc, row->url) != NULL ||
		    (row->status == STIR_OK && row->body == NULL)) {
			writer_delete(cc->writer, row->url);
			continue;
		}
		cost = stir_cache_cost(row->url, row->status == STIR_OK ? row->len : 0);
		if (cc->ndata >= cc->opts.max_entries || cost > cc->opts.max_bytes - cc->bytes)
			break;
		if (row->status == STIR_OK && (body = body_new(row->body, row->len)) == NULL)
			break;
		if ((n = node_add(cc, row->url)) == NULL) {
			free(body);	/* the bytes are still the row's */
			break;
		}
		if (body != NULL)
			row->body = NULL;	/* the body's now */
		/* rows come most recently used first: each goes behind the one before */
		n->has_data = true;
		cc->ndata++;
		n->err = row->status;
		n->kind = row->kind;
		if (row->status != STIR_OK)
			snprintf(n->detail, sizeof(n->detail), "%s (remembered)",
			    stir_strerror(row->status));
		n->body = body;
		n->cost = cost;
		cc->bytes += cost;
		n->fetched_at = row->fetched_at;
		n->expires = row->expires_at;
		n->last_used = n->row_used = row->last_used;
		n->serial = ++cc->next_serial;
		lru_push_tail(cc, n);
	}
	stir_store_cache_rows_free(rows, nrows);
	/* the expired rows and those past the store's bound, on the pool */
	cc->writer->want_trim = true;
	cc->writer->trim_now = now;
	writer_kick(cc->writer);
}

int
stir_certcache_new(uv_loop_t *loop, struct stir_store *store,
    struct stir_fetcher *fetcher, const struct stir_certcache_opts *opts,
    struct stir_certcache **ret)
{
	struct stir_certcache *cc;

	if (sodium_init() < 0)
		return STIR_ECRYPTO;
	if ((cc = calloc(1, sizeof(*cc))) == NULL)
		return STIR_ENOMEM;
	cc->loop = loop;
	cc->fetcher = fetcher;
	cc->opts = *opts;
	cc->nbuckets = CC_BUCKETS_MIN;
	randombytes_buf(cc->hkey, sizeof(cc->hkey));
	if ((cc->buckets = calloc(cc->nbuckets, sizeof(*cc->buckets))) == NULL ||
	    (cc->ready = calloc(1, sizeof(*cc->ready))) == NULL)
		goto nomem;
	if (uv_idle_init(loop, &cc->ready->idle) != 0) {
		free(cc->ready);
		cc->ready = NULL;
		goto nomem;
	}
	cc->ready->idle.data = cc->ready;
	cc->ready->tail = &cc->ready->head;
	if (store != NULL) {
		if ((cc->writer = calloc(1, sizeof(*cc->writer))) == NULL)
			goto nomem;
		cc->writer->loop = loop;
		cc->writer->store = store;
		cc->writer->tail = &cc->writer->head;
		cc->writer->store_max = opts->store_max_bytes;
		load_rows(cc, store);	/* at startup: the one synchronous read */
	}
	*ret = cc;
	return STIR_OK;
 nomem:
	if (cc->ready != NULL)
		ready_close(cc->ready);	/* freed once closed */
	free(cc->buckets);
	free(cc);
	return STIR_ENOMEM;
}

void
stir_certcache_set_opts(struct stir_certcache *cc,
    const struct stir_certcache_opts *opts)
{
	cc->opts = *opts;
	evict(cc);
	if (cc->writer != NULL && cc->writer->store_max != opts->store_max_bytes) {
		cc->writer->store_max = opts->store_max_bytes;
		cc->writer->want_trim = true;
		writer_kick(cc->writer);
	}
}

void
stir_certcache_free(struct stir_certcache *cc)
{
	if (cc == NULL)
		return;
	for (size_t i = 0; i < cc->nbuckets; i++) {
		struct cc_node *n = cc->buckets[i], *next;

		for (; n != NULL; n = next) {
			next = n->hnext;
			if (n->fetch != NULL)	/* its waiters still get the answer */
				n->fetch->cc = NULL;
			body_unref(n->body);
			free(n->url);
			free(n);
		}
	}
	free(cc->buckets);
	/* hits already answered are still delivered, on the next turn */
	cc->ready->detached = true;
	if (cc->ready->head == NULL)
		ready_close(cc->ready);
	if (cc->writer != NULL) {
		/* queue what waits while the store thread still takes work */
		writer_kick(cc->writer);
		if (cc->writer->busy)
			cc->writer->detached = true;	/* freed after its batch */
		else
			free(cc->writer);
	}
	sodium_memzero(cc->hkey, sizeof(cc->hkey));
	free(cc);
}

/* ---- admin ---- */

int
stir_certcache_list(struct stir_certcache *cc, size_t max,
    struct stir_certcache_info **ret, size_t *ret_n)
{
	struct stir_certcache_info *v;
	size_t n = 0, want = cc->ndata < max ? cc->ndata : max;

	if ((v = calloc(want ? want : 1, sizeof(*v))) == NULL)
		return STIR_ENOMEM;
	for (struct cc_node *e = cc->lru_head; e != NULL && n < want; e = e->lnext, n++) {
		snprintf(v[n].url, sizeof(v[n].url), "%s", e->url);
		v[n].err = e->err;
		v[n].len = e->err == STIR_OK ? e->body->len : 0;
		v[n].fetched_at = e->fetched_at;
		v[n].expires = e->expires;
		v[n].last_used = e->last_used;
		v[n].kind = e->kind;
	}
	*ret = v;
	*ret_n = n;
	return STIR_OK;
}

int
stir_certcache_purge_count(struct stir_certcache *cc, const char *url,
    size_t *ret_n)
{
	size_t n = 0;

	if (url != NULL) {
		struct cc_node *e;

		if (!stir_url_key_ok(url))
			return STIR_EINVAL;
		if ((e = node_find(cc, url)) != NULL && e->has_data) {
			node_drop(cc, e);
			n = 1;
		}
	} else {
		while (cc->lru_head != NULL) {
			node_drop(cc, cc->lru_head);
			n++;
		}
	}
	/* the store too, even for a URL evicted from memory */
	writer_delete(cc->writer, url);
	*ret_n = n;
	return STIR_OK;
}

int
stir_certcache_purge(struct stir_certcache *cc, const char *url)
{
	size_t n;

	return stir_certcache_purge_count(cc, url, &n);
}

unsigned
stir_certcache_writes_pending(const struct stir_certcache *cc)
{
	if (cc->writer == NULL)
		return 0;
	return cc->writer->n + (cc->writer->busy ? 1 : 0);
}

size_t
stir_certcache_size(const struct stir_certcache *cc)
{
	return cc->ndata;
}

size_t
stir_certcache_bytes(const struct stir_certcache *cc)
{
	return cc->bytes;
}

void
stir_certcache_stats(const struct stir_certcache *cc, struct stir_certcache_stats *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->entries = cc->ndata;
	ret->bytes = cc->bytes;
	ret->hits = cc->hits;
	ret->misses = cc->misses;
	ret->negative_hits = cc->negative_hits;
}

void
stir_certcache_set_fetch(struct stir_certcache *cc, stir_certcache_fetch_fn fn, void *ctx)
{
	cc->fetch_fn = fn;
	cc->fetch_ctx = ctx;
}

void
stir_certcache_set_storeq(struct stir_certcache *cc, struct stir_storeq *q)
{
	if (cc->writer != NULL)
		cc->writer->storeq = q;
}
