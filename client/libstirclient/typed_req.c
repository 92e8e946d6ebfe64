/*
 * typed_req.c: one function per op of doc/protocol.md section 4: the op's
 * fields built with Jansson from a request struct, queued on the
 * non-blocking handle with the trampoline that decodes its result
 * (typed_res.c).  Fields are checked against the op's schema when they
 * are queued (async.c), which says what is wrong through the callback as
 * stird would; only what cannot be sent at all (a NULL where a value is
 * needed, text that is not UTF-8) is refused here with STIR_EINVAL.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"
#include "stirclient.h"
#include "typed.h"

/* A body larger than this cannot fit a request line once in base64. */
#define TYPED_BODY_MAX	(12 * 1024 * 1024)

/* A params object under construction; the first failure sticks. */
struct pb {
	json_t	*o;
	int	 err;
};

static void
pb_init(struct pb *b)
{
	b->err = (b->o = json_object()) == NULL ? STIR_ENOMEM : STIR_OK;
}

static void
pb_set(struct pb *b, const char *k, json_t *v, int err_if_null)
{
	if (b->err != STIR_OK) {
		json_decref(v);
		return;
	}
	if (v == NULL)
		b->err = err_if_null;
	else if (json_object_set_new(b->o, k, v) != 0)
		b->err = STIR_ENOMEM;
}

/* A string member, if v is not NULL (json_string refuses bad UTF-8). */
static void
pb_str(struct pb *b, const char *k, const char *v)
{
	if (v != NULL)
		pb_set(b, k, json_string(v), STIR_EINVAL);
}

static void
pb_int(struct pb *b, const char *k, int64_t v)
{
	pb_set(b, k, json_integer((json_int_t)v), STIR_ENOMEM);
}

static void
pb_strs(struct pb *b, const char *k, const char **v, size_t n)
{
	json_t *arr;

	if (n > 0 && v == NULL) {
		if (b->err == STIR_OK)
			b->err = STIR_EINVAL;
		return;
	}
	if ((arr = json_array()) != NULL)
		for (size_t i = 0; i < n; i++) {
			json_t *s;

			if (v[i] == NULL || (s = json_string(v[i])) == NULL) {
				json_decref(arr);
				if (b->err == STIR_OK)
					b->err = STIR_EINVAL;
				return;
			}
			if (json_array_append_new(arr, s) != 0) {
				json_decref(arr);
				arr = NULL;
				break;
			}
		}
	pb_set(b, k, arr, STIR_ENOMEM);
}

/* "body": b64 as given, or the bytes in standard base64. */
static void
pb_body(struct pb *b, const void *body, size_t len, const char *b64)
{
	char *s;
	size_t n;

	if (b64 != NULL) {
		pb_str(b, "body", b64);
		return;
	}
	if (body == NULL)
		return;
	if (len > TYPED_BODY_MAX) {
		if (b->err == STIR_OK)
			b->err = STIR_ETOOBIG;
		return;
	}
	n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	if ((s = malloc(n)) == NULL) {
		pb_set(b, "body", NULL, STIR_ENOMEM);
		return;
	}
	(void)sodium_bin2base64(s, n, body, len, sodium_base64_VARIANT_ORIGINAL);
	pb_set(b, "body", json_string(s), STIR_ENOMEM);
	free(s);
}

/* rcd: true, or an object of the values asked for. */
static void
pb_rcd(struct pb *b, int rcd, const char *nam, const char *apn, const char *icn,
    const char *jcl)
{
	struct pb o;

	if (rcd == STIR_SIGN_RCD_NONE)
		return;
	if (rcd == STIR_SIGN_RCD_POLICY) {
		pb_set(b, "rcd", json_true(), STIR_ENOMEM);
		return;
	}
	if (rcd != STIR_SIGN_RCD_VALUES) {
		if (b->err == STIR_OK)
			b->err = STIR_EINVAL;
		return;
	}
	pb_init(&o);
	pb_str(&o, "nam", nam);
	pb_str(&o, "apn", apn);
	pb_str(&o, "icn", icn);
	pb_str(&o, "jcl", jcl);
	if (o.err != STIR_OK) {
		json_decref(o.o);
		if (b->err == STIR_OK)
			b->err = o.err;
		return;
	}
	pb_set(b, "rcd", o.o, STIR_ENOMEM);
}

