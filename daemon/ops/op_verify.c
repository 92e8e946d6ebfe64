/*
 * op_verify.c: the verify op.  Decodes and checks the request's fields
 * (doc/protocol.md "verify") into a verify request's context, then hands
 * it to the engine (verify/vreq.c), which looks up the certificates,
 * verifies the values and replies.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stirclient.h"
#include "daemon/ops/ops.h"
#include "daemon/pki/rcd_anchor.h"
#include "daemon/stir/callinfo.h"
#include "daemon/stir/message.h"
#include "daemon/verify/vreq.h"


/* The body of a MESSAGE (base64): within msg_max_body_bytes, MIME-sane. */
static int
read_body(struct stir_req *req, struct vctx *x, const char *b64, const char *ctype)
{
	unsigned max = req->state->cfg->msg_max_body_bytes;
	char msg[256];
	size_t len = 0;
	int r;

	if ((r = stir_body_decode(b64, max, &x->body, &len, msg, sizeof(msg))) != STIR_OK ||
	    (r = stir_body_check(x->body, len, ctype, msg, sizeof(msg))) != STIR_OK) {
		stir_req_fail(req, r, "field 'body': %s", msg);
		return r;
	}
	x->v.body = x->body;
	x->v.body_len = len;
	return STIR_OK;
}

/*
 * What RCD is compared with or rebuilt from: the display-names of From and
 * P-Asserted-Identity (RFC 9795 12.2) and the call-reason of Call-Info
 * (9.3, for a compact form).  Replies on error.
 */
static int
read_rcd_context(struct stir_req *req, struct vctx *x)
{
	json_t *p = req->env->params;
	const char *ci = stir_param_str(p, "call_info");
	int r;

	x->has_from_name = stir_sip_display_name(stir_param_str(p, "from"), x->from_name,
	    sizeof(x->from_name));
	x->has_pai_name = stir_param_str(p, "pai") != NULL &&
	    stir_sip_display_name(stir_param_str(p, "pai"), x->pai_name, sizeof(x->pai_name));
	x->v.from_name = x->has_from_name ? x->from_name : NULL;
	if (ci != NULL) {
		r = stir_callinfo_reason(ci, x->call_reason, sizeof(x->call_reason));
		if (r != STIR_OK && r != STIR_ENOENT) {
			stir_req_fail(req, STIR_EINVAL, "field 'call_info': an unterminated <URI> or "
			    "quoted-string, or a call-reason over %d bytes", STIR_CI_REASON_MAX);
			return STIR_EINVAL;
		}
		x->v.call_reason = r == STIR_OK ? x->call_reason : NULL;
	}
	return STIR_OK;
}

/*
 * A backward request's PASSporT must keep the dest of the dialog's first
 * response (RFC 9970 section 6): connected_dest, what that response's
 * verify returned as connected.number; without it, To (a call that was
 * not retargeted is answered by To).  Replies on error.
 */
static int
read_dialog_dest(struct stir_req *req, struct vctx *x)
{
	const char *cd = stir_param_str(req->env->params, "connected_dest");
	char msg[256];

	if (cd != NULL && x->v.mode != STIR_VMODE_BACKWARD) {
		stir_req_fail(req, STIR_EINVAL, "field 'connected_dest' is for mode \"backward\" only");
		return STIR_EINVAL;
	}
	if (x->v.mode != STIR_VMODE_BACKWARD)
		return STIR_OK;
	if (cd == NULL) {
		x->v.dialog_dest = x->v.to;
		return STIR_OK;
	}
	if (stir_ident_canon(cd, &x->v.dialog_dest, msg, sizeof(msg)) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL, "field 'connected_dest': %s", msg);
		return STIR_EINVAL;
	}
	/* an rsp's dest, the number reached, is one tn (verify.c) */
	if (x->v.dialog_dest.kind != STIR_IDENT_TN) {
		stir_req_fail(req, STIR_EINVAL, "field 'connected_dest' must be a telephone number");
		return STIR_EINVAL;
	}
	return STIR_OK;
}

