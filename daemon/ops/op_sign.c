/*
 * op_sign.c: the sign op: decode the request into a stir_sign_req, let
 * the signing side (daemon/sign/signing.c) build and sign the PASSporTs,
 * and render them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stirclient.h"
#include "daemon/ops/ops.h"
#include "daemon/sign/signing.h"

/* The loop's wait for the signer process, at most this long, then the pool's. */
#define SIGN_CALL_TIMEOUT_MS	30000	/* as the blocking calls wait (signer_remote.c) */

struct sign_ctx {
	struct stir_sign_request	rq;
	struct stir_signing	s;
	struct stir_sign_item	items[STIR_SIGN_PPT_MAX];	/* the loop's call */
	struct stir_sign_call	*call;
};

static void
sign_ctx_free(void *p)
{
	struct sign_ctx *x = p;

	if (x == NULL)
		return;
	stir_signing_clear(&x->s);
	free(x);
}

/*
 * Pool thread, before sign_work() of each: the PASSporTs of a drainer's
 * batch of sign requests go to the signer together (one round trip to
 * the signer process for all of them).
 */
static void
sign_batch(struct stir_req **reqs, size_t n)
{
	struct stir_signing *xs[STIR_SIGN_BATCH_MAX];
	size_t k = 0;

	for (size_t i = 0; i < n && k < STIR_SIGN_BATCH_MAX; i++)
		xs[k++] = &((struct sign_ctx *)reqs[i]->ctx)->s;
	stir_signing_batch(reqs[0]->conn->srv->signer, xs, k);
}

static void
sign_work(struct stir_req *req)
{
	struct sign_ctx *x = req->ctx;
	char msg[256];
	int r;

	if ((r = stir_signing_sign(req->conn->srv->signer, &x->s, msg, sizeof(msg))) != STIR_OK)
		stir_req_set_error(req, r, "%s", msg);
}

static void
sign_done(struct stir_req *req)
{
	struct stir_signing *x = &((struct sign_ctx *)req->ctx)->s;
	struct stir_server *srv = req->conn->srv;
	json_t *ids;

	if (req->err != STIR_OK) {
		srv->stats.sign_errors++;
		return;
	}
	srv->stats.signs++;
	if ((ids = json_array()) == NULL) {
		stir_req_set_error(req, STIR_ENOMEM, NULL);
		return;
	}
	for (size_t i = 0; i < x->n; i++)
		(void)json_array_append_new(ids, json_string(x->v[i].identity));
	req->result = json_pack("{s:s, s:o, s:s, s:O, s:O}", "identity", x->v[0].identity,
	    "identities", ids, "cred", x->cred, "header", x->v[0].header,
	    "payload", x->v[0].payload);
	if (req->result != NULL && x->n > 1)
		(void)json_object_set_new(req->result, "rcd_passport", json_pack("{s:O, s:O}",
		    "header", x->v[1].header, "payload", x->v[1].payload));
	if (req->result != NULL && x->policy[0] != '\0')
		(void)json_object_set_new(req->result, "policy", json_string(x->policy));
	if (req->result == NULL)
		stir_req_set_error(req, STIR_ENOMEM, NULL);
}

/*
 * The signer process answered the loop's call (or did not in time): a
 * signed request is finished here; otherwise the pool signs it the
 * blocking way, which sends again across signer restarts.
 */
static void
sign_call_done(struct stir_req *req, int status)
{
	struct sign_ctx *x = req->ctx;
	struct stir_signer *signer = req->conn->srv->signer;
	int r;

	/* a failed descriptor is read too: the call then fails as a dead
	 * signer's does, and says so; only silence is a timeout */
	if (status != STIR_ETIMEDOUT)
		r = stir_signer_call_finish(signer, x->call);
	else {
		stir_signer_call_abort(signer, x->call);
		r = status;
	}
	x->call = NULL;
	if (r != STIR_OK) {
		stir_req_queue_hot(req, sign_work, sign_done);
		return;
	}
	stir_signing_signed(&x->s, x->items);
	stir_req_skipped_pool(req);
	sign_work(req);
	sign_done(req);
	stir_req_reply(req);
}

