/*
 * verify_div.c: the verify op across Identity values: diversion chains
 * (RFC 8946), connected identity in responses (RFC 9970), and the action
 * a failed verification recommends (RFC 9410, failure_action).  Loop
 * thread, after the pool has checked certificates and signatures.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stirclient.h"
#include "daemon/verify/vctx.h"
#include "daemon/verify/verify_div.h"

static bool
usable(const struct vitem *it)
{
	return it->res.code == 0 && !it->res.ignored;
}

static bool
is_div(const struct vitem *it)
{
	return it->res.authority_of == STIR_AUTH_DIV && it->res.div.value[0] != '\0';
}

static bool
in_history(const struct vctx *x, const struct stir_ident *id)
{
	for (size_t k = 0; k < x->nhistory; k++)
		if (x->history[k].kind == id->kind && strcmp(x->history[k].value, id->value) == 0)
			return true;
	return false;
}

/* Does hop h's chain start at To: the root, or an original sent to To? */
static bool
chain_from_to(const struct vctx *x, const struct vitem *h)
{
	size_t steps = 0;

	while (h->hop.parent >= 0 && steps++ <= x->n) {
		const struct vitem *p = &x->items[h->hop.parent];

		if (!is_div(p))
			return stir_dest_has(json_object_get(p->res.payload, "dest"), &x->v.to);
		h = p;
	}
	return h->hop.parent == STIR_DIV_ROOT;
}

/* rsp: its dest is To, or the dest of a valid last hop of a chain from To. */
static void
link_rsp(struct vctx *x, struct vitem *it)
{
	const struct stir_ident *reached = &it->res.authority;

	if (reached->kind == x->v.to.kind && strcmp(reached->value, x->v.to.value) == 0)
		return;
	for (size_t j = 0; j < x->n; j++) {
		const struct vitem *h = &x->items[j];

		if (is_div(h) && usable(h) && h->hop.outermost && chain_from_to(x, h) &&
		    stir_dest_has(json_object_get(h->res.payload, "dest"), reached))
			return;
	}
	stir_vreq_fail(it, STIR_SIP_INVALID,
	    "the party reached is not To, and no div PASSporT leads to it (RFC 9970)");
}