/* mode, request_uri, history_info and diversion; replies on error. */
static int
read_context(struct stir_req *req, struct vctx *x)
{
	json_t *p = req->env->params;
	const char *mode = stir_param_str(p, "mode");
	static const char *const hist[] = { "history_info", "diversion" };
	char msg[256];

	x->v.mode = STIR_VMODE_REQUEST;
	if (mode != NULL && stir_vmode_parse(mode, &x->v.mode) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL, "field 'mode' must be \"request\", \"response\", \"precall\" or \"backward\"");
		return STIR_EINVAL;
	}
	if (read_dialog_dest(req, x) != STIR_OK)
		return STIR_EINVAL;
	if (stir_param_str(p, "expect_cert") != NULL) {
		const char *fp = stir_param_str(p, "expect_cert");

		if (strlen(fp) != 64 || strspn(fp, "0123456789abcdefABCDEF") != 64) {
			stir_req_fail(req, STIR_EINVAL, "field 'expect_cert' must be a SHA-256 fingerprint (64 hex digits)");
			return STIR_EINVAL;
		}
		for (size_t k = 0; k < 64; k++)
			x->expect_cert[k] = (char)tolower((unsigned char)fp[k]);
	}
	if (stir_param_str(p, "request_uri") != NULL) {
		if (stir_ident_canon(stir_param_str(p, "request_uri"), &x->ruri, msg,
		    sizeof(msg)) != STIR_OK) {
			stir_req_fail(req, STIR_EINVAL, "field 'request_uri': %s", msg);
			return STIR_EINVAL;
		}
		x->has_ruri = true;
	}
	for (size_t k = 0; k < 2; k++) {
		size_t n = 0;

		if (stir_param_str(p, hist[k]) == NULL)
			continue;
		if (stir_div_history(stir_param_str(p, hist[k]), x->history + x->nhistory,
		    STIR_HISTORY_MAX - x->nhistory, &n) != STIR_OK) {
			stir_req_fail(req, STIR_EINVAL, "field '%s': an unterminated <URI>, or more than %d entries",
			    hist[k], STIR_HISTORY_MAX);
			return STIR_EINVAL;
		}
		x->nhistory += n;
		x->has_history = true;
	}
	return STIR_OK;
}

/* How many items to allocate: each div-o may nest one original per hop. */
static size_t
item_capacity(json_t *ids, unsigned max_hops)
{
	size_t i, n = json_array_size(ids), extra = 0;
	json_t *v;

	json_array_foreach(ids, i, v)
		if (strstr(json_string_value(v), "div-o") != NULL)
			extra += max_hops;
	return n + (extra < STIR_MAX_NESTED ? extra : STIR_MAX_NESTED);
}

/* The op table's observe hook: verify metrics by verdict. */
void
op_verify_observe(struct stir_req *req, uint64_t ns, int err, const json_t *result)
{
	stir_metrics_verify(&req->conn->srv->metrics, ns, err, result);
}

void
op_verify(struct stir_req *req)
{
	struct stir_server *srv = req->conn->srv;
	json_t *p = req->env->params, *ids, *v;
	struct vctx *x;
	char msg[384];
	size_t i, cap;

	ids = json_object_get(p, "identity");
	json_array_foreach(ids, i, v) {
		if (!json_is_string(v)) {
			stir_req_fail(req, STIR_EBADREQ, "field 'identity[%zu]' must be a string", i);
			return;
		}
		if (json_string_length(v) > STIR_IDENTITY_MAX) {
			stir_req_fail(req, STIR_ETOOBIG, "field 'identity[%zu]' is longer than %d bytes",
			    i, STIR_IDENTITY_MAX);
			return;
		}
	}
	cap = item_capacity(ids, req->state->cfg->div_max_hops);
	if ((x = stir_vreq_new(req, cap)) == NULL) {
		stir_req_fail(req, STIR_ENOMEM, NULL);
		return;
	}
	x->v.at = json_object_get(p, "at") ? json_integer_value(json_object_get(p, "at")) :
	    (int64_t)time(NULL);
	if (x->v.at <= 0 || x->v.at > STIR_AT_MAX) {
		stir_req_fail(req, STIR_EINVAL, "field 'at' must be a time from 1 to %lld",
		    (long long)STIR_AT_MAX);
		return;
	}
	/* a chain validated as of another time (traceback) is not shared */
	x->use_memo = x->v.at - (int64_t)time(NULL) <= 60 && (int64_t)time(NULL) - x->v.at <= 60;
	x->v.iat_window = req->state->cfg->iat_window;
	x->v.date_iat_skew = req->state->cfg->date_iat_skew;
	x->v.date = -1;
	if (stir_ident_canon(stir_param_str(p, "from"), &x->v.from, msg, sizeof(msg)) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL, "field 'from': %s", msg);
		return;
	}
	if (stir_ident_canon(stir_param_str(p, "to"), &x->v.to, msg, sizeof(msg)) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL, "field 'to': %s", msg);
		return;
	}
	if (stir_param_str(p, "pai") != NULL) {
		if (stir_ident_canon(stir_param_str(p, "pai"), &x->v.pai, msg, sizeof(msg)) != STIR_OK) {
			stir_req_fail(req, STIR_EINVAL, "field 'pai': %s", msg);
			return;
		}
		x->v.has_pai = true;
	}
	if (read_rcd_context(req, x) != STIR_OK)
		return;
	if (stir_param_str(p, "date") != NULL &&
	    stir_http_date(stir_param_str(p, "date"), &x->v.date) != STIR_OK) {
		stir_req_fail(req, STIR_EINVAL, "field 'date' is not an HTTP-date (RFC 7231)");
		return;
	}
	if (read_context(req, x) != STIR_OK)
		return;
	if (stir_param_str(p, "body") != NULL &&
	    read_body(req, x, stir_param_str(p, "body"), stir_param_str(p, "content_type")) != STIR_OK)
		return;
	if (stir_vreq_start(x, ids, req->state->cfg->max_x5u_per_verify, srv->certcache) != STIR_OK)
		stir_req_fail(req, STIR_ENOMEM, NULL);
}