/*
 * At light load, the loop sends the request's PASSporTs to the signer
 * process itself and waits for the answer on the loop: two thread
 * wake-ups (the signer's, the loop's) instead of four through the pool.
 * STIR_OK if it did.
 */
static int
sign_call_start(struct stir_req *req, struct sign_ctx *x)
{
	struct stir_signer *signer = req->conn->srv->signer;
	size_t n = stir_signing_items(&x->s, x->items);
	int fd, r;

	if (!stir_req_may_skip_pool(req) ||
	    stir_signer_call_start(signer, x->items, n, &x->call, &fd) != STIR_OK)
		return STIR_EBUSY;
	if ((r = stir_req_wait_readable(req, fd, SIGN_CALL_TIMEOUT_MS, sign_call_done)) != STIR_OK) {
		stir_signer_call_abort(signer, x->call);
		x->call = NULL;
	}
	return r;
}

static int
parse_dest(json_t *dest, struct stir_shaken_claims *c, char *msg, size_t msglen)
{
	json_t *v;
	size_t i;

	if (json_is_string(dest)) {
		c->ndest = 1;
		return stir_ident_canon(json_string_value(dest), &c->dest[0], msg, msglen);
	}
	if (!json_is_array(dest) || json_array_size(dest) == 0) {
		snprintf(msg, msglen, "field 'dest' must be a string or a non-empty array of strings");
		return STIR_EBADREQ;
	}
	if (json_array_size(dest) > STIR_MAX_DEST) {
		snprintf(msg, msglen, "field 'dest' has more than %d entries", STIR_MAX_DEST);
		return STIR_ETOOBIG;
	}
	json_array_foreach(dest, i, v) {
		char m[200];

		if (!json_is_string(v)) {
			snprintf(msg, msglen, "field 'dest[%zu]' must be a string", i);
			return STIR_EBADREQ;
		}
		if (stir_ident_canon(json_string_value(v), &c->dest[i], m, sizeof(m)) != STIR_OK) {
			snprintf(msg, msglen, "field 'dest[%zu]': %s", i, m);
			return STIR_EINVAL;
		}
	}
	c->ndest = json_array_size(dest);
	return STIR_OK;
}

/* Fields that belong to one kind or another: refused where they do not apply. */
static const char *const for_shaken[] = { "original", "div", "body", "content_type", NULL };
static const char *const for_div[] = { "orig", "attest", "origid", "rcd", "crn", "body",
    "content_type", NULL };
static const char *const for_msg[] = { "attest", "origid", "rcd", "crn", "original", "div",
    NULL };
static const char *const for_rsp[] = { "attest", "origid", "rcd", "crn", "original", "div",
    "body", "content_type", NULL };

/* The PASSporT types the sign op makes, by name. */
static const struct sign_kind {
	const char		*ppt;
	enum stir_sign_ppt	 kind;
	bool			 needs_orig;
	const char *const	*foreign;	/* fields that do not apply */
} sign_kinds[] = {
	{ "shaken", STIR_SIGN_SHAKEN, true,  for_shaken },
	{ "rcd",    STIR_SIGN_RCD,    true,  for_shaken },
	{ "div",    STIR_SIGN_DIV,    false, for_div },
	{ "div-o",  STIR_SIGN_DIV_O,  false, for_div },
	{ "msg",    STIR_SIGN_MSG,    true,  for_msg },
	{ "rsp",    STIR_SIGN_RSP,    true,  for_rsp },
};

/* The op table's observe hook: sign metrics by credential and ppt. */
void
op_sign_observe(struct stir_req *req, uint64_t ns, int err, const json_t *result)
{
	const json_t *p = req->env != NULL ? req->env->params : NULL;
	const char *ppt = json_string_value(json_object_get(p, "ppt"));

	stir_metrics_sign(&req->conn->srv->metrics, ns, err,
	    json_string_value(json_object_get(result, "cred")),
	    ppt != NULL ? ppt : "shaken");
}

