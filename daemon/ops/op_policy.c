/*
 * op_policy.c: policy.add, policy.check, policy.list, policy.show,
 * policy.remove and policy.test (admin socket), and the refresh of the
 * content policies reference.
 *
 * Adding a policy fetches every URL it references through the
 * certificate cache (the x5u fetcher, its limits and its cache), then the
 * URL values inside fetched jCards (one level, never further), judges
 * each (type, size), computes its rcdi digest, and only then stores the
 * policy with its content on the pool.  Policies live in memory with the
 * credentials (struct stir_creds), reloaded after every change.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stirclient.h"
#include "daemon/pki/certcache.h"
#include "daemon/pki/rcd_fetch.h"
#include "daemon/sign/creds.h"
#include "daemon/ops/ops.h"
#include "daemon/base/log.h"
#include "daemon/sign/policy.h"
#include "daemon/sign/policy_content.h"
#include "daemon/sign/rcd_sign.h"
#include "daemon/store/store.h"
#include "daemon/store/storeq.h"

#define POLICY_REFRESH_MIN_MS	5000	/* between two refresh rounds */

/* ---- fetching and judging content (add, check, refresh) ---- */

struct content_job;
typedef void (*content_done_fn)(struct content_job *j);

/* The content of one or more policies, fetched and judged. */
struct content_job {
	struct stir_server	*srv;
	json_t			*kinds;		/* url -> kind: everything asked for */
	json_t			*content;	/* url -> entry, for those judged good */
	json_t			*errors;	/* "url: why" */
	unsigned		 pending;	/* fetches outstanding */
	size_t			 max_urls;	/* URLs one job may fetch */
	unsigned		 icon_max, jcard_max;
	bool			 allow_http;
	content_done_fn		 done;
	void			*arg;
};

struct content_fetch {
	struct content_job	*job;
	char			*url;
	char			*kind;
};

static void content_start(struct content_job *j, const char *url, const char *kind);

static void
content_job_free(struct content_job *j)
{
	if (j == NULL)
		return;
	json_decref(j->kinds);
	json_decref(j->content);
	json_decref(j->errors);
	free(j);
}

static struct content_job *
content_job_new(struct stir_server *srv, content_done_fn done, void *arg)
{
	struct content_job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->srv = srv;
	j->kinds = json_object();
	j->content = json_object();
	j->errors = json_array();
	j->icon_max = srv->state->cfg->rcd_icon_max_bytes;
	j->jcard_max = srv->state->cfg->rcd_jcard_max_bytes;
	j->allow_http = srv->state->cfg->x5u_allow_http;
	j->done = done;
	j->arg = arg;
	j->max_urls = STIR_POLICY_URLS_MAX;
	if (j->kinds == NULL || j->content == NULL || j->errors == NULL) {
		content_job_free(j);
		return NULL;
	}
	return j;
}

static void
content_error(struct content_job *j, const char *url, const char *why)
{
	(void)json_array_append_new(j->errors, json_sprintf("%.300s: %s", url, why));
}

/*
 * Every fetch is asked for: done now if none was started.  Answers come
 * from the loop (certcache.h), never while content_start() runs.
 */
static void
content_started(struct content_job *j)
{
	if (j->pending == 0)
		j->done(j);
}

static void
on_content(void *arg, const struct stir_rcd_fetched *e)
{
	struct content_fetch *f = arg;
	struct content_job *j = f->job;
	json_t *entry = NULL, *u;
	char msg[256];
	size_t i;

	if (e->verdict == STIR_RCD_NOT_KIND)
		content_error(j, f->url, e->detail != NULL ? e->detail : stir_strerror(e->err));
	else if (e->verdict == STIR_RCD_FETCH_FAILED) {
		snprintf(msg, sizeof(msg), "could not be fetched: %s",
		    e->detail != NULL && *e->detail ? e->detail : stir_strerror(e->err));
		content_error(j, f->url, msg);
	} else if (stir_policy_content_entry(f->kind, e->body, e->len, j->icon_max,
	    j->jcard_max, j->allow_http, (int64_t)time(NULL), e->expires, &entry, msg,
	    sizeof(msg)) != STIR_OK)	/* its own words for a verdict, and the policy's rules */
		content_error(j, f->url, msg);
	else {
		(void)json_object_set_new(j->content, f->url, entry);
		/* URL values inside a jCard: one level, never further */
		json_array_foreach(json_object_get(entry, "urls"), i, u)
			content_start(j, json_string_value(json_object_get(u, "url")),
			    json_string_value(json_object_get(u, "kind")));
	}
	free(f->url);
	free(f->kind);
	free(f);
	if (--j->pending == 0)
		j->done(j);
}

