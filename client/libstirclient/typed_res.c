/*
 * typed_res.c: replies decoded into the typed result structs of
 * stirclient.h, handed to the user's callback.  Strings point into the
 * reply's JSON (alive for the callback); arrays come from a per-reply
 * arena freed after it.  The daemon's result is trusted for shape but not
 * assumed complete: a member missing or of another type reads as NULL/0.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "stirclient.h"
#include "typed.h"

/* Allocations of one decoded reply. */
struct tctx {
	void	**p;
	size_t	  n, cap;
	int	  oom;
};

/* Own m (freed with the arena); false (and m freed) when out of memory. */
static int
t_track(struct tctx *t, void *m)
{
	if (t->n == t->cap) {
		size_t cap = t->cap > 0 ? t->cap * 2 : 8;
		void **np = realloc(t->p, cap * sizeof(*np));

		if (np == NULL) {
			t->oom = 1;
			free(m);
			return 0;
		}
		t->p = np;
		t->cap = cap;
	}
	t->p[t->n++] = m;
	return 1;
}

/* n zeroed elements (NULL for none, or when out of memory). */
static void *
t_alloc(struct tctx *t, size_t n, size_t size)
{
	void *m;

	if (t->oom || n == 0)
		return NULL;
	if ((m = calloc(n, size)) == NULL) {
		t->oom = 1;
		return NULL;
	}
	return t_track(t, m) ? m : NULL;
}

static void
t_free(struct tctx *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->p[i]);
	free(t->p);
}

/* After parsing: the JSON text, or the error the callback gets. */
static int
t_done(struct tctx *t, json_t *result, const char **ret_json, const char **ret_errmsg)
{
	char *s;

	if (!json_is_object(result)) {
		*ret_errmsg = "the reply's result is not an object";
		return STIR_EPROTO;
	}
	if (!t->oom && (s = stir_json_dump(result, JSON_COMPACT, 0, NULL)) != NULL &&
	    t_track(t, s)) {
		*ret_json = s;
		return STIR_OK;
	}
	*ret_errmsg = "out of memory decoding the reply";
	return STIR_ENOMEM;
}

