/*
 * op_cache.c: cache.list, cache.show, cache.purge and cache.prefetch
 * (admin socket).  They run on the loop thread, where the cache lives;
 * the cache itself sends its row changes to the pool.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stirclient.h"
#include "daemon/pki/certcache.h"
#include "daemon/ops/ops.h"
#include "daemon/base/log.h"
#include "daemon/store/store.h"

#define CACHE_LIST_DEFAULT	1000	/* entries listed without "limit" */
#define CACHE_LIST_MAX		10000

/* Is the cache open?  Replies and returns false if not. */
static bool
cache_begin(struct stir_req *req)
{
	if (req->conn->srv->certcache == NULL) {
		stir_req_fail(req, STIR_ESHUTDOWN, "the certificate cache is closed");
		return false;
	}
	return true;
}

/* A URL as an admin may give it: printable ASCII, no blanks. */
static bool
url_field_ok(struct stir_req *req, const char *u)
{
	size_t n = strlen(u);

	if (n == 0 || n > STIR_URL_MAX) {
		stir_req_fail(req, STIR_EINVAL, "field 'url' must be 1 to %d bytes", STIR_URL_MAX);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f) {
			stir_req_fail(req, STIR_EINVAL,
			    "field 'url' has a blank, control or non-ASCII character");
			return false;
		}
	return true;
}

static json_t *
entry_json(const char *url, int err, int kind, size_t len, int64_t fetched_at,
    int64_t expires)
{
	const char *k = stir_cc_kind_name(kind);
	char q[STIR_URL_MAX * 4 + 8];

	/* URLs in the cache are printable ASCII, but a reply must encode */
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}",
	    "url", stir_log_quote(url, strlen(url), q, sizeof(q)),
	    "status", stir_errname(err), "kind", k != NULL ? k : "?", "bytes", (json_int_t)len,
	    "fetched_at", (json_int_t)fetched_at, "expires", (json_int_t)expires);
}

/* The body as a JSON string if it is text (PEM): printable ASCII and blanks. */
static json_t *
body_text(const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t') ||
		    b[i] >= 0x7f)
			return NULL;
	return json_stringn((const char *)b, len);
}

static json_t *
full_entry_json(const struct stir_certcache_entry *e)
{
	json_t *o = entry_json(e->url, e->err, e->kind, e->len, e->fetched_at, e->expires);
	json_t *pem;

	if (o == NULL)
		return NULL;
	if (e->err != STIR_OK && e->detail != NULL && e->detail[0] != '\0')
		(void)json_object_set_new(o, "detail", json_string(e->detail));
	if (e->err == STIR_OK && e->body != NULL && (pem = body_text(e->body, e->len)) != NULL)
		(void)json_object_set_new(o, "pem", pem);
	return o;
}

void
op_cache_list(struct stir_req *req)
{
	struct stir_certcache_info *v = NULL;
	json_int_t lim = CACHE_LIST_DEFAULT;
	json_t *arr;
	size_t n = 0;
	int r;

	if (!cache_begin(req))
		return;
	if (json_object_get(req->env->params, "limit") != NULL)
		lim = json_integer_value(json_object_get(req->env->params, "limit"));
	if (lim < 1 || lim > CACHE_LIST_MAX) {
		stir_req_fail(req, STIR_EINVAL, "field 'limit' must be from 1 to %d",
		    CACHE_LIST_MAX);
		return;
	}
	if ((r = stir_certcache_list(req->conn->srv->certcache, (size_t)lim, &v, &n)) != STIR_OK) {
		stir_req_fail(req, r, NULL);
		return;
	}
	if ((arr = json_array()) == NULL) {
		free(v);
		stir_req_fail(req, STIR_ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *o = entry_json(v[i].url, v[i].err, v[i].kind, v[i].len,
		    v[i].fetched_at, v[i].expires);

		if (o != NULL)
			(void)json_object_set_new(o, "last_used", json_integer(v[i].last_used));
		(void)json_array_append_new(arr, o);
	}
	free(v);
	if ((req->result = json_pack("{s:o}", "entries", arr)) == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
	stir_req_reply(req);
}


void
op_cache_show(struct stir_req *req)
{
	struct stir_certcache_entry e;
	const char *u;
	int r;

	if (!cache_begin(req))
		return;
	u = stir_param_str(req->env->params, "url");
	if (!url_field_ok(req, u))
		return;
	r = stir_certcache_lookup(req->conn->srv->certcache, u, &e);
	if (r == STIR_ENOENT) {
		stir_req_fail(req, r, "nothing is cached for that URL (see 'stirctl cache list')");
		return;
	}
	if (r != STIR_OK) {
		stir_req_fail(req, r, NULL);
		return;
	}
	if ((req->result = full_entry_json(&e)) == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
	stir_req_reply(req);
}

/* Store thread, in the audit transaction: the stored rows go too. */
static void
purge_work(struct stir_req *req)
{
	const char *u = stir_param_str(req->env->params, "url");
	int r = stir_store_cache_delete(req->conn->srv->store, u);

	if (r != STIR_OK && r != STIR_ENOENT)
		stir_req_set_error(req, r, "the stored cache could not be purged: %s",
		    stir_strerror(r));
}

static void
purge_done(struct stir_req *req)
{
	if (req->err == STIR_OK)
		req->result = json_pack("{s:I}", "purged", (json_int_t)(uintptr_t)req->ctx);
	req->ctx = NULL;
}

void
op_cache_purge(struct stir_req *req)
{
	const char *u;
	char q[200];
	size_t n = 0;
	int r;

	if (!cache_begin(req))
		return;
	u = stir_param_str(req->env->params, "url");
	if (u != NULL && !url_field_ok(req, u))
		return;
	snprintf(req->audit_subject, sizeof(req->audit_subject), "cache %s",
	    u != NULL ? stir_log_quote(u, strlen(u), q, sizeof(q)) : "all");
	if ((r = stir_certcache_purge_count(req->conn->srv->certcache, u, &n)) != STIR_OK) {
		stir_req_fail(req, r, NULL);
		return;
	}
	/* the memory entries are gone; the reply waits for the stored rows */
	req->ctx = (void *)(uintptr_t)n;
	stir_req_queue(req, purge_work, purge_done);
}

static void
prefetch_done(void *arg, const struct stir_certcache_entry *e)
{
	struct stir_req *req = arg;

	if (e->err != STIR_OK) {
		stir_req_fail(req, e->err, "the fetch failed: %s",
		    e->detail != NULL ? e->detail : stir_strerror(e->err));
		return;
	}
	if ((req->result = full_entry_json(e)) == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
	stir_req_reply(req);
}

void
op_cache_prefetch(struct stir_req *req)
{
	enum stir_cc_kind kind = STIR_CC_CHAIN;
	const char *u, *k;
	char q[200];
	int r;

	if (!cache_begin(req))
		return;
	u = stir_param_str(req->env->params, "url");
	if (!url_field_ok(req, u))
		return;
	k = stir_param_str(req->env->params, "kind");
	if (k != NULL && stir_cc_kind_parse(k, &kind) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL,
		    "field 'kind' must be chain, crl, tnlist, image, jcard or other");
		return;
	}
	snprintf(req->audit_subject, sizeof(req->audit_subject), "cache %s",
	    stir_log_quote(u, strlen(u), q, sizeof(q)));
	/* the reply comes from prefetch_done, after the fetch */
	r = stir_certcache_refresh(req->conn->srv->certcache, u, kind, (int64_t)time(NULL),
	    prefetch_done, req);
	if (r != STIR_OK)
		stir_req_fail(req, r, "the fetch could not be started");
}