static void
content_start(struct content_job *j, const char *url, const char *kind)
{
	struct content_fetch *f;

	if (json_object_get(j->kinds, url) != NULL) {	/* asked for already */
		const char *had = json_string_value(json_object_get(j->kinds, url));

		if (strcmp(had, kind) != 0 && strcmp(kind, "other") != 0)
			content_error(j, url, strcmp(had, "other") == 0 ?
			    "it is used both as an image and as other content; give each role its own URL" :
			    "it is used both as an icon and as a jCard; give each role its own URL");
		return;
	}
	if (json_object_size(j->kinds) >= j->max_urls) {
		char msg[128];

		snprintf(msg, sizeof(msg), "too many URLs (a policy references at most %d, jCard URLs included)",
		    STIR_POLICY_URLS_MAX);
		content_error(j, url, msg);
		return;
	}
	(void)json_object_set_new(j->kinds, url, json_string(kind));
	if ((f = calloc(1, sizeof(*f))) == NULL || (f->url = strdup(url)) == NULL ||
	    (f->kind = strdup(kind)) == NULL) {
		if (f != NULL)
			free(f->url);
		free(f);
		content_error(j, url, "out of memory");
		return;
	}
	f->job = j;
	j->pending++;
	if (stir_rcd_fetch(j->srv->certcache, url, strcmp(kind, "icon") == 0 ||
	    strcmp(kind, "image") == 0 ? STIR_CC_IMAGE : strcmp(kind, "jcard") == 0 ?
	    STIR_CC_JCARD : STIR_CC_OTHER, stir_policy_content_max(kind, j->icon_max,
	    j->jcard_max), (int64_t)time(NULL), 0, on_content, f) != STIR_OK) {
		j->pending--;
		content_error(j, url, "the fetch could not be started");
		free(f->url);
		free(f->kind);
		free(f);
	}
}

/* One policy's content for a caller outside this file (ops.h). */
struct content_call {
	stir_policy_content_fn	 done;
	void			*arg;
};

static void
content_call_done(struct content_job *j)
{
	struct content_call *cc = j->arg;

	cc->done(cc->arg, j->content, j->errors);
	free(cc);
	content_job_free(j);
}

int
stir_policy_content_fetch(struct stir_server *srv, const struct stir_policy *p,
    stir_policy_content_fn done, void *arg)
{
	struct content_call *cc = NULL;
	struct content_job *j = NULL;
	json_t *urls = NULL, *kind;
	const char *url;

	if ((cc = calloc(1, sizeof(*cc))) == NULL ||
	    (j = content_job_new(srv, content_call_done, cc)) == NULL ||
	    (urls = stir_policy_urls(p)) == NULL) {
		content_job_free(j);
		free(cc);
		return STIR_ENOMEM;
	}
	cc->done = done;
	cc->arg = arg;
	json_object_foreach(urls, url, kind)
		content_start(j, url, json_string_value(kind));
	json_decref(urls);
	content_started(j);
	return STIR_OK;
}

/* ---- add and check ---- */

struct pol_ctx {
	struct stir_policy	*policy;
	char			*doc;		/* compact text to store */
	json_t			*content;
	bool			 replace;
	bool			 store;		/* add, not check */
	struct stir_state_parts	 parts;		/* the reloaded policies */
	json_t			*out;
	char			 name[STIR_POLICY_NAME_MAX + 1];
};

static void
pol_ctx_free(void *p)
{
	struct pol_ctx *x = p;

	if (x == NULL)
		return;
	stir_policy_free(x->policy);
	free(x->doc);
	json_decref(x->content);
	stir_state_parts_clear(&x->parts);
	json_decref(x->out);
	free(x);
}

static struct pol_ctx *
pol_begin(struct stir_req *req)
{
	return stir_req_begin(req, sizeof(struct pol_ctx), pol_ctx_free);
}

/* Done on the loop: install the reloaded table, hand over the result. */
static void
pol_done(struct stir_req *req)
{
	struct pol_ctx *x = req->ctx;

	stir_op_install_done(req, &x->parts, &x->out);
}