/* The request's parameters into rq; STIR_OK or a code with the reason in msg. */
static int
decode(json_t *p, time_t now, struct stir_sign_request *rq, char *msg, size_t msglen)
{
	json_t *dest = json_object_get(p, "dest"), *rcd = json_object_get(p, "rcd");
	const char *orig = stir_param_str(p, "orig"), *ppt = stir_param_str(p, "ppt");
	const struct sign_kind *kind = NULL;
	char m[320];
	int r;

	rq->ppt_name = ppt != NULL ? ppt : "shaken";
	for (size_t i = 0; i < sizeof(sign_kinds) / sizeof(sign_kinds[0]); i++)
		if (strcmp(rq->ppt_name, sign_kinds[i].ppt) == 0)
			kind = &sign_kinds[i];
	if (kind == NULL) {
		snprintf(msg, msglen, "field 'ppt' must be shaken, rcd, div, div-o, msg or rsp");
		return STIR_EINVAL;
	}
	rq->ppt = kind->kind;
	for (size_t i = 0; kind->foreign[i] != NULL; i++)
		if (json_object_get(p, kind->foreign[i]) != NULL) {
			snprintf(msg, msglen, "field '%s' does not apply to ppt %s",
			    kind->foreign[i], rq->ppt_name);
			return STIR_EBADREQ;
		}
	if (kind->needs_orig && orig == NULL) {
		snprintf(msg, msglen, "field 'orig' is missing");
		return STIR_EBADREQ;
	}
	if (orig != NULL && stir_ident_canon(orig, &rq->claims.orig, m, sizeof(m)) != STIR_OK) {
		snprintf(msg, msglen, "field 'orig': %s", m);
		return STIR_EINVAL;
	}
	if ((r = parse_dest(dest, &rq->claims, m, sizeof(m))) != STIR_OK) {
		snprintf(msg, msglen, "%s%s", json_is_string(dest) ? "field 'dest': " : "", m);
		return r;
	}
	if (json_object_get(p, "iat") != NULL) {
		json_int_t iat = json_integer_value(json_object_get(p, "iat"));

		if (iat <= 0 || (iat > (json_int_t)now + STIR_SIGN_IAT_SKEW_MAX) ||
		    (iat < (json_int_t)now - STIR_SIGN_IAT_SKEW_MAX)) {
			snprintf(msg, msglen, "field 'iat' must be within %d hours of now",
			    STIR_SIGN_IAT_SKEW_MAX / 3600);
			return STIR_EINVAL;
		}
		rq->claims.iat = iat;
		rq->has_iat = true;
	}
	rq->attest = stir_param_str(p, "attest");
	rq->origid = stir_param_str(p, "origid");
	rq->cred = stir_param_str(p, "cred");
	rq->rcd = json_is_object(rcd) ? rcd : NULL;
	rq->want_rcd = json_is_object(rcd) || json_is_true(rcd);
	rq->crn = stir_param_str(p, "crn");
	rq->original = stir_param_str(p, "original");
	rq->div = stir_param_str(p, "div");
	rq->body_b64 = stir_param_str(p, "body");
	rq->content_type = stir_param_str(p, "content_type");
	return STIR_OK;
}

void
op_sign(struct stir_req *req)
{
	struct sign_ctx *x;
	time_t now = time(NULL);
	char msg[384];
	int r;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		stir_req_fail(req, STIR_ENOMEM, NULL);
		return;
	}
	req->ctx = x;
	req->ctx_free = sign_ctx_free;
	if ((r = decode(req->env->params, now, &x->rq, msg, sizeof(msg))) != STIR_OK) {
		stir_req_fail(req, r, "%s", msg);
		return;
	}
	if ((r = stir_signing_prepare(&x->s, &x->rq, req->state->creds, req->state->cfg, now,
	    msg, sizeof(msg))) != STIR_OK) {
		req->conn->srv->stats.sign_errors++;
		stir_req_fail(req, r, "%s", msg);
		return;
	}
	req->batch_fn = sign_batch;
	if (stir_signer_cpu_only(req->conn->srv->signer, x->s.key_ref))
		stir_req_queue_cheap(req, sign_work, sign_done);
	else if (sign_call_start(req, x) != STIR_OK)
		stir_req_queue_hot(req, sign_work, sign_done);
}