void
stir_vreq_link(struct vctx *x)
{
	struct stir_div_in *in;
	struct stir_div_out *out;
	bool any = false;

	/* a backward request carries no div, and its dest was checked
	 * against the dialog's (verify.c): nothing to link */
	if (x->v.mode == STIR_VMODE_BACKWARD)
		return;
	for (size_t i = 0; i < x->n; i++)
		any |= is_div(&x->items[i]) || x->items[i].res.authority_of == STIR_AUTH_DEST;
	if (!any)
		return;
	in = calloc(x->n, sizeof(*in));
	out = calloc(x->n, sizeof(*out));
	if (in == NULL || out == NULL) {
		for (size_t i = 0; i < x->n; i++)
			if (is_div(&x->items[i]))
				stir_vreq_fail(&x->items[i], STIR_SIP_INVALID, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < x->n; i++) {
		struct vitem *it = &x->items[i];

		/* an rsp is no PASSporT of the call: nothing diverts from it */
		in[i].usable = usable(it) && it->res.authority_of != STIR_AUTH_DEST;
		in[i].is_div = is_div(it);
		in[i].orig = &it->res.orig;
		in[i].dest = json_object_get(it->res.payload, "dest");
		in[i].div = &it->res.div;
		in[i].opt = it->opt_item;
	}
	stir_div_link(in, x->n, x->st->cfg->div_max_hops,
	    x->v.mode == STIR_VMODE_REQUEST ? NULL : &x->v.to, out);
	for (size_t i = 0; i < x->n; i++) {
		struct vitem *it = &x->items[i];

		it->hop = out[i];
		if (!in[i].is_div || !in[i].usable)
			continue;
		if (out[i].code != 0) {
			stir_vreq_fail(it, out[i].code, out[i].detail);
			continue;
		}
		/* the last hop's target is where the request went (RFC 8946 4.2) */
		if (out[i].outermost && x->has_ruri && x->v.mode == STIR_VMODE_REQUEST &&
		    !stir_dest_has(in[i].dest, &x->ruri))
			stir_vreq_fail(it, STIR_SIP_INVALID,
			    "the Request-URI is not the dest of the last diversion");
	}
	for (size_t i = 0; i < x->n; i++)
		if (x->items[i].res.authority_of == STIR_AUTH_DEST && usable(&x->items[i]))
			link_rsp(x, &x->items[i]);
 out:
	free(in);
	free(out);
}

static json_t *
hop_json(const struct vctx *x, size_t i)
{
	const struct vitem *it = &x->items[i];
	json_t *o;

	o = json_pack("{s:I, s:o, s:O?, s:b, s:i, s:o}", "identity", (json_int_t)i,
	    "div", stir_passport_ident(&it->res.div), "dest", json_object_get(it->res.payload, "dest"),
	    "valid", usable(it), "depth", it->hop.depth,
	    "from", it->hop.parent >= 0 ? json_integer(it->hop.parent) :
	    it->hop.parent == STIR_DIV_ROOT ? json_string("to") : json_null());
	if (o != NULL && x->has_history)
		(void)json_object_set_new(o, "in_history", json_boolean(in_history(x, &it->res.div)));
	if (o != NULL && !usable(it))
		(void)json_object_set_new(o, "detail", json_string(it->res.detail));
	return o;
}

json_t *
stir_vreq_diversion_json(const struct vctx *x)
{
	json_t *hops = json_array(), *target = json_null();
	bool verified = false;

	for (size_t i = 0; i < x->n; i++) {
		const struct vitem *it = &x->items[i];

		if (!is_div(it) || it->res.ignored)
			continue;
		(void)json_array_append_new(hops, hop_json(x, i));
		/* a chain is verified when its last hop is (the ones before are then) */
		if (usable(it) && it->hop.outermost && !verified) {
			verified = true;
			json_decref(target);
			target = json_incref(json_object_get(it->res.payload, "dest"));
		}
	}
	if (json_array_size(hops) == 0) {
		json_decref(hops);
		json_decref(target);
		return json_null();
	}
	return json_pack("{s:b, s:o, s:o, s:b}", "verified", verified, "target", target,
	    "hops", hops, "request_uri_checked", x->has_ruri);
}

/* Why no PASSporT of the connected party was found, per mode. */
static const char *
connected_missing(const struct vctx *x)
{
	switch (x->v.mode) {
	case STIR_VMODE_PRECALL:
		return "no rsp PASSporT: the party reached did not prove its number before media";
	case STIR_VMODE_BACKWARD:
		return "no PASSporT of the connected party in the request (a base or shaken PASSporT signed for dest)";
	default:
		return "no rsp PASSporT in the response";
	}
}

json_t *
stir_vreq_connected_json(const struct vctx *x)
{
	const struct vitem *best = NULL;
	bool retargeted;
	json_t *o;

	if (x->v.mode == STIR_VMODE_REQUEST)
		return json_null();
	for (size_t i = 0; i < x->n; i++) {
		const struct vitem *it = &x->items[i];

		if (it->res.authority_of != STIR_AUTH_DEST || it->res.ignored)
			continue;
		if (best == NULL || (usable(it) && !usable(best)))
			best = it;
	}
	if (best == NULL)
		return json_pack("{s:b, s:n, s:s}", "verified", 0, "number", "detail",
		    connected_missing(x));
	retargeted = strcmp(best->res.authority.value, x->v.to.value) != 0;
	if (!usable(best))
		return json_pack("{s:b, s:o, s:s}", "verified", 0, "number",
		    stir_passport_ident(&best->res.authority), "detail", best->res.detail);
	/* what the caller pins for the dialog's backward requests (RFC 9970
	 * section 6): this number as connected_dest, this certificate as
	 * expect_cert */
	o = json_pack("{s:b, s:o, s:b, s:n}", "verified", 1, "number",
	    stir_passport_ident(&best->res.authority), "retargeted", retargeted, "detail");
	if (o != NULL && best->cert != NULL)
		(void)json_object_set_new(o, "cert_sha256", json_string(best->cert->info.sha256));
	return o;
}

json_t *
stir_vreq_action_json(const struct vctx *x, const char *verstat, int code, json_t *reasons)
{
	bool failed = strcmp(verstat, "TN-Validation-Failed") == 0;
	bool with_reason = x->st->cfg->failure_action == STIR_ACTION_CONTINUE_REASON &&
	    json_array_size(reasons) > 0;

	if (failed && x->st->cfg->failure_action == STIR_ACTION_REJECT) {
		/* a response cannot be rejected (a backward request can) */
		if (stir_vmode_is_response(x->v.mode))
			return json_pack("{s:s}", "do", "terminate");
		return json_pack("{s:s, s:i, s:s}", "do", "reject", "code", code,
		    "reason_phrase", stir_sip_reason(code));
	}
	/* in every mode: after a response, the caller puts them in its next
	 * request of the dialog to the called side (PRACK, ACK, UPDATE, BYE;
	 * RFC 3326 lets any request carry Reason), whose signer must hear of
	 * the failure as an authentication service does (RFC 9410 sections 4-6) */
	if (with_reason)
		return json_pack("{s:s, s:O}", "do", "continue", "reason", reasons);
	return json_pack("{s:s}", "do", "continue");
}