/* Queue op with b's params (consumed) and the trampoline. */
static long long
pb_queue(struct stir_async *a, const char *op, struct pb *b, int deadline_ms,
    stir__async_jcb jcb, stir__async_fn fn, void *arg)
{
	long long r = b->err;

	if (fn == NULL)
		r = STIR_EINVAL;
	else if (r == STIR_OK)
		r = stir__async_queue(a, op, b->o, deadline_ms, NULL, jcb, fn, arg);
	json_decref(b->o);
	return r;
}

/* An op without fields. */
static long long
no_fields(struct stir_async *a, const char *op, int deadline_ms, stir__async_jcb jcb,
    stir__async_fn fn, void *arg)
{
	struct pb b;

	pb_init(&b);
	return pb_queue(a, op, &b, deadline_ms, jcb, fn, arg);
}

/* An op whose one field is the string v (required unless opt). */
static long long
one_str(struct stir_async *a, const char *op, const char *k, const char *v, int opt,
    int deadline_ms, stir_async_json_cb cb, void *arg)
{
	struct pb b;

	pb_init(&b);
	if (v == NULL && !opt && b.err == STIR_OK)
		b.err = STIR_EINVAL;
	pb_str(&b, k, v);
	return pb_queue(a, op, &b, deadline_ms, stir__json_done, (stir__async_fn)cb, arg);
}

long long
stir_async_sign(struct stir_async *a, const struct stir_sign_params *p, int deadline_ms,
    stir_async_sign_cb cb, void *arg)
{
	struct pb b;

	if (p == NULL)
		return STIR_EINVAL;
	pb_init(&b);
	pb_str(&b, "ppt", p->ppt);
	pb_str(&b, "orig", p->orig);
	if (p->ndest > 0)
		pb_strs(&b, "dest", p->dest, p->ndest);
	pb_str(&b, "attest", p->attest);
	pb_str(&b, "origid", p->origid);
	if (p->iat != 0)
		pb_int(&b, "iat", p->iat);
	pb_str(&b, "cred", p->cred);
	pb_rcd(&b, p->rcd, p->rcd_nam, p->rcd_apn, p->rcd_icn, p->rcd_jcl);
	pb_str(&b, "crn", p->crn);
	pb_str(&b, "original", p->original);
	pb_str(&b, "div", p->div);
	pb_body(&b, p->body, p->body_len, p->body_b64);
	pb_str(&b, "content_type", p->content_type);
	return pb_queue(a, "sign", &b, deadline_ms, stir__sign_done, (stir__async_fn)cb, arg);
}

long long
stir_async_verify(struct stir_async *a, const struct stir_verify_params *p,
    int deadline_ms, stir_async_verify_cb cb, void *arg)
{
	struct pb b;

	if (p == NULL || p->from == NULL || p->to == NULL)
		return STIR_EINVAL;
	pb_init(&b);
	pb_strs(&b, "identity", p->identity, p->nidentity);
	pb_str(&b, "from", p->from);
	pb_str(&b, "to", p->to);
	pb_str(&b, "pai", p->pai);
	pb_str(&b, "date", p->date);
	if (p->at != 0)
		pb_int(&b, "at", p->at);
	pb_str(&b, "mode", p->mode);
	pb_str(&b, "request_uri", p->request_uri);
	pb_str(&b, "history_info", p->history_info);
	pb_str(&b, "diversion", p->diversion);
	pb_body(&b, p->body, p->body_len, p->body_b64);
	pb_str(&b, "content_type", p->content_type);
	pb_str(&b, "expect_cert", p->expect_cert);
	pb_str(&b, "connected_dest", p->connected_dest);
	pb_str(&b, "call_info", p->call_info);
	return pb_queue(a, "verify", &b, deadline_ms, stir__verify_done,
	    (stir__async_fn)cb, arg);
}

long long
stir_async_hello(struct stir_async *a, int deadline_ms, stir_async_json_cb cb, void *arg)
{
	return no_fields(a, "hello", deadline_ms, stir__json_done, (stir__async_fn)cb, arg);
}

long long
stir_async_ping(struct stir_async *a, int deadline_ms, stir_async_json_cb cb, void *arg)
{
	return no_fields(a, "ping", deadline_ms, stir__json_done, (stir__async_fn)cb, arg);
}

long long
stir_async_reload(struct stir_async *a, int deadline_ms, stir_async_json_cb cb, void *arg)
{
	return no_fields(a, "reload", deadline_ms, stir__json_done, (stir__async_fn)cb, arg);
}

long long
stir_async_status(struct stir_async *a, int deadline_ms, stir_async_status_cb cb, void *arg)
{
	return no_fields(a, "status", deadline_ms, stir__status_done, (stir__async_fn)cb, arg);
}