static void
reload(struct stir_req *req)
{
	struct pol_ctx *x = req->ctx;
	char msg[256];

	if (stir_server_load(req->conn->srv, STIR_LOAD_CREDS, NULL, &x->parts, msg,
	    sizeof(msg)) != STIR_OK)
		log_err("credentials and RCD policies could not be reloaded after %s: %s",
		    req->op->schema->name, msg);
}

static json_t *
content_summary(const json_t *content)
{
	json_t *out = json_array(), *e;
	const char *url;

	json_object_foreach((json_t *)content, url, e)
		(void)json_array_append_new(out, json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:O}",
		    "url", url, "kind", json_object_get(e, "kind"), "type",
		    json_object_get(e, "type"), "size", json_object_get(e, "size"),
		    "digest", json_object_get(e, "digest"), "expires",
		    json_object_get(e, "expires"), "changed", json_object_get(e, "changed")));
	return out;
}

static void
add_work(struct stir_req *req)
{
	struct pol_ctx *x = req->ctx;
	struct stir_policy_row row;
	char *content;
	int r;

	snprintf(req->audit_subject, sizeof(req->audit_subject), "policy %s", x->name);
	if ((content = stir_json_dump(x->content, JSON_COMPACT, 0, NULL)) == NULL) {
		stir_req_set_error(req, STIR_ENOMEM, NULL);
		return;
	}
	memset(&row, 0, sizeof(row));
	row.name = x->name;
	row.doc = x->doc;
	row.cred = (char *)x->policy->cred;
	row.content = content;
	row.created = row.updated = (int64_t)time(NULL);
	r = stir_store_policy_put(req->conn->srv->store, &row, x->replace);
	free(content);
	if (r != STIR_OK) {
		stir_req_set_error(req, r, r == STIR_EEXIST ?
		    "an RCD policy named '%s' exists already (add it with 'replace' to change it)" :
		    r == STIR_EPOLICY ? "RCD policy '%s' names credential '%s', which does not exist" :
		    "cannot store RCD policy '%s'", x->name, x->policy->cred ? x->policy->cred : "");
		return;
	}
	req->commit_fn = reload;
	x->out = json_pack("{s:s, s:b, s:o}", "name", x->name, "replaced", x->replace,
	    "content", content_summary(x->content));
}