static const char *
S(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int64_t
I(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static int
B(const json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

/* The strings of an array (others skipped); NULL and 0 if none. */
static const char **
strs(struct tctx *t, const json_t *arr, size_t *ret_n)
{
	const char **v;
	size_t i, n = 0;
	json_t *e;

	*ret_n = 0;
	if ((v = t_alloc(t, json_array_size(arr), sizeof(*v))) == NULL)
		return NULL;
	json_array_foreach(arr, i, e)
		if (json_is_string(e))
			v[n++] = json_string_value(e);
	*ret_n = n;
	return v;
}

/* A {"tn":...} or {"uri":...} identity. */
static void
tn_or_uri(const json_t *o, const char **ret_tn, const char **ret_uri)
{
	*ret_tn = S(o, "tn");
	*ret_uri = S(o, "uri");
}

STIR__TRAMPOLINE(json)
{
	stir_async_cb cb = (stir_async_cb)fn;
	char *text = NULL;

	if (err == STIR_OK && !json_is_object(result)) {
		err = STIR_EPROTO;
		errmsg = "the reply's result is not an object";
	} else if (err == STIR_OK &&
	    (text = stir_json_dump(result, JSON_COMPACT, 0, NULL)) == NULL) {
		err = STIR_ENOMEM;
		errmsg = "out of memory decoding the reply";
	}
	cb(arg, err, errmsg, text);
	free(text);
}

/* ---- sign ---- */

STIR__TRAMPOLINE(sign)
{
	stir_async_sign_cb cb = (stir_async_sign_cb)fn;
	struct stir_sign_result r;
	struct tctx t = { 0 };
	json_t *hdr, *pl;

	memset(&r, 0, sizeof(r));
	if (err == STIR_OK) {
		hdr = json_object_get(result, "header");
		pl = json_object_get(result, "payload");
		r.identity = S(result, "identity");
		r.identities = strs(&t, json_object_get(result, "identities"), &r.nidentities);
		if (r.nidentities == 0 && r.identity != NULL) {
			/* older daemons: the one value */
			r.identities = &r.identity;
			r.nidentities = 1;
		}
		r.cred = S(result, "cred");
		r.policy = S(result, "policy");
		r.ppt = S(hdr, "ppt");
		r.x5u = S(hdr, "x5u");
		r.iat = I(pl, "iat");
		r.origid = S(pl, "origid");
		if ((err = t_done(&t, result, &r.json, &errmsg)) == STIR_OK &&
		    r.identity == NULL) {
			err = STIR_EPROTO;
			errmsg = "the sign result has no identity";
		}
	}
	cb(arg, err, errmsg, err == STIR_OK ? &r : NULL);
	t_free(&t);
}

/* ---- verify ---- */

static void
parse_rcd(struct tctx *t, const json_t *o, struct stir_verify_rcd *r)
{
	if (!json_is_object(o))
		return;
	r->verified = B(o, "verified");
	r->why_not = S(o, "why_not");
	/* each part is there when it is verified, whether or not all are */
	r->display_name = S(o, "display_name");
	r->nam = S(o, "nam");
	r->apn = S(o, "apn");
	r->crn = S(o, "crn");
	r->icon = S(o, "icon");
	r->call_info = strs(t, json_object_get(o, "call_info"), &r->ncall_info);
	r->integrity = B(o, "integrity");
	r->nam_match = S(o, "nam_match");
	r->iss = S(o, "iss");
}

static void
parse_dests(struct tctx *t, const json_t *d, struct stir_verify_identity *id)
{
	json_t *tns = json_object_get(d, "tn"), *uris = json_object_get(d, "uri");
	size_t i, n = 0;
	json_t *e;

	if (json_is_string(tns) || json_is_string(uris)) {	/* a single one */
		if ((id->dest = t_alloc(t, 1, sizeof(*id->dest))) != NULL) {
			id->dest[0] = json_is_string(tns) ? json_string_value(tns) :
			    json_string_value(uris);
			id->ndest = 1;
		}
		return;
	}
	if ((id->dest = t_alloc(t, json_array_size(tns) + json_array_size(uris),
	    sizeof(*id->dest))) == NULL)
		return;
	json_array_foreach(tns, i, e)
		if (json_is_string(e))
			id->dest[n++] = json_string_value(e);
	json_array_foreach(uris, i, e)
		if (json_is_string(e))
			id->dest[n++] = json_string_value(e);
	id->ndest = n;
}

static void
parse_identity(struct tctx *t, const json_t *o, struct stir_verify_identity *id)
{
	json_t *e = json_object_get(o, "error"), *c = json_object_get(o, "cert");
	json_t *nested = json_object_get(o, "nested_in");

	id->ppt = S(o, "ppt");
	id->valid = B(o, "valid");
	id->ignored = B(o, "ignored");
	id->attest = S(o, "attest");
	id->origid = S(o, "origid");
	tn_or_uri(json_object_get(o, "orig"), &id->orig_tn, &id->orig_uri);
	parse_dests(t, json_object_get(o, "dest"), id);
	id->iat = I(o, "iat");
	id->x5u = S(o, "x5u");
	id->replay = B(o, "replay");
	id->code = (int)I(e, "code");
	id->reason_phrase = S(e, "reason");
	id->detail = S(e, "detail");
	id->reason = S(o, "reason");
	id->cert_subject = S(c, "subject");
	id->cert_sha256 = S(c, "sha256");
	tn_or_uri(json_object_get(o, "div"), &id->div_tn, &id->div_uri);
	id->nested_in = json_is_integer(nested) ? (long)json_integer_value(nested) : -1;
	parse_rcd(t, json_object_get(o, "rcd"), &id->rcd);
}

/* The caller's identity: the first valid shaken, else valid, else any. */
static const struct stir_verify_identity *
caller_of(const struct stir_verify_result *r)
{
	const struct stir_verify_identity *v = NULL;

	for (size_t i = 0; i < r->nidentities; i++) {
		const struct stir_verify_identity *id = &r->identities[i];

		if (!id->valid || id->nested_in >= 0)
			continue;
		if (id->ppt != NULL && strcmp(id->ppt, "shaken") == 0)
			return id;
		if (v == NULL)
			v = id;
	}
	if (v == NULL && r->nidentities > 0)
		v = &r->identities[0];
	return v;
}

STIR__TRAMPOLINE(verify)
{
	stir_async_verify_cb cb = (stir_async_verify_cb)fn;
	struct stir_verify_result r;
	struct stir_verify_identity *ids;
	const struct stir_verify_identity *caller;
	struct tctx t = { 0 };
	json_t *e, *act, *arr, *v;
	size_t i;

	memset(&r, 0, sizeof(r));
	if (err == STIR_OK) {
		e = json_object_get(result, "error");
		act = json_object_get(result, "action");
		r.verstat = S(result, "verstat");
		r.mode = S(result, "mode");
		r.code = (int)I(e, "code");
		r.reason_phrase = S(e, "reason");
		r.detail = S(e, "detail");
		r.reason = strs(&t, json_object_get(result, "reason"), &r.nreason);
		r.action = S(act, "do");
		r.action_code = (int)I(act, "code");
		r.action_reason_phrase = S(act, "reason_phrase");
		r.action_reason = strs(&t, json_object_get(act, "reason"), &r.naction_reason);
		parse_rcd(&t, json_object_get(result, "rcd"), &r.rcd);
		if (json_is_object(v = json_object_get(result, "diversion")))
			r.diversion = B(v, "verified") ? 1 : -1;
		if (json_is_object(v = json_object_get(result, "connected"))) {
			json_t *num = json_object_get(v, "number");

			r.connected = B(v, "verified") ? 1 : -1;
			r.connected_number = json_is_string(num) ? json_string_value(num) :
			    S(num, "tn") != NULL ? S(num, "tn") : S(num, "uri");
			r.connected_cert_sha256 = S(v, "cert_sha256");
		}
		arr = json_object_get(result, "identities");
		if ((ids = t_alloc(&t, json_array_size(arr), sizeof(*ids))) != NULL) {
			json_array_foreach(arr, i, v)
				parse_identity(&t, v, &ids[i]);
			r.identities = ids;
			r.nidentities = json_array_size(arr);
		}
		if ((caller = caller_of(&r)) != NULL) {
			r.orig_tn = caller->orig_tn;
			r.orig_uri = caller->orig_uri;
			r.attest = caller->attest;
		}
		if ((err = t_done(&t, result, &r.json, &errmsg)) == STIR_OK &&
		    r.verstat == NULL) {
			err = STIR_EPROTO;
			errmsg = "the verify result has no verstat";
		}
	}
	cb(arg, err, errmsg, err == STIR_OK ? &r : NULL);
	t_free(&t);
}

/* ---- status, stats ---- */

STIR__TRAMPOLINE(status)
{
	stir_async_status_cb cb = (stir_async_status_cb)fn;
	struct stir_status_result r;
	struct stir_status_cred *cr;
	struct tctx t = { 0 };
	json_t *o, *arr, *v;
	size_t i;

	memset(&r, 0, sizeof(r));
	if (err == STIR_OK) {
		r.version = S(result, "version");
		r.pid = I(result, "pid");
		r.uptime = I(result, "uptime");
		r.schema_version = I(result, "schema_version");
		r.connections = I(result, "connections");
		o = json_object_get(result, "store");
		r.store.credentials = I(o, "credentials");
		r.store.trust_anchors = I(o, "trust_anchors");
		r.store.cached_certs = I(o, "cached_certs");
		r.store.rcd_policies = I(o, "rcd_policies");
		r.store.keys = I(o, "keys");
		o = json_object_get(result, "stats");
		r.stats.requests = I(o, "requests");
		r.stats.errors = I(o, "errors");
		r.stats.signs = I(o, "signs");
		r.stats.sign_errors = I(o, "sign_errors");
		r.stats.connections = I(o, "connections");
		if (json_is_object(o = json_object_get(result, "fetch"))) {
			r.has_fetch = 1;
			r.fetch.active = I(o, "active");
			r.fetch.queued = I(o, "queued");
			r.fetch.hosts = I(o, "hosts");
			r.fetch.expired = I(o, "expired");
			r.fetch.refused = I(o, "refused");
		}
		arr = json_object_get(result, "credentials");
		if ((cr = t_alloc(&t, json_array_size(arr), sizeof(*cr))) != NULL) {
			json_array_foreach(arr, i, v) {
				cr[i].name = S(v, "name");
				cr[i].not_after = I(v, "not_after");
				cr[i].days_left = I(v, "days_left");
				cr[i].state = S(v, "state");
			}
			r.credentials = cr;
			r.ncredentials = json_array_size(arr);
		}
		r.warnings = strs(&t, json_object_get(result, "warnings"), &r.nwarnings);
		err = t_done(&t, result, &r.json, &errmsg);
	}
	cb(arg, err, errmsg, err == STIR_OK ? &r : NULL);
	t_free(&t);
}

static void
parse_sample(struct tctx *t, const json_t *o, struct stir_metric_sample *s)
{
	json_t *labels = json_object_get(o, "labels"), *arr, *v;
	struct stir_metric_bucket *b;
	const char *k;
	size_t n, i;

	n = json_object_size(labels);
	if ((s->label_names = t_alloc(t, n, sizeof(*s->label_names))) != NULL &&
	    (s->label_values = t_alloc(t, n, sizeof(*s->label_values))) != NULL) {
		json_object_foreach(labels, k, v)
			if (json_is_string(v)) {
				s->label_names[s->nlabels] = k;
				s->label_values[s->nlabels++] = json_string_value(v);
			}
	}
	s->value = json_number_value(json_object_get(o, "value"));
	arr = json_object_get(o, "buckets");
	if ((b = t_alloc(t, json_array_size(arr), sizeof(*b))) != NULL) {
		json_array_foreach(arr, i, v) {
			b[i].le = json_number_value(json_object_get(v, "le"));
			b[i].count = (uint64_t)I(v, "count");
		}
		s->buckets = b;
		s->nbuckets = json_array_size(arr);
	}
	s->count = (uint64_t)I(o, "count");
	s->sum = json_number_value(json_object_get(o, "sum"));
}

STIR__TRAMPOLINE(stats)
{
	stir_async_stats_cb cb = (stir_async_stats_cb)fn;
	struct stir_stats_result r;
	struct stir_metric_family *f;
	struct stir_metric_sample *sm;
	struct tctx t = { 0 };
	json_t *arr, *v, *sarr, *sv;
	size_t i, j;

	memset(&r, 0, sizeof(r));
	if (err == STIR_OK) {
		r.uptime = I(result, "uptime");
		arr = json_object_get(result, "metrics");
		if ((f = t_alloc(&t, json_array_size(arr), sizeof(*f))) != NULL) {
			json_array_foreach(arr, i, v) {
				f[i].name = S(v, "name");
				f[i].type = S(v, "type");
				f[i].help = S(v, "help");
				sarr = json_object_get(v, "samples");
				if ((sm = t_alloc(&t, json_array_size(sarr), sizeof(*sm))) == NULL)
					continue;
				json_array_foreach(sarr, j, sv)
					parse_sample(&t, sv, &sm[j]);
				f[i].samples = sm;
				f[i].nsamples = json_array_size(sarr);
			}
			r.families = f;
			r.nfamilies = json_array_size(arr);
		}
		err = t_done(&t, result, &r.json, &errmsg);
	}
	cb(arg, err, errmsg, err == STIR_OK ? &r : NULL);
	t_free(&t);
}

/* ---- the list ops ---- */

/*
 * A list result: allocate the element array for result[member] and fill
 * each element with parse; RT is the result struct, ET the element type.
 */
#define LIST_TRAMPOLINE(name, RT, ET, member, items, nitems, parse)	\
STIR__TRAMPOLINE(name)							\
{									\
	stir_async_##name##_cb cb = (stir_async_##name##_cb)fn;		\
	RT r;								\
	ET *el;								\
	struct tctx t = { 0 };						\
	json_t *arr, *v;						\
	size_t i;							\
									\
	memset(&r, 0, sizeof(r));					\
	if (err == STIR_OK) {						\
		arr = json_object_get(result, member);			\
		if ((el = t_alloc(&t, json_array_size(arr), sizeof(*el))) != NULL) { \
			json_array_foreach(arr, i, v)			\
				parse(&t, v, &el[i]);			\
			r.items = el;					\
			r.nitems = json_array_size(arr);		\
		}							\
		err = t_done(&t, result, &r.json, &errmsg);		\
	}								\
	cb(arg, err, errmsg, err == STIR_OK ? &r : NULL);		\
	t_free(&t);							\
}

static void
parse_key(struct tctx *t, const json_t *o, struct stir_key_entry *k)
{
	(void)t;
	k->name = S(o, "name");
	k->type = S(o, "type");
	k->spki_sha256 = S(o, "spki_sha256");
}

static void
parse_cred(struct tctx *t, const json_t *o, struct stir_cred_info *c)
{
	c->name = S(o, "name");
	c->key = S(o, "key");
	c->x5u = S(o, "x5u");
	c->subject = S(o, "subject");
	c->not_after = I(o, "not_after");
	c->created = I(o, "created");
	c->tns = strs(t, json_object_get(o, "tns"), &c->ntns);
	c->spc = S(o, "spc");
	c->loaded = B(o, "loaded");
}

static void
parse_anchor(struct tctx *t, const json_t *o, struct stir_trust_anchor *a)
{
	(void)t;
	a->id = I(o, "id");
	a->subject = S(o, "subject");
	a->sha256 = S(o, "sha256");
	a->not_after = I(o, "not_after");
	a->rcd = B(o, "rcd");
	a->added = I(o, "added");
}

static void
parse_audit(struct tctx *t, const json_t *o, struct stir_audit_entry *e)
{
	(void)t;
	e->id = I(o, "id");
	e->ts = I(o, "ts");
	e->uid = I(o, "uid");
	e->pid = I(o, "pid");
	e->op = S(o, "op");
	e->subject = S(o, "subject");
	e->result = S(o, "result");
}

static void
parse_cache(struct tctx *t, const json_t *o, struct stir_cache_entry *e)
{
	(void)t;
	e->url = S(o, "url");
	e->status = S(o, "status");
	e->kind = S(o, "kind");
	e->bytes = I(o, "bytes");
	e->fetched_at = I(o, "fetched_at");
	e->expires = I(o, "expires");
	e->last_used = I(o, "last_used");
	e->detail = S(o, "detail");
}

static void
parse_policy(struct tctx *t, const json_t *o, struct stir_policy_info *p)
{
	p->name = S(o, "name");
	p->description = S(o, "description");
	p->attach = S(o, "attach");
	p->caller_values = B(o, "caller_values");
	p->reasons = strs(t, json_object_get(o, "reasons"), &p->nreasons);
	p->created = I(o, "created");
	p->updated = I(o, "updated");
	p->content_expires = I(o, "content_expires");
}

LIST_TRAMPOLINE(key_list, struct stir_key_list_result, struct stir_key_entry,
    "keys", keys, nkeys, parse_key)
LIST_TRAMPOLINE(cred_list, struct stir_cred_list_result, struct stir_cred_info,
    "credentials", credentials, ncredentials, parse_cred)
LIST_TRAMPOLINE(trust_list, struct stir_trust_list_result, struct stir_trust_anchor,
    "anchors", anchors, nanchors, parse_anchor)
LIST_TRAMPOLINE(audit_list, struct stir_audit_list_result, struct stir_audit_entry,
    "entries", entries, nentries, parse_audit)
LIST_TRAMPOLINE(cache_list, struct stir_cache_list_result, struct stir_cache_entry,
    "entries", entries, nentries, parse_cache)
LIST_TRAMPOLINE(policy_list, struct stir_policy_list_result, struct stir_policy_info,
    "policies", policies, npolicies, parse_policy)