long long
stir_async_stats(struct stir_async *a, int deadline_ms, stir_async_stats_cb cb, void *arg)
{
	return no_fields(a, "stats", deadline_ms, stir__stats_done, (stir__async_fn)cb, arg);
}

/* ---- key.* ---- */

long long
stir_async_key_list(struct stir_async *a, int deadline_ms, stir_async_key_list_cb cb,
    void *arg)
{
	return no_fields(a, "key.list", deadline_ms, stir__key_list_done,
	    (stir__async_fn)cb, arg);
}

long long
stir_async_key_generate(struct stir_async *a, const char *name, int deadline_ms,
    stir_async_json_cb cb, void *arg)
{
	return one_str(a, "key.generate", "name", name, 0, deadline_ms, cb, arg);
}

long long
stir_async_key_import(struct stir_async *a, const char *name, const char *pem,
    int deadline_ms, stir_async_json_cb cb, void *arg)
{
	struct pb b;

	pb_init(&b);
	if ((name == NULL || pem == NULL) && b.err == STIR_OK)
		b.err = STIR_EINVAL;
	pb_str(&b, "name", name);
	pb_str(&b, "pem", pem);
	return pb_queue(a, "key.import", &b, deadline_ms, stir__json_done,
	    (stir__async_fn)cb, arg);
}

long long
stir_async_key_remove(struct stir_async *a, const char *name, int deadline_ms,
    stir_async_json_cb cb, void *arg)
{
	return one_str(a, "key.remove", "name", name, 0, deadline_ms, cb, arg);
}

/* ---- cred.* ---- */

long long
stir_async_cred_add(struct stir_async *a, const struct stir_cred_add_params *p,
    int deadline_ms, stir_async_json_cb cb, void *arg)
{
	struct pb b;

	if (p == NULL)
		return STIR_EINVAL;
	pb_init(&b);
	pb_str(&b, "name", p->name);
	pb_str(&b, "key", p->key);
	pb_str(&b, "pkcs11", p->pkcs11);
	pb_str(&b, "chain", p->chain);
	pb_str(&b, "x5u", p->x5u);
	if (p->ntns > 0)
		pb_strs(&b, "tns", p->tns, p->ntns);
	pb_str(&b, "spc", p->spc);
	return pb_queue(a, "cred.add", &b, deadline_ms, stir__json_done,
	    (stir__async_fn)cb, arg);
}

long long
stir_async_cred_list(struct stir_async *a, int deadline_ms, stir_async_cred_list_cb cb,
    void *arg)
{
	return no_fields(a, "cred.list", deadline_ms, stir__cred_list_done,
	    (stir__async_fn)cb, arg);
}

long long
stir_async_cred_remove(struct stir_async *a, const char *name, int deadline_ms,
    stir_async_json_cb cb, void *arg)
{
	return one_str(a, "cred.remove", "name", name, 0, deadline_ms, cb, arg);
}

/* ---- trust.* ---- */

long long
stir_async_trust_add(struct stir_async *a, const char *pem, int rcd, int deadline_ms,
    stir_async_json_cb cb, void *arg)
{
	struct pb b;

	pb_init(&b);
	if (pem == NULL && b.err == STIR_OK)
		b.err = STIR_EINVAL;
	pb_str(&b, "pem", pem);
	if (rcd)
		pb_set(&b, "rcd", json_true(), STIR_ENOMEM);
	return pb_queue(a, "trust.add", &b, deadline_ms, stir__json_done,
	    (stir__async_fn)cb, arg);
}

long long
stir_async_trust_list(struct stir_async *a, int deadline_ms, stir_async_trust_list_cb cb,
    void *arg)
{
	return no_fields(a, "trust.list", deadline_ms, stir__trust_list_done,
	    (stir__async_fn)cb, arg);
}

long long
stir_async_trust_remove(struct stir_async *a, int64_t anchor, int deadline_ms,
    stir_async_json_cb cb, void *arg)
{
	struct pb b;

	pb_init(&b);
	pb_int(&b, "anchor", anchor);
	return pb_queue(a, "trust.remove", &b, deadline_ms, stir__json_done,
	    (stir__async_fn)cb, arg);
}

/* ---- audit.list, cache.* ---- */

long long
stir_async_audit_list(struct stir_async *a, int limit, int deadline_ms,
    stir_async_audit_list_cb cb, void *arg)
{
	struct pb b;

	pb_init(&b);
	if (limit != 0)
		pb_int(&b, "limit", limit);
	return pb_queue(a, "audit.list", &b, deadline_ms, stir__audit_list_done,
	    (stir__async_fn)cb, arg);
}