static void
content_ready(void *arg, json_t *content, json_t *errors)
{
	struct stir_req *req = arg;
	struct pol_ctx *x = req->ctx;

	if (json_array_size(errors) > 0) {
		json_t *e0 = json_array_get(errors, 0);

		stir_req_fail(req, STIR_EPOLICY, "RCD policy '%s': content refused: %s%s",
		    x->name, json_string_value(e0), json_array_size(errors) > 1 ?
		    " (and more: see 'stirctl policy check')" : "");
		return;
	}
	x->content = json_incref(content);
	if (x->store) {
		stir_req_queue(req, add_work, pol_done);
		return;
	}
	req->result = json_pack("{s:s, s:b, s:o}", "name", x->name, "valid", 1,
	    "content", content_summary(x->content));
	if (req->result == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
	stir_req_reply(req);
}

static void
add_or_check(struct stir_req *req, bool store)
{
	struct stir_server *srv = req->conn->srv;
	struct pol_ctx *x;
	const char *other;
	char msg[384];
	size_t i = 0;
	int r;

	if ((x = pol_begin(req)) == NULL)
		return;
	x->store = store;
	x->replace = json_is_true(json_object_get(req->env->params, "replace"));
	if ((x->doc = stir_json_dump(json_object_get(req->env->params, "policy"),
	    JSON_COMPACT, 0, NULL)) == NULL) {
		stir_req_fail(req, STIR_ENOMEM, NULL);
		return;
	}
	if ((r = stir_policy_parse(x->doc, strlen(x->doc), &x->policy, msg,
	    sizeof(msg))) != STIR_OK) {
		stir_req_fail(req, r, "field 'policy': %s", msg);
		return;
	}
	snprintf(x->name, sizeof(x->name), "%s", x->policy->name);
	snprintf(req->audit_subject, sizeof(req->audit_subject), "policy %s", x->name);
	if (!x->replace && store && stir_policies_find(req->state->creds->policies, x->name) != NULL) {
		stir_req_fail(req, STIR_EEXIST, "an RCD policy named '%s' exists already (add it with 'replace' to change it)",
		    x->name);
		return;
	}
	if (x->policy->cred != NULL && stir_creds_find(req->state->creds, x->policy->cred) == NULL) {
		stir_req_fail(req, STIR_EPOLICY, "RCD policy '%s' names credential '%s', which does not exist (see 'stirctl cred list')",
		    x->name, x->policy->cred);
		return;
	}
	if ((other = stir_policy_duplicate(req->state->creds->policies, x->policy, &i)) != NULL) {
		if (x->policy->nspecs > 0)
			stir_req_fail(req, STIR_EEXIST, "match.tns[%zu] is matched the same way by RCD policy '%s'; a call must have one policy",
			    i, other);
		else
			stir_req_fail(req, STIR_EEXIST, "RCD policy '%s' is bound to the same credential alone already",
			    other);
		return;
	}
	if (stir_policy_content_fetch(srv, x->policy, content_ready, req) != STIR_OK)
		stir_req_fail(req, STIR_ENOMEM, NULL);
}

void
op_policy_add(struct stir_req *req)
{
	add_or_check(req, true);
}

void
op_policy_check(struct stir_req *req)
{
	add_or_check(req, false);
}

/* ---- list, show, remove ---- */

static json_t *
policy_json(const struct stir_policy *p, bool full)
{
	json_t *o, *match = json_object_get(p->doc, "match");
	int64_t next = 0;
	const char *url;
	json_t *e;

	json_object_foreach(p->content, url, e) {
		int64_t t = json_integer_value(json_object_get(e, "expires"));

		if (next == 0 || t < next)
			next = t;
	}
	o = json_pack("{s:s, s:s?, s:O, s:O, s:s, s:b, s:O?, s:I, s:I, s:I}", "name", p->name,
	    "description", json_string_value(json_object_get(p->doc, "description")),
	    "match", match, "rcd", p->rcd, "attach",
	    p->attach == STIR_ATTACH_SEPARATE ? "separate" : "embedded",
	    "caller_values", p->caller_values, "reasons", p->reasons,
	    "created", (json_int_t)p->created, "updated", (json_int_t)p->updated,
	    "content_expires", (json_int_t)next);
	if (o != NULL && full) {
		(void)json_object_set(o, "document", p->doc);
		(void)json_object_set_new(o, "content", content_summary(p->content));
	}
	return o;
}

void
op_policy_list(struct stir_req *req)
{
	const struct stir_policies *ps = req->state->creds->policies;
	json_t *arr;

	if ((arr = json_array()) == NULL) {
		stir_req_fail(req, STIR_ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; ps != NULL && i < ps->n; i++)
		(void)json_array_append_new(arr, policy_json(&ps->v[i], false));
	req->result = json_pack("{s:o}", "policies", arr);
	stir_req_reply(req);
}

void
op_policy_show(struct stir_req *req)
{
	const struct stir_policy *p;

	if ((p = stir_policies_find(req->state->creds->policies,
	    stir_param_str(req->env->params, "name"))) == NULL) {
		stir_req_fail(req, STIR_ENOENT, "no RCD policy named '%s' (see 'stirctl policy list')",
		    stir_param_str(req->env->params, "name"));
		return;
	}
	if ((req->result = policy_json(p, true)) == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
	stir_req_reply(req);
}

static void
remove_work(struct stir_req *req)
{
	struct pol_ctx *x = req->ctx;
	int r;

	snprintf(req->audit_subject, sizeof(req->audit_subject), "policy %s", x->name);
	if ((r = stir_store_policy_remove(req->conn->srv->store, x->name)) != STIR_OK) {
		stir_req_set_error(req, r, r == STIR_ENOENT ? "no RCD policy named '%s'" :
		    "cannot remove RCD policy '%s'", x->name);
		return;
	}
	req->commit_fn = reload;
	x->out = json_pack("{s:s}", "removed", x->name);
}

void
op_policy_remove(struct stir_req *req)
{
	struct pol_ctx *x;

	if ((x = pol_begin(req)) == NULL)
		return;
	snprintf(x->name, sizeof(x->name), "%s", stir_param_str(req->env->params, "name"));
	snprintf(req->audit_subject, sizeof(req->audit_subject), "policy %s", x->name);
	stir_req_queue(req, remove_work, pol_done);
}

/* ---- test: what a call from orig would carry ---- */

void
op_policy_test(struct stir_req *req)
{
	json_t *p = req->env->params, *rcd = json_object_get(p, "rcd"), *payload;
	struct stir_sign_plan plan;
	struct stir_ident orig;
	const char *ppt = stir_param_str(p, "ppt");
	char msg[384], cmsg[384] = "";
	bool want_rcd = rcd == NULL || json_is_true(rcd) || json_is_object(rcd);
	int r;

	if (stir_ident_canon(stir_param_str(p, "orig"), &orig, msg, sizeof(msg)) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL, "field 'orig': %s", msg);
		return;
	}
	if (ppt != NULL && strcmp(ppt, "shaken") != 0 && strcmp(ppt, "rcd") != 0) {
		stir_req_fail(req, STIR_EINVAL, "field 'ppt' must be \"shaken\" or \"rcd\"");
		return;
	}
	if ((r = stir_sign_plan(req->state->creds, &orig, stir_param_str(p, "cred"),
	    want_rcd, json_is_object(rcd) ? rcd : NULL, stir_param_str(p, "crn"),
	    ppt != NULL && strcmp(ppt, "rcd") == 0, time(NULL), &plan, msg,
	    sizeof(msg))) != STIR_OK) {
		stir_req_fail(req, r, "%s", msg);
		return;
	}
	/* the constraints, over the claims with orig, iat and a dest (they vary
	 * per call: the dest is orig's own number here, which a mustInclude
	 * needs and no CA constrains in practice) */
	payload = json_deep_copy(plan.claims != NULL ? plan.claims : json_object());
	if (payload != NULL && orig.kind == STIR_IDENT_TN) {
		(void)json_object_set_new(payload, "orig", json_pack("{s:s}", "tn", orig.value));
		(void)json_object_set_new(payload, "dest", json_pack("{s:[s]}", "tn", orig.value));
	}
	if (payload != NULL)
		(void)json_object_set_new(payload, "iat", json_integer((json_int_t)time(NULL)));
	if (payload == NULL || stir_sign_constraints(plan.cred, payload, cmsg,
	    sizeof(cmsg)) == STIR_OK)
		snprintf(cmsg, sizeof(cmsg), "ok");
	json_decref(payload);
	req->result = json_pack("{s:s, s:s?, s:s, s:[s, s*], s:O?, s:s}", "cred", plan.cred->name,
	    "policy", plan.policy != NULL ? plan.policy->name : NULL, "attach",
	    plan.attach == STIR_ATTACH_SEPARATE ? "separate" : "embedded", "ppt", "shaken",
	    plan.claims != NULL && plan.attach == STIR_ATTACH_SEPARATE ? "rcd" : NULL,
	    "claims", plan.claims, "constraints", cmsg);
	stir_sign_plan_clear(&plan);
	if (req->result == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
	stir_req_reply(req);
}

/* ---- refresh: content whose cache lifetime ran out is fetched again ---- */

struct refresh {
	struct stir_server	*srv;
	json_t			*old;		/* name -> {"doc", "content", "urls"} as it was */
	json_t			*changes;	/* "policy: url changed" messages */
	json_t			*updates;	/* name -> {"doc", "content"} to store */
	struct stir_state_parts	 parts;		/* the reloaded policies */
	uv_work_t		 work;
};

static void
refresh_free(struct refresh *rf)
{
	json_decref(rf->old);
	json_decref(rf->changes);
	json_decref(rf->updates);
	stir_state_parts_clear(&rf->parts);
	rf->srv->policy_refreshing = false;
	free(rf);
}

/* Store thread: store the new content of policies not replaced meanwhile; reload. */
static void
refresh_work(uv_work_t *w)
{
	struct refresh *rf = w->data;
	const char *name;
	char msg[256];
	json_t *u;

	json_object_foreach(rf->updates, name, u) {
		char *text = stir_json_dump(json_object_get(u, "content"), JSON_COMPACT, 0, NULL);
		int r = text == NULL ? STIR_ENOMEM : stir_store_policy_set_content(rf->srv->store,
		    name, json_string_value(json_object_get(u, "doc")), text);

		if (r == STIR_ENOENT)
			log_debug("RCD policy '%s' changed during its content refresh; its new content stands",
			    name);
		else if (r != STIR_OK)
			log_err("RCD policy '%s': its refreshed content could not be stored", name);
		free(text);
	}
	if (stir_server_load(rf->srv, STIR_LOAD_CREDS, NULL, &rf->parts, msg, sizeof(msg)) != STIR_OK)
		log_err("credentials and RCD policies could not be reloaded after a content refresh: %s",
		    msg);
}

static void
refresh_after(uv_work_t *w, int status)
{
	struct refresh *rf = w->data;
	json_t *v;
	size_t i;

	(void)status;
	if (stir_server_install(rf->srv, &rf->parts) != STIR_OK)
		log_err("the reloaded RCD policies could not be installed (out of memory)");
	json_array_foreach(rf->changes, i, v)
		stir_audit_async(rf->srv, getuid(), getpid(), "policy.refresh",
		    json_string_value(v), STIR_OK);
	refresh_free(rf);
}

static void
refresh_fetched(struct content_job *j)
{
	struct refresh *rf = j->arg;
	const char *name;
	json_t *p, *v;
	size_t i;

	stir_metrics_policy_refresh(&rf->srv->metrics, json_object_size(j->content),
	    json_array_size(j->errors));
	if (!rf->srv->stopping)
		json_array_foreach(j->errors, i, v)
			log_warn("RCD policy content: %s; calls keep the digest they had",
			    json_string_value(v));
	json_object_foreach(rf->old, name, p) {
		json_t *nc = stir_policy_content_merge(name, json_object_get(p, "content"),
		    json_object_get(p, "urls"), j->content, (int64_t)time(NULL),
		    rf->srv->state->cfg->cache_negative_ttl, rf->changes);

		if (nc != NULL)
			(void)json_object_set_new(rf->updates, name, json_pack("{s:O, s:o}", "doc",
			    json_object_get(p, "doc"), "content", nc));
	}
	content_job_free(j);
	rf->work.data = rf;
	if (rf->srv->stopping || stir_storeq_queue(rf->srv->storeq, &rf->work,
	    refresh_work, refresh_after) != 0)
		refresh_free(rf);
}

void
stir_policy_refresh(struct stir_server *srv)
{
	const struct stir_policies *ps = srv->state->creds->policies;
	int64_t now = (int64_t)time(NULL);
	struct content_job *j = NULL;
	struct refresh *rf;
	const char *url;
	json_t *e;

	if (srv->policy_refreshing || ps == NULL || ps->n == 0 || srv->stopping ||
	    uv_now(srv->loop) - srv->policy_refresh_ms < POLICY_REFRESH_MIN_MS)
		return;
	srv->policy_refresh_ms = uv_now(srv->loop);
	if ((rf = calloc(1, sizeof(*rf))) == NULL)
		return;
	srv->policy_refreshing = true;
	rf->srv = srv;
	rf->old = json_object();
	rf->changes = json_array();
	rf->updates = json_object();
	if (rf->old == NULL || rf->changes == NULL || rf->updates == NULL ||
	    (j = content_job_new(srv, refresh_fetched, rf)) == NULL) {
		refresh_free(rf);
		return;
	}
	j->max_urls = STIR_POLICY_URLS_MAX * ps->n;	/* each policy has its own budget */
	for (size_t i = 0; i < ps->n; i++) {
		const struct stir_policy *p = &ps->v[i];
		json_t *doc_urls = stir_policy_urls(p);

		if (doc_urls == NULL || !stir_policy_content_due(p, doc_urls, now)) {
			json_decref(doc_urls);
			continue;
		}
		(void)json_object_set_new(rf->old, p->name, json_pack("{s:s, s:O, s:O}", "doc",
		    p->text, "content", p->content, "urls", doc_urls));
		json_object_foreach(doc_urls, url, e)
			content_start(j, url, json_string_value(e));
		json_object_foreach(p->content, url, e) {
			const char *kind = json_string_value(json_object_get(e, "kind"));

			content_start(j, url, kind != NULL ? kind : "other");
		}
		json_decref(doc_urls);
	}
	if (json_object_size(rf->old) == 0) {
		content_job_free(j);
		refresh_free(rf);
		return;
	}
	log_info("RCD policies: fetching the content of %zu policy(ies) again",
	    json_object_size(rf->old));
	content_started(j);
}