long long
stir_async_cache_list(struct stir_async *a, int limit, int deadline_ms,
    stir_async_cache_list_cb cb, void *arg)
{
	struct pb b;

	pb_init(&b);
	if (limit != 0)
		pb_int(&b, "limit", limit);
	return pb_queue(a, "cache.list", &b, deadline_ms, stir__cache_list_done,
	    (stir__async_fn)cb, arg);
}

long long
stir_async_cache_show(struct stir_async *a, const char *url, int deadline_ms,
    stir_async_json_cb cb, void *arg)
{
	return one_str(a, "cache.show", "url", url, 0, deadline_ms, cb, arg);
}

long long
stir_async_cache_purge(struct stir_async *a, const char *url, int deadline_ms,
    stir_async_json_cb cb, void *arg)
{
	return one_str(a, "cache.purge", "url", url, 1, deadline_ms, cb, arg);
}

long long
stir_async_cache_prefetch(struct stir_async *a, const char *url, const char *kind,
    int deadline_ms, stir_async_json_cb cb, void *arg)
{
	struct pb b;

	pb_init(&b);
	if (url == NULL && b.err == STIR_OK)
		b.err = STIR_EINVAL;
	pb_str(&b, "url", url);
	pb_str(&b, "kind", kind);
	return pb_queue(a, "cache.prefetch", &b, deadline_ms, stir__json_done,
	    (stir__async_fn)cb, arg);
}

/* ---- policy.* ---- */

/* {"policy": <document>, ...}: the document must be a JSON object. */
static void
pb_policy(struct pb *b, const char *policy_json)
{
	json_t *doc = NULL;

	if (policy_json == NULL ||
	    (doc = json_loads(policy_json, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(doc)) {
		if (policy_json != NULL)
			json_decref(doc);
		if (b->err == STIR_OK)
			b->err = STIR_EINVAL;
		return;
	}
	pb_set(b, "policy", doc, STIR_ENOMEM);
}

long long
stir_async_policy_add(struct stir_async *a, const char *policy_json, int replace,
    int deadline_ms, stir_async_json_cb cb, void *arg)
{
	struct pb b;

	pb_init(&b);
	pb_policy(&b, policy_json);
	if (replace)
		pb_set(&b, "replace", json_true(), STIR_ENOMEM);
	return pb_queue(a, "policy.add", &b, deadline_ms, stir__json_done,
	    (stir__async_fn)cb, arg);
}

long long
stir_async_policy_check(struct stir_async *a, const char *policy_json, int deadline_ms,
    stir_async_json_cb cb, void *arg)
{
	struct pb b;

	pb_init(&b);
	pb_policy(&b, policy_json);
	return pb_queue(a, "policy.check", &b, deadline_ms, stir__json_done,
	    (stir__async_fn)cb, arg);
}

long long
stir_async_policy_list(struct stir_async *a, int deadline_ms, stir_async_policy_list_cb cb,
    void *arg)
{
	return no_fields(a, "policy.list", deadline_ms, stir__policy_list_done,
	    (stir__async_fn)cb, arg);
}

long long
stir_async_policy_show(struct stir_async *a, const char *name, int deadline_ms,
    stir_async_json_cb cb, void *arg)
{
	return one_str(a, "policy.show", "name", name, 0, deadline_ms, cb, arg);
}

long long
stir_async_policy_remove(struct stir_async *a, const char *name, int deadline_ms,
    stir_async_json_cb cb, void *arg)
{
	return one_str(a, "policy.remove", "name", name, 0, deadline_ms, cb, arg);
}

long long
stir_async_policy_test(struct stir_async *a, const struct stir_policy_test_params *p,
    int deadline_ms, stir_async_json_cb cb, void *arg)
{
	struct pb b;

	if (p == NULL || p->orig == NULL)
		return STIR_EINVAL;
	pb_init(&b);
	pb_str(&b, "orig", p->orig);
	pb_str(&b, "cred", p->cred);
	pb_rcd(&b, p->rcd, p->rcd_nam, p->rcd_apn, p->rcd_icn, p->rcd_jcl);
	pb_str(&b, "crn", p->crn);
	pb_str(&b, "ppt", p->ppt);
	return pb_queue(a, "policy.test", &b, deadline_ms, stir__json_done,
	    (stir__async_fn)cb, arg);
}
